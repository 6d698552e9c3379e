"""`tracetui grep FILE QUERY [--json]`: the exchanges matching a filter query or a text.

Exit status: 0 when something matched, 1 when nothing did, 2 for a bad query or file.
"""

from __future__ import annotations

import argparse
import json
import sys

from tui.commands.redaction import add_redact_argument, echoed, redacted, redactor_for
from tui.model.trace import Exchange
from tui.query.language import QueryError, parse_query
from tui.query.search import iter_matches
from tui.readers import read_trace
from tui.text.sanitize import visible_line

EXIT_MATCH, EXIT_NO_MATCH, EXIT_TROUBLE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `grep` subcommand."""
    parser = subparsers.add_parser(
        "grep",
        help="print the exchanges matching a query",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Print the exchanges matching QUERY: filter terms (src:, dst:, svc:,\n"
        "method:, status:, path:, header:, body:; `!` negates one) and words searched\n"
        "everywhere (`re:` for a regex), all of which must hold.",
        epilog="examples:\n"
        "  tracetui grep FILE 'svc:keystone status:>=400'\n"
        "  tracetui grep FILE '!dst:neutron-server method:GET'\n"
        "  tracetui grep FILE 'header:\"Content-Type=application/json\" body:adminPass'\n"
        "  tracetui grep FILE gAAAAABjt2gN...   (every exchange carrying that token)\n"
        "exit status: 0 something matched, 1 nothing did, 2 bad query or file",
    )
    parser.add_argument("file", help="body.md or requestshook.log")
    parser.add_argument("query", help="filter terms and words, e.g. 'svc:keystone status:5xx'")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_redact_argument(parser)
    parser.set_defaults(run=run)


def _summary(exchange: Exchange) -> dict[str, object]:
    request = exchange.request
    return {
        "index": exchange.index,
        "src": request.src,
        "dst": request.dst,
        "method": request.method,
        "path": request.target,
        "status": exchange.status,
    }


def _line(exchange: Exchange) -> str:
    request = exchange.request
    status = "-" if exchange.status is None else str(exchange.status)
    return visible_line(
        f"{exchange.index:>5}  {status:>3}  {request.method} {request.target}"
        f"  {request.src} -> {request.dst}"
    )


def run(args: argparse.Namespace) -> int:
    """Print the exchanges of one trace that match a query; see the module for the status."""
    try:
        query = parse_query(args.query)
    except QueryError as error:
        print(
            f"tracetui: bad query: {visible_line(error.message)} (at column {error.position + 1})",
            file=sys.stderr,
        )
        return EXIT_TROUBLE
    trace = read_trace(args.file, args.input_format)
    redactor = redactor_for(args, trace)
    found = 0
    if args.json:
        indices = [index for batch in iter_matches(trace, query) for index in batch]
        found = len(indices)
        matches = [_summary(trace.exchanges[index]) for index in indices]
        document = {"query": echoed(redactor, args.query), "matches": redacted(redactor, matches)}
        print(json.dumps(document, indent=2))
    else:
        # Print as batches arrive: on a big trace the first lines show before the scan ends.
        for batch in iter_matches(trace, query):
            found += len(batch)
            lines = "\n".join(_line(trace.exchanges[index]) for index in batch)
            print(redacted(redactor, lines), flush=True)
    return EXIT_MATCH if found else EXIT_NO_MATCH
