"""The OTLP export: OpenTelemetry traces as OTLP/JSON, in the collector's file-exporter shape.

Each line is one `ExportTraceServiceRequest` (`resourceSpans` -> `scopeSpans` -> `spans`) of at
most `BATCH` exchanges, so a big trace streams and a collector's `otlpjsonfile` receiver reads
it. One resource per service (`service.name`); each exchange is a CLIENT span in its caller's
resource and a SERVER span, its child, in its callee's, so every service shows in Jaeger or
Tempo, and a call made while serving another is a child of that call's SERVER span. Span and
trace ids are derived from the file and the exchange's index, so exporting twice gives the same
ids. Encoding as the OTLP/JSON spec says: ids in hex, 64-bit integers as strings, enums as
numbers.

Times are real where the trace has a clock. Where it has none, a span's times are its records'
positions in the file (record N starts at N milliseconds after the epoch), and every span says
so: `tracetui.clock = "order"`, against "wall" for a real clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from tui import __version__
from tui.export.base import (
    ExportOptions,
    Headers,
    Selection,
    absolute_url,
    first_header,
    selected_exchanges,
    shown,
    split_url,
)
from tui.model.trace import Exchange, Trace
from tui.query.request_ids import request_id

BATCH = 1000
SPAN_KIND_SERVER = 2
SPAN_KIND_CLIENT = 3
STATUS_CODE_ERROR = 2
_ORDER_STEP_NANOS = 1_000_000


def _hex_id(seed: bytes, size: int) -> str:
    return hashlib.blake2b(seed, digest_size=size).hexdigest()


def _attribute(key: str, value: str | int | bool) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


@dataclass(frozen=True)
class _Times:
    start: int
    end: int
    clock: str


def _times(exchange: Exchange) -> _Times:
    request, response = exchange.request, exchange.response
    if request.time is not None:
        end_time = response.time if response is not None else None
        start = round(request.time * 1e9)
        end = round(end_time * 1e9) if end_time is not None else start
        return _Times(start, max(start, end), "wall")
    last = exchange.response_record
    if last is None:
        last = exchange.request_record
    return _Times(
        exchange.request_record * _ORDER_STEP_NANOS,
        (last + 1) * _ORDER_STEP_NANOS,
        "order",
    )


class _Spans:
    """The spans of one trace, grouped by service, with ids fixed by file and index."""

    def __init__(self, trace: Trace, options: ExportOptions) -> None:
        self.trace = trace
        self.options = options
        self.seed = trace.path.encode("utf-8", "surrogateescape")

    def span_id(self, exchange: int, side: str) -> str:
        return _hex_id(self.seed + f"/{exchange}/{side}".encode(), 8)

    def trace_id(self, exchange: Exchange) -> str:
        root = exchange
        exchanges = self.trace.exchanges
        # Parents come before their children, so the walk up ends at the call-tree root.
        while root.parent is not None:
            root = exchanges[root.parent]
        return _hex_id(self.seed + f"/trace/{root.index}".encode(), 16)

    def of(self, exchange: Exchange) -> Iterator[tuple[str, dict[str, Any]]]:
        """(service, span) for the CLIENT and the SERVER span of `exchange`."""
        trace, request, response = self.trace, exchange.request, exchange.response
        target, headers, _ = shown(trace, request, self.options.redact)
        times = _times(exchange)
        url = absolute_url(target, headers, request.dst)
        shared = self._attributes(exchange, target, headers, url, times.clock)
        trace_id = self.trace_id(exchange)
        client_id = self.span_id(exchange.index, "client")
        parent = "" if exchange.parent is None else self.span_id(exchange.parent, "server")
        name = f"{request.method} {urlsplit_path(target)}"
        failed_client = response is not None and response.status >= 400
        failed_server = response is not None and response.status >= 500
        base = {
            "traceId": trace_id,
            "name": name,
            "startTimeUnixNano": str(times.start),
            "endTimeUnixNano": str(times.end),
        }
        client = dict(base, spanId=client_id, kind=SPAN_KIND_CLIENT)
        client["attributes"] = [*shared, _attribute("peer.service", request.dst)]
        if parent:
            client["parentSpanId"] = parent
        if failed_client:
            client["status"] = {"code": STATUS_CODE_ERROR}
        server = dict(
            base,
            spanId=self.span_id(exchange.index, "server"),
            parentSpanId=client_id,
            kind=SPAN_KIND_SERVER,
            attributes=shared,
        )
        if failed_server:
            server["status"] = {"code": STATUS_CODE_ERROR}
        yield request.src, client
        yield request.dst, server

    def _attributes(
        self, exchange: Exchange, target: str, headers: Headers, url: str, clock: str
    ) -> list[dict[str, Any]]:
        request, response = exchange.request, exchange.response
        attributes = [
            _attribute("http.request.method", request.method),
            _attribute("url.full", url),
            _attribute("url.path", urlsplit_path(target)),
        ]
        host = _host(url) or first_header(headers, "Host")
        if host:
            attributes.append(_attribute("server.address", host))
        if response is not None:
            attributes.append(_attribute("http.response.status_code", response.status))
        rid = request_id(self.trace, exchange)
        if rid:
            attributes.append(_attribute("openstack.request_id", rid))
        if request.request_id:
            attributes.append(_attribute("tracetui.pairing_id", request.request_id))
        attributes.append(_attribute("tracetui.exchange", exchange.index))
        attributes.append(_attribute("tracetui.clock", clock))
        return attributes


def urlsplit_path(target: str) -> str:
    """The path of a target (a path or a URL), without its query string."""
    if "://" in target:
        return split_url(target).path or "/"
    return target.partition("?")[0].partition("#")[0] or "/"


def _host(url: str) -> str:
    return split_url(url).netloc.rpartition("@")[2]


def requests(
    trace: Trace, selection: Selection, options: ExportOptions
) -> Iterator[dict[str, Any]]:
    """The selected exchanges as `ExportTraceServiceRequest` documents of at most `BATCH`
    exchanges each."""
    spans = _Spans(trace, options)
    batch: list[Exchange] = []
    for exchange in selected_exchanges(trace, selection):
        batch.append(exchange)
        if len(batch) == BATCH:
            yield _document(spans, batch)
            batch = []
    if batch:
        yield _document(spans, batch)


def _document(spans: _Spans, exchanges: Iterable[Exchange]) -> dict[str, Any]:
    by_service: dict[str, list[dict[str, Any]]] = {}
    for exchange in exchanges:
        for service, span in spans.of(exchange):
            by_service.setdefault(service, []).append(span)
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [_attribute("service.name", service)]},
                "scopeSpans": [
                    {
                        "scope": {"name": "tracetui", "version": __version__},
                        "spans": service_spans,
                    }
                ],
            }
            for service, service_spans in by_service.items()
        ]
    }


@dataclass(frozen=True)
class OtlpExport:
    """`--format otlp`: OTLP/JSON lines."""

    name: str = "otlp"
    suffix: str = "jsonl"

    def write(
        self, trace: Trace, selection: Selection, out: TextIO, options: ExportOptions
    ) -> None:
        """Write one `ExportTraceServiceRequest` a line."""
        for document in requests(trace, selection, options):
            out.write(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
            out.write("\n")


EXPORT = OtlpExport()


class OtlpSendError(Exception):
    """A collector refused the spans or could not be reached; the message is one line."""


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for `endpoint`: a base URL (`http://host:4318`) gets the
    signal path `/v1/traces`, as OTEL_EXPORTER_OTLP_ENDPOINT does; a URL with a path is used
    as it is, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is."""
    parts = split_url(endpoint)
    scheme, path = parts.scheme, parts.path
    if scheme not in ("http", "https"):
        raise OtlpSendError(f"{endpoint}: not an http:// or https:// URL")
    return endpoint if path not in ("", "/") else endpoint.rstrip("/") + "/v1/traces"


def send(
    endpoint: str,
    documents: Iterable[dict[str, Any]],
    timeout: float = 10.0,
) -> int:
    """POST each document to the collector as OTLP/HTTP JSON; returns the spans sent."""
    import urllib.error
    import urllib.request

    url = traces_url(endpoint)
    sent = 0
    for document in documents:
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise OtlpSendError(
                f"{url}: the collector answered {error.code} {error.reason}"
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise OtlpSendError(f"{url}: {reason}") from None
        sent += sum(
            len(scope["spans"])
            for resource in document["resourceSpans"]
            for scope in resource["scopeSpans"]
        )
    return sent
