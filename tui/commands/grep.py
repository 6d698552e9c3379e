"""`tracetui grep FILE QUERY [--json]`: the exchanges matching a filter query or a text.

Exit status: 0 when something matched, 1 when nothing did, 2 for a bad query or file.

A query with a positive word, `body:` or `header:` term is answered by scanning the file's
bytes (`tui.query.scan`): no index, memory a small part of the file. Anything else, and any
file the scan cannot answer exactly, is read whole first, as the explorer reads it.
"""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator

from tui.commands.output import print_json, report, say
from tui.commands.redaction import add_redact_argument, echoed, redacted, redactor_for
from tui.model.trace import Exchange, Trace
from tui.query.language import Query, QueryError, parse_query
from tui.query.scan import Unsupported, scan_matches
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
        "method:, status:, path:, header:, body:, reqid:; `!` negates one) and words searched\n"
        "everywhere (`re:` for a regex), all of which must hold.",
        epilog="examples:\n"
        "  tracetui grep FILE 'svc:keystone status:>=400'\n"
        "  tracetui grep FILE '!dst:neutron-server method:GET'\n"
        "  tracetui grep FILE 'header:\"Content-Type=application/json\" body:adminPass'\n"
        "  tracetui grep FILE gAAAAABjt2gN...   (every exchange carrying that token)\n"
        "  tracetui grep FILE reqid:req-9c0dd7d2   (one API call and all done on its behalf)\n"
        "cost: a query with a word, body: or header: term scans the file's bytes and parses\n"
        "  only the exchanges that hold it: fast, little memory. A query of only src:, dst:,\n"
        "  svc:, method:, status:, path: or negated terms needs every exchange paired, so the\n"
        "  whole file is indexed first (as the explorer does; memory about the file's size),\n"
        "  and so do --redact (labels are numbered over the whole file), formats other than\n"
        "  body.md, a non-ASCII file with a case-insensitive word or a regex, a word found in\n"
        "  more than one record in 20, and a file the reader would warn about.\n"
        "  Add a word to a field-only query to make it cheap: 'status:500 nova'.\n"
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
        say(f"bad query: {error.message} (at column {error.position + 1})")
        return EXIT_TROUBLE
    redactor = None
    batches: Iterator[list[Exchange]]
    try:
        if args.redact:
            raise Unsupported("--redact learns the secrets of the whole file")
        batches = iter([scan_matches(args.file, query, args.input_format)])
    except Unsupported:
        trace = read_trace(args.file, args.input_format)
        # What was read lives to the end: keep the collector from walking it again.
        gc.freeze()
        redactor = redactor_for(args, trace)
        batches = _indexed_batches(trace, query)
    found = 0
    if args.json:
        matches = [_summary(exchange) for batch in batches for exchange in batch]
        found = len(matches)
        document = {"query": echoed(redactor, args.query), "matches": redacted(redactor, matches)}
        print_json(document)
    else:
        # Print as batches arrive: on a big trace the first lines show before the scan ends.
        out = report()
        for batch in batches:
            if not batch:
                continue
            found += len(batch)
            lines = "\n".join(_line(exchange) for exchange in batch)
            out.line(redacted(redactor, lines), flush=True)
    return EXIT_MATCH if found else EXIT_NO_MATCH


def _indexed_batches(trace: Trace, query: Query) -> Iterator[list[Exchange]]:
    for batch in iter_matches(trace, query):
        yield [trace.exchanges[index] for index in batch]
