"""Time the explorer on big generated traces (issue 6): first usable screen, work per key.

    python tests/benchmarks/bench_ui.py [--sizes 100MB,1GB] [--keys-size 1GB] [--runs 3]
                                        [--presses 10] [--profile] [--json] [--quick] [--clean]

First usable screen: the installed `tracetui FILE` starts in a real terminal (a private tmux
server, 160x45, so all three panes show) and the clock runs from the command to the first
capture of the pane that shows the header line (`N exchanges`) and rows of the list; the median
of `--runs` launches, the file already in the page cache. The same launches go on to when the
header stops saying `indexing`: the whole file indexed and laid out on screen. A fresh
interpreter also times `import tui.ui.app` and the first batch `make_app` reads, to say where the
time went. `tui` is byte-compiled first, so an editable install measures what an installed one
starts (see `byte_compile`).

Work per key: `server-create-run2.md` scaled to `--keys-size` (1 GB = 212,190 exchanges, 3,858
of them failed, so `]` moves) is read whole first, then the app runs in-process under Pilot at
160x45. Each press is timed from `pilot.press` until the screen has settled (every worker done,
the detail pane drawn): the CPU time of the process, all threads, which is the work the key
caused, less the median of the same measurement for an unbound key (the harness's own share).
Wall time includes Pilot's idle waits, so it is printed but not judged. `--profile` runs
cProfile on the keys that miss the target.

`--json` prints the rows `run.py` puts in its table (progress and the per-key table go to
stderr); `--quick` is 10 MB, one launch, three presses per key (CI smoke test).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from generate import (
    DATA_DIR,
    SAMPLES,
    default_name,
    generate,
    parse_size,
    resolve_source,
    size_label,
)
from run import child_json, tracetui_command, warm_page_cache
from textual.pilot import Pilot

import tui
from tui.readers import TraceReader
from tui.ui.app import TraceApp, tune_collector

HERE = Path(__file__).resolve().parent
# The first screen is timed on run.py's files; the keys on a trace with failures for `]` to
# find (one exchange in 55 answers 4xx/5xx).
SCREEN_SOURCE = resolve_source(None, "md")
KEYS_SOURCE = SAMPLES / "server-create-run2.md"
SCREEN_TARGET_SECONDS = 0.5
KEY_TARGET_MS = 20.0
# Wide enough for all three panes (narrow mode starts below 120 columns).
COLUMNS, LINES = 160, 45
# Launches that never show a screen, or never finish indexing, fail instead of hanging.
FIRST_SCREEN_TIMEOUT = 30.0
INDEXED_TIMEOUT = 600.0
# At 200k exchanges a slow key can take seconds: stop pressing it after this much wall time.
KEY_BUDGET_SECONDS = 10.0
MIN_PRESSES = 3

# The header (wide: `21065 exchanges`, narrow: `21065 ex`) and a list row (`   55 GET  /path`).
_HEADER = re.compile(r"\b(\d+) (?:exchanges|ex) · ")
_LIST_ROW = re.compile(r"^.\s*\d+ [A-Z]{3,7} ")

# A fresh interpreter, so imports are timed cold, as the console script pays them.
PHASES_CHILD = """
import json, sys, time
start = time.perf_counter()
import tui.ui.app
imported = time.perf_counter()
tui.ui.app.make_app([sys.argv[1]])
print(json.dumps({"imports": imported - start, "first_batch": time.perf_counter() - imported}))
"""


# The floor: the least a Textual app takes to show a header and rows in the same harness.
BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Static


class Bare(App):
    def compose(self):
        yield Static("tracetui · 1 exchanges · a bare Textual app")
        yield Static("\\n".join(f" {number:>6} GET    /identity/" for number in range(60)))
        yield Footer()


Bare().run()
"""


class Launch(NamedTuple):
    """One start of the console script: seconds to the first usable screen, the process's CPU
    seconds by then, seconds until the whole file was shown, and the exchanges it showed."""

    first: float
    cpu: float
    indexed: float | None
    exchanges: int


class KeyTiming(NamedTuple):
    """Presses of one key: milliseconds of process CPU time and of wall time, per press, and
    how many presses changed the selected exchange."""

    plan: KeyPlan
    cpu_ms: list[float]
    wall_ms: list[float]
    moved: int
    blocked_ms: list[float]


