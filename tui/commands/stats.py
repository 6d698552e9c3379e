"""`tracetui stats FILE [--json]`: counts, services, pairs, statuses, roots, warnings."""

from __future__ import annotations

import argparse

from tui.commands.output import print_json, report
from tui.commands.redaction import add_redact_argument, redacted, redactor_for
from tui.query.endpoints import endpoints, format_endpoints
from tui.query.stats import file_stats, format_stats, trace_stats
from tui.readers import read_trace


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `stats` subcommand."""
    parser = subparsers.add_parser("stats", help="print figures about a trace")
    parser.add_argument("file", help="body.md or requestshook.log")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--by",
        choices=("endpoint",),
        help="one row per endpoint (method, callee, path template): count, failures, bytes "
        "and, where the trace has a clock, p50 / p95 / max / total duration",
    )
    add_redact_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the stats of one trace; 0 on success (TraceError is handled by the caller)."""
    if args.by == "endpoint":
        return _by_endpoint(args)
    if args.redact:
        # The redactor learns the secrets from the headers and bodies: read them all.
        trace = read_trace(args.file, args.input_format)
        stats = redacted(redactor_for(args, trace), trace_stats(trace))
    else:
        stats = file_stats(args.file, args.input_format)
    if args.json:
        print_json(stats)
    else:
        report().line(format_stats(stats))
    return 0


def _by_endpoint(args: argparse.Namespace) -> int:
    trace = read_trace(args.file, args.input_format)
    rows = [endpoint.as_json() for endpoint in endpoints(trace)]
    clock = any("timed" in row for row in rows)
    # A template can keep a token the path carried (`/v2.0/tokens/<token>`): masked too.
    rows = redacted(redactor_for(args, trace), rows)
    if args.json:
        document = {"file": args.file, "clock": clock, "endpoints": rows}
        print_json(document)
    else:
        report().line(format_endpoints(rows, clock))
    return 0
