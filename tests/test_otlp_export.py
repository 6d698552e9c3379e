"""`--format otlp` and `--otlp-endpoint` (issue 18): what we write is OTLP that OpenTelemetry's
own protobuf classes accept, with the call tree as parent links."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tui.cli import main
from tui.export.registry import export
from tui.readers import read_trace

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
# The requestshook samples; the other formats' samples join as their readers land.
TRACES = sorted(
    [str(path) for path in SAMPLES.glob("*.md") if path.name != "README.md"]
    + [str(SAMPLES / "image-show.log")]
)
_IDS = ("traceId", "spanId", "parentSpanId")


def to_protojson(document: dict) -> dict:
    """OTLP/JSON writes ids in hex where protobuf's JSON mapping expects base64: the one
    difference the OTLP spec lists. Convert them so protobuf's parser can check the rest."""
    for resource in document["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key in _IDS:
                    if key in span:
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return document


def parsed(text: str) -> list[ExportTraceServiceRequest]:
    requests = []
    for line in text.splitlines():
        request = ExportTraceServiceRequest()
        json_format.Parse(json.dumps(to_protojson(json.loads(line))), request)
        requests.append(request)
    return requests


def spans_of(requests):
    for request in requests:
        for resource in request.resource_spans:
            (service,) = [
                a.value.string_value
                for a in resource.resource.attributes
                if a.key == "service.name"
            ]
            for scope in resource.scope_spans:
                for span in scope.spans:
                    yield service, span


def attributes(span) -> dict:
    out = {}
    for attribute in span.attributes:
        value = attribute.value
        out[attribute.key] = getattr(value, value.WhichOneof("value"))
    return out


@pytest.mark.parametrize("path", TRACES, ids=lambda p: Path(p).name)
def test_every_sample_exports_valid_otlp_with_the_call_tree(path):
    trace = read_trace(path)
    spans = list(spans_of(parsed(export(trace, "otlp"))))
    assert len(spans) == 2 * len(trace.exchanges)
    by_id = {span.span_id: (service, span) for service, span in spans}
    assert len(by_id) == len(spans)
    for service, span in spans:
        assert len(span.trace_id) == 16 and len(span.span_id) == 8
        attrs = attributes(span)
        exchange = trace.exchanges[attrs["tracetui.exchange"]]
        request = exchange.request
        assert attrs["http.request.method"] == request.method
        assert attrs["tracetui.clock"] == "order"
        assert attrs["url.full"].startswith("http")
        if exchange.response is not None:
            assert attrs["http.response.status_code"] == exchange.response.status
        if span.kind == span.SPAN_KIND_CLIENT:
            assert service == request.src
            if exchange.parent is None:
                assert not span.parent_span_id
            else:
                _, parent = by_id[span.parent_span_id]
                assert parent.kind == parent.SPAN_KIND_SERVER
                assert attributes(parent)["tracetui.exchange"] == exchange.parent
                assert parent.trace_id == span.trace_id
        else:
            assert span.kind == span.SPAN_KIND_SERVER
            assert service == request.dst
            _, client = by_id[span.parent_span_id]
            assert attributes(client)["tracetui.exchange"] == exchange.index
        assert span.start_time_unix_nano <= span.end_time_unix_nano


def test_request_ids_are_attributes_and_ids_are_stable():
    trace = read_trace(str(SAMPLES / "server-create.md"))
    first = export(trace, "otlp")
    assert first == export(trace, "otlp")
    spans = list(spans_of(parsed(first)))
    rids = {attributes(span).get("openstack.request_id") for _, span in spans}
    assert any(rid and rid.startswith("req-") for rid in rids)


def test_redact_reaches_otlp(capsys, tmp_path):
    # A URL that carries a token in its query string, as a signed or console URL does.
    secret = "gAAAAABsecretsecretsecretsecretsecretsecretsecretsecret"
    text = (SAMPLES / "image-show.log").read_text()
    path = tmp_path / "requestshook.log"
    path.write_text(text.replace("/v2/images/", f"/v2/images?token={secret}&x=/", 1))
    assert main(["export", str(path), "--format", "otlp"]) == 0
    assert secret in capsys.readouterr().out
    assert main(["export", str(path), "--format", "otlp", "--redact"]) == 0
    masked = capsys.readouterr().out
    assert secret not in masked
    assert "token=<token-" in masked


class _Collector(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def collector():
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Collector.received
    server.shutdown()
    server.server_close()


def test_otlp_endpoint_sends_the_same_spans(capsys, collector):
    url, received = collector
    path = str(SAMPLES / "server-create.md")
    assert main(["export", path, "--otlp-endpoint", url]) == 0
    _, err = capsys.readouterr()
    trace = read_trace(path)
    assert f"sent {2 * len(trace.exchanges)} spans" in err
    assert [(p, t) for p, t, _ in received] == [("/v1/traces", "application/json")]
    sent = parsed(received[0][2].decode())
    written = parsed(export(trace, "otlp"))
    assert sent == written


def test_an_unreachable_collector_is_one_line(capsys):
    status = main(
        ["export", str(SAMPLES / "image-show.md"), "--otlp-endpoint", "http://127.0.0.1:9"]
    )
    _, err = capsys.readouterr()
    assert status == 2
    assert err.startswith("tracetui: export: http://127.0.0.1:9/v1/traces: ")
    assert err.count("\n") == 1