class Tmux:
    """A tmux server on its own socket with no config, so the user's sessions are untouched."""

    def __init__(self) -> None:
        self.socket = f"bench-ui-{os.getpid()}"

    def run(self, *args: str, check: bool = True) -> str:
        """Run one tmux command against this server; its stdout."""
        command = ["tmux", "-L", self.socket, "-f", os.devnull, *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=check)
        return done.stdout

    def close(self) -> None:
        """Stop the server and whatever still runs in it."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far, all its threads (0 if gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14 and 15 of stat(5), counted after the `(comm)` field.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_process(pid: int) -> None:
    """Wait for `pid` (ours: the console script) to go after its session was killed."""
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)


def usable(screen: str) -> bool:
    """True when the pane shows the header line and at least one exchange row of the list."""
    lines = screen.splitlines()
    return any(_HEADER.search(line) for line in lines[:2]) and any(
        _LIST_ROW.match(line) for line in lines[1:]
    )


def header_state(screen: str) -> tuple[int, bool]:
    """The exchange count in the header, and whether it still says `indexing`."""
    for line in screen.splitlines()[:2]:
        found = _HEADER.search(line)
        if found:
            return int(found.group(1)), "indexing" in line
    return 0, True


def launch(tmux: Tmux, command: Sequence[str], path: Path, indexed: bool) -> Launch:
    """Start the console script on `path` once; time its first usable screen (and, with
    `indexed`, the moment the header says the whole file is in)."""
    session = f"run{time.monotonic_ns()}"
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as directory:
        go = Path(directory) / "go"
        os.mkfifo(go)
        # PYTHONPATH too: a snapshot of `tui` (see the README) is what gets measured.
        pythonpath = os.environ.get("PYTHONPATH")
        settings = ["TERM=xterm-256color", *([f"PYTHONPATH={pythonpath}"] if pythonpath else [])]
        program = shlex.join(["env", *settings, *command, str(path)])
        # The shell waits on the FIFO, so tmux's own start is not timed; `exec` keeps the
        # pane's pid that of the console script.
        shell = f"read go < {shlex.quote(str(go))}; exec {program}"
        tmux.run("new-session", "-d", "-s", session, "-x", str(COLUMNS), "-y", str(LINES), shell)
        pid = 0
        try:
            # A crash stays on screen, for the error to show it.
            tmux.run("set-option", "-t", session, "remain-on-exit", "on")
            pid = int(tmux.run("display-message", "-p", "-t", session, "#{pane_pid}"))
            # Opening blocks until the shell reads, so the clock starts when the command does.
            with open(go, "w") as fifo:
                start = time.perf_counter()
                fifo.write("go\n")
            return _watch(tmux, session, pid, start, indexed)
        finally:
            tmux.run("kill-session", "-t", session, check=False)
            if pid:
                stop_process(pid)


def _watch(tmux: Tmux, session: str, pid: int, start: float, indexed: bool) -> Launch:
    screen = ""
    while True:
        screen = tmux.run("capture-pane", "-p", "-t", session)
        # Taken after the capture returns: the screen was drawn by then (an upper bound,
        # about 5 ms coarse).
        now = time.perf_counter()
        if usable(screen):
            first, cpu = now - start, process_cpu(pid)
            break
        if not Path(f"/proc/{pid}").exists():
            raise RuntimeError(f"tracetui exited before its first screen:\n{screen.strip()}")
        if now - start > FIRST_SCREEN_TIMEOUT:
            raise RuntimeError(f"no usable screen in {FIRST_SCREEN_TIMEOUT:.0f} s:\n{screen}")
        time.sleep(0.005)
    exchanges, indexing = header_state(screen)
    done = None if indexing or not indexed else first
    while indexed and done is None:
        time.sleep(0.1)
        screen = tmux.run("capture-pane", "-p", "-t", session)
        exchanges, indexing = header_state(screen)
        if not indexing:
            done = time.perf_counter() - start
        elif not Path(f"/proc/{pid}").exists():
            raise RuntimeError(f"tracetui exited while indexing:\n{screen.strip()}")
        elif time.perf_counter() - start > INDEXED_TIMEOUT:
            raise RuntimeError(f"still indexing after {INDEXED_TIMEOUT:.0f} s:\n{screen}")
    return Launch(first, cpu, done, exchanges)


def phases(path: Path, runs: int) -> dict[str, float]:
    """Median seconds of `import tui.ui.app` and of `make_app` (the first batch), in a fresh
    interpreter each run."""
    results = [child_json(PHASES_CHILD, path, "make_app") for _ in range(runs)]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def median_launch(tmux: Tmux, command: Sequence[str], path: Path, runs: int) -> list[Launch]:
    """`runs` timed launches, after one that is not counted (it brings the program's own
    files into the page cache)."""
    launch(tmux, command, path, indexed=False)
    return [launch(tmux, command, path, indexed=True) for _ in range(runs)]


def byte_compile() -> None:
    """Write the bytecode of the `tui` under test, as `pip install` does. An editable install
    run with PYTHONDONTWRITEBYTECODE=1 (set on the machines this was measured on) compiles
    every module it imports again at each start, about 0.07 s that no installed copy pays."""
    compileall.compile_dir(Path(tui.__file__).parent, quiet=1)


def first_screen_rows(
    sizes: Sequence[int], runs: int, created: list[Path], log: TextIO
) -> list[dict[str, str]]:
    """The first-usable-screen row of each size (generated in DATA_DIR if missing)."""
    target = f"< {SCREEN_TARGET_SECONDS} s"
    byte_compile()
    if shutil.which("tmux") is None:
        return [
            {
                "what": f"first usable screen of the UI, {size_label(size)}",
                "target": target,
                "measured": "not measured (tmux missing)",
            }
            for size in sizes
        ]
    tmux = Tmux()
    rows = []
    try:
        bare = median_launch(tmux, [sys.executable, "-c", BARE_APP], SCREEN_SOURCE, runs)
        floor = Launch(
            statistics.median(run.first for run in bare),
            statistics.median(run.cpu for run in bare),
            None,
            0,
        )
        print(
            f"  a bare Textual app: first screen {floor.first:.3f} s (cpu {floor.cpu:.2f})",
            file=log,
        )
        for size in sizes:
            path = trace_file(size, SCREEN_SOURCE, created)
            warm_page_cache(path)
            launches = median_launch(tmux, tracetui_command(), path, runs)
            rows.append(first_screen_row(path, size_label(size), launches, floor, log))
    finally:
        tmux.close()
    return rows


def first_screen_row(
    path: Path, label: str, launches: Sequence[Launch], floor: Launch, log: TextIO
) -> dict[str, str]:
    """The table row of the first usable screen on `path`."""
    runs = len(launches)
    split = phases(path, runs)
    first = statistics.median(run.first for run in launches)
    cpu = statistics.median(run.cpu for run in launches)
    indexed = statistics.median(run.indexed or 0.0 for run in launches)
    rest = first - split["imports"] - split["first_batch"]
    print(
        f"  {path.name}: first screen {', '.join(f'{run.first:.3f}' for run in launches)} s; "
        f"whole file shown {', '.join(f'{run.indexed or 0:.1f}' for run in launches)} s, "
        f"{launches[-1].exchanges} exchanges",
        file=log,
    )
    measured = (
        f"{first:.3f} s (cpu {cpu:.2f}; median of {runs}): imports {split['imports']:.2f} s, "
        f"first batch {split['first_batch']:.2f} s, the rest {rest:.2f} s (a bare Textual "
        f"app: {floor.first:.2f} s, cpu {floor.cpu:.2f}); whole file indexed and shown at "
        f"{indexed:.1f} s"
    )
    ok = first < SCREEN_TARGET_SECONDS
    return {
        "what": f"first usable screen of the UI, {label}",
        "target": f"< {SCREEN_TARGET_SECONDS} s",
        "measured": measured,
        "verdict": f"{'PASS' if ok else 'FAIL'} ({first:.3f} s)",
    }


class KeyPlan(NamedTuple):
    """One key to time, and its name in the summary row. `setup` is pressed once before,
    `reset` (untimed) before each press, so that every timed press really moves (`end` from
    the top, not from the end)."""

    label: str
    short: str
    key: str
    setup: tuple[str, ...] = ()
    reset: tuple[str, ...] = ()
    # Keys whose work runs in a worker are judged on how long the UI thread was blocked
    # (`BLOCK_TARGET_MS`), not on the CPU time of the whole process.
    in_worker: bool = False


FILTER_TEXT = "svc:keystone"
SEARCH_TEXT = "adminPass"
# How often the lag probe wakes: a key "waits" as long as the event loop was blocked.
PROBE_SECONDS = 0.002
BLOCK_TARGET_MS = 50.0

# `1` and `2` focus the list and the lanes. Pair grouping puts a group row first: `home` there
# keeps the selection, as it does for a user; `home`, `down` puts it on the first exchange.
BASELINE = KeyPlan("unbound key (harness)", "harness", "x")
KEY_PLAN = (
    KeyPlan("list: down (j)", "j", "down", setup=("1", "home")),
    KeyPlan("list: pagedown", "pgdn", "pagedown"),
    KeyPlan("list: end", "end", "end", reset=("home", "down")),
    KeyPlan("list: home", "home", "home", reset=("end",)),
    KeyPlan("list: ] next failure", "]", "right_square_bracket"),
    KeyPlan("g: grouping (pair, tree, flat)", "g", "g"),
    KeyPlan("tab to the lanes", "tab", "tab", setup=("1",), reset=("1",)),
    KeyPlan("lanes: down (j)", "lanes j", "down", setup=("2", "home")),
    KeyPlan("lanes: pagedown", "lanes pgdn", "pagedown"),
    KeyPlan("lanes: end", "lanes end", "end", reset=("home",)),
    KeyPlan("lanes: home", "lanes home", "home", reset=("end",)),
    # Typed into the bar untimed; the timed key is the one that applies it (issue 20).
    KeyPlan(
        "filter set (svc:keystone)",
        "filter",
        "enter",
        setup=("1",),
        reset=("f", "ctrl+u", *FILTER_TEXT),
        in_worker=True,
    ),
    KeyPlan(
        "filter cleared (esc)",
        "unfilter",
        "escape",
        reset=("f", "ctrl+u", *FILTER_TEXT, "enter", "f"),
        in_worker=True,
    ),
    KeyPlan(
        "search (adminPass)",
        "search",
        "enter",
        reset=("slash", "ctrl+u", *SEARCH_TEXT),
        in_worker=True,
    ),
)


async def settle(app: TraceApp, pilot: Pilot[int]) -> None:
    """Until every worker is done and the screen has caught up (as the Pilot tests do)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def press(app: TraceApp, pilot: Pilot[int], keys: Sequence[str]) -> None:
    """Press `keys` one at a time, each until the screen settles."""
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


