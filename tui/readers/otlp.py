"""OpenTelemetry traces as OTLP/JSON: the collector's file-exporter shape, one
`ExportTraceServiceRequest` a line (`resourceSpans` -> `scopeSpans` -> `spans`).

An HTTP CLIENT span is an exchange: its caller is its resource's `service.name`; its callee
is the service of the SERVER span that is its child, where the file has one (that SERVER span
is then the same exchange seen from the other end, and its attributes are the response's
headers), else the service its URL names (`services.py`). A SERVER span with no CLIENT span
above it (a caller that was not traced) is an exchange from `client`. Every other span (a
database query, an internal step) is kept as an exchange of its own from its service, its
method the span kind (`INTERNAL`, or `DB` for a span with `db.*` attributes), its target the
span's name. Parent span ids are the call tree: no inference. Start and end times are the
clock. A span's attributes are shown as its headers; OTLP carries no bodies.

Read as one document: a CLIENT span and its SERVER child are exported by different processes,
in any order, so the whole file is read before exchanges are made. Following a growing file is
therefore not offered for this format (yet).

Both generations of the HTTP semantic conventions are read: `http.request.method`, `url.full`
/ `url.path` / `url.query`, `http.response.status_code`, and the older `http.method`,
`http.url` / `http.target`, `http.status_code`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tui.model.trace import REQUEST, RESPONSE, Buffer, Headers, Record, Span, Timings
from tui.readers.jsonscan import JSONShapeError, elements, find_member, load, value_end
from tui.readers.parsed import Cursor, Warn, header_lines, new_tuple, shown
from tui.readers.services import service_for_url

NAME = "otlp-json"
EXPECTED = 'OTLP/JSON (`{"resourceSpans": [...]}` a line)'
SPAN_KIND_SERVER = 2
SPAN_KIND_CLIENT = 3
_KIND_NAMES = {0: "SPAN", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
_START = re.compile(rb'\s*\{\s*"resourceSpans"\s*:')
_STATUS_NAMES = {0: "unset", 1: "ok", 2: "error"}


def _value(wrapped: Any) -> Any:
    """An OTLP `AnyValue` as plain Python."""
    if not isinstance(wrapped, dict):
        return wrapped
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in wrapped:
            return wrapped[key]
    if "intValue" in wrapped:
        try:
            return int(wrapped["intValue"])
        except (TypeError, ValueError):
            return wrapped["intValue"]
    if "arrayValue" in wrapped:
        return [_value(item) for item in wrapped["arrayValue"].get("values", ())]
    return json.dumps(wrapped, sort_keys=True)


def _attributes(found: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if isinstance(found, list):
        for item in found:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                attributes[item["key"]] = _value(item.get("value"))
    return attributes


def _field(text: str) -> str:
    """A short field as every reader makes it: cut to size, safe for a terminal."""
    return shown(text.encode("utf-8", "surrogatepass"))


def _seconds(nanos: Any) -> float | None:
    try:
        return int(nanos) / 1e9
    except (TypeError, ValueError):
        return None


class _Span:
    """What the exchanges need of one span, and where its JSON object lies."""

    __slots__ = (
        "attributes", "end", "kind", "line", "name", "parent", "service", "span", "span_id",
        "start", "status",
    )  # fmt: skip

    def __init__(self, data: dict[str, Any], service: str, line: int, span: Span) -> None:
        self.service = service
        self.line = line
        self.span = span
        self.span_id = str(data.get("spanId") or "")
        self.parent = str(data.get("parentSpanId") or "")
        self.name = str(data.get("name") or "")
        kind = data.get("kind", 0)
        self.kind = kind if isinstance(kind, int) else 0
        self.start = _seconds(data.get("startTimeUnixNano"))
        self.end = _seconds(data.get("endTimeUnixNano"))
        status = data.get("status") or {}
        code = status.get("code", 0) if isinstance(status, dict) else 0
        self.status = _STATUS_NAMES.get(code, str(code)) if isinstance(code, int) else str(code)
        self.attributes = _attributes(data.get("attributes"))

    @property
    def method(self) -> str:
        """The HTTP method, or "" for a span that is no HTTP call."""
        attributes = self.attributes
        return str(attributes.get("http.request.method") or attributes.get("http.method") or "")

    @property
    def http_status(self) -> int:
        """The HTTP response status, or 0."""
        attributes = self.attributes
        status = attributes.get("http.response.status_code", attributes.get("http.status_code"))
        return status if isinstance(status, int) else 0

    @property
    def target(self) -> str:
        """The full URL where the span has one, else the path and query."""
        attributes = self.attributes
        url = attributes.get("url.full") or attributes.get("http.url")
        if isinstance(url, str) and url:
            return url
        path = attributes.get("url.path") or attributes.get("http.target") or ""
        query = attributes.get("url.query")
        return f"{path}?{query}" if query else str(path)


def _spans(buffer: Buffer, warn: Warn) -> Iterator[_Span]:
    """Every span of the file, in file order."""
    line, pos, size = 1, 0, len(buffer)
    while pos < size:
        newline = buffer.find(b"\n", pos)
        stop = size if newline < 0 else newline
        if buffer[pos:stop].strip():
            yield from _line_spans(buffer, pos, stop, line, warn)
        pos, line = stop + 1, line + 1


def _line_spans(buffer: Buffer, start: int, stop: int, line: int, warn: Warn) -> Iterator[_Span]:
    pos = start
    while buffer[pos : pos + 1] in (b" ", b"\t"):
        pos += 1
    try:
        resources = find_member(buffer, pos, stop, b"resourceSpans")
        if resources < 0:
            warn(line, "a line without `resourceSpans`; skipped")
            return
        for resource_start, resource_end in elements(buffer, resources, stop):
            yield from _resource_spans(buffer, resource_start, resource_end, line, warn)
    except JSONShapeError as error:
        warn(line, f"not OTLP/JSON at byte {error.offset - start + 1} of the line ({error})")


def _resource_spans(
    buffer: Buffer, start: int, stop: int, line: int, warn: Warn
) -> Iterator[_Span]:
    resource_at = find_member(buffer, start, stop, b"resource")
    resource = (
        load(buffer, resource_at, value_end(buffer, resource_at, stop))
        if resource_at >= 0
        else None
    )
    service = "unknown-service"
    if isinstance(resource, dict):
        named = _attributes(resource.get("attributes")).get("service.name")
        if isinstance(named, str) and named:
            service = _field(named)
    scopes = find_member(buffer, start, stop, b"scopeSpans")
    if scopes < 0:
        return
    for scope_start, scope_end in elements(buffer, scopes, stop):
        spans = find_member(buffer, scope_start, scope_end, b"spans")
        if spans < 0:
            continue
        for span_start, span_end in elements(buffer, spans, scope_end):
            data = load(buffer, span_start, span_end)
            if not isinstance(data, dict):
                warn(line, "a span that is not a JSON object; skipped")
                continue
            yield _Span(data, service, line, Span(span_start, span_end, 0))


class OtlpFormat:
    """OTLP/JSON traces, one document a file (see the module docstring)."""

    name = NAME
    expected = EXPECTED
    request_id_name = "span id"
    lookahead = 0
    can_follow = False
    explicit_parents = True
    whole_document = True
    raw_text = False

    def detect(self, head: Buffer, end: int) -> int:
        """Offset 0 when the file starts with an OTLP request object."""
        return 0 if _START.match(head, 0, end) else -1

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        """Read whole: never cut."""
        return len(buffer)

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        """Every exchange's request and response records, in the order of their times."""
        spans = list(_spans(chunk, warn))
        by_id = {span.span_id: span for span in spans if span.span_id}
        # A SERVER span under a CLIENT HTTP span is that call's other end.
        answered: dict[str, _Span] = {}
        owner: dict[str, str] = {}
        for span in spans:
            parent = by_id.get(span.parent)
            if (
                span.kind == SPAN_KIND_SERVER
                and parent is not None
                and parent.kind == SPAN_KIND_CLIENT
                and parent.method
            ):
                answered[parent.span_id] = span
                owner[span.span_id] = parent.span_id
        events: list[tuple[float, int, Record]] = []
        for order, span in enumerate(spans):
            if span.span_id in owner:
                continue
            parent_span = owner.get(span.parent, span.parent)
            parent_id = parent_span if parent_span in by_id else ""
            for record in self._exchange(span, answered.get(span.span_id), parent_id):
                when = record.time if record.time is not None else float(order)
                events.append((when, 0 if record.kind == REQUEST else 1, record))
        cursor.resume = limit
        events.sort(key=lambda event: (event[0], event[1]))
        for _, _, record in events:
            yield record
        # Lines were numbered as the spans were read; the cursor stays where it was: a whole
        # document is one batch.

    def _exchange(self, span: _Span, server: _Span | None, parent_id: str) -> tuple[Record, ...]:
        method = span.method
        if method and span.kind == SPAN_KIND_CLIENT:
            src = span.service
            dst = server.service if server is not None else service_for_url(span.target)
            status = (server.http_status if server else 0) or span.http_status
        elif method:
            src = str(span.attributes.get("client.address") or "client")
            dst, status = span.service, span.http_status
        else:
            database = span.attributes.get("db.system") or span.attributes.get("db.system.name")
            method = "DB" if database else _KIND_NAMES.get(span.kind, "SPAN")
            src = span.service
            dst = str(database or span.attributes.get("peer.service") or span.service)
            status = 0
        target = span.target if span.method else span.name
        request = new_tuple(
            Record,
            (
                REQUEST, _field(src), _field(dst), _field(method), 0, "", _field(target),
                span.span_id, span.line, span.line, span.span, span.span, None,
                span.start, parent_id,
            ),
        )  # fmt: skip
        answer = server or span
        reason = "" if status else (server or span).status
        response = new_tuple(
            Record,
            (
                RESPONSE, _field(src), _field(dst), "", status, reason, "", span.span_id,
                answer.line, answer.line, answer.span, answer.span, None,
                (server.end if server is not None and server.end else span.end), "",
            ),
        )  # fmt: skip
        return request, response

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        """Never followed."""
        return -1

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        """The span's ids, name and kind, then its attributes, as `Name: value` pairs."""
        data = load(buffer, span.start, span.end)
        if not isinstance(data, dict):
            return ()
        kind = data.get("kind", 0)
        pairs = [
            ("otel.trace_id", str(data.get("traceId") or "")),
            ("otel.span_id", str(data.get("spanId") or "")),
            ("otel.name", str(data.get("name") or "")),
            ("otel.kind", _KIND_NAMES.get(kind, str(kind)) if isinstance(kind, int) else ""),
        ]
        for key, value in _attributes(data.get("attributes")).items():
            text = value if isinstance(value, str) else json.dumps(value)
            pairs.append((key, text))
        return tuple(pairs)

    def header_text(self, buffer: Buffer, span: Span) -> str:
        """The headers as `Name: value` lines."""
        return header_lines(self.decode_headers(buffer, span))

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        """OTLP carries no bodies."""
        return ""

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        """No finer timings than start and end."""
        return ()


FORMAT = OtlpFormat()
