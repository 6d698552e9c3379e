"""Live follow under load: a writer appends 1,000 records a second while the explorer follows.

    .venv/bin/python tests/benchmarks/bench_follow.py [--seconds 5] [--rate 1000]

Reports how far behind the view falls (records written but not yet shown, sampled every
0.1 s, and the delay from the last write to its record on screen) and the latency of key
presses made meanwhile. Targets: new records within a second; keys under 20 ms of work.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui.app import make_app  # noqa: E402


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


async def run(seconds: float, rate: int) -> dict[str, float]:
    """Follow a growing file in-process and measure lag and key latency."""
    records = records_of(ROOT / "sample_traces" / "server-create.md")
    folder = Path(tempfile.mkdtemp())
    target = folder / "growing.md"
    target.write_bytes(b"".join(records[:2]))
    app = make_app([str(target)], follow=True)
    lags: list[int] = []
    keys: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.5)
        screen = app.screen
        result: dict[str, int] = {}
        writer = threading.Thread(
            target=lambda: result.update(n=write_records(target, records, rate, seconds) + 2)
        )
        writer.start()
        while writer.is_alive():
            size = target.stat().st_size
            shown_bytes = screen.trace.records[-1].span.end if screen.trace.records else 0
            lags.append(size - shown_bytes)
            began = time.perf_counter()
            await pilot.press("up" if len(keys) % 2 else "down")
            await pilot.pause()
            keys.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(0.1)
        done_writing = time.perf_counter()
        while len(screen.trace.records) < result["n"] and time.perf_counter() - done_writing < 10:
            await asyncio.sleep(0.02)
        catch_up = time.perf_counter() - done_writing
        shown = len(screen.trace.records)
    return {
        "records_written": result["n"],
        "records_shown": shown,
        "catch_up_s": catch_up,
        "median_lag_kb": statistics.median(lags) / 1024,
        "key_median_ms": statistics.median(keys),
        "key_max_ms": max(keys),
    }


def main() -> None:
    """Run once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=1000)
    args = parser.parse_args()
    figures = asyncio.run(run(args.seconds, args.rate))
    for name, value in figures.items():
        print(f"{name:16} {value:10.3f}" if isinstance(value, float) else f"{name:16} {value:10}")


if __name__ == "__main__":
    main()
