"""Every non-interactive command as a whole process, beside its anchor in the same run (issue 20).

    python tests/benchmarks/bench_commands.py [--sizes 10MB,100MB,1GB] [--runs 3]
                                              [--only grep,export,diff,stats] [--json] [--quick]

For each size: `tracetui grep FILE adminPass` beside `grep -c adminPass FILE`; `tracetui
export --format F FILE -o /dev/null` for every format and `tracetui diff A B` (A the scaled
server-create run, B the scaled run 2) beside `tracetui stats FILE`; `tracetui stats` beside
`cat FILE`. Each command runs `--runs` times as a child process (wall time around it; CPU
time and peak RSS from `wait4()`), the file in the page cache; the median counts, and the
verdict is the ratio to the anchor measured in the same run, so a busy machine moves both.

A command that still loads a whole trace would take tens of GB at 1 GB: every child runs with
an address-space limit (`MEMORY_CAP`) and a time limit (`TIME_CAP`); one that hits either is
reported as over it (a FAIL, not a crash), and is not run again at that size.

`--json` prints the rows for `run.py`'s table on the last line (progress on stderr);
`--quick` is 10 MB, one run (CI smoke test, a few seconds).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from generate import DATA_DIR, SAMPLES, default_name, generate, parse_size, size_label
from run import MB, tracetui_command, warm_page_cache

import tui

HERE = Path(__file__).resolve().parent
SOURCE = SAMPLES / "server-create.md"
SECOND_RUN = SAMPLES / "server-create-run2.md"
GREP_WORD = "adminPass"
FORMATS = ("mermaid", "json", "har", "markdown", "curl", "otlp")
COMMANDS = ("grep", "export", "diff", "stats")
# The targets.
GREP_SLOWDOWN = 3.0
GREP_RSS_RATIO = 0.3
EXPORT_SLOWDOWN = 4.0
EXPORT_RSS_MB = 200.0
DIFF_RSS_RATIO = 1.5
# Limits on every child: 6 GB of address space (the mapped file counts), 240 s.
MEMORY_CAP = 6 << 30
TIME_CAP = 240.0


class Result(NamedTuple):
    """The median of a command's runs, or why it has none (`over`: a limit it hit)."""

    seconds: float
    cpu: float
    rss_kb: int
    over: str = ""


