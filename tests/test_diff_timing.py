"""`tracetui diff --slower` (issue 16): timing changes as a kind of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.diff.engine import diff_traces
from tui.diff.timing import Slower, timing, timing_lines
from tui.model.trace import Trace
from tui.readers import read_trace

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"


def clocked(trace: Trace, took: dict[int, float]) -> Trace:
    """The trace with a clock: exchange i starts at second i and takes took[i] ms (10 ms)."""
    for i, exchange in enumerate(trace.exchanges):
        start = 1_700_000_000.0 + i
        request = exchange.request._replace(time=start)
        response = exchange.response._replace(time=start + took.get(i, 10.0) / 1000)
        trace.exchanges[i] = exchange._replace(request=request, response=response)
    return trace


def runs(slow: dict[int, float]):
    a = clocked(read_trace(str(SAMPLES / "server-create.md")), {})
    b = clocked(read_trace(str(SAMPLES / "server-create-run2.md")), slow)
    return a, b


@pytest.mark.parametrize(
    ("text", "factor", "added"),
    [("2x", 2.0, None), ("1.5x", 1.5, None), ("500ms", None, 500.0), ("1.5s", None, 1500.0)],
)
def test_thresholds(text, factor, added):
    assert Slower.parse(text) == Slower(factor, added)


@pytest.mark.parametrize("text", ["1x", "fast", "-2x", "2"])
def test_bad_thresholds(text):
    with pytest.raises(ValueError, match="--slower"):
        Slower.parse(text)


def boot_index(trace: Trace) -> int:
    (index,) = [
        e.index
        for e in trace.exchanges
        if e.request.method == "POST" and e.request.target == "/compute/v2.1/servers"
    ]
    return index


def test_the_slower_call_is_reported_and_content_is_unchanged():
    boot = boot_index(read_trace(str(SAMPLES / "server-create-run2.md")))
    a, b = runs({boot: 2900.0, 30: 15.0})
    diff = diff_traces(a, b)
    plain = diff_traces(*runs({}))
    assert diff.summary == plain.summary
    result = timing(diff, Slower.parse("2x"))
    assert result.clock
    assert [(c.b_index, c.method, c.path) for c in result.calls] == [
        (boot, "POST", "/compute/v2.1/servers")
    ]
    assert result.calls[0].a_ms == pytest.approx(10.0, abs=0.01)
    assert result.calls[0].b_ms == pytest.approx(2900.0, abs=0.01)
    assert [(e.method, e.callee, e.path, e.a_count, e.b_count) for e in result.endpoints] == [
        ("POST", "nova-api", "/compute/v2.1/servers", 1, 1)
    ]
    text = "\n".join(timing_lines(result))
    assert "10 ms → 2.9 s" in text
    by_time = timing(diff, Slower.parse("4ms"))
    assert {c.b_index for c in by_time.calls} == {boot, 30}


def test_no_clock_is_said_not_guessed(capsys):
    from tui.cli import main

    a, b = str(SAMPLES / "server-create.md"), str(SAMPLES / "server-create-run2.md")
    assert main(["diff", a, b, "--slower", "2x", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["timing"] == {"slower": "2x", "clock": False, "calls": [], "endpoints": []}
    assert main(["diff", a, b, "--json"]) == 1
    assert "timing" not in json.loads(capsys.readouterr().out)
    assert main(["diff", a, b, "--slower", "nope"]) == 2
    assert capsys.readouterr().err.startswith("tracetui: diff: --slower takes")


def test_a_timed_sample_against_itself_is_not_slower(capsys):
    from tui.cli import main

    path = str(SAMPLES / "osc-server-create.logfile.log")
    assert main(["diff", path, path, "--slower", "1.01x"]) == 0
    out = capsys.readouterr().out
    assert "slower by 1.01x or more:\n  nothing" in out