class LagProbe:
    """How long the event loop (the UI thread) went without running a task: a coroutine
    that sleeps `PROBE_SECONDS` at a time and records by how much each sleep overran. A key
    pressed while the loop is blocked waits at least that long."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            self.worst = max(self.worst, time.perf_counter() - start - PROBE_SECONDS)

    def start(self) -> None:
        """Start measuring from zero."""
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> float:
        """Stop; the longest block seen, in milliseconds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.worst * 1000


async def time_key(app: TraceApp, pilot: Pilot[int], plan: KeyPlan, presses: int) -> KeyTiming:
    """Press `plan.key` `presses` times (fewer when over the time budget), each timed from the
    press until the screen settles."""
    screen = app.screen
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    blocked_ms: list[float] = []
    probe = LagProbe()
    moved = 0
    await press(app, pilot, plan.setup)
    began = time.perf_counter()
    for number in range(presses):
        if number >= MIN_PRESSES and time.perf_counter() - began > KEY_BUDGET_SECONDS:
            break
        await press(app, pilot, plan.reset)
        before = getattr(screen, "selected", None)
        wall, cpu = time.perf_counter(), time.process_time()
        probe.start()
        await pilot.press(plan.key)
        await settle(app, pilot)
        blocked_ms.append(await probe.stop())
        cpu_ms.append((time.process_time() - cpu) * 1000)
        wall_ms.append((time.perf_counter() - wall) * 1000)
        moved += getattr(screen, "selected", None) != before
    return KeyTiming(plan, cpu_ms, wall_ms, moved, blocked_ms)