class Row(NamedTuple):
    """One line of the table (the columns run.py's table has)."""

    what: str
    target: str
    measured: str
    grep: str = ""
    lnav: str = ""
    verdict: str = ""


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_once(command: Sequence[str]) -> Result:
    """One whole-process run: wall time around it, CPU time and peak RSS from `wait4()` (the
    kernel's figures for the process and the children it waited for, as GNU time reports)."""
    # Not /dev/null: GNU grep notices it and stops at the first match.
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=HERE,
            preexec_fn=_limit_child,
        )
        timer = threading.Timer(TIME_CAP, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    if seconds >= TIME_CAP:
        return Result(seconds, cpu, 0, f"over {TIME_CAP:.0f} s")
    if process.returncode not in (0, 1):
        if any("MemoryError" in line or "memory" in line.lower() for line in message):
            return Result(seconds, cpu, 0, f"over {MEMORY_CAP >> 30} GB")
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {message[-1:]}")
    return Result(seconds, cpu, usage.ru_maxrss)


def median_of(command: Sequence[str], runs: int) -> Result:
    """The median of `runs` runs (one, when the first hit a limit)."""
    results = []
    for _ in range(runs):
        result = run_once(command)
        if result.over:
            return result
        results.append(result)
    return Result(
        statistics.median(r.seconds for r in results),
        statistics.median(r.cpu for r in results),
        int(statistics.median(r.rss_kb for r in results)),
    )


def seconds(result: Result) -> str:
    """A time, or the limit hit."""
    if result.over:
        return result.over
    return f"{result.seconds:.3f} s" if result.seconds < 1 else f"{result.seconds:.2f} s"


def measured(result: Result, size: int) -> str:
    """Time and peak RSS (in MB and as a multiple of `size`)."""
    if result.over:
        return result.over
    mb = result.rss_kb * 1024 / MB
    return f"{seconds(result)}, {mb:.0f} MB ({result.rss_kb * 1024 / size:.2f}x)"


def verdict(checks: Sequence[tuple[bool, str]], result: Result) -> str:
    """PASS when every check holds, with the figures they rest on."""
    if result.over:
        return f"FAIL ({result.over})"
    ok = all(passed for passed, _ in checks)
    return f"{'PASS' if ok else 'FAIL'} ({', '.join(text for _, text in checks)})"


def trace_for(source: Path, size_bytes: int) -> Path:
    """The generated trace of `source` at that size (made if missing)."""
    path = DATA_DIR / default_name(source, size_bytes)
    if not path.exists():
        generate(path, size_bytes, source)
        print(f"  generated {path.name}", file=sys.stderr)
    return path


def size_rows(size_bytes: int, args: argparse.Namespace) -> list[Row]:
    """Every row of one size."""
    label = size_label(size_bytes)
    path = trace_for(SOURCE, size_bytes)
    size = path.stat().st_size
    warm_page_cache(path)
    tracetui = tracetui_command()
    runs = args.runs
    rows: list[Row] = []
    log = sys.stderr
    stats = median_of([*tracetui, "stats", str(path)], runs)
    print(f"  {label}: stats {measured(stats, size)}", file=log, flush=True)
    if "grep" in args.only:
        anchor = median_of(["grep", "-c", GREP_WORD, str(path)], runs)
        result = median_of([*tracetui, "grep", str(path), GREP_WORD], runs)
        ratio = result.seconds / anchor.seconds
        rss = result.rss_kb * 1024 / size
        rows.append(
            Row(
                f"`tracetui grep FILE {GREP_WORD}`, {label}",
                f"<= {GREP_SLOWDOWN:g}x `grep -c`, RSS < {GREP_RSS_RATIO:g}x file",
                measured(result, size),
                f"`grep -c` {seconds(anchor)}",
                "",
                verdict(
                    [
                        (ratio <= GREP_SLOWDOWN, f"{ratio:.1f}x grep -c"),
                        (rss < GREP_RSS_RATIO, f"RSS {rss:.2f}x file"),
                    ],
                    result,
                ),
            )
        )
        print(f"  {rows[-1].what}: {rows[-1].measured}", file=log, flush=True)
    if "export" in args.only:
        for fmt in FORMATS:
            command = [*tracetui, "export", str(path), "--format", fmt, "-o", os.devnull]
            result = median_of(command, runs)
            ratio = result.seconds / stats.seconds
            mb = result.rss_kb * 1024 / MB
            rows.append(
                Row(
                    f"`tracetui export --format {fmt}`, {label}",
                    f"<= {EXPORT_SLOWDOWN:g}x `stats`, RSS < {EXPORT_RSS_MB:.0f} MB",
                    measured(result, size),
                    f"`stats` {seconds(stats)}",
                    "",
                    verdict(
                        [
                            (ratio <= EXPORT_SLOWDOWN, f"{ratio:.1f}x stats"),
                            (mb < EXPORT_RSS_MB, f"{mb:.0f} MB"),
                        ],
                        result,
                    ),
                )
            )
            print(f"  {rows[-1].what}: {rows[-1].measured}", file=log, flush=True)
    if "diff" in args.only:
        other = trace_for(SECOND_RUN, size_bytes)
        warm_page_cache(other)
        both = size + other.stat().st_size
        anchor = median_of(["cat", str(path), str(other)], runs)
        result = median_of([*tracetui, "diff", str(path), str(other)], runs)
        rss = result.rss_kb * 1024 / both
        rows.append(
            Row(
                f"`tracetui diff A B`, {label} each",
                f"RSS <= {DIFF_RSS_RATIO:g}x the two inputs",
                measured(result, both),
                f"`cat A B` {seconds(anchor)}",
                "",
                verdict(
                    [
                        (rss <= DIFF_RSS_RATIO, f"RSS {rss:.2f}x inputs"),
                        (True, f"{result.seconds / anchor.seconds:.0f}x cat"),
                    ],
                    result,
                ),
            )
        )
        print(f"  {rows[-1].what}: {rows[-1].measured}", file=log, flush=True)
    if "stats" in args.only:
        anchor = median_of(["cat", str(path)], runs)
        rows.append(
            Row(
                f"`tracetui stats`, {label}",
                "(the export anchor)",
                measured(stats, size),
                f"`cat` {seconds(anchor)}",
                "",
                f"{stats.seconds / anchor.seconds:.1f}x cat",
            )
        )
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table, ready for the README."""
    header = Row("what", "target", "measured", "anchor (same run)", "", "verdict")
    table = [header, Row(*("---" for _ in header)), *rows]
    keep = [0, 1, 2, 3, 5]
    widths = {column: max(len(row[column]) for row in table) for column in keep}
    return "\n".join(
        "| " + " | ".join(row[column].ljust(widths[column]) for column in keep) + " |"
        for row in table
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10MB,100MB,1GB", help="comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median counts")
    parser.add_argument("--only", default=",".join(COMMANDS), help="grep,export,diff,stats")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON, last line")
    parser.add_argument("--quick", action="store_true", help="CI smoke test: 10MB, one run")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs = "10MB", 1
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    args.size_list = [parse_size(size) for size in args.sizes.split(",") if size.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table (or the JSON rows); 1 when a command crashed."""
    args = parse_args(argv)
    # As an installed copy has it: this machine sets PYTHONDONTWRITEBYTECODE, so an editable
    # install would compile every module it imports at each start (see bench_ui.py).
    compileall.compile_dir(Path(tui.__file__).parent, quiet=1)
    print(f"code under test: {Path(tui.__file__).parent}", file=sys.stderr)
    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    rows: list[Row] = []
    failed = False
    for size_bytes in args.size_list:
        try:
            rows += size_rows(size_bytes, args)
        except RuntimeError as error:
            failed = True
            rows.append(
                Row(f"size {size_label(size_bytes)}", "", f"error: {error}", "", "", "ERROR")
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    if args.json:
        print(json.dumps([row._asdict() for row in rows]))
    else:
        print(format_table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
