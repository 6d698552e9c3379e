"""How a text pattern runs over the raw bytes of a trace: `bytes.find`, a bytes regex, or not.

See `tui.query.search` for why raw bytes read like decoded text only for plain ASCII records
and patterns that stay on one line.

Plain Python, no Textual.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import NamedTuple

from tui.query.language import Term, TextPattern, text_pattern
from tui.query.regex_shape import regex_shape

# How a text pattern runs over raw bytes: see `plan_for`.
FIND, REGEX, NEVER, DECODED = "find", "regex", "never", "decoded"


class Plan(NamedTuple):
    """How to run a text pattern over the raw bytes of plain ASCII records: `kind` FIND
    (`needle`), REGEX (`regex`), NEVER (cannot occur in them) or DECODED (decode every
    record); `lowered` runs it over the lower-cased chunk. `line_local`: no match spans lines."""

    kind: str
    needle: bytes = b""
    regex: re.Pattern[bytes] | None = None
    lowered: bool = False
    line_local: bool = True


@cache
def _ascii_equivalents(char: str) -> tuple[str, ...]:
    """The ASCII characters a case-insensitive `char` matches (Kelvin sign: k and K)."""
    pattern = re.compile(re.escape(char), re.IGNORECASE)
    return tuple(ascii for ascii in map(chr, range(128)) if pattern.fullmatch(ascii))


def _literal_plan(pattern: TextPattern) -> Plan:
    if "\n" in pattern.text or "\r" in pattern.text:
        return Plan(DECODED, line_local=False)
    if not pattern.ignore_case:
        return Plan(FIND, pattern.text.encode()) if pattern.text.isascii() else Plan(NEVER)
    folded = []
    for char in pattern.text:
        lowered = {ascii.lower() for ascii in _ascii_equivalents(char)}
        if not lowered:
            return Plan(NEVER)
        if len(lowered) > 1:
            return Plan(DECODED)
        folded.append(lowered.pop())
    return Plan(FIND, "".join(folded).encode(), lowered=True)


@lru_cache(maxsize=256)
def plan_for(pattern: TextPattern) -> Plan:
    """Choose how `pattern` runs over raw bytes (see `tui.query.search`)."""
    if not pattern.is_regex:
        return _literal_plan(pattern)
    shape = regex_shape(pattern.text, pattern.regex.flags)
    if not shape.line_local:
        return Plan(DECODED, line_local=False)
    if not pattern.text.isascii():
        return Plan(DECODED)
    source = pattern.text.encode()
    try:
        if pattern.ignore_case and shape.lowercase_only:
            # sre skips ahead to a literal prefix only when case counts: much faster.
            return Plan(REGEX, regex=re.compile(source), lowered=True)
        return Plan(REGEX, regex=re.compile(source, re.IGNORECASE if pattern.ignore_case else 0))
    except re.error:  # e.g. `(?u)` or `\\N{...}`, which bytes patterns do not take
        return Plan(DECODED)


_HEADER_SPACE = rb"[ \t\r\x0b\x0c]*"


def header_needle(term: Term) -> TextPattern | None:
    """Text every record with a matching header holds: the longest plain run of the name."""
    plain = term.name.split("[", 1)[0]
    longest = max(re.split(r"[*?]", plain), key=len)
    return text_pattern(longest, ignore_case=True) if longest else None


def header_line(term: Term) -> re.Pattern[bytes] | None:
    """A bytes regex that finds a header line matching `term` in the raw header block of a
    plain ASCII record exactly as the parsed headers would; None when the term is not that
    simple (a glob name, a regex value, a value with spaces at its ends)."""
    name = term.name
    if not name.isascii() or name != name.strip() or any(char in name for char in "*?[:\n\r"):
        return None
    head = rb"(?m)^" + _HEADER_SPACE + rb"(?i:" + re.escape(name.encode()) + rb")" + _HEADER_SPACE
    value = term.pattern
    if value is None:
        return re.compile(head + rb"(?::|$)")
    text = value.text
    if value.is_regex or not text.isascii() or not text or text[0].isspace() or text[-1].isspace():
        return None
    if "\n" in text or "\r" in text:
        return None
    literal = re.escape(text.encode())
    if value.ignore_case:
        literal = rb"(?i:" + literal + rb")"
    # Between colon and text only same-line bytes: the value is the rest of the line, and
    # text with no spaces at its ends is in the stripped value exactly when it is in the raw.
    return re.compile(head + rb":[^\n]*?" + literal)
