"""Live follow: a trace that is still being written, read incrementally like `tail -f`."""

from __future__ import annotations

import os
import random
from typing import Callable

import pytest

from tests.conftest import SAMPLES, press
from tui.readers import GROWN, REPLACED, SAME, TraceReader, read_trace
from tui.ui.app import make_app


def record_starts(data: bytes) -> list[int]:
    """Where each record of a body.md starts (0 for the text before the first)."""
    return [0] + [i + 1 for i in range(len(data)) if data.startswith(b"\n### ", i)]


async def wait_until(pilot, condition: Callable[[], bool], tries: int = 40) -> None:
    """Pause a tenth of a second at a time until `condition()` holds, at most `tries` times:
    the worker following a file never completes, so `settle` would wait forever."""
    for _ in range(tries):
        await pilot.pause(0.1)
        if condition():
            return


def shape(trace, exchange):
    source = trace.source
    rows = []
    for record in (exchange.request, exchange.response):
        if record is None:
            rows.append(None)
        else:
            fields = (record.src, record.dst, record.target, record.status)
            rows.append((*fields, source.headers(record), source.body(record)))
    return tuple(rows)


@pytest.mark.parametrize("name", ["server-create.md", "image-show.log"])
def test_follow_reads_random_chunks_to_the_same_trace(tmp_path, name):
    data = (SAMPLES / name).read_bytes()
    path = tmp_path / name
    rng = random.Random(7)
    first = data.index(b"\n### ", 10) + 1
    cut = first + rng.randint(1, 200)  # the first chunk ends mid-record
    path.write_bytes(data[:cut])
    reader = TraceReader(str(path), follow=True)
    seen: dict[int, tuple] = {}
    while cut < len(data):
        step = rng.choice([1, 7, 50, 333, 2000, 9000])
        with open(path, "ab") as file:
            file.write(data[cut : cut + step])
        cut += step
        assert reader.poll() in (GROWN, SAME)
        while not reader.read_batch(4096):
            pass
        for exchange in reader.trace.exchanges:
            seen.setdefault(exchange.index, shape(reader.trace, exchange)[:1])
    reader.poll()
    while not reader.read_batch():
        pass
    whole = read_trace(str(path))
    assert [shape(whole, e) for e in whole.exchanges] == [
        shape(reader.trace, e) for e in reader.trace.exchanges
    ]
    # A half-written request was never shown: what was first seen is what it finally is.
    for index, first_seen in seen.items():
        assert first_seen == shape(whole, whole.exchanges[index])[:1]
    assert not [w for w in reader.trace.warnings if "got no response" in w.message]


def test_truncation_and_rotation_are_detected(tmp_path):
    data = (SAMPLES / "server-create.md").read_bytes()
    path = tmp_path / "trace.md"
    path.write_bytes(data)
    reader = TraceReader(str(path), follow=True)
    while not reader.read_batch():
        pass
    assert reader.poll() == SAME
    path.write_bytes(data[: len(data) // 2])
    assert reader.poll() == REPLACED
    path.write_bytes(data)
    reader = TraceReader(str(path), follow=True)
    os.rename(path, tmp_path / "trace.md.1")
    path.write_bytes(data)
    assert reader.poll() == REPLACED


async def test_the_explorer_shows_new_records_and_follows_the_end(tmp_path):
    data = (SAMPLES / "server-create.md").read_bytes()
    records = record_starts(data)
    path = tmp_path / "growing.md"
    path.write_bytes(data[: records[10]])
    expected = tmp_path / "expected.md"
    expected.write_bytes(data[: records[21]])
    want = len(read_trace(str(expected)).exchanges)
    app = make_app([str(path)], follow=True)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: len(screen.trace.exchanges) == 5)
        assert len(screen.trace.exchanges) == 5
        assert "following" in str(screen.query_one("#trace-header").render())
        screen.select(4)
        with open(path, "ab") as file:
            file.write(data[records[10] : records[21]])  # eleven more records
        # New records show within a second (the panes are laid out at most twice a second).

        def caught_up() -> bool:
            lines = screen.detail.lines
            shown = bool(lines) and lines[0].text.startswith(f"#{want - 1} ")
            return len(screen.trace.exchanges) == want and screen.selected == want - 1 and shown

        await wait_until(pilot, caught_up, tries=20)
        assert len(screen.trace.exchanges) == want
        assert screen.selected == want - 1, "the user was at the end: the view follows"
        waiting = [line.text for line in screen.detail.lines if "Waiting" in line.text]
        assert waiting or screen.trace.exchanges[want - 1].response is not None
        await press(app, pilot, "F")
        assert not screen.reader.follow


def screen_row(app, view, row: int) -> str:
    """The text the terminal shows for row `row` of `view` (a Line-API pane)."""
    strips = app.screen._compositor.render_strips()
    region = view.region
    line = strips[region.y + view.fixed_rows + row - view.scroll_offset.y]
    return line.text[region.x : region.x + region.width]


async def test_a_row_waiting_for_its_response_shows_the_status_once_it_comes(tmp_path):
    """Rows are redrawn only where they changed while a file grows: the row of a request
    answered later must still change from `···` to its status on screen."""
    data = (SAMPLES / "server-create.md").read_bytes()
    starts = record_starts(data)
    cut = starts[6]  # records 0-5: three exchanges, the third one's response not yet written
    path = tmp_path / "growing.md"
    path.write_bytes(data[:cut])
    app = make_app([str(path)], follow=True)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        # Read, and following the end.
        await wait_until(pilot, lambda: len(screen.trace.exchanges) == 3 and screen.selected == 2)
        screen.select(0)
        # Not `settle`: the worker that follows the file never completes.
        await pilot.pause(0.3)
        waiting = screen.trace.exchanges[2]
        assert waiting.response is None
        row = screen.exchange_list.list_layout.row_of(2)
        assert screen_row(app, screen.exchange_list, row).rstrip("│ ").endswith("···")
        with open(path, "ab") as file:
            file.write(data[cut : starts[7]])  # its response: no new row to redraw the list
        await wait_until(pilot, lambda: screen.trace.exchanges[2].response is not None, tries=30)
        await pilot.pause(0.3)
        status = str(screen.trace.exchanges[2].status)
        row = screen.exchange_list.list_layout.row_of(2)
        assert screen_row(app, screen.exchange_list, row).rstrip("│ ").endswith(status)
        assert screen.selected == 0, "the user was not at the end: the selection stays"


async def test_a_filter_keeps_up_with_a_followed_file(tmp_path):
    """Exchanges read after the filter was set are checked as they come, including those
    whose response (which the filter may need) comes later."""
    data = (SAMPLES / "server-create.md").read_bytes()
    starts = record_starts(data)
    path = tmp_path / "growing.md"
    path.write_bytes(data[: starts[20]])
    whole = read_trace(str(SAMPLES / "server-create.md"))
    wanted = [e.index for e in whole.exchanges if e.request.dst == "placement-api"]
    app = make_app([str(path)], follow=True)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: len(screen.trace.exchanges) == 10)
        await pilot.press("f", *"dst:placement-api", "enter")
        await wait_until(pilot, lambda: screen.filtered is not None, tries=20)
        assert screen.filtered == [i for i in wanted if i < 10]
        with open(path, "ab") as file:
            file.write(data[starts[20] :])
        await wait_until(pilot, lambda: screen.filtered == wanted, tries=30)
        assert screen.filtered == wanted
        listed = [row.exchange for row in screen.exchange_list.list_layout.rows]
        assert sorted(i for i in listed if i >= 0) == wanted
        assert "filter: dst:placement-api" in str(screen.query_one("#trace-header").render())
