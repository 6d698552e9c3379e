"""`tracetui stats FILE [--json]`: counts, services, pairs, statuses, roots, warnings."""

from __future__ import annotations

import argparse
import json

from tui.commands.redaction import add_redact_argument, redacted, redactor_for
from tui.query.stats import file_stats, format_stats, trace_stats
from tui.readers import read_trace
from tui.text.sanitize import visible


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `stats` subcommand."""
    parser = subparsers.add_parser("stats", help="print figures about a trace")
    parser.add_argument("file", help="body.md or requestshook.log")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_redact_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the stats of one trace; 0 on success (TraceError is handled by the caller)."""
    if args.redact:
        # The redactor learns the secrets from the headers and bodies: read them all.
        trace = read_trace(args.file, args.input_format)
        stats = redacted(redactor_for(args, trace), trace_stats(trace))
    else:
        stats = file_stats(args.file, args.input_format)
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        print(visible(format_stats(stats)))
    return 0
