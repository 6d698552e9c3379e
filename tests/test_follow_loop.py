"""`tui.readers.follow`: the follow loop without a UI, run in a thread as the explorer does."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.conftest import SAMPLES
from tests.test_follow import record_starts
from tui.readers import TraceReader
from tui.readers.follow import follow


class Recorder:
    """Keeps what `follow()` tells, with when."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, object]] = []
        self.readers: list[TraceReader] = []

    def read(self, reader: TraceReader, caught_up: bool) -> None:
        self.events.append((time.monotonic(), "read", caught_up))

    def reopened(self, reader: TraceReader) -> None:
        self.readers.append(reader)
        self.events.append((time.monotonic(), "reopened", reader.path))

    def missing(self, notice: str) -> None:
        self.events.append((time.monotonic(), "missing", notice))

    def kinds(self) -> list[str]:
        return [kind for _, kind, _ in self.events]


class Running:
    """`follow()` on `reader` in a thread until stopped."""

    def __init__(self, reader: TraceReader, recorder: Recorder) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=follow, args=(reader, recorder, self.stop.is_set), daemon=True
        )
        self.thread.start()

    def join(self) -> None:
        self.stop.set()
        self.thread.join(5)
        assert not self.thread.is_alive()


def wait_for(condition, seconds: float = 3.0) -> float:
    """Seconds until `condition()` held (fails past `seconds`)."""
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < seconds, "timed out"
        time.sleep(0.01)
    return time.monotonic() - began


def test_a_whole_file_is_read_and_told_once():
    reader = TraceReader(str(SAMPLES / "server-create.md"))
    recorder = Recorder()
    follow(reader, recorder, lambda: False)
    assert reader.done
    assert recorder.kinds() == ["read"] and recorder.events[0][2] is True


def test_cancelled_before_it_starts_reads_nothing():
    reader = TraceReader(str(SAMPLES / "server-create.md"))
    recorder = Recorder()
    follow(reader, recorder, lambda: True)
    assert recorder.events == [] and not reader.done


def grown_file(tmp_path: Path, records: int) -> tuple[Path, bytes, list[int]]:
    data = (SAMPLES / "server-create.md").read_bytes()
    starts = record_starts(data)
    path = tmp_path / "growing.md"
    path.write_bytes(data[: starts[records]])
    return path, data, starts


def test_appended_records_are_read_within_a_second(tmp_path):
    path, data, starts = grown_file(tmp_path, 10)
    reader = TraceReader(str(path), follow=True)
    recorder = Recorder()
    running = Running(reader, recorder)
    try:
        wait_for(lambda: len(reader.trace.exchanges) == 5)
        with open(path, "ab") as file:
            file.write(data[starts[10] : starts[20]])
        assert wait_for(lambda: len(reader.trace.exchanges) == 10) < 1.0
        wait_for(lambda: recorder.kinds().count("read") >= 2)
    finally:
        running.join()


def test_a_file_truncated_to_nothing_is_told_within_a_second_then_reloaded(tmp_path):
    """Issue 14, item 13: the notice comes within a second of the truncation."""
    path, data, starts = grown_file(tmp_path, 10)
    reader = TraceReader(str(path), follow=True)
    recorder = Recorder()
    running = Running(reader, recorder)
    try:
        wait_for(lambda: len(reader.trace.exchanges) == 5)
        path.write_bytes(b"")
        assert wait_for(lambda: "missing" in recorder.kinds()) < 1.0
        notice = next(n for _, kind, n in recorder.events if kind == "missing")
        assert isinstance(notice, str) and "file is empty" in notice
        assert notice.endswith("waiting for the file to come back")
        path.write_bytes(data[: starts[6]])
        wait_for(lambda: recorder.readers and len(recorder.readers[0].trace.exchanges) == 3)
    finally:
        running.join()


def test_a_rotated_file_is_opened_anew(tmp_path):
    path, data, starts = grown_file(tmp_path, 10)
    reader = TraceReader(str(path), follow=True)
    recorder = Recorder()
    running = Running(reader, recorder)
    try:
        wait_for(lambda: len(reader.trace.exchanges) == 5)
        path.rename(tmp_path / "growing.md.1")
        path.write_bytes(data[: starts[4]])
        assert wait_for(lambda: "reopened" in recorder.kinds()) < 1.0
        wait_for(lambda: len(recorder.readers[0].trace.exchanges) == 2)
        assert "missing" not in recorder.kinds()
    finally:
        running.join()
