"""`tracetui stats --by endpoint` (issues 16, 19): one row per endpoint template."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

from tui.cli import main
from tui.model.trace import Trace
from tui.query.endpoints import endpoints
from tui.readers import read_trace
from tui.text.placeholders import endpoint_template

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"


def by_endpoint(capsys, path: str, *extra: str) -> dict:
    assert main(["stats", path, "--by", "endpoint", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_counts_and_failures_add_up_to_the_trace(capsys):
    path = str(SAMPLES / "server-create-run2.md")
    trace = read_trace(path)
    document = by_endpoint(capsys, path)
    assert document["clock"] is False
    rows = document["endpoints"]
    assert sum(row["count"] for row in rows) == len(trace.exchanges)
    assert sum(row["failures"] for row in rows) == sum(e.failed for e in trace.exchanges)
    assert all("p50_ms" not in row for row in rows)
    per_callee = Counter()
    for row in rows:
        per_callee[row["callee"]] += row["count"]
    assert per_callee == Counter(e.request.dst for e in trace.exchanges)
    templates = {row["path"] for row in rows}
    assert "/networking/v2.0/networks/{network_id}" in templates
    assert not any(re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", path) for path in templates)


def test_bytes_are_the_bodies_sizes(capsys):
    path = str(SAMPLES / "image-show.md")
    trace = read_trace(path)
    rows = by_endpoint(capsys, path)["endpoints"]
    expected = sum(len(trace.source.body(e.request).encode()) for e in trace.exchanges)
    assert sum(row["request_bytes"] for row in rows) == expected


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


def timed(trace: Trace, durations: dict[int, float]) -> Trace:
    """The trace with a clock: each exchange starts at its index (s) and takes its duration."""
    for index, exchange in enumerate(trace.exchanges):
        start = 1_700_000_000.0 + index
        request = exchange.request._replace(time=start)
        response = exchange.response._replace(time=start + durations[index] / 1000)
        trace.exchanges[index] = exchange._replace(request=request, response=response)
    return trace


def test_percentiles_on_a_clock():
    trace = read_trace(str(SAMPLES / "server-create.md"))
    durations = {i: float((i * 37) % 101 + 1) for i in range(len(trace.exchanges))}
    rows = [endpoint.as_json() for endpoint in endpoints(timed(trace, durations))]
    for row in rows:
        mine = [
            durations[e.index]
            for e in trace.exchanges
            if (e.request.method, e.request.dst) == (row["method"], row["callee"])
            and row["path"] == endpoint_template(e.request.target)
        ]
        assert row["timed"] == len(mine) == row["count"]
        assert row["p50_ms"] == round(nearest_rank(mine, 0.5), 3)
        assert row["p95_ms"] == round(nearest_rank(mine, 0.95), 3)
        assert row["max_ms"] == max(mine)
        assert row["total_ms"] == round(sum(mine), 3)


def test_text_table_says_order_only_without_a_clock(capsys):
    assert main(["stats", str(SAMPLES / "image-show.md"), "--by", "endpoint"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["count", "fail", "req", "B", "resp", "B", "endpoint"]
    assert "order only" in out


def test_diff_text_names_ids_with_placeholders(capsys):
    a, b = str(SAMPLES / "server-create.md"), str(SAMPLES / "server-create-run2.md")
    assert main(["diff", a, b, "--placeholders"]) == 1
    out = capsys.readouterr().out
    assert "PUT /networking/v2.0/ports/{port_id}" in out
    assert "GET /networking/v2.0/networks/{network_id}" in out
    assert main(["diff", a, b]) == 1
    assert "{port_id}" not in capsys.readouterr().out
