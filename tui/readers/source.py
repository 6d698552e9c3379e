"""Lazy access to the bytes behind a trace: headers and bodies are decoded only when asked for.

`TraceSource` asks the trace's format to decode a span; the text helpers below are what the
line-oriented formats decode with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from tui.model.trace import Buffer, Headers, Record, Span, Timings

if TYPE_CHECKING:
    from tui.readers.format import Format

_INDENTS: dict[int, re.Pattern[str]] = {}


def _dedent_pattern(indent: int) -> re.Pattern[str]:
    pattern = _INDENTS.get(indent)
    if pattern is None:
        pattern = _INDENTS[indent] = re.compile(f"(?m)^ {{1,{indent}}}")
    return pattern


def decode_span(buffer: Buffer, span: Span) -> str:
    """Decode one span as UTF-8 (bad bytes become U+FFFD), drop CRs before newlines, dedent."""
    text = bytes(buffer[span.start : span.end]).decode("utf-8", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if span.indent:
        # The hook indents every line but the empty ones by exactly `indent` spaces; when the
        # counts show that, two C-level passes dedent it. Anything else takes the regex.
        pad = " " * span.indent
        indented = text.count("\n" + pad) + text.count("\n\n") + text.endswith("\n")
        if text.startswith(pad) and indented == text.count("\n"):
            return text[span.indent :].replace("\n" + pad, "\n")
        text = _dedent_pattern(span.indent).sub("", text)
    return text


def parse_header_lines(text: str) -> Headers:
    """Split `Name: value` lines into ordered pairs; names may repeat, order is kept.

    A line with no colon is kept as a header with an empty value, so nothing in the file is
    hidden from the user. A line that starts with a space or a tab continues the header above
    it (an obsolete folded header, RFC 9112 5.2): it is joined to that value with one space,
    so a folded secret is masked with its header.
    """
    headers: list[tuple[str, str]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if headers and line[0] in " \t":
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}" if value else line.strip())
            continue
        name, sep, value = line.partition(":")
        headers.append((name.strip(), value.strip() if sep else ""))
    return tuple(headers)


class TraceSource:
    """The mapped file behind a trace, with small LRU caches for decoded headers and bodies.

    Implements `tui.model.trace.RecordSource`; the trace's format decodes each span.
    """

    def __init__(self, buffer: Buffer, format: Format, cache_size: int = 2048) -> None:
        """The source of a trace in `format` whose file is `buffer`."""
        self.buffer = buffer
        self.format = format
        self._headers: Callable[[Span], Headers] = lru_cache(cache_size)(self._decode_headers)
        self._body: Callable[[Span], str] = lru_cache(cache_size // 8)(self._decode_body)

    @property
    def raw_text(self) -> bool:
        """See `RecordSource.raw_text`: as the format says."""
        return self.format.raw_text

    def replace_buffer(self, buffer: Buffer) -> None:
        """Point at a new mapping of the same file (it grew); cached spans stay valid."""
        self.buffer = buffer

    def _decode_headers(self, span: Span) -> Headers:
        return self.format.decode_headers(self.buffer, span)

    def _decode_body(self, span: Span) -> str:
        return self.format.decode_body(self.buffer, span)

    def headers(self, record: Record | None) -> Headers:
        """The record's headers as ordered (name, value) pairs; empty when it has none."""
        if record is None or record.headers is None:
            return ()
        return self._headers(record.headers)

    def header(self, record: Record | None, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers(record):
            if key.lower() == wanted:
                return value
        return None

    def header_text(self, record: Record | None) -> str:
        """The record's header block as text, for searching; "" when it has none."""
        if record is None or record.headers is None:
            return ""
        return self.format.header_text(self.buffer, record.headers)

    def body(self, record: Record | None) -> str:
        """The record's body as text ("" for `none` or no body)."""
        if record is None or record.body is None:
            return ""
        return self._body(record.body)

    def timings(self, record: Record | None) -> Timings:
        """The phases of the record's exchange, where the format times them; else ()."""
        if record is None:
            return ()
        return self.format.decode_timings(self.buffer, record.span)

    def raw(self, span: Span) -> bytes:
        """The exact bytes of a span, as in the file."""
        return bytes(self.buffer[span.start : span.end])
