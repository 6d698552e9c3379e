"""What a format parser returns for one record, before pairing (offsets relative to a chunk)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from tui.model import Span
from tui.sanitize import visible_line

# Fields come from heading lines and header values an attacker can make megabytes long; a
# field is cut here so one hostile line cannot make every list row, warning and JSON line huge.
MAX_FIELD = 8192
ELLIPSIS = "\u2026"
_CACHED_LENGTH = 512

# Searched inside a header span, from the newline before it, so the name must start a line
# and the literal newline lets the regex engine skip from line to line.
REQUEST_ID = re.compile(rb"\n[ \t]*X-Requestshook-Request-Id:[ \t]*(\S+)", re.I)


class ParsedRecord(NamedTuple):
    """The fields of one record as a format parser read them.

    `end` is where the record's own text stops (prose after it belongs to no record);
    `resume` is where the next record may start: past `end` when the record's body was found
    to hold heading-like lines that belong to it. `problems` are (offset, message) pairs for
    the reader to turn into warnings.
    """

    kind: str
    src: str
    dst: str
    method: str
    status: int
    reason: str
    target: str
    headers: Span | None
    body: Span | None
    end: int
    problems: list[tuple[int, str]]
    resume: int


def field(raw: bytes) -> str:
    """Decode a short field (heading part, service name), trim it and make it safe to show.

    These fields are shown everywhere, so they are sanitized once here, when read.
    """
    if len(raw) > MAX_FIELD:
        return visible_line(raw[:MAX_FIELD].decode("utf-8", "replace").strip()) + ELLIPSIS
    return visible_line(raw.decode("utf-8", "replace").strip())


@lru_cache(maxsize=4096)
def _cached_field(raw: bytes) -> str:
    return field(raw)


def shown(raw: bytes) -> str:
    """`field()`, through a cache for the short values that repeat from record to record
    (services, methods, reasons, paths): they are decoded once and shared."""
    return _cached_field(raw) if len(raw) <= _CACHED_LENGTH else field(raw)


def text(chunk: bytes, start: int, end: int) -> str:
    """`shown()` of `chunk[start:end]`, reading no more than a field can show."""
    if end - start > MAX_FIELD:
        return field(chunk[start : start + MAX_FIELD + 1])
    return shown(chunk[start:end])


def request_id(chunk: bytes, headers: Span | None) -> str:
    """The X-Requestshook-Request-Id inside a header span, or ""."""
    if headers is None or headers.start == 0:
        return ""
    match = REQUEST_ID.search(chunk, headers.start - 1, headers.end)
    return text(chunk, *match.span(1)) if match else ""
