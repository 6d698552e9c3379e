"""What the formats whose records each start with a heading line share.

A format module makes one `HeadingFormat` of its heading regexes and its own `records()` and
`record_complete()` functions (see the end of markdown.py); this class finds headings to detect
the format, to cut batches and to hold back a half-written last record, and decodes header
and body spans as indented text (see `source.decode_span`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Callable

from tui.model.trace import Buffer, Headers, Record, Span, Timings
from tui.readers.parsed import Cursor, Warn
from tui.readers.source import decode_span, parse_header_lines
from tui.text.bodies import is_empty_body

# `Format.records`, over a chunk that is always a bytes copy for these formats.
ReadRecords = Callable[[bytes, int, int, int, Cursor, Warn], Iterator[Record]]
# Whether the record at `start` (ending before `end`) has been written whole.
RecordComplete = Callable[[Buffer, int, int], bool]


class HeadingFormat:
    """A line-oriented format: a record runs from its heading line to the next one."""

    request_id_name = "X-Requestshook-Request-Id"
    can_follow = True
    explicit_parents = False
    whole_document = False
    raw_text = True

    def __init__(
        self,
        name: str,
        expected: str,
        heading: re.Pattern[bytes],
        next_heading: re.Pattern[bytes],
        read: ReadRecords,
        complete: RecordComplete,
        lookahead: int = 0,
        prefix: bytes = b"\n### ",
    ) -> None:
        """The format `name`, whose records look like `expected` (for an error message).

        `heading` matches at a line start; `next_heading` is `\\n` + the same pattern, which
        finds the following heading fast because its literal prefix lets the regex engine skip
        lines. Every heading starts with `prefix`, a literal `bytes.rfind` looks for backwards.
        `read` and `complete` are the module's `records()` and `record_complete()`.
        """
        self.name = name
        self.expected = expected
        self.heading = heading
        self.next_heading = next_heading
        self._read = read
        self._complete = complete
        self.lookahead = lookahead
        self.prefix = prefix

    def first(self, buffer: Buffer, start: int, end: int | None = None) -> int:
        """Offset of the first heading at or after line start `start` (before `end`), or -1."""
        stop = len(buffer) if end is None else end
        if self.heading.match(buffer, start, stop):
            return start
        match = self.next_heading.search(buffer, start, stop)
        return match.start() + 1 if match else -1

    def detect(self, head: Buffer, end: int) -> int:
        """The offset of the first heading in `head[:end]`, or -1."""
        return self.first(head, 0, end)

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        """The start of the last heading in `(start, end]`, else of the first after `end`."""
        probe = end
        while True:
            newline = buffer.rfind(self.prefix, start, probe)
            if newline < 0:
                break
            if self.heading.match(buffer, newline + 1):
                return newline + 1
            probe = newline
        # One record is larger than a batch: take it whole.
        following = self.first(buffer, end)
        return len(buffer) if following < 0 else following

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        """Where the last record in `[start, end)` starts if it is not whole yet, else -1."""
        tail = buffer.rfind(self.prefix, start, end)
        tail = tail + 1 if tail >= 0 else start
        if self.heading.match(buffer, tail) and not self.record_complete(buffer, tail, end):
            return tail
        return -1

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        """See `Format.records`: the module's own `records()`."""
        return self._read(bytes(chunk), limit, file_end, base, cursor, warn)

    def record_complete(self, buffer: Buffer, start: int, end: int) -> bool:
        """Whether the record at `start` (ending before `end`) has been written whole."""
        return self._complete(buffer, start, end)

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        """`Name: value` lines as ordered pairs."""
        return parse_header_lines(decode_span(buffer, span))

    def header_text(self, buffer: Buffer, span: Span) -> str:
        """The header lines as written, dedented."""
        return decode_span(buffer, span)

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        """None: these formats have no clock."""
        return ()

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        """The body as written, dedented; "" for the hook's `none`."""
        text = decode_span(buffer, span).strip("\n")
        return "" if is_empty_body(text) else text
