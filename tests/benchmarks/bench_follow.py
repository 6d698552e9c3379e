"""Live follow under load: a writer appends 1,000 records a second while the explorer follows.

    .venv/bin/python tests/benchmarks/bench_follow.py [--seconds 5] [--rate 1000] [--base 100MB]

Reports how far behind the view falls (records written but not yet shown, sampled every
0.1 s, and the delay from the last write to its record on screen), how long the UI's event
loop stalls while the writer runs (a 10 ms timer in the app: the longest gap between two of
its ticks is the longest the UI could not answer a key or draw; stutter is gaps over 50 ms),
and the latency of key presses made meanwhile, next to the same presses with no writer (the
harness's own share). Gaps that overlap a key press are left out of the stalls: they measure
the key, not the follow. `--base` starts from a generated trace of that size, so the appends
land on a big trace, as on a devstack host that has been tracing for hours.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui.ui.app import make_app, tune_collector  # noqa: E402


def records_of(path: Path) -> list[bytes]:
    """The sample's records as byte strings, each ending where the next heading starts."""
    data = path.read_bytes()
    starts = [0] + [i + 1 for i in range(len(data)) if data.startswith(b"\n### ", i)]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)]) if data[a:b].strip()]


def write_records(target: Path, records: list[bytes], rate: int, seconds: float) -> int:
    """Append records at `rate` per second, renaming request ids so each pair is unique."""
    written = 0
    start = time.perf_counter()
    with open(target, "ab", buffering=0) as file:
        while time.perf_counter() - start < seconds:
            due = int((time.perf_counter() - start) * rate)
            chunk = []
            while written < due:
                record = records[written % len(records)]
                copy = written // len(records)
                chunk.append(
                    record.replace(
                        b"X-Requestshook-Request-Id: ", b"X-Requestshook-Request-Id: c%d-" % copy
                    )
                )
                written += 1
            if chunk:
                file.write(b"".join(chunk))
            time.sleep(0.005)
    return written


class Ticks:
    """Timestamps of a timer the app runs every `INTERVAL` seconds on its event loop."""

    INTERVAL = 0.01

    def __init__(self) -> None:
        self.times: list[float] = []
        self.recording = False

    def tick(self) -> None:
        """Called by the app's timer."""
        if self.recording:
            self.times.append(time.perf_counter())

    def gaps_ms(self, busy: list[tuple[float, float]]) -> list[float]:
        """Milliseconds between consecutive ticks, leaving out the gaps that overlap a
        `busy` (start, end) span: a key press's own work is not a stall of the follow."""
        gaps = []
        spans = iter(sorted(busy))
        span = next(spans, None)
        for a, b in zip(self.times, self.times[1:]):
            while span is not None and span[1] < a:
                span = next(spans, None)
            if span is None or b < span[0]:
                gaps.append((b - a) * 1000)
        return gaps


async def press_once(app, keys: list[float], spans: list[tuple[float, float]]) -> None:
    """Press down or up (in turn), as a terminal would send it, and time it until the screen
    has selected the next exchange (its detail built); then wait 0.1 s. Pilot's `press` is not
    used: it waits for the app to go idle, which a followed file keeps from happening."""
    screen = app.screen
    before = screen.selected
    began = time.perf_counter()
    app.simulate_key("up" if len(keys) % 2 else "down")
    while screen.detail.index == before and time.perf_counter() - began < 10:
        await asyncio.sleep(0.0005)
    ended = time.perf_counter()
    keys.append((ended - began) * 1000)
    spans.append((began, ended))
    await asyncio.sleep(0.1)


def base_trace(size: str, folder: Path) -> Path:
    """A generated trace of `size` (made once in DATA_DIR), copied to grow in `folder`."""
    from generate import DATA_DIR, generate, parse_size, size_label

    size_bytes = parse_size(size)
    source = ROOT / "sample_traces" / "server-create.md"
    cached = DATA_DIR / f"server-create-{size_label(size_bytes)}.md"
    if not cached.exists():
        generate(cached, size_bytes, source=source)
    target = folder / "growing.md"
    shutil.copyfile(cached, target)
    return target


async def run(seconds: float, rate: int, base: str | None) -> dict[str, float]:
    """Follow a growing file in-process and measure lag, stalls and key latency."""
    records = records_of(ROOT / "sample_traces" / "server-create.md")
    folder = Path(tempfile.mkdtemp())
    if base:
        target = base_trace(base, folder)
    else:
        target = folder / "growing.md"
        target.write_bytes(b"".join(records[:20]))
    app = make_app([str(target)], follow=True)
    # As `tracetui` does before it runs the app.
    tune_collector()
    ticks = Ticks()
    lags: list[int] = []
    idle_keys: list[float] = []
    keys: list[float] = []
    spans: list[tuple[float, float]] = []
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        # Following never completes the trace: wait until the whole file is indexed.
        while screen.reader.progress < 1.0:
            await asyncio.sleep(0.05)
        # Flat grouping: down and up always move between exchanges 1 and 2.
        await pilot.press("g", "g")
        await pilot.pause(0.5)
        # Away from the end, so the selection stays where the keys put it.
        screen.select(1)
        await pilot.pause(0.5)
        assert screen.selected == 1
        before = len(screen.trace.records)
        app.set_interval(Ticks.INTERVAL, ticks.tick)
        idle_until = time.perf_counter() + 2
        while time.perf_counter() < idle_until:
            await press_once(app, idle_keys, [])
        result: dict[str, int] = {}
        writer = threading.Thread(
            target=lambda: result.update(n=write_records(target, records, rate, seconds))
        )
        ticks.recording = True
        writer.start()
        while writer.is_alive():
            size = target.stat().st_size
            shown_bytes = screen.trace.records[-1].span.end if screen.trace.records else 0
            lags.append(size - shown_bytes)
            await press_once(app, keys, spans)
        ticks.recording = False
        done_writing = time.perf_counter()
        expected = before + result["n"]
        while len(screen.trace.records) < expected and time.perf_counter() - done_writing < 10:
            await asyncio.sleep(0.02)
        catch_up = time.perf_counter() - done_writing
        shown = len(screen.trace.records)
    gaps = sorted(ticks.gaps_ms(spans))
    return {
        "records_before": before,
        "records_written": result["n"],
        "records_shown": shown - before,
        "catch_up_s": catch_up,
        "median_lag_kb": statistics.median(lags) / 1024,
        "stall_median_ms": statistics.median(gaps),
        "stall_p99_ms": gaps[int(len(gaps) * 0.99)],
        "stall_max_ms": gaps[-1],
        "stalls_over_50ms": sum(1 for gap in gaps if gap > 50),
        "key_idle_median_ms": statistics.median(idle_keys),
        "key_median_ms": statistics.median(keys),
        "key_max_ms": max(keys),
    }


def main() -> None:
    """Run once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--base", help="start from a generated trace of this size (100MB)")
    args = parser.parse_args()
    figures = asyncio.run(run(args.seconds, args.rate, args.base))
    for name, value in figures.items():
        print(f"{name:20} {value:10.3f}" if isinstance(value, float) else f"{name:20} {value:10}")


if __name__ == "__main__":
    main()