async def profile_key(
    app: TraceApp, pilot: Pilot[int], plan: KeyPlan, out: TextIO, lines: int = 25
) -> None:
    """cProfile three presses of `plan.key` (its resets not counted); print where time went."""
    profiler = cProfile.Profile()
    for _ in range(3):
        await press(app, pilot, plan.reset)
        profiler.enable()
        await pilot.press(plan.key)
        await settle(app, pilot)
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines // 2)
    print("\n".join(line for line in text.getvalue().splitlines() if line.strip()), file=out)


async def key_latency(
    reader: TraceReader, presses: int, profile: bool, log: TextIO
) -> list[KeyTiming]:
    """Time every key of KEY_PLAN on `reader`'s (fully read) trace."""
    app = TraceApp([reader])
    # As `tracetui` does before it runs the app.
    tune_collector()
    timings: list[KeyTiming] = []
    start = time.perf_counter()
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(app, pilot)
        print(f"  app started and settled in {time.perf_counter() - start:.2f} s", file=log)
        timings.append(await time_key(app, pilot, BASELINE, presses))
        baseline = statistics.median(timings[0].cpu_ms)
        for plan in KEY_PLAN:
            timing = await time_key(app, pilot, plan, presses)
            timings.append(timing)
            print(f"  {plan.label}: {describe(timing, baseline)}", file=log)
            if profile and statistics.median(timing.cpu_ms) - baseline > KEY_TARGET_MS:
                print(f"\n---- profile of {plan.label} (3 presses) ----", file=log)
                await profile_key(app, pilot, plan, log)
                print("---- end of profile ----\n", file=log)
    return timings


