"""Time `tracetui sql` as a whole process on the two shapes a team has (issue 18).

    python tests/benchmarks/bench_sql.py [--runs 3] [--big 1GB] [--small 200]

- "1 GB of traces": ten server-create traces of a tenth of `--big` each (tests/benchmarks/
  generate.py scales them), one folder, read by parallel worker processes;
- "a CI fleet": `--small` run folders, each with the 55-exchange `server-create.md` as body.md.

For each: the whole process under GNU `/usr/bin/time -v` (wall time, peak RSS) for a query
that only counts (the load: indexing every file and building the tables), and for a query that
groups every header row (load plus query; the difference is the query time), beside
`grep -c '^### '` over the same files as the anchor, in the same run. Medians of `--runs`.
The data lives in tests/benchmarks/data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from generate import DATA_DIR, generate, parse_size

ROOT = Path(__file__).resolve().parents[2]
COUNT = "SELECT count(*) FROM exchanges"
GROUP = (
    "SELECT run, lower(name) AS header, count(*) AS n FROM headers "
    "GROUP BY ALL ORDER BY n DESC LIMIT 5"
)


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one whole process, by GNU time."""
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed: {done.stderr[-500:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall and rss, done.stderr
    hours, minutes, seconds = wall.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds), int(rss[1]) / 1024


def median(runs: int, command: list[str]) -> tuple[float, float]:
    results = [timed(command) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def big_folder(size: int) -> Path:
    folder = DATA_DIR / f"sql-{size // 10**6}MB"
    if not folder.exists():
        part = generate(DATA_DIR / f"sql-part-{size // 10**7}MB.md", size // 10, unique_ids=True)
        staging = folder.with_suffix(".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for number in range(10):
            run = staging / f"run-{number:02d}"
            run.mkdir()
            shutil.copy(part, run / "body.md")
        staging.rename(folder)
    return folder


def small_folder(count: int) -> Path:
    folder = DATA_DIR / f"sql-fleet-{count}"
    if not folder.exists():
        staging = folder.with_suffix(".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for number in range(count):
            run = staging / f"run-{number:04d}"
            run.mkdir()
            shutil.copy(ROOT / "sample_traces" / "server-create.md", run / "body.md")
        staging.rename(folder)
    return folder


def row(label: str, folder: Path, runs: int) -> str:
    files = sorted(str(path) for path in folder.rglob("body.md"))
    size = sum(Path(path).stat().st_size for path in files)
    for path in files:
        Path(path).read_bytes()  # into the page cache
    tracetui = [sys.executable, "-m", "tui", "sql"]
    load, load_rss = median(runs, [*tracetui, COUNT, str(folder)])
    grouped, grouped_rss = median(runs, [*tracetui, GROUP, str(folder)])
    grep, _ = median(runs, ["grep", "-c", "^### ", *files])
    return (
        f"| {label} | {len(files)} files, {size / 10**6:.0f} MB | {load:.2f} s | "
        f"{max(grouped - load, 0):.2f} s | {max(load_rss, grouped_rss):.0f} MB "
        f"({max(load_rss, grouped_rss) * 2**20 / size:.1f}x) | {grep:.2f} s "
        f"({load / grep:.0f}x) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", default="1GB", help="total size of the ten big traces")
    parser.add_argument("--small", type=int, default=200, help="how many small traces")
    args = parser.parse_args()
    print(
        "| shape | input | load (count query) | group-by query | peak RSS | grep -c (load / grep) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    print(row("a CI fleet", small_folder(args.small), args.runs), flush=True)
    print(row("1 GB of traces", big_folder(parse_size(args.big)), args.runs), flush=True)


if __name__ == "__main__":
    main()
