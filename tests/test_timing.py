"""The explorer's clock (issue 16): `order only` on clockless traces, the list's duration
column, and `s` / `S` walking exactly the slow exchanges. Unit tests of tui/views/timing.py
and Pilot tests of the screen."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.conftest import SAMPLES, explorer_on, press
from tests.test_endpoints import nearest_rank, timed
from tests.test_explorer_state import state_of
from tui.readers import read_trace
from tui.text.placeholders import endpoint_template
from tui.ui.screens.explorer import ExplorerScreen
from tui.views.list_rows import FLAT
from tui.views.timing import (
    DURATION_WIDTH,
    SLOW_GLYPH,
    SlowCalls,
    duration_text,
    has_clock,
    slow_exchanges,
)

WIDE = (200, 50)
LOGFILE = "osc-server-create.logfile.log"
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) ")


def logged_durations_ms(name: str) -> list[int]:
    """Each call's duration read straight from the log's timestamps, in whole ms (the log's
    resolution): the stamp of the response's last line minus that of the request's line (a
    call's end is when its response was done), the lines being those the reader paired."""
    lines = (SAMPLES / name).read_text().splitlines()

    def stamp(line: int) -> datetime:
        found = STAMP.match(lines[line - 1])
        assert found, lines[line - 1]
        return datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)

    took = []
    for exchange in read_trace(str(SAMPLES / name)).exchanges:
        assert exchange.response is not None
        spent = stamp(exchange.response.end_line) - stamp(exchange.request.line)
        took.append(round(spent.total_seconds() * 1000))
    return took


def test_duration_text_fits_six_cells_in_ms_or_s():
    assert [duration_text(ms) for ms in (0.25, 3.2, 812.4, 1250.0, 42_000.0, 380_000.0)] == [
        "0.2ms",
        "3.2ms",
        "812ms",
        "1.25s",
        "42.0s",
        "380s",
    ]
    assert all(len(duration_text(ms)) <= DURATION_WIDTH - 2 for ms in (9.99, 999.4, 99_999.0))


def test_requestshook_traces_have_no_clock_and_logs_do():
    assert not has_clock(read_trace(str(SAMPLES / "server-create.md")))
    assert not has_clock(read_trace(str(SAMPLES / "image-show.log")))
    assert has_clock(read_trace(str(SAMPLES / LOGFILE)))
    assert has_clock(read_trace(str(SAMPLES / "nova-api-keystoneauth.log")))


def test_durations_are_the_log_timestamp_differences():
    for name in (LOGFILE, "nova-api-keystoneauth.log"):
        trace = read_trace(str(SAMPLES / name))
        shown = [round(exchange.duration * 1000, 3) for exchange in trace.exchanges]
        assert shown == logged_durations_ms(name)


def test_header_says_order_only_without_a_clock():
    assert "order only" in state_of().header(False, (), "list").summary
    assert "order only" in state_of().header(True, ("list",), "list").summary
    assert "order only" not in state_of(LOGFILE).header(False, (), "list").summary


def test_slow_is_over_the_p95_of_its_endpoint():
    trace = read_trace(str(SAMPLES / "server-create.md"))
    durations = {i: float((i * 37) % 101 + 1) for i in range(len(trace.exchanges))}
    # The first 30 calls made one endpoint's, so its p95 is below its maximum.
    for i, exchange in enumerate(trace.exchanges[:30]):
        same = exchange.request._replace(method="GET", dst="nova-api", target="/servers/detail")
        trace.exchanges[i] = exchange._replace(request=same)
    timed(trace, durations)
    by_endpoint: dict[tuple[str, str, str], list[int]] = {}
    for exchange in trace.exchanges:
        request = exchange.request
        key = (request.method, request.dst, endpoint_template(request.target))
        by_endpoint.setdefault(key, []).append(exchange.index)
    expected = sorted(
        index
        for members in by_endpoint.values()
        for index in members
        if durations[index] > nearest_rank([durations[m] for m in members], 0.95)
    )
    # An endpoint of 20 calls or more has a p95 below its maximum: some are slow.
    assert expected and max(map(len, by_endpoint.values())) >= 20
    assert slow_exchanges(trace) == expected
    over = [i for i, ms in durations.items() if ms > 50]
    assert slow_exchanges(trace, 50.0) == over and over


def test_slow_steps_wrap_both_ways():
    assert SlowCalls.step_rows([], 3, 1) is None
    assert SlowCalls.step_rows([2, 5, 9], None, 1) == 2
    assert SlowCalls.step_rows([2, 5, 9], None, -1) == 9
    assert SlowCalls.step_rows([2, 5, 9], 5, 1) == 9
    assert SlowCalls.step_rows([2, 5, 9], 9, 1) == 2
    assert SlowCalls.step_rows([2, 5, 9], 2, -1) == 9
    assert SlowCalls.step_rows([2, 5, 9], 6, -1) == 5


def screen_of(app) -> ExplorerScreen:
    screen = app.screen
    assert isinstance(screen, ExplorerScreen)
    return screen


def list_row_text(screen: ExplorerScreen, row: int) -> str:
    drawn = screen.exchange_list.render_row(row, 100)
    return "".join(segment.text for segment in drawn.segments)


async def test_time_keys_on_a_clockless_trace_say_why():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = screen_of(app)
        before = screen.selected
        notices = len(app._notifications)
        await press(app, pilot, "s")
        assert screen.selected == before
        shown = list(app._notifications)[notices:]
        assert shown and "order only" in shown[-1].message and "no times" in shown[-1].message
        assert "order only" in str(screen.query_one("#trace-header").summary)
        assert not screen.exchange_list.clock


async def test_list_shows_each_call_s_duration_right_aligned():
    async with explorer_on(LOGFILE, WIDE) as (app, pilot):
        screen = screen_of(app)
        while screen.grouping != FLAT:
            await press(app, pilot, "g")
        logged = logged_durations_ms(LOGFILE)
        for row, ms in enumerate(logged):
            text = list_row_text(screen, row)
            assert text.rstrip().endswith(str(screen.trace.exchanges[row].status))
            column = text[-(DURATION_WIDTH + 6) : -6]
            assert column == f"{duration_text(ms):>{DURATION_WIDTH}}"


async def test_s_walks_exactly_the_calls_over_the_threshold():
    async with explorer_on(LOGFILE, WIDE) as (app, pilot):
        screen = screen_of(app)
        while screen.grouping != FLAT:
            await press(app, pilot, "g")
        await press(app, pilot, "T")
        assert screen.state.slow.threshold == 1.0
        expected = [i for i, ms in enumerate(logged_durations_ms(LOGFILE)) if ms > 1]
        assert expected and len(expected) < len(screen.trace.exchanges)
        start = screen.selected
        assert start == 0
        # From the selection on, wrapping: every slow call once, then round again.
        walk = [i for i in expected if i > start] + [i for i in expected if i <= start]
        visited = []
        for _ in expected:
            await press(app, pilot, "s")
            visited.append(screen.selected)
        assert visited == walk
        back = []
        for _ in expected:
            await press(app, pilot, "S")
            back.append(screen.selected)
        assert back == [*walk[-2::-1], walk[-1]]
        for index in expected:
            assert SLOW_GLYPH in list_row_text(screen, index)
        slow_free = next(i for i in range(len(screen.trace.exchanges)) if i not in expected)
        assert SLOW_GLYPH not in list_row_text(screen, slow_free)
