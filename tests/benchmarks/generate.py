"""Scale a sample trace to a given size for the big-trace benchmarks (issue 6).

    python tests/benchmarks/generate.py --size 100MB --out DIR [--source FILE] [--format md|log]

The records of the source (everything from its first record heading on) are written again and
again, each copy with its own request ids, until the file reaches the size asked for; whatever
precedes the first record (prose in an annotated document) is written once. `--unique-ids` also
renames every UUID, 32-hex id and Fernet token per copy, so a search for one id finds one run.
Renamed ids keep their length and shape, so every copy has the same size and a file of N copies
has exactly N times the source's exchanges.

The file is streamed a copy at a time, never built whole in memory, and written under a
temporary name first so an interrupted run leaves no truncated file for the benchmark to trust.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from tui.model.trace import FORMAT_LOG, FORMAT_MARKDOWN
from tui.readers import detect_format

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_traces"
DATA_DIR = Path(__file__).resolve().parent / "data"

# Each format's default source is the richest sample in it.
DEFAULT_SOURCES = {"md": SAMPLES / "server-create.md", "log": SAMPLES / "image-show.log"}
FORMAT_NAMES = {FORMAT_MARKDOWN: "md", FORMAT_LOG: "log"}

# Decimal units, as `du --si` and the MB/s figures use; binary ones are accepted too.
UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMG]I?B|B)?\s*", re.I)

_REQUEST_ID_VALUE = re.compile(rb"(?im)^[ \t]*X-Requestshook-Request-Id:[ \t]*(\S+)")
_HEX32 = re.compile(rb"[0-9a-f]{32}")
_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_FERNET = re.compile(rb"gAAAAA[A-Za-z0-9_=-]{16,}")
_VOLATILE = re.compile(
    rb"(?<![0-9A-Za-z])(?:"
    + _UUID.pattern
    + rb"|"
    + _HEX32.pattern
    + rb")(?![0-9A-Za-z])|"
    + _FERNET.pattern
)


def parse_size(text: str) -> int:
    """Bytes in a size such as `100MB`, `1GB`, `512KiB` or `4096`."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (try 10MB, 1GB, 512KiB)")
    number, unit = match.groups()
    return int(float(number) * UNITS[(unit or "").upper()])


def size_label(size_bytes: int) -> str:
    """A short name for a size, the inverse of `parse_size` for round decimal sizes."""
    for unit in ("GB", "MB", "KB"):
        if size_bytes >= UNITS[unit] and size_bytes % UNITS[unit] == 0:
            return f"{size_bytes // UNITS[unit]}{unit}"
    return f"{size_bytes}B"


def _stamp_template(value: bytes, slot: int) -> bytes:
    """A `%`-template that renders `value` renamed for one copy: `template % copy`.

    The copy number and the value's slot are written over the start of the id, so renamed
    values are unique for every (copy, slot) pair and keep the id's length and alphabet.
    """
    if _UUID.fullmatch(value):
        return b"%%08x-%04x-%04x" % (slot >> 16, slot & 0xFFFF) + value[18:]
    if _HEX32.fullmatch(value):
        return b"%%08x%06x" % slot + value[14:]
    if _FERNET.fullmatch(value):
        return value[:6] + b"%%08x%06x" % slot + value[20:]
    # An id of another shape: append the copy; unique as long as the source's ids are.
    return value.replace(b"%", b"%%") + b"-%x"


def _spans(body: bytes, unique_ids: bool) -> list[tuple[int, int]]:
    """Byte ranges to rename in each copy, sorted and non-overlapping."""
    spans = [match.span(1) for match in _REQUEST_ID_VALUE.finditer(body)]
    if unique_ids:
        spans += [match.span() for match in _VOLATILE.finditer(body)]
    spans.sort()
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