def describe(timing: KeyTiming, baseline: float) -> str:
    """Net CPU median / max, and wall median, in milliseconds."""
    net = [cpu - baseline for cpu in timing.cpu_ms]
    return (
        f"{statistics.median(net):.1f} ms median, {max(net):.1f} ms max, "
        f"UI blocked {max(timing.blocked_ms):.0f} ms at most "
        f"(wall {statistics.median(timing.wall_ms):.0f} ms, {len(net)} presses, "
        f"{timing.moved} changed the selection)"
    )


def key_table(timings: Sequence[KeyTiming]) -> str:
    """The per-key Markdown table, for the README."""
    baseline = statistics.median(timings[0].cpu_ms)
    lines = [
        "| key | work per key, median | max | UI blocked, max | wall, median "
        "| presses (moved) | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for timing in timings:
        if timing is timings[0]:
            net, verdict = timing.cpu_ms, "subtracted from the others"
        else:
            net = [value - baseline for value in timing.cpu_ms]
            if timing.plan.in_worker:
                ok = max(timing.blocked_ms) <= BLOCK_TARGET_MS
                verdict = f"{'PASS' if ok else 'FAIL'} (UI blocked <= {BLOCK_TARGET_MS:.0f} ms)"
            else:
                verdict = "PASS" if statistics.median(net) <= KEY_TARGET_MS else "FAIL"
        lines.append(
            f"| {timing.plan.label} | {statistics.median(net):.1f} ms | {max(net):.1f} ms "
            f"| {max(timing.blocked_ms):.0f} ms "
            f"| {statistics.median(timing.wall_ms):.0f} ms | {len(net)} ({timing.moved}) "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def keys_row(timings: Sequence[KeyTiming], exchanges: int, label: str) -> dict[str, str]:
    """The table row of the key latency: every key's median, the verdict on the worst."""
    baseline = statistics.median(timings[0].cpu_ms)
    medians = {t.plan.short: statistics.median(t.cpu_ms) - baseline for t in timings[1:]}
    worst_max = max((max(t.cpu_ms) - baseline, t.plan.short) for t in timings[1:])
    in_worker = {t.plan.short for t in timings[1:] if t.plan.in_worker}
    over = [n for n, value in medians.items() if value > KEY_TARGET_MS and n not in in_worker]
    judged = [name for name in medians if name not in in_worker] or list(medians)
    worst = max(judged, key=lambda name: medians[name])
    parts = ", ".join(f"{name} {value:.0f}" for name, value in medians.items())
    measured = (
        f"ms of CPU per key, median: {parts} (max {worst_max[0]:.0f}: {worst_max[1]}; "
        f"{baseline:.0f} ms of the harness subtracted; {label} trace; "
        f"{', '.join(sorted(in_worker))} work in a worker: judged by the next row)"
    )
    worst_text = f"worst {worst} {medians[worst]:.0f} ms"
    if over:
        verdict = f"FAIL ({len(over)} of {len(medians)} keys over; {worst_text})"
    else:
        verdict = f"PASS ({worst_text})"
    return {
        "what": f"moving the selection / paging, {exchanges:,} exchanges",
        "target": f"< {KEY_TARGET_MS:.0f} ms per key",
        "measured": measured,
        "verdict": verdict,
    }


def blocked_row(timings: Sequence[KeyTiming], exchanges: int) -> dict[str, str]:
    """The table row of how long a key can wait: the longest the UI thread was blocked."""
    worst = {t.plan.short: max(t.blocked_ms) for t in timings[1:]}
    over = [name for name, value in worst.items() if value > BLOCK_TARGET_MS]
    parts = ", ".join(f"{name} {value:.0f}" for name, value in worst.items())
    top = max(worst, key=lambda name: worst[name])
    return {
        "what": f"longest the UI thread is blocked after a key, {exchanges:,} exchanges",
        "target": f"no key waits > {BLOCK_TARGET_MS:.0f} ms",
        "measured": f"ms, max over presses: {parts}",
        "verdict": f"{'FAIL' if over else 'PASS'} (worst {top} {worst[top]:.0f} ms"
        + (f"; over: {', '.join(over)})" if over else ")"),
    }


def trace_file(size_bytes: int, source: Path, created: list[Path]) -> Path:
    """The generated trace of that size (made if missing; remembered in `created`)."""
    path = DATA_DIR / default_name(source, size_bytes)
    if not path.exists():
        generate(path, size_bytes, source)
        created.append(path)
    return path


def keys_rows(
    size_bytes: int, args: argparse.Namespace, created: list[Path], log: TextIO
) -> list[dict[str, str]]:
    """Read the keys' trace whole, time every key on it; its row (the table goes to `log`)."""
    path = trace_file(size_bytes, KEYS_SOURCE, created)
    print(f"keys, {path.name}:", file=log)
    start = time.perf_counter()
    reader = TraceReader(str(path))
    trace = reader.read_all()
    print(
        f"  read {len(trace.exchanges)} exchanges "
        f"({sum(1 for e in trace.exchanges if e.failed)} failed) "
        f"in {time.perf_counter() - start:.1f} s",
        file=log,
    )
    timings = asyncio.run(key_latency(reader, args.presses, args.profile, log))
    print(f"\n{key_table(timings)}\n", file=log)
    return [
        keys_row(timings, len(trace.exchanges), size_label(size_bytes)),
        blocked_row(timings, len(trace.exchanges)),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100MB,1GB", help="first-screen sizes (100MB,1GB)")
    parser.add_argument(
        "--keys-size", default="1GB", help="trace for the keys (1GB: 212k exchanges; '': none)"
    )
    parser.add_argument("--runs", type=int, default=3, help="launches per size; medians count")
    parser.add_argument("--presses", type=int, default=10, help="presses per key; medians count")
    parser.add_argument("--profile", action="store_true", help="cProfile keys over the target")
    parser.add_argument("--json", action="store_true", help="print run.py's rows as JSON")
    parser.add_argument("--quick", action="store_true", help="10MB, one launch (CI smoke test)")
    parser.add_argument("--clean", action="store_true", help="delete files this run generated")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.presses < 1:
        parser.error("--runs and --presses must be at least 1")
    if args.quick:
        args.sizes, args.keys_size, args.runs, args.presses = "10MB", "10MB", 1, MIN_PRESSES
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure, then print the rows (JSON for run.py) and the per-key table."""
    args = parse_args(argv)
    log = sys.stderr if args.json else sys.stdout
    created: list[Path] = []
    rows: list[dict[str, str]] = []
    try:
        sizes = [parse_size(text) for text in args.sizes.split(",") if text.strip()]
        if sizes:
            print("first usable screen:", file=log)
            rows += first_screen_rows(sizes, args.runs, created, log)
        if args.keys_size:
            rows += keys_rows(parse_size(args.keys_size), args, created, log)
    finally:
        if args.clean:
            for path in created:
                path.unlink(missing_ok=True)
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            verdict = row.get("verdict", "")
            print(f"{row['what']}: {row['measured']} [target {row['target']}] {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
