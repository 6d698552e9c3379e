"""Make untrusted trace text safe to put on a terminal.

Neither Rich nor Textual removes ESC, C1 controls or bidi overrides, so every string that
came from a trace passes through `visible()` before it is displayed: each dangerous character
becomes a visible escape (`\\x1b`, `\\u202e`) that the user can still read and search for.
"""

from __future__ import annotations

import re

_UNSAFE_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f"  # C0 controls except tab and newline, and DEL
    "\x80-\x9f"  # C1 controls, including the 8-bit CSI \x9b
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, isolates
    "\u206a-\u206f"  # deprecated format controls (symmetric swapping, digit shapes)
    "\u180e\u200b-\u200d\u2060-\u2064\ufeff"  # zero-width characters
    "\u2028\u2029"  # line and paragraph separators: line breaks that are not \n
    "\ufff9-\ufffb"  # interlinear annotation controls
    "\U000e0000-\U000e007f"  # tag characters: invisible text smuggled after a visible one
    "\ud800-\udfff"  # lone surrogates
)
_UNSAFE = re.compile(f"[{_UNSAFE_CHARS}]")
# One pass for `visible_line`: the same characters plus tab and newline.
_UNSAFE_IN_LINE = re.compile(f"[\t\n{_UNSAFE_CHARS}]")
_LINE_ESCAPES = {"\t": "\\t", "\n": "\\n"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x100:
        return _LINE_ESCAPES.get(char) or f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """Return `text` with every control, bidi, zero-width and surrogate character escaped."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def visible_line(text: str) -> str:
    """Like `visible()`, for text that must stay on one line: tabs and newlines escaped too."""
    return _UNSAFE_IN_LINE.sub(_escape, text) if _UNSAFE_IN_LINE.search(text) else text
