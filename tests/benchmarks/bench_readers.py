"""Time the readers of the other input formats on a sample scaled to a big file (issue 15).

    python tests/benchmarks/bench_readers.py [--size 100MB] [--runs 3] [--only NAME ...]

Each row takes a committed sample of one format, repeats it (ids varied in each copy, so no
two copies are the same) into tests/benchmarks/data/ (git-ignored) until it is `--size`, then
takes the median of `--runs` runs of: the whole `tracetui stats FILE` process (wall time and
peak RSS through GNU `/usr/bin/time -v`), `grep -c` of the format's record marker over the
same file as the anchor, and `TraceReader.read_all()` in a fresh interpreter (the index rate).
Targets: the index at >= 100 MB/s, peak RSS under 1.5x the file. A row is one format: add
yours to `FORMATS` with the function that scales its sample.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLES = ROOT / "sample_traces"
DATA = HERE / "data"
MB = 10**6
INDEX_TARGET_MBPS = 100.0
RSS_TARGET_RATIO = 1.5

INDEX_CHILD = """
import gc, json, sys, time
from tui.readers import TraceReader
gc.disable()
start = time.perf_counter()
trace = TraceReader(sys.argv[1]).read_all()
print(json.dumps({"seconds": time.perf_counter() - start, "exchanges": len(trace.exchanges),
                  "warnings": len(trace.warnings)}))
"""

_REQUEST_ID = re.compile(rb"req-[0-9a-f]{8}")


def repeat_log(sample: Path, size: int) -> bytes:
    """The log repeated until `size` bytes, each copy's request ids made its own."""
    text = sample.read_bytes()
    copies = []
    total, number = 0, 0
    while total < size:
        copy = _REQUEST_ID.sub(lambda match, n=number: b"req-%08x" % n, text)
        copies.append(copy)
        total += len(copy)
        number += 1
    return b"".join(copies)


def repeat_export(sample: Path, size: int) -> bytes:
    """A tracetui JSON export of `sample` with its exchanges repeated until `size` bytes:
    each copy's indices, parents, lines and request ids shifted."""
    from tui.export.json import json as export_json
    from tui.readers import read_trace

    document = json.loads(export_json(read_trace(str(sample))))
    exchanges = document["exchanges"]
    per_copy = len(export_json(read_trace(str(sample))).encode())
    copies = max(1, size // per_copy + 1)
    count, last_line = (
        len(exchanges),
        1
        + max(
            record["line"] for e in exchanges for record in (e["request"], e["response"]) if record
        ),
    )
    grown = []
    for number in range(copies):
        for exchange in exchanges:
            copy = json.loads(json.dumps(exchange))
            copy["index"] += number * count
            if copy["parent"] is not None:
                copy["parent"] += number * count
            for record in (copy["request"], copy["response"]):
                if record is not None:
                    record["line"] += number * last_line
                    record["request_id"] = f"{record['request_id']}-{number}"
            grown.append(copy)
    document["exchanges"] = grown
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def repeat_har(sample: Path, size: int) -> bytes:
    """A HAR of `sample`'s entries repeated until `size` bytes, laid out as mitmproxy writes it
    (`json.dumps(indent=4)`): each copy's URLs carry the copy's number in their query."""
    document = json.loads(sample.read_text())
    entries = document["log"]["entries"]
    per_copy = len(json.dumps(entries, indent=4).encode())
    grown = []
    for number in range(max(1, size // per_copy + 1)):
        for entry in entries:
            copy = json.loads(json.dumps(entry))
            url = copy["request"]["url"]
            copy["request"]["url"] = f"{url}{'&' if '?' in url else '?'}copy={number}"
            grown.append(copy)
    document["log"]["entries"] = grown
    return json.dumps(document, indent=4).encode()


# name -> (sample, how to scale it, the record marker `grep -c` counts as the anchor)
FORMATS: dict[str, tuple[Path, Callable[[Path, int], bytes], str]] = {
    "keystoneauth-debug (openstack --debug)": (
        SAMPLES / "osc-server-create.debug.log",
        repeat_log,
        "REQ: curl",
    ),
    "keystoneauth-debug (--log-file)": (
        SAMPLES / "osc-server-create.logfile.log",
        repeat_log,
        "REQ: curl",
    ),
    "har (mitmproxy hardump)": (
        SAMPLES / "osc-server-create.har",
        repeat_har,
        '"startedDateTime"',
    ),
    "tracetui-json (export of server-create.md)": (
        SAMPLES / "server-create.md",
        repeat_export,
        '"request": {',
    ),
}


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in KB) of a whole process, by GNU time."""
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=True
    )
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    assert wall is not None and rss is not None, result.stderr
    hours, minutes, seconds = wall.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds), float(rss.group(1))


def measure(name: str, size: int, runs: int) -> str:
    sample, scale, marker = FORMATS[name]
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    path = DATA / f"{slug}-{size // MB}MB{sample.suffix if sample.suffix != '.md' else '.json'}"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        path.write_bytes(scale(sample, size))
    file_size = path.stat().st_size
    path.read_bytes()  # into the page cache
    stats = [timed([sys.executable, "-m", "tui", "stats", str(path)]) for _ in range(runs)]
    grep = [timed(["grep", "-c", marker, str(path)])[0] for _ in range(runs)]
    index = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", INDEX_CHILD, str(path)],
                capture_output=True,
                text=True,
                check=True,
                cwd=HERE,
            ).stdout
        )
        for _ in range(runs)
    ]
    wall = statistics.median(seconds for seconds, _ in stats)
    rss = statistics.median(kb for _, kb in stats) * 1024
    rate = file_size / MB / statistics.median(item["seconds"] for item in index)
    anchor = statistics.median(grep)
    verdict = "PASS" if rate >= INDEX_TARGET_MBPS and rss < RSS_TARGET_RATIO * file_size else "MISS"
    return (
        f"| {name} | {file_size / MB:.0f} MB, {index[0]['exchanges']} exchanges | {wall:.2f} s "
        f"| {anchor:.2f} s ({wall / anchor:.0f}x) | {rate:.0f} MB/s "
        f"| {rss / MB:.0f} MB ({rss / file_size:.2f}x) | {verdict} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100MB", help="scaled file size, e.g. 100MB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="rows whose name has this")
    args = parser.parse_args(argv)
    size = int(float(args.size.upper().removesuffix("MB")) * MB)
    print(
        "| format | file | `tracetui stats` (whole process) | `grep -c` (anchor) "
        "| index rate | peak RSS | >= 100 MB/s, RSS < 1.5x |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in FORMATS:
        if args.only is None or any(part in name for part in args.only):
            print(measure(name, size, args.runs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
