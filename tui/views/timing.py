"""What the explorer shows of a trace's clock, without Textual: whether there is one (the
header's `order only` otherwise, and why time features are off), durations as the list draws
them, and which exchanges count as slow for `s` / `S` and the list's slow glyph.

Nothing is made up: a trace whose format records no time has no durations, and every time
feature says so instead of doing nothing.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from tui.model.trace import Trace
from tui.query.endpoints import duration_ms, percentile
from tui.text.placeholders import endpoint_template

# How many records `has_clock` looks at: a format either stamps every record or none, but
# the first few may be a truncated file's junk.
_PROBE = 16
# The thresholds `T` cycles through after "the p95 of its endpoint" (None), in ms.
THRESHOLDS: tuple[float | None, ...] = (None, 1.0, 10.0, 100.0, 500.0, 1000.0, 5000.0)
# Width of the list's duration column: the glyph, a space, and up to six cells of number.
DURATION_WIDTH = 8
SLOW_GLYPH = "▲"


def has_clock(trace: Trace) -> bool:
    """True when the trace's records carry times (its format has a clock)."""
    return any(record.time is not None for record in trace.records[:_PROBE])


def no_clock_reason(trace: Trace, feature: str) -> str:
    """The notification a time feature gives on a clockless trace: what is off, and why."""
    if not trace.records:
        return f"{feature}: nothing read yet, so no clock to go by."
    return (
        f"{feature} is off: order only — this trace ({trace.format}) records no times, "
        "so there are no durations (nothing is made up)."
    )


def duration_text(ms: float) -> str:
    """A duration in at most six cells: `3.2ms`, `812ms`, `1.25s`, `42.0s`, `380s`."""
    if ms < 10:
        return f"{ms:.1f}ms"
    if ms < 1000:
        return f"{ms:.0f}ms"
    seconds = ms / 1000
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 100:
        return f"{seconds:.1f}s"
    return f"{seconds:.0f}s"


def threshold_name(threshold: float | None) -> str:
    """How the slow threshold reads in the header and notifications."""
    if threshold is None:
        return "slower than its endpoint's p95"
    return f"slower than {duration_text(threshold)}"


def slow_exchanges(trace: Trace, threshold: float | None = None) -> list[int]:
    """The exchanges, ascending, that took longer than `threshold` ms, or (None) longer than
    the nearest-rank p95 of their endpoint (method, callee, path template; see
    tui/query/endpoints.py). Strictly longer: an endpoint's slowest call is never slower than
    its own p95 when it has fewer than 20 calls, so few calls make no noise."""
    timed: list[tuple[int, float]] = []
    for exchange in trace.exchanges:
        took = duration_ms(exchange)
        if took is not None:
            # To the microsecond: an epoch float's noise (0.24 µs) must not make a logged
            # 2 ms call slower than a 2 ms threshold.
            timed.append((exchange.index, round(took, 3)))
    if threshold is not None:
        return [index for index, took in timed if took > threshold]
    exchanges = trace.exchanges
    templates: dict[str, str] = {}
    keys: dict[int, tuple[str, str, str]] = {}
    by_key: dict[tuple[str, str, str], list[float]] = {}
    for index, took in timed:
        request = exchanges[index].request
        template = templates.get(request.target)
        if template is None:
            template = templates[request.target] = endpoint_template(request.target)
        key = keys[index] = (request.method, request.dst, template)
        by_key.setdefault(key, []).append(took)
    p95 = {key: percentile(sorted(durations), 0.95) for key, durations in by_key.items()}
    return [index for index, took in timed if took > p95[keys[index]]]


class SlowCalls:
    """The slow exchanges under the threshold chosen, kept until the trace grows; `s` / `S`
    step through them in list order."""

    def __init__(self) -> None:
        self.threshold: float | None = None
        self._found: list[int] | None = None
        # What the list was worked out for: the trace and how many records it had then (a
        # response read later gives an older exchange its duration).
        self._for: tuple[Trace | None, int] = (None, -1)

    def cycle_threshold(self) -> float | None:
        """The next threshold of `THRESHOLDS` (wrapping); the new one."""
        at = THRESHOLDS.index(self.threshold) if self.threshold in THRESHOLDS else 0
        self.threshold = THRESHOLDS[(at + 1) % len(THRESHOLDS)]
        self._found = None
        return self.threshold

    def of(self, trace: Trace) -> list[int]:
        """The slow exchanges of `trace`, ascending (worked out again once it grew)."""
        key = (trace, len(trace.records))
        if self._found is None or self._for[0] is not trace or self._for[1] != key[1]:
            self._found = slow_exchanges(trace, self.threshold)
            self._for = key
        return self._found

    @staticmethod
    def step_rows(rows: Sequence[int], here: int | None, step: int) -> int | None:
        """The next (`step` > 0) or previous of sorted `rows` after row `here`, wrapping;
        None when there is none."""
        if not rows:
            return None
        if here is None:
            return rows[0] if step > 0 else rows[-1]
        if step > 0:
            return rows[bisect_right(rows, here) % len(rows)]
        return rows[bisect_left(rows, here) - 1]


def row_order(rows: Sequence[int | None]) -> array[int]:
    """The listed rows of `rows` (None: not listed), sorted, for `SlowCalls.step_rows`."""
    return array("l", sorted(row for row in rows if row is not None))
