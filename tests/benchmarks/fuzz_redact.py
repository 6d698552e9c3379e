"""A longer fuzz run by hand (issue 14): planted-secret traces through the readers, the
redactor and every export, and mutated hostile traces through the same, counting the cases
tried, the leaks and the crashes; then the peak RSS of whole processes on the worst inputs.

    .venv/bin/python -m tests.benchmarks.fuzz_redact [--cases 3000] [--seed 1] [--big-mb 50]

Everything runs on local files; nothing reaches the network.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.hostile import CASES, PLANTERS, leaks, planted_trace
from tui.cli import main
from tui.export import registry

KINDS = sorted(PLANTERS)
# Formats that write a folder or need an extra are left to their own tests.
FORMATS = [name for name in registry.names() if name != "parquet"]


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(argv)
    return status, out.getvalue()


def commands(path: str, other: str) -> list[list[str]]:
    return [
        ["stats", path, "--redact"],
        ["stats", path, "--json", "--redact"],
        ["grep", path, "client", "--json", "--redact"],
        ["grep", path, "method:POST", "--redact"],
        ["diff", path, other, "--redact"],
        ["diff", path, other, "--json", "--redact"],
        *(["export", path, "-f", fmt, "--redact"] for fmt in FORMATS),
    ]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Cut, splice, duplicate or flip bytes of a trace."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not data:
            break
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.3:
            del data[at : at + rng.randint(1, 200)]
        elif choice < 0.6:
            data[at:at] = data[rng.randrange(len(data)) :][: rng.randint(1, 400)]
        elif choice < 0.8:
            data[at] = rng.randrange(256)
        else:
            data[at:at] = rng.choice([b"[", b"]", b"\xef\xbb\xbf", b"\n  ", b"%3D", b"\x1b[2J"])
    return bytes(data)


def fuzz(cases: int, seed: int, folder: Path) -> dict[str, int]:
    rng = random.Random(seed)
    tally = {"cases": 0, "command runs": 0, "leaks": 0, "crashes": 0}
    hostile = [name for name in CASES if "5mb" not in name and "storm" not in name]
    for number in range(cases):
        kinds = [rng.choice(KINDS) for _ in range(rng.randint(1, 8))]
        fmt = rng.choice(["log", "md"])
        data, pieces = planted_trace(kinds, rng.randrange(2**32), fmt)
        if number % 4 == 3:
            # A mutated hostile case: only crashes count (a mutation can unmake a secret).
            data, pieces = mutate(CASES[rng.choice(hostile)]().data, rng), set()
        path = folder / f"case.{fmt}"
        path.write_bytes(data)
        other, _ = planted_trace([rng.choice(KINDS)], rng.randrange(2**32))
        (folder / "other.log").write_bytes(other)
        tally["cases"] += 1
        for argv in commands(str(path), str(folder / "other.log")):
            tally["command runs"] += 1
            status, text = run(argv)
            if status not in (0, 1, 2) or "Traceback" in text or "internal error" in text:
                tally["crashes"] += 1
                print("crash:", argv, status, text[-300:], file=sys.stderr)
            found = leaks(text, pieces)
            if found:
                tally["leaks"] += 1
                print("leak:", kinds, argv, found, file=sys.stderr)
    return tally


def peak_rss(argv: list[str]) -> tuple[int, float]:
    """(peak RSS in bytes, seconds) of `tracetui ARGV` as a whole process."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "tui", *argv],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout) * 1024, time.perf_counter() - started


def worst_inputs(folder: Path, big_mb: int) -> list[tuple[str, int, Path]]:
    headers = folder / "million-headers.log"
    with headers.open("wb") as out:
        out.write(b"### (a) REQ >>> (b) : GET http://h/x\n")
        for number in range(1_000_000):
            out.write(b"X-H-%d: v\n" % number)
        out.write(b"X-Requestshook-Request-Id: 1\n\nnone\n\n\n")
        out.write(b"### (a) RESP <<< (b) : 200 OK GET http://h/x\nX-Requestshook-Request-Id: 1")
        out.write(b"\n\nnone\n\n\n")
    body = folder / "one-line-body.log"
    with body.open("wb") as out:
        out.write(b"### (a) REQ >>> (b) : POST http://h/x\nX-Requestshook-Request-Id: 1\n\n")
        chunk = b'{"k": "v", "password": "p", "t": "gAAAAA' + b"x" * 60 + b'"}, ' * 1
        for _ in range(big_mb * (1 << 20) // len(chunk)):
            out.write(chunk)
        out.write(b"\n\n\n### (a) RESP <<< (b) : 204 NO CONTENT POST http://h/x\n")
        out.write(b"X-Requestshook-Request-Id: 1\n\nnone\n\n\n")
    return [("1,000,000 headers", headers.stat().st_size, headers),
            (f"{big_mb} MB one-line body", body.stat().st_size, body)]  # fmt: skip


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        tally = fuzz(args.cases, args.seed, folder)
        tally_text = ", ".join(f"{value} {key}" for key, value in tally.items())
        print(f"fuzz: {tally_text} in {time.perf_counter() - started:.0f} s")
        if args.skip_rss:
            return
        for label, size, path in worst_inputs(folder, args.big_mb):
            for argv in (["stats", str(path)], ["export", str(path), "-f", "har", "--redact"],
                         ["grep", str(path), "x", "--redact"]):  # fmt: skip
                rss, seconds = peak_rss(argv)
                limit = 1.5 * size + (100 << 20)
                print(
                    f"{label} ({size / 1e6:.0f} MB) {argv[0]} {' '.join(argv[2:])}: peak RSS "
                    f"{rss / 1e6:.0f} MB = {rss / size:.1f}x the file "
                    f"(limit {limit / 1e6:.0f} MB: {'ok' if rss <= limit else 'OVER'}), "
                    f"{seconds:.1f} s"
                )
            os.unlink(path)


if __name__ == "__main__":
    main_()
