"""Where each record, header block and body lies in the file, for a scan to map a hit back.

Plain Python, no Textual.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from typing import NamedTuple

from tui.model.trace import Exchange, Record, Trace


def request_fields(request: Record) -> tuple[str, ...]:
    """The short fields of a request a text search looks in."""
    return (request.method, request.target, request.src, request.dst)


def response_fields(response: Record) -> tuple[str, ...]:
    """The short fields of a response a text search looks in."""
    return (str(response.status), response.reason, response.target)


class FieldsText(NamedTuple):
    """The short fields of a run of exchanges in one string, a line per exchange (fields
    separated by newlines too); `starts[i]` is where exchange `first + i` begins."""

    text: str
    starts: array[int]
    first: int


def fields_text_of(exchanges: list[Exchange], first: int, stop: int) -> FieldsText:
    """The short fields of exchanges `first` to `stop - 1` as one text."""
    lines = []
    starts = array("q")
    offset = 0
    for exchange in exchanges[first:stop]:
        fields = request_fields(exchange.request)
        if exchange.response is not None:
            fields += response_fields(exchange.response)
        line = "\n".join(fields)
        starts.append(offset)
        lines.append(line)
        offset += len(line) + 1
    return FieldsText("\n".join(lines), starts, first)


class SearchIndex:
    """Where each record and its header block and body lie in the file, as sorted arrays, so
    an offset found by a pattern maps to its record with one bisect. Grows with the trace."""

    def __init__(self) -> None:
        self.records = 0
        self.record_start = array("q")
        self.record_end = array("q")
        self.span_start = array("q")
        self.span_end = array("q")
        self.span_record = array("q")
        self.span_indent = array("q")
        self.span_is_body = bytearray()
        self._lock = threading.Lock()
        self._fields: FieldsText | None = None

    def fields_text(self, trace: Trace, exchanges: list[Exchange]) -> FieldsText | None:
        """The short fields of all `exchanges` (a snapshot of the trace's) as one text, kept
        for the next search; None while the trace is still being read (they may change)."""
        if not trace.complete or len(exchanges) != len(trace.exchanges):
            return None
        fields = self._fields
        if fields is None or len(fields.starts) != len(exchanges):
            fields = self._fields = fields_text_of(exchanges, 0, len(exchanges))
        return fields

    def update(self, records: list[Record], count: int) -> None:
        """Index records up to `count` (the ones a search is about to look at)."""
        with self._lock:
            for number in range(self.records, count):
                record = records[number]
                self.record_start.append(record.span.start)
                self.record_end.append(record.span.end)
                spans = [(record.headers, 0), (record.body, 1)]
                if record.headers and record.body and record.body.start < record.headers.start:
                    spans.reverse()  # a hand-edited file may put the Body tab first
                for span, is_body in spans:
                    if span is not None and span.end > span.start:
                        self.span_start.append(span.start)
                        self.span_end.append(span.end)
                        self.span_record.append(number)
                        self.span_indent.append(span.indent)
                        self.span_is_body.append(is_body)
            self.records = max(self.records, count)


_INDEXES: dict[int, SearchIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(trace: Trace) -> SearchIndex:
    """The search index of a trace, built on first use and kept while the trace lives."""
    key = id(trace)
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = SearchIndex()
            weakref.finalize(trace, _INDEXES.pop, key, None)
    return index
