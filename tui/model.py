"""The trace model: plain data, no Textual.

A trace file is indexed, not loaded: a `Record` holds the small fields every view needs
(direction, method, status, path, request id) and the byte spans of its header block and
body, which `tui.source.TraceSource` decodes only when something asks for them. That keeps a
record to a few hundred bytes, so a 1 GB trace fits in memory next to its mapped pages.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tui.source import TraceSource

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
    `line`/`end_line` are 1-based and inclusive.
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

    index: int
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


class ParseWarning(NamedTuple):
    """Something in the file that did not read cleanly; `line` is 1-based (0: whole file)."""

    line: int
    message: str


@dataclass
class Trace:
    """Everything read from one trace file so far.

    Readers append in batches, so a UI can show the first records while the rest is read;
    `complete` turns True when the whole file has been read. `exchange_of_record[i]` is the
    exchange that record `i` belongs to, or -1 for a response whose request is missing.
    """

    path: str
    format: str
    source: TraceSource
    records: list[Record] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    orphan_records: list[int] = field(default_factory=list)
    exchange_of_record: array[int] = field(default_factory=lambda: array("l"))
    complete: bool = False

    @property
    def root_service(self) -> str | None:
        """The service that started the run (the first caller seen)."""
        return self.exchanges[0].request.src if self.exchanges else None
