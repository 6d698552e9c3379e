"""Lazy access to the bytes behind a trace: headers and bodies are decoded only when asked for."""

from __future__ import annotations

import mmap
import re
from functools import lru_cache
from typing import Callable, Union

from tui.model.trace import Record, Span

Buffer = Union[bytes, bytearray, mmap.mmap]

_INDENTS: dict[int, re.Pattern[str]] = {}

EMPTY_BODY_MARKERS = ("none", "")


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


def parse_header_lines(text: str) -> tuple[tuple[str, str], ...]:
    """Split `Name: value` lines into ordered pairs; names may repeat, order is kept.

    A line with no colon is kept as a header with an empty value, so nothing in the file is
    hidden from the user.
    """
    headers = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        headers.append((name.strip(), value.strip() if sep else ""))
    return tuple(headers)


class TraceSource:
    """The mapped file behind a trace, with small LRU caches for decoded headers and bodies."""

    def __init__(self, buffer: Buffer, cache_size: int = 2048) -> None:
        self.buffer = buffer
        self._headers: Callable[[Span], tuple[tuple[str, str], ...]] = lru_cache(cache_size)(
            self._decode_headers
        )
        self._body: Callable[[Span], str] = lru_cache(cache_size // 8)(self._decode_body)

    def replace_buffer(self, buffer: Buffer) -> None:
        """Point at a new mapping of the same file (it grew); cached spans stay valid."""
        self.buffer = buffer

    def _decode_headers(self, span: Span) -> tuple[tuple[str, str], ...]:
        return parse_header_lines(decode_span(self.buffer, span))

    def _decode_body(self, span: Span) -> str:
        text = decode_span(self.buffer, span).strip("\n")
        return "" if text.strip() in EMPTY_BODY_MARKERS else text

    def headers(self, record: Record | None) -> tuple[tuple[str, str], ...]:
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

    def body(self, record: Record | None) -> str:
        """The record's body as text ("" for `none` or no body)."""
        if record is None or record.body is None:
            return ""
        return self._body(record.body)

    def raw(self, span: Span) -> bytes:
        """The exact bytes of a span, as in the file."""
        return bytes(self.buffer[span.start : span.end])
