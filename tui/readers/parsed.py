"""What the format parsers hand to the reader, and the field decoding they share."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, NamedTuple

from tui.model.trace import Headers, Record, Span
from tui.text.sanitize import visible_line

# Fields come from heading lines and header values an attacker can make megabytes long; a
# field is cut here so one hostile line cannot make every list row, warning and JSON line huge.
MAX_FIELD = 8192
ELLIPSIS = "\u2026"
_CACHED_LENGTH = 512

# Searched inside a header span, from the newline before it, so the name must start a line
# and the literal newline lets the regex engine skip from line to line.
REQUEST_ID = re.compile(rb"\n[ \t]*X-Requestshook-Request-Id:[ \t]*(\S+)", re.I)

# `tuple.__new__(Record, fields)` builds a named tuple without calling the Python-level
# `__new__` a NamedTuple class defines; the readers build several a record.
new_tuple = tuple.__new__


class ParsedRecord(NamedTuple):
    """The fields of one record as a format's general parser read them (chunk offsets).

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


class Cursor:
    """Where a format's `records()` is in the file, between records and between chunks.

    `line` is the line number at chunk offset `counted`: newlines are counted once, in
    order. After the last record of a chunk, `resume` is where the next chunk starts (past
    the chunk's end when a body was found to run on).
    """

    __slots__ = ("counted", "line", "resume")

    def __init__(self, line: int) -> None:
        """A cursor at the start of a chunk, which is on line `line`."""
        self.line = line
        self.counted = 0
        self.resume = 0


# Receives a problem with a record: its line and what is wrong.
Warn = Callable[[int, str], None]


def field(raw: bytes) -> str:
    """Decode a short field (heading part, service name), trim it and make it safe to show.

    These fields are shown everywhere, so they are sanitized once here, when read.
    """
    if len(raw) > MAX_FIELD:
        return visible_line(raw[:MAX_FIELD].decode("utf-8", "replace").strip()) + ELLIPSIS
    decoded = raw.decode("utf-8", "replace").strip()
    # Every character `visible_line` escapes is one `isprintable()` rejects, so the usual
    # plain field skips the regex.
    return decoded if decoded.isprintable() else visible_line(decoded)


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


def request_id(chunk: bytes, start: int, end: int) -> str:
    """The X-Requestshook-Request-Id inside the header block `chunk[start:end]`, or "".

    Request ids are unique, so they are decoded without the cache, where they would only
    push out the names that repeat.
    """
    if start == 0:
        return ""
    match = REQUEST_ID.search(chunk, start - 1, end)
    if match is None:
        return ""
    value_start, value_end = match.span(1)
    return field(chunk[value_start : min(value_end, value_start + MAX_FIELD + 1)])


def shift(span: Span | None, base: int) -> Span | None:
    """`span` moved from chunk offsets to file offsets."""
    return None if span is None else new_tuple(Span, (span[0] + base, span[1] + base, span[2]))


def indexed(
    parsed: ParsedRecord, chunk: bytes, start: int, base: int, cursor: Cursor, warn: Warn
) -> Record:
    """The `Record` of what a general parser read at `chunk[start:]` (`base` in the file):
    its lines are numbered from `cursor`, which moves past it, and its problems are reported
    through `warn`."""
    count = chunk.count
    line = cursor.line + count(b"\n", cursor.counted, start)
    for offset, message in parsed.problems:
        warn(line + count(b"\n", start, offset), message)
    counted = max(start, parsed.end - 1)
    end_line = line + count(b"\n", start, counted)
    cursor.line, cursor.counted, cursor.resume = end_line, counted, parsed.resume
    headers = parsed.headers
    return Record(
        parsed.kind,
        parsed.src,
        parsed.dst,
        parsed.method,
        parsed.status,
        parsed.reason,
        parsed.target,
        "" if headers is None else request_id(chunk, headers.start, headers.end),
        line,
        end_line,
        Span(base + start, base + parsed.end),
        shift(headers, base),
        shift(parsed.body, base),
    )


def header_lines(headers: Headers) -> str:
    """Headers as `Name: value` lines: the searchable text of a format whose spans do not
    hold the header block as written (JSON arrays, attributes)."""
    return "\n".join(f"{name}: {value}" for name, value in headers)
