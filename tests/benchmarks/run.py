"""Time tracetui on big generated traces, side by side with grep and lnav (issue 6).

    python tests/benchmarks/run.py [--sizes 100MB,1GB] [--runs 3] [--quick] [--clean]

For each size it generates the trace if missing (tests/benchmarks/data/, git-ignored), reads it
once so every tool starts with the file in the page cache, then takes the median of `--runs`
runs of: `tracetui stats FILE`, `grep -c '^### ' FILE` and lnav opening the file as plain text
(whole-process wall time and peak RSS through GNU `/usr/bin/time -v`), and
`TraceReader.read_all()` inside a fresh interpreter with gc paused (index throughput). Rows the
harness cannot measure yet say so; `bench_ui.py` (first screen, work per key), `bench_search.py`
and `bench_diff.py` beside this file are run when they exist. `--quick` is the CI smoke test:
10 MB, one run, well under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from generate import DATA_DIR, default_name, generate, parse_size, resolve_source, size_label

HERE = Path(__file__).resolve().parent
GNU_TIME = "/usr/bin/time"
MB = 10**6

# The targets.
INDEX_TARGET_MBPS = 200.0
RSS_TARGET_RATIO = 1.5
LNAV_SPEEDUP = 2.0
GREP_SLOWDOWN = 5.0

# lnav has no "open and quit" flag: in headless mode (-n) it loads the file, runs the commands
# and exits. Asking its SQL catalog for the line count makes it finish indexing every line, and
# prints one row instead of writing the whole file to stdout (which would time the terminal
# output, not the open). lnav shows a `.md` file as rendered markdown, so it is given a
# hard link named `.txt` to open the same bytes as plain text, as the issue asks.
LNAV_QUERY = ";SELECT lines FROM lnav_file"

# Run in a fresh interpreter so its peak RSS is the index alone, not this script's. Children
# run from this folder: `python -c` puts the current directory first on sys.path, and the
# `tui` to measure is the installed one, or the one PYTHONPATH names.
INDEX_CHILD = """
import gc, json, resource, sys, time
from tui.readers import TraceReader
gc.disable()
start, cpu_start = time.perf_counter(), time.process_time()
trace = TraceReader(sys.argv[1]).read_all()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
print(json.dumps({
    "seconds": seconds,
    "cpu": cpu,
    "records": len(trace.records),
    "exchanges": len(trace.exchanges),
    "warnings": len(trace.warnings),
    "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


class Sample(NamedTuple):
    """One process run: wall and CPU seconds, peak RSS in KB, and what it printed.

    CPU time (user + system, the process and its children) barely moves when other work
    shares the machine; wall time is the issue's figure, CPU time tells whether it was noise.
    """

    seconds: float
    cpu: float
    rss_kb: int
    stdout: bytes


class Row(NamedTuple):
    """One line of the result table."""

    what: str
    target: str
    measured: str
    grep: str = ""
    lnav: str = ""
    verdict: str = ""


NOT_MEASURED = "not measured yet"
# A crash, not a missed target: the only outcome that makes the run exit non-zero.
ERROR = "ERROR"


def gnu_time_available() -> bool:
    """True when /usr/bin/time is GNU time (the one with `-v`)."""
    if not os.access(GNU_TIME, os.X_OK):
        return False
    probe = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True, check=False)
    return "GNU" in probe.stdout + probe.stderr


_MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def run_timed(command: Sequence[str], gnu_time: bool, env: dict[str, str] | None = None) -> Sample:
    """Run `command` once; wall time from here, peak RSS from GNU time (or wait4 without it).

    The wall time is taken around the process with `perf_counter`: GNU time prints it in
    hundredths, too coarse for grep's tens of milliseconds.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        wrapped = [GNU_TIME, "-v", *command] if gnu_time else list(command)
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=out, stderr=err, env=env, cwd=HERE)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read().decode("utf-8", "replace")
    # grep -c exits 1 when it counts nothing, which is still a measurement.
    if process.returncode not in (0, 1):
        # GNU time appends its report to the command's own stderr; show only the latter.
        own = stderr.split("\tCommand being timed:")[0] if gnu_time else stderr
        lines = [line for line in own.strip().splitlines() if not line.startswith("Command ")]
        tail = "\n".join(lines[-3:])
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    if gnu_time:
        found = _MAX_RSS.findall(stderr)
        rss_kb = int(found[-1]) if found else 0
    else:
        rss_kb = usage.ru_maxrss
    return Sample(seconds, usage.ru_utime + usage.ru_stime, rss_kb, stdout)


def median_run(
    command: Sequence[str], runs: int, gnu_time: bool, env: dict[str, str] | None = None
) -> Sample:
    """The median wall time and median peak RSS of `runs` runs; stdout of the last one."""
    samples = [run_timed(command, gnu_time, env) for _ in range(runs)]
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.cpu for s in samples),
        int(statistics.median(s.rss_kb for s in samples)),
        samples[-1].stdout,
    )


def child_json(code: str, path: Path, what: str) -> dict[str, float]:
    """Run `code` on `path` in a fresh interpreter; the JSON object it printed. `what` names
    it in the error when it fails."""
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=HERE,
        check=False,
    )
    if done.returncode:
        tail = "\n".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"{what} failed:\n{tail}")
    return json.loads(done.stdout)


def median_index(path: Path, runs: int) -> dict[str, float]:
    """`TraceReader.read_all()` in a fresh interpreter, `runs` times; medians of time and RSS."""
    results = [child_json(INDEX_CHILD, path, "TraceReader.read_all()") for _ in range(runs)]
    merged = dict(results[-1])
    for key in ("seconds", "cpu", "rss_kb"):
        merged[key] = statistics.median(r[key] for r in results)
    return merged


def warm_page_cache(path: Path) -> int:
    """Read the file once so no tool pays for the disk; return its newline count."""
    newlines = 0
    with open(path, "rb", buffering=0) as stream:
        buffer = bytearray(1 << 24)
        view = memoryview(buffer)
        while True:
            count = stream.readinto(buffer)
            if not count:
                return newlines
            newlines += bytes(view[:count]).count(b"\n")


def code_under_test() -> str:
    """Where the measured `tui` package is imported from (PYTHONPATH can point elsewhere)."""
    done = subprocess.run(
        [sys.executable, "-c", "import tui; print(tui.__file__)"],
        capture_output=True,
        text=True,
        cwd=HERE,
        check=False,
    )
    if done.returncode:
        return f"cannot import tui ({(done.stderr.strip().splitlines() or ['?'])[-1]})"
    return str(Path(done.stdout.strip()).parent)


def tracetui_command() -> list[str]:
    """The console script of the running interpreter's environment, else `python -m tui`."""
    script = Path(sys.executable).parent / "tracetui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


class Lnav:
    """lnav run headless with its own throw-away HOME, so the user's config is not touched."""

    def __init__(self) -> None:
        self.binary = shutil.which("lnav")
        self._home = tempfile.TemporaryDirectory(prefix="bench-lnav-")
        self.env = {**os.environ, "HOME": self._home.name}
        self.version = ""
        if self.binary:
            probe = subprocess.run(
                [self.binary, "-V"], capture_output=True, text=True, env=self.env
            )
            self.version = probe.stdout.strip()

    def command(self, path: Path) -> list[str]:
        """The headless "open this file" command (see LNAV_QUERY)."""
        assert self.binary is not None
        return [self.binary, "-n", "-c", LNAV_QUERY, str(path)]

    def measure(self, path: Path, runs: int, gnu_time: bool, newlines: int) -> Sample:
        """Open `path` as plain text `runs` times; warn when lnav did not index every line."""
        plain = path.with_name(path.name + ".txt")
        plain.unlink(missing_ok=True)
        try:
            os.link(path, plain)
        except OSError:
            plain = path
        try:
            # lnav's first start writes its default config; keep that out of the timings.
            subprocess.run(self.command(plain), capture_output=True, env=self.env, check=False)
            sample = median_run(self.command(plain), runs, gnu_time, self.env)
        finally:
            if plain != path:
                plain.unlink(missing_ok=True)
        counts = re.findall(rb"\d+", sample.stdout)
        if not counts or int(counts[-1]) not in (newlines, newlines + 1):
            print(f"  note: lnav reported {sample.stdout!r}, the file has {newlines} lines")
        return sample

    def close(self) -> None:
        """Remove the throw-away HOME."""
        self._home.cleanup()


def seconds_text(seconds: float) -> str:
    """Seconds with sensible precision."""
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def time_text(sample: Sample) -> str:
    """Wall time, and CPU time beside it."""
    return f"{seconds_text(sample.seconds)} (cpu {sample.cpu:.2f})"


def rss_text(rss_kb: float, size: int) -> str:
    """Peak RSS in MB and as a multiple of the file size."""
    return f"{rss_kb * 1024 / MB:.0f} MB ({rss_kb * 1024 / size:.2f}x)"


def measure_size(
    size_bytes: int, args: argparse.Namespace, gnu_time: bool, lnav: Lnav
) -> list[Row]:
    """Generate the file if missing, measure it, and with `--clean` delete it if generated."""
    source = resolve_source(args.source, args.fmt)
    path = DATA_DIR / default_name(source, size_bytes)
    created = not path.exists()
    if created:
        start = time.perf_counter()
        generate(path, size_bytes, source, args.fmt)
        print(f"  generated {path} in {time.perf_counter() - start:.1f} s")
    try:
        return measure_file(path, size_label(size_bytes), args.runs, gnu_time, lnav)
    finally:
        if args.clean and created:
            path.unlink()


def measure_file(path: Path, label: str, runs: int, gnu_time: bool, lnav: Lnav) -> list[Row]:
    """The rows of one generated file."""
    size = path.stat().st_size
    newlines = warm_page_cache(path)

    stats = median_run([*tracetui_command(), "stats", str(path)], runs, gnu_time)
    grep = median_run(["grep", "-c", "^### ", str(path)], runs, gnu_time)
    index = median_index(path, runs)
    print(
        f"  {path.name}: {size / MB:.1f} MB, {newlines} lines, {index['records']} records, "
        f"{index['exchanges']} exchanges, {index['warnings']} warnings; "
        f"grep counted {grep.stdout.decode().strip()} headings"
    )
    lnav_sample = lnav.measure(path, runs, gnu_time, newlines) if lnav.binary else None
    lnav_time = time_text(lnav_sample) if lnav_sample else "not installed"
    lnav_rss = rss_text(lnav_sample.rss_kb, size) if lnav_sample else "not installed"

    grep_limit = GREP_SLOWDOWN * grep.seconds
    stats_ok = stats.seconds <= grep_limit
    vs = [f"{stats.seconds / grep.seconds:.1f}x grep"]
    if lnav_sample:
        stats_ok = stats_ok and stats.seconds * LNAV_SPEEDUP <= lnav_sample.seconds
        vs.insert(0, f"{stats.seconds / lnav_sample.seconds:.1f}x lnav")
    mbps = size / MB / index["seconds"]
    rss_ratio = stats.rss_kb * 1024 / size
    rows = [
        Row(
            f"`tracetui stats`, {label}",
            f"<= lnav/{LNAV_SPEEDUP:g}, <= {GREP_SLOWDOWN:g}x grep",
            time_text(stats),
            time_text(grep),
            lnav_time,
            verdict(stats_ok, ", ".join(vs)),
        ),
        Row(
            f"full index (read_all), {label}",
            f">= {INDEX_TARGET_MBPS:.0f} MB/s",
            f"{mbps:.0f} MB/s ({seconds_text(index['seconds'])}; "
            f"{size / MB / index['cpu']:.0f} MB/s by cpu time)",
            f"{size / MB / grep.seconds:.0f} MB/s",
            f"{size / MB / lnav_sample.seconds:.0f} MB/s" if lnav_sample else "not installed",
            verdict(mbps >= INDEX_TARGET_MBPS, f"{mbps / INDEX_TARGET_MBPS:.2f}x target"),
        ),
        Row(
            f"peak RSS of `stats`, {label}",
            f"< {RSS_TARGET_RATIO:g}x file",
            rss_text(stats.rss_kb, size) + f"; index alone {rss_text(index['rss_kb'], size)}",
            rss_text(grep.rss_kb, size),
            lnav_rss,
            verdict(rss_ratio < RSS_TARGET_RATIO, f"{rss_ratio:.2f}x file"),
        ),
    ]
    return rows


def verdict(ok: bool, detail: str) -> str:
    """PASS/FAIL with the figure it rests on."""
    return f"{'PASS' if ok else 'FAIL'} ({detail})"


def helper_rows(args: argparse.Namespace) -> list[Row]:
    """Rows from bench_ui.py / bench_search.py / bench_diff.py, or hooks saying they are not
    measured yet. bench_ui.py times the UI at this run's sizes and number of runs."""
    ui_options = ["--sizes", args.sizes, "--runs", str(args.runs)]
    rows = []
    for name, what, target, options in (
        (
            "bench_ui.py",
            "first usable screen of the UI; moving the selection / paging",
            "< 0.5 s; < 20 ms per key",
            [*ui_options, *(["--clean"] if args.clean else [])],
        ),
        (
            "bench_commands.py",
            "grep, export, diff, stats as whole processes (issue 20)",
            "see its rows",
            ui_options,
        ),
        ("bench_search.py", "plain-text search over 100 MB", "all matches < 0.5 s", []),
        ("bench_diff.py", "diff of two 5,000-exchange traces", "< 1 s", []),
    ):
        script = HERE / name
        if not script.exists():
            rows.append(Row(what, target, f"{NOT_MEASURED} ({name} missing)"))
            continue
        print(f"{name}:", flush=True)
        extra = ["--quick"] if args.quick else options
        command = [sys.executable, str(script), "--json", *extra]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        # Their progress (and bench_ui.py's per-key table) is on stderr.
        if done.stderr.strip():
            print(done.stderr.rstrip())
        try:
            rows += [Row(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]
        except (ValueError, IndexError, TypeError):
            error = (done.stderr.strip().splitlines() or ["no output"])[-1]
            rows.append(Row(what, target, f"{name} failed: {error}", verdict=ERROR))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table, ready to paste into the README."""
    header = Row("what", "target", "measured", "grep", "lnav", "verdict")
    table = [header, Row(*("---" for _ in header)), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(header))]
    return "\n".join(
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |"
        for row in table
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100MB,1GB", help="comma-separated (100MB,1GB)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median counts")
    parser.add_argument("--quick", action="store_true", help="CI smoke test: 10MB, one run")
    parser.add_argument("--clean", action="store_true", help="delete files this run generated")
    parser.add_argument("--source", type=Path, help="trace to scale (default per --format)")
    parser.add_argument("--format", choices=("md", "log"), dest="fmt")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.source is not None and not args.source.is_file():
        parser.error(f"no such trace: {args.source}")
    if args.quick:
        args.sizes, args.runs = "10MB", 1
    args.size_list = [parse_size(size) for size in args.sizes.split(",") if size.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table.

    Returns 0 when every figure was measured, whether or not it meets its target (this is a
    measurement, not a test), and 1 when something crashed, so the CI smoke test catches that.
    """
    args = parse_args(argv)
    gnu_time = gnu_time_available()
    if not gnu_time:
        print(
            f"NOTE: GNU time is missing at {GNU_TIME} (apt-get install -y time); peak RSS "
            "comes from wait4() instead, which reports the same kernel figure."
        )
    lnav = Lnav()
    if not lnav.binary:
        print("NOTE: lnav is not installed (apt-get install -y lnav); its column is skipped.")
    print(f"{args.runs} run(s) per figure, medians; files in {DATA_DIR}; {lnav.version}")
    print(f"code under test: {code_under_test()}")
    # Other work on this small machine skews the timings; say how busy it was.
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    rows: list[Row] = []
    try:
        for size_bytes in args.size_list:
            label = size_label(size_bytes)
            print(f"size {label}:")
            try:
                rows += measure_size(size_bytes, args, gnu_time, lnav)
            except RuntimeError as error:
                # A crash at one size is a result too; the other sizes still get measured.
                print(f"  {error}")
                reason = str(error).splitlines()[-1]
                rows.append(Row(f"size {label}", "", f"error: {reason}", verdict=ERROR))
    finally:
        lnav.close()
    rows += helper_rows(args)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print()
    print(format_table(rows))
    return 1 if any(row.verdict == ERROR for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
