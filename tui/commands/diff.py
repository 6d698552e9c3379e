"""`tracetui diff A B [--json] [--raw]`: what really changed between two runs.

Exit status as diff(1): 0 when the runs match, 1 when they differ, 2 on trouble (a file that
is not a trace is reported by `tui.cli.main`; argparse exits 2 on a bad command line).
"""

from __future__ import annotations

import argparse

from tui.commands.output import print_json, report, say
from tui.commands.redaction import add_redact_argument, redacted, redactor_for
from tui.diff.changes import DiffEntry, Kind, TraceDiff, value_text
from tui.diff.engine import diff_traces, to_json
from tui.diff.timing import Slower, timing, timing_json, timing_lines
from tui.readers import read_trace
from tui.redact import Redactor
from tui.text.placeholders import PlaceholderNames
from tui.text.sanitize import visible_line

EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_TROUBLE = 2
# Longer values (a service catalog header, a whole JSON object) are cut in the text output;
# --json carries them whole.
MAX_VALUE_CHARS = 160
MAX_EXAMPLE_CHARS = 40
MARKERS = {Kind.CHANGED: "~", Kind.ADDED: "+", Kind.REMOVED: "-"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `diff` subcommand."""
    parser = subparsers.add_parser(
        "diff",
        help="compare two runs of the same operation",
        description="Align the exchanges of two runs and show what really changed: request "
        "ids, tokens, UUIDs, timestamps and the like are masked, and ids must correspond one "
        "to one between the runs. Exit status 0: no differences, 1: differences, 2: trouble.",
    )
    parser.add_argument("a", help="run 1: body.md or requestshook.log")
    parser.add_argument("b", help="run 2: body.md or requestshook.log")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_redact_argument(parser)
    parser.add_argument(
        "--raw", action="store_true", help="mask nothing: every byte that differs counts"
    )
    parser.add_argument(
        "--slower",
        metavar="THRESHOLD",
        help="also report calls and endpoints slower in run 2 by THRESHOLD (2x, 500ms, 1.5s); "
        "content differences and the exit status stay as they are",
    )
    parser.add_argument(
        "--placeholders",
        action="store_true",
        help="name the ids in paths as the API reference does (/ports/{port_id})",
    )
    parser.set_defaults(run=run)


def _clip(text: str, limit: int = MAX_VALUE_CHARS, redactor: Redactor | None = None) -> str:
    # Masked before it is cut: a secret cut in half is no longer the value the redactor knows.
    text = visible_line(redacted(redactor, text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entry_lines(
    entry: DiffEntry, redactor: Redactor | None, names: PlaceholderNames | None = None
) -> list[str]:
    where = " ".join(
        f"{side}#{index}"
        for side, index in (("a", entry.a_index), ("b", entry.b_index))
        if index is not None
    )
    lines = [
        f"{MARKERS[entry.kind]} [{where}] {entry.src} -> {entry.dst}  "
        f"{entry.method} {visible_line(names.path(entry.path) if names else entry.path)}"
    ]
    for change in entry.changes:
        key = f" {visible_line(change.key)}" if change.key is not None else ""
        old = _clip(value_text(change.a), redactor=redactor)
        new = _clip(value_text(change.b), redactor=redactor)
        line = f"    {change.part.value}{key}: {old} -> {new}"
        if change.note:
            line += f"  ({visible_line(change.note)})"
        lines.append(line)
    return lines


def format_diff(
    diff: TraceDiff,
    a_path: str,
    b_path: str,
    redactor: Redactor | None = None,
    placeholders: bool = False,
) -> str:
    """The readable report: both files, the summary, what masking hid, each difference;
    with a `redactor`, every value is masked before it is cut to length; with
    `placeholders`, the ids in paths are named as the API reference does."""
    summary = ", ".join(f"{count} {kind}" for kind, count in diff.summary.items())
    lines = [
        f"--- run 1: {visible_line(a_path)} ({len(diff.a.exchanges)} exchanges)",
        f"+++ run 2: {visible_line(b_path)} ({len(diff.b.exchanges)} exchanges)",
        summary,
    ]
    if diff.raw:
        lines.append("raw: nothing masked")
    elif diff.masked:
        lines.append("masked (values that differ between the runs, by rule):")
        ranked = sorted(diff.masked.items(), key=lambda item: (-item[1], item[0]))
        width = max(len(rule) for rule in diff.masked)
        for rule, count in ranked:
            a, b = (_clip(value, MAX_EXAMPLE_CHARS, redactor) for value in diff.examples[rule])
            lines.append(f"  {rule.ljust(width)} {count:>6}  e.g. {a} -> {b}")
    lines.append("")
    differences = [entry for entry in diff.entries if entry.kind in MARKERS]
    if not differences:
        lines.append("no differences")
    names = PlaceholderNames(entry.path for entry in differences) if placeholders else None
    for entry in differences:
        lines += _entry_lines(entry, redactor, names)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Diff two traces; 0 when they match, 1 when they differ, 2 for a bad --slower
    (TraceError: the caller, 2). Timing never changes the status."""
    try:
        slower = Slower.parse(args.slower) if args.slower is not None else None
    except ValueError as error:
        say(f"diff: {error}")
        return EXIT_TROUBLE
    a, b = read_trace(args.a, args.input_format), read_trace(args.b, args.input_format)
    diff = diff_traces(a, b, raw=args.raw)
    times = timing(diff, slower) if slower is not None else None
    redactor = redactor_for(args, a, b)
    if args.json:
        document = to_json(diff, args.a, args.b)
        if times is not None:
            document["timing"] = timing_json(times)
        print_json(redacted(redactor, document))
    else:
        text = format_diff(diff, args.a, args.b, redactor, args.placeholders)
        if times is not None:
            text += "\n" + "\n".join(timing_lines(times))
        report().line(redacted(redactor, text))
    return EXIT_DIFFERENT if diff.has_differences else EXIT_SAME
