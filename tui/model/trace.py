"""The trace model: plain data, no Textual.

A trace file is indexed, not loaded: a `Record` holds the small fields every view needs
(direction, method, status, path, request id) and the byte spans of its header block and
body, which the trace's `RecordSource` decodes only when something asks for them (the
readers' `TraceSource`, which asks the trace's format). That keeps a record to a few hundred
bytes, so a 1 GB trace fits in memory next to its mapped pages. This module imports nothing of
the project: every other part reads it.
"""

from __future__ import annotations

import mmap
from array import array
from typing import NamedTuple, Protocol, Union

# The bytes of a trace file: mapped, or read whole (a pipe).
Buffer = Union[bytes, bytearray, mmap.mmap]
# Headers as ordered (name, value) pairs: names may repeat, order is kept.
Headers = tuple[tuple[str, str], ...]
# The phases of an exchange where the source times them, in order, in seconds: HAR's
# ("blocked", 0.001), ("dns", 0.0), ("connect", 0.002), ("send", ...), ("wait", ...), ...
Timings = tuple[tuple[str, float], ...]

REQUEST = "request"
RESPONSE = "response"

FORMAT_MARKDOWN = "requestshook-markdown"
FORMAT_LOG = "requestshook-log"


class Span(NamedTuple):
    """Byte offsets `[start, end)` in the trace file, and how many spaces indent each line."""

    start: int
    end: int
    indent: int = 0


class Record(NamedTuple):
    """One request or response record, in file order.

    `method` is empty on a response unless the format logs it (the raw log does); `status`
    is 0 on a request. `target` is the path (body.md) or the full URL (requestshook.log).
    `line`/`end_line` are 1-based and inclusive. `request_id` pairs a response with its
    request (formats without one synthesize it). `time` is when it happened, in seconds since
    the epoch, where the format has a clock: a request's start, a response's end; None for
    none. `parent_id`, where the format knows the call tree (OTLP parent span ids), is the
    `request_id` of the request whose handling made this call; "" to infer the parent from
    record order.
    """

    kind: str
    src: str
    dst: str
    method: str
    status: int
    reason: str
    target: str
    request_id: str
    line: int
    end_line: int
    span: Span
    headers: Span | None
    body: Span | None
    time: float | None = None
    parent_id: str = ""

    @property
    def is_request(self) -> bool:
        """True for a request record."""
        return self.kind == REQUEST


class Exchange(NamedTuple):
    """A request and its response (None while unanswered).

    `index` is the order of the request record among request records, from 0; `parent` is
    the index of the exchange whose handling caused this call, or None for a call-tree root.
    `request_record` / `response_record` index `Trace.records`.
    """

    # Shadows `tuple.index`, which nothing calls on an exchange: the name says what it is.
    index: int  # type: ignore[assignment]
    request: Record
    response: Record | None
    parent: int | None
    request_record: int
    response_record: int | None

    @property
    def status(self) -> int | None:
        """The response status, or None when there is no response."""
        return self.response.status if self.response is not None else None

    @property
    def failed(self) -> bool:
        """True for a 4xx/5xx response."""
        return self.response is not None and self.response.status >= 400

    @property
    def duration(self) -> float | None:
        """Seconds from the request's start to the response's end, where the format has a
        clock for both; None otherwise (nothing is made up)."""
        response = self.response
        if response is None or response.time is None or self.request.time is None:
            return None
        return response.time - self.request.time


class ParseWarning(NamedTuple):
    """Something in the file that did not read cleanly; `line` is 1-based (0: whole file)."""

    line: int
    message: str


class RecordSource(Protocol):
    """What a trace's headers and bodies are decoded from, on demand (the mapped file)."""

    @property
    def buffer(self) -> Buffer:
        """The bytes of the file, which every `Span` indexes."""
        ...

    @property
    def raw_text(self) -> bool:
        """True when header and body spans hold their text as shown (at most indented), so a
        search may scan `buffer`; False when only the decoding methods give the text."""
        ...

    def headers(self, record: Record | None) -> Headers:
        """The record's headers as ordered (name, value) pairs; empty when it has none."""
        ...

    def header(self, record: Record | None, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        ...

    def header_text(self, record: Record | None) -> str:
        """The record's header block as text, `Name: value` a line, for searching."""
        ...

    def body(self, record: Record | None) -> str:
        """The record's body as text ("" for an empty body)."""
        ...

    def timings(self, record: Record | None) -> Timings:
        """The phases of the record's exchange, where the format times them; else ()."""
        ...

    def raw(self, span: Span) -> bytes:
        """The exact bytes of a span, as in the file."""
        ...


class Trace:
    """Everything read from one trace file so far.

    Readers append in batches, so a UI can show the first records while the rest is read;
    `complete` turns True when the whole file has been read. `exchange_of_record[i]` is the
    exchange that record `i` belongs to, or -1 for a response whose request is missing.

    A plain class rather than a dataclass: `tracetui stats` imports this module, and the
    dataclass machinery (`inspect` and what it imports) costs more to load than it saves.
    """

    def __init__(
        self,
        path: str,
        format: str,
        source: RecordSource,
        records: list[Record] | None = None,
        exchanges: list[Exchange] | None = None,
        services: list[str] | None = None,
        warnings: list[ParseWarning] | None = None,
        orphan_records: list[int] | None = None,
        exchange_of_record: array[int] | None = None,
        complete: bool = False,
    ) -> None:
        """A trace of `path` in `format`, empty unless given its records and the rest."""
        self.path = path
        self.format = format
        self.source = source
        self.records: list[Record] = [] if records is None else records
        self.exchanges: list[Exchange] = [] if exchanges is None else exchanges
        self.services: list[str] = [] if services is None else services
        self.warnings: list[ParseWarning] = [] if warnings is None else warnings
        self.orphan_records: list[int] = [] if orphan_records is None else orphan_records
        self.exchange_of_record: array[int] = (
            array("l") if exchange_of_record is None else exchange_of_record
        )
        self.complete = complete

    def __repr__(self) -> str:
        return (
            f"Trace({self.path!r}, {self.format!r}, {len(self.records)} records, "
            f"{len(self.exchanges)} exchanges, complete={self.complete})"
        )

    @property
    def root_service(self) -> str | None:
        """The service that started the run (the first caller seen)."""
        return self.exchanges[0].request.src if self.exchanges else None
