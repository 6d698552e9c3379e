"""Time in the diff of two runs: the calls that got slower, per aligned exchange and per
endpoint, as a kind of their own (`tracetui diff --slower 2x`). Timing never changes what
counts as a content difference, nor the exit status.

A run's time comes only from its clock (`Exchange.duration`); a trace with none has no timing
to compare, and the report says so. An endpoint is (method, callee, path template); its time is
the median of its calls (the low median, which is the nearest-rank p50 `stats --by endpoint`
prints).
"""

from __future__ import annotations

import re
from collections import defaultdict
from statistics import median_low
from typing import NamedTuple

from tui.diff.changes import TraceDiff
from tui.model.trace import Exchange, Trace
from tui.text.placeholders import endpoint_template

_THRESHOLD = re.compile(r"\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>x|ms|s)\s*", re.IGNORECASE)


class Slower(NamedTuple):
    """How much slower counts: a factor (`2x`) or an added time in ms (`500ms`, `1.5s`)."""

    factor: float | None
    added_ms: float | None

    @classmethod
    def parse(cls, text: str) -> Slower:
        """`2x`, `1.5x`, `500ms` or `2s`; ValueError with a one-line reason otherwise."""
        match = _THRESHOLD.fullmatch(text)
        if not match:
            raise ValueError(f"--slower takes a factor or a time (2x, 500ms, 1.5s), not {text!r}")
        number, unit = float(match["number"]), match["unit"].lower()
        if unit == "x":
            if number <= 1:
                raise ValueError("--slower: a factor must be more than 1 (2x)")
            return cls(number, None)
        return cls(None, number * 1000 if unit == "s" else number)

    def exceeded(self, a_ms: float, b_ms: float) -> bool:
        """True when `b_ms` is slower than `a_ms` by at least this much."""
        if self.factor is not None:
            return b_ms > a_ms and b_ms >= a_ms * self.factor
        return self.added_ms is not None and b_ms - a_ms >= self.added_ms

    def __str__(self) -> str:
        if self.factor is not None:
            return f"{self.factor:g}x"
        return format_ms(self.added_ms or 0.0)


class SlowerCall(NamedTuple):
    """One aligned exchange that took longer in run 2."""

    a_index: int
    b_index: int
    src: str
    dst: str
    method: str
    path: str
    a_ms: float
    b_ms: float


class SlowerEndpoint(NamedTuple):
    """One endpoint whose median call took longer in run 2."""

    method: str
    callee: str
    path: str
    a_ms: float
    b_ms: float
    a_count: int
    b_count: int


class Timing(NamedTuple):
    """What got slower from run 1 to run 2; `clock` is False when either run has none."""

    slower: Slower
    clock: bool
    calls: list[SlowerCall]
    endpoints: list[SlowerEndpoint]


def format_ms(ms: float) -> str:
    """`820 ms` below a second, `2.9 s` from one on."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def _ms(exchange: Exchange) -> float | None:
    seconds = exchange.duration
    return None if seconds is None else seconds * 1000.0


def _has_clock(trace: Trace) -> bool:
    return any(exchange.duration is not None for exchange in trace.exchanges)


def _medians(trace: Trace) -> dict[tuple[str, str, str], tuple[float, int]]:
    durations: defaultdict[tuple[str, str, str], list[float]] = defaultdict(list)
    for exchange in trace.exchanges:
        took = _ms(exchange)
        if took is not None:
            request = exchange.request
            durations[(request.method, request.dst, endpoint_template(request.target))].append(took)
    return {key: (median_low(values), len(values)) for key, values in durations.items()}


def timing(diff: TraceDiff, slower: Slower) -> Timing:
    """The aligned calls and the endpoints that got slower by `slower`, in run 2's order."""
    a, b = diff.a, diff.b
    if not (_has_clock(a) and _has_clock(b)):
        return Timing(slower, False, [], [])
    calls = []
    for entry in diff.entries:
        if entry.a_index is None or entry.b_index is None:
            continue
        a_ms, b_ms = _ms(a.exchanges[entry.a_index]), _ms(b.exchanges[entry.b_index])
        if a_ms is not None and b_ms is not None and slower.exceeded(a_ms, b_ms):
            calls.append(
                SlowerCall(
                    entry.a_index, entry.b_index, entry.src, entry.dst, entry.method,
                    entry.path, a_ms, b_ms,
                )
            )  # fmt: skip
    before = _medians(a)
    endpoints = [
        SlowerEndpoint(*key, before[key][0], b_ms, before[key][1], count)
        for key, (b_ms, count) in _medians(b).items()
        if key in before and slower.exceeded(before[key][0], b_ms)
    ]
    return Timing(slower, True, calls, endpoints)


def timing_json(result: Timing) -> dict[str, object]:
    """The `timing` member of `tracetui diff --json --slower`."""
    return {
        "slower": str(result.slower),
        "clock": result.clock,
        "calls": [call._asdict() for call in result.calls],
        "endpoints": [endpoint._asdict() for endpoint in result.endpoints],
    }


def timing_lines(result: Timing) -> list[str]:
    """The text report's timing section (its paths are trace text: escape before printing)."""
    if not result.clock:
        return ["", f"slower ({result.slower}): not compared, a run has no clock (order only)"]
    lines = ["", f"slower by {result.slower} or more:"]
    if not result.calls and not result.endpoints:
        lines.append("  nothing")
    for call in result.calls:
        lines.append(
            f"t [a#{call.a_index} b#{call.b_index}] {call.src} -> {call.dst}  {call.method} "
            f"{call.path}  {format_ms(call.a_ms)} → {format_ms(call.b_ms)}"
        )
    for endpoint in result.endpoints:
        lines.append(
            f"t endpoint {endpoint.method} {endpoint.callee} {endpoint.path}  median "
            f"{format_ms(endpoint.a_ms)} → {format_ms(endpoint.b_ms)} "
            f"({endpoint.a_count} → {endpoint.b_count} calls)"
        )
    return lines
