"""Live follow: a trace that is still being written, read incrementally like `tail -f`."""

from __future__ import annotations

import os
import random

import pytest

from tests.conftest import SAMPLES, settle
from tui.app import make_app
from tui.readers import GROWN, REPLACED, SAME, TraceReader, read_trace


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
    records = [0] + [i + 1 for i in range(len(data)) if data.startswith(b"\n### ", i)]
    path = tmp_path / "growing.md"
    path.write_bytes(data[: records[10]])
    expected = tmp_path / "expected.md"
    expected.write_bytes(data[: records[21]])
    want = len(read_trace(str(expected)).exchanges)
    app = make_app([str(path)], follow=True)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        for _ in range(40):
            await pilot.pause(0.1)
            if len(screen.trace.exchanges) == 5:
                break
        assert len(screen.trace.exchanges) == 5
        assert "following" in str(screen.query_one("#trace-header").render())
        screen.select(4)
        with open(path, "ab") as file:
            file.write(data[records[10] : records[21]])  # eleven more records
        # New records show within a second (the panes are laid out at most twice a second).
        for _ in range(20):
            await pilot.pause(0.1)
            lines = screen.detail.lines
            shown = bool(lines) and lines[0].text.startswith(f"#{want - 1} ")
            if len(screen.trace.exchanges) == want and screen.selected == want - 1 and shown:
                break
        assert len(screen.trace.exchanges) == want
        assert screen.selected == want - 1, "the user was at the end: the view follows"
        waiting = [line.text for line in screen.detail.lines if "Waiting" in line.text]
        assert waiting or screen.trace.exchanges[want - 1].response is not None
        await pilot.press("F")
        await settle(app, pilot)
        assert not screen.reader.follow
