"""The OTLP/JSON reader (issue 15 item 3), on the sample the real opentelemetry-sdk wrote."""

from __future__ import annotations

import json
from pathlib import Path

from tui.cli import main
from tui.export.registry import export
from tui.readers import read_trace

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
SAMPLE = SAMPLES / "osc-server-create.otlp.jsonl"


def spans() -> list[tuple[str, dict]]:
    """Every (service, span) of the sample, read independently with json."""
    found = []
    for line in SAMPLE.read_text().splitlines():
        for resource in json.loads(line)["resourceSpans"]:
            attributes = {a["key"]: a["value"] for a in resource["resource"]["attributes"]}
            service = attributes["service.name"]["stringValue"]
            for scope in resource["scopeSpans"]:
                found += [(service, span) for span in scope["spans"]]
    return found


def test_a_client_span_and_its_server_child_are_one_exchange():
    trace = read_trace(str(SAMPLE))
    assert trace.format == "otlp-json"
    all_spans = spans()
    by_id = {span["spanId"]: (service, span) for service, span in all_spans}
    merged = [
        span
        for _, span in all_spans
        if span["kind"] == 2 and by_id.get(span.get("parentSpanId"), ("", {}))[1].get("kind") == 3
    ]
    assert len(trace.exchanges) == len(all_spans) - len(merged)
    for span in merged:
        client_service, client = by_id[span["parentSpanId"]]
        (exchange,) = [e for e in trace.exchanges if e.request.request_id == client["spanId"]]
        assert exchange.request.src == client_service
        assert exchange.request.dst == by_id[span["spanId"]][0]


def test_durations_are_end_minus_start_and_parents_are_the_span_tree():
    trace = read_trace(str(SAMPLE))
    by_id = {span["spanId"]: span for _, span in spans()}
    owner = {
        span["spanId"]: span["parentSpanId"]
        for span in by_id.values()
        if span["kind"] == 2 and by_id.get(span.get("parentSpanId"), {}).get("kind") == 3
    }
    index_of = {e.request.request_id: e.index for e in trace.exchanges}
    for exchange in trace.exchanges:
        span = by_id[exchange.request.request_id]
        assert exchange.request.time == int(span["startTimeUnixNano"]) / 1e9
        server = next((s for s, c in owner.items() if c == span["spanId"]), None)
        end = by_id[server]["endTimeUnixNano"] if server else span["endTimeUnixNano"]
        assert exchange.duration == int(end) / 1e9 - int(span["startTimeUnixNano"]) / 1e9
        parent = span.get("parentSpanId", "")
        parent = owner.get(parent, parent)
        assert exchange.parent == index_of.get(parent)
    roots = [e for e in trace.exchanges if e.parent is None]
    assert sorted(e.request.target for e in roots) == [
        "openstack server create",
        "openstack server show",
    ]


def test_other_spans_are_kept_as_their_own_exchanges():
    trace = read_trace(str(SAMPLE))
    database = [e for e in trace.exchanges if e.request.method == "DB"]
    assert database and all(e.request.dst == "sqlite" for e in database)
    assert all(e.request.src == "nova-api" for e in database)
    attributes = dict(trace.source.headers(database[0].request))
    assert attributes["otel.kind"] == "CLIENT"


def test_every_command_reads_it(capsys, tmp_path):
    path = str(SAMPLE)
    assert main(["stats", path, "--by", "endpoint", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["endpoints"]
    assert any("p50_ms" in row for row in rows)
    assert main(["grep", path, "status:404"]) == 0
    assert "servers/missing" in capsys.readouterr().out
    assert main(["diff", path, path]) == 0
    capsys.readouterr()
    trace = read_trace(path)
    again = tmp_path / "again.jsonl"
    again.write_text(export(trace, "otlp"))
    back = read_trace(str(again))
    assert [(e.request.src, e.request.dst, e.request.method, e.status) for e in back.exchanges] == [
        (e.request.src, e.request.dst, e.request.method, e.status) for e in trace.exchanges
    ]


def test_a_cut_line_is_a_warning_naming_it(tmp_path):
    cut = tmp_path / "cut.jsonl"
    lines = SAMPLE.read_text().splitlines()
    cut.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2] + "\n")
    trace = read_trace(str(cut))
    assert trace.exchanges
    assert [w.line for w in trace.warnings] == [2]
    assert "not OTLP/JSON" in trace.warnings[0].message