class CopyTemplate:
    """The records of a source, split into fixed text and the ids renamed per copy."""

    def __init__(self, body: bytes, unique_ids: bool = False) -> None:
        self.segments: list[bytes] = []
        self.slot_of: list[int] = []
        slots: dict[bytes, int] = {}
        pos = 0
        for start, end in _spans(body, unique_ids):
            self.segments.append(body[pos:start])
            self.slot_of.append(slots.setdefault(body[start:end], len(slots)))
            pos = end
        self.segments.append(body[pos:])
        self.templates = [_stamp_template(value, slot) for value, slot in slots.items()]
        self.size = len(body)

    def render(self, copy: int) -> bytes:
        """The bytes of copy number `copy`."""
        values = [template % copy for template in self.templates]
        pieces: list[bytes] = [b""] * (2 * len(self.segments) - 1)
        pieces[0::2] = self.segments
        pieces[1::2] = [values[slot] for slot in self.slot_of]
        return b"".join(pieces)


def split_source(data: bytes) -> tuple[bytes, bytes, str]:
    """Cut a trace into what precedes its first record and the records; also its format."""
    fmt = detect_format(data)
    if fmt is None:
        raise ValueError("the source has no requestshook records")
    first = fmt.detect(data, len(data))
    records = data[first:]
    if not records.endswith(b"\n"):
        # The next copy's heading must start a line.
        records += b"\n"
    return data[:first], records, FORMAT_NAMES[fmt.name]


def resolve_source(source: Path | str | None, fmt: str | None) -> Path:
    """The source trace for a format: the one given, else that format's default sample."""
    if source is not None:
        return Path(source)
    return DEFAULT_SOURCES[fmt or "md"]


def copies_for(size_bytes: int, preamble: int, copy_size: int) -> int:
    """The fewest whole copies that reach `size_bytes` (at least one)."""
    return max(1, math.ceil((size_bytes - preamble) / copy_size))


def render_copies(template: CopyTemplate, copies: int) -> Iterator[bytes]:
    """Yield each copy's bytes in order."""
    for copy in range(copies):
        yield template.render(copy)


def generate(
    path: Path | str,
    size_bytes: int,
    source: Path | str | None = None,
    fmt: str | None = None,
    unique_ids: bool = False,
) -> Path:
    """Write a trace of at least `size_bytes` made of copies of `source`; return its path.

    `fmt` ("md" or "log") picks the default source of that format; given with a source, it
    must match the source's format. The file overshoots `size_bytes` by less than one copy.
    """
    source_path = resolve_source(source, fmt)
    preamble, records, source_fmt = split_source(source_path.read_bytes())
    if fmt is not None and fmt != source_fmt:
        raise ValueError(f"{source_path} is a {source_fmt} trace, not {fmt}")
    template = CopyTemplate(records, unique_ids)
    copies = copies_for(size_bytes, len(preamble), template.size)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb", buffering=1 << 22) as out:
        out.write(preamble)
        for chunk in render_copies(template, copies):
            out.write(chunk)
    os.replace(partial, path)
    return path


def default_name(source: Path, size_bytes: int, unique_ids: bool = False) -> str:
    """The file name the CLI and run.py use: `<source stem>-<size>[-ids].<suffix>`."""
    extra = "-ids" if unique_ids else ""
    return f"{source.stem}-{size_label(size_bytes)}{extra}{source.suffix}"


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one file and print its path."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", required=True, help="target size: 10MB, 100MB, 1GB, 512KiB")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help=f"directory ({DATA_DIR})")
    parser.add_argument("--source", type=Path, help="trace to scale (default per --format)")
    parser.add_argument("--format", choices=sorted(DEFAULT_SOURCES), dest="fmt")
    parser.add_argument(
        "--unique-ids", action="store_true", help="also rename UUIDs, hex ids and tokens"
    )
    args = parser.parse_args(argv)
    try:
        size_bytes = parse_size(args.size)
        source = resolve_source(args.source, args.fmt)
        path = args.out / default_name(source, size_bytes, args.unique_ids)
        generate(path, size_bytes, source, args.fmt, args.unique_ids)
    except (OSError, ValueError) as error:
        print(f"generate.py: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
