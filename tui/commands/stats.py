"""`tracetui stats FILE [--json]`: counts, services, pairs, statuses, roots, warnings."""

from __future__ import annotations

import argparse
import json

from tui.readers import read_trace
from tui.sanitize import visible
from tui.stats import format_stats, trace_stats


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `stats` subcommand."""
    parser = subparsers.add_parser("stats", help="print figures about a trace")
    parser.add_argument("file", help="body.md or requestshook.log")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the stats of one trace; 0 on success (TraceError is handled by the caller)."""
    stats = trace_stats(read_trace(args.file))
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        print(visible(format_stats(stats)))
    return 0
