"""Time search and filter over a 100 MB trace (issue 4: all matches of a plain text < 0.5 s).

    python tests/benchmarks/bench_search.py [--size 100MB] [--runs 5] [--json] [--quick]

The trace is `server-create.md` written again and again into a temporary directory, each copy
with its own request ids (`generate.generate`), and read once before the clock starts. For each
query it times `iter_matches` as the UI runs it: to the first batch of matches and to the last,
the median of `--runs` runs on the same trace (the search index is built by the first search of
a trace; that cold search is timed on its own). CPU seconds are shown beside wall seconds, as
other work on a small shared machine stretches the wall time. `grep -c` on the same text gives a
yardstick. `--json` prints the rows `run.py` puts in its table; `--quick` is 10 MB, one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, NamedTuple

from generate import SAMPLES, generate, parse_size, size_label

from tui.model.trace import Trace
from tui.query.language import Query, parse_query, parse_search
from tui.query.search import iter_matches
from tui.readers import read_trace

TARGET_SECONDS = 0.5
PLAIN_TEXT = "adminpass"


class Timing(NamedTuple):
    """One search: wall seconds to the first batch (None: no match) and to the end, CPU
    seconds to the end, and how many exchanges matched."""

    first: float | None
    done: float
    cpu: float
    count: int


def time_search(trace: Trace, query: Query) -> Timing:
    """Run one search to the end, the way a UI worker consumes it."""
    first = None
    count = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for batch in iter_matches(trace, query):
        if first is None:
            first = time.perf_counter() - start
        count += len(batch)
    return Timing(first, time.perf_counter() - start, time.process_time() - cpu_start, count)


def median_timing(trace: Trace, query: Query, runs: int) -> Timing:
    """The median of each figure over `runs` searches."""
    timings = [time_search(trace, query) for _ in range(runs)]
    firsts = [t.first for t in timings if t.first is not None]
    return Timing(
        statistics.median(firsts) if firsts else None,
        statistics.median(t.done for t in timings),
        statistics.median(t.cpu for t in timings),
        timings[0].count,
    )


def grep_seconds(pattern: str, path: Path, runs: int) -> float | None:
    """Median wall time of `grep -c -i -F pattern path`, or None without grep."""
    grep = shutil.which("grep")
    if grep is None:
        return None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([grep, "-c", "-i", "-F", pattern, str(path)], capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def describe(timing: Timing) -> str:
    first = "no match" if timing.first is None else f"first {timing.first:.3f} s"
    return f"{first}, all {timing.done:.3f} s (cpu {timing.cpu:.3f} s), {timing.count} matches"


def queries(trace: Trace) -> list[tuple[str, str, Callable[[str], Query]]]:
    """(label, query text, parser) for each kind of search the benchmark times."""
    token = trace.source.header(trace.exchanges[1].response, "X-Subject-Token") or "gAAAA"
    return [
        ("plain-text search", PLAIN_TEXT, parse_search),
        ("exact value (a token)", token, parse_search),
        ("filter", "svc:neutron-server method:GET header:X-Auth-Token", parse_query),
        ("regex search", 're:"id": "[0-9a-f-]{36}"', parse_search),
    ]


def main(argv: list[str] | None = None) -> int:
    """Generate the trace in a temporary directory, time each search, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100MB", help="trace size (default 100MB)")
    parser.add_argument("--runs", type=int, default=5, help="runs per query; medians count")
    parser.add_argument("--json", action="store_true", help="print run.py's rows as JSON")
    parser.add_argument("--quick", action="store_true", help="10 MB, one run (CI smoke test)")
    args = parser.parse_args(argv)
    size = parse_size("10MB" if args.quick else args.size)
    runs = 1 if args.quick else args.runs
    label = size_label(size)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as directory:
        path = generate(Path(directory) / "big.md", size, source=SAMPLES / "server-create.md")
        start = time.perf_counter()
        trace = read_trace(str(path))
        read = time.perf_counter() - start
        print(
            f"{label}: {len(trace.exchanges)} exchanges, read in {read:.2f} s",
            file=sys.stderr if args.json else sys.stdout,
        )
        cold = time_search(trace, parse_search(PLAIN_TEXT))
        rows.append(
            {
                "what": f"first search of a trace over {label} (builds its index)",
                "target": "",
                "measured": describe(cold),
            }
        )
        for what, text, parse in queries(trace):
            timing = median_timing(trace, parse(text), runs)
            row = {
                "what": f"{what} over {label}",
                "target": "",
                "measured": f"{describe(timing)}, median of {runs}",
            }
            if text == PLAIN_TEXT:
                ok = timing.done < TARGET_SECONDS
                row["target"] = f"all matches < {TARGET_SECONDS} s"
                row["verdict"] = f"{'PASS' if ok else 'FAIL'} ({timing.done:.3f} s)"
                seconds = grep_seconds(PLAIN_TEXT, path, runs)
                row["grep"] = "" if seconds is None else f"{seconds:.3f} s (grep -c -i)"
            rows.append(row)
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            extra = "".join(f"; {key} {row[key]}" for key in ("verdict", "grep") if row.get(key))
            target = f" [target {row['target']}]" if row["target"] else ""
            print(f"{row['what']}: {row['measured']}{target}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
