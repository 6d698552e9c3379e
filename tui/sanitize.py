"""Make untrusted trace text safe to put on a terminal.

Neither Rich nor Textual removes ESC, C1 controls or bidi overrides, so every string that
came from a trace passes through `visible()` before it is displayed: each dangerous character
becomes a visible escape (`\\x1b`, `\\u202e`) that the user can still read and search for.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f"  # C0 controls except tab and newline, and DEL
    "\x80-\x9f"  # C1 controls, including the 8-bit CSI \x9b
    "\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # zero-width, bidi
    "\ud800-\udfff"  # lone surrogates
    "]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Return `text` with every control, bidi, zero-width and surrogate character escaped."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def visible_line(text: str) -> str:
    """Like `visible()`, for text that must stay on one line: tabs and newlines escaped too."""
    return visible(text).replace("\t", "\\t").replace("\n", "\\n")
