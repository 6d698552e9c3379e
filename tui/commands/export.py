"""`tracetui export FILE --format FMT [-o OUT] [--redact] [--filter QUERY]`."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from tui.commands.output import document_stream, say
from tui.commands.redaction import add_redact_argument, echoed, redactor_for
from tui.export import registry
from tui.export.base import ExportOptions, FolderExport, Redact, Selection, url_problems
from tui.export.placeholders import PATHS, SCOPES, with_placeholders
from tui.model.trace import Trace
from tui.query.language import Query, QueryError, parse_query
from tui.query.search import all_matches
from tui.readers import read_trace
from tui.text.files import replacing

EXIT_NO_MATCH = 1
EXIT_TROUBLE = 2


class ExportError(Exception):
    """A problem with the command's arguments or output; the message is one line."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `export` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="write a trace as mermaid, JSON, HAR, body.md or curl commands",
        description="Write the exchanges of a trace (or those matching --filter) in another "
        "format, to stdout or to OUT.",
    )
    parser.add_argument("file", help="body.md or requestshook.log")
    parser.add_argument("-f", "--format", choices=registry.names(), help="output format")
    parser.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    add_redact_argument(parser)
    parser.add_argument(
        "--filter",
        metavar="QUERY",
        help="export only the exchanges matching QUERY, e.g. 'svc:keystone status:>=400'",
    )
    parser.add_argument(
        "--placeholders",
        nargs="?",
        const=PATHS,
        choices=SCOPES,
        help="name the ids in paths as the API reference does (/servers/{server_id}); "
        "'all': in headers and bodies too, with tokens redacted",
    )
    parser.add_argument(
        "--otlp-endpoint",
        metavar="URL",
        help="send the spans of --format otlp to an OTLP/HTTP collector (Jaeger, Tempo), "
        "e.g. http://127.0.0.1:4318",
    )
    parser.set_defaults(run=run)


def _check_output(path: str, trace_path: str, force: bool) -> None:
    if os.path.isdir(path):
        raise ExportError(f"{path}: is a directory; give a file name")
    if os.path.exists(path) and os.path.exists(trace_path) and os.path.samefile(path, trace_path):
        raise ExportError(f"{path}: is the trace being exported")
    if not force and not _is_stream(path) and os.path.lexists(path):
        # Checked before the trace is read, so a big trace is not read for nothing.
        raise ExportError(f"{path}: exists; give --force to replace it")


def _is_stream(path: str) -> bool:
    """Whether `path` names a stream to write to in place (a terminal, a pipe, /dev/stdout)
    rather than a file to create: those are never replaced by a rename."""
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _write(path: str, export: Callable[[TextIO], None], force: bool) -> None:
    try:
        if _is_stream(path):
            with open(path, "w", encoding="utf-8", newline="") as out:
                # A terminal however it is named (`-o /dev/stdout`, `/dev/tty`): escaped.
                export(document_stream(out))
        else:
            with replacing(Path(path), overwrite=force) as out:
                export(out)
    except FileExistsError:
        raise ExportError(f"{path}: exists; give --force to replace it") from None
    except OSError as error:
        raise ExportError(f"{path}: {error.strerror or error}") from None


def run(args: argparse.Namespace) -> int:
    """Export one trace; 0 on success, 1 when --filter matches nothing, 2 on trouble."""
    try:
        if args.format is None and args.otlp_endpoint is None:
            raise ExportError("give --format FMT, or --otlp-endpoint URL to send spans")
        folder = registry.folder_export(args.format) if args.format is not None else None
        if folder is not None and args.output is None:
            raise ExportError(f"--format {args.format} writes a folder: give -o DIR")
        if args.output is not None and folder is None:
            _check_output(args.output, args.file, args.force)
        query = _parse_filter(args.filter) if args.filter is not None else None
        trace = read_trace(args.file, args.input_format)
        # Labels are numbered by first use in the whole file, so `<token-3>` is the same
        # token whichever exchanges --filter keeps.
        redactor = redactor_for(args, trace)
        selection = None
        if query is not None:
            selection = all_matches(trace, query)
            if not selection:
                say(f"export: no exchange matches {echoed(redactor, args.filter)}")
                return EXIT_NO_MATCH
        redact: Redact | None = redactor.record if redactor is not None else None
        if args.placeholders is not None:
            redact = with_placeholders(trace, selection, redact, args.placeholders)
        if args.otlp_endpoint is not None:
            return _send_spans(args.otlp_endpoint, trace, selection, redact)
        if folder is not None:
            return _write_folder(folder, trace, selection, args.output, redact, args.force)
        for problem in url_problems(trace, selection):
            say(f"export: warning: {problem}")
        fmt = args.format

        def export(out: TextIO) -> None:
            # Written as it is made, an exchange at a time: never whole in memory.
            registry.write(trace, fmt, selection, out, redact)

        if args.output is not None:
            _write(args.output, export, args.force)
        else:
            export(document_stream())
    except ExportError as error:
        say(f"export: {error}")
        return EXIT_TROUBLE
    return 0


def _write_folder(
    export: FolderExport,
    trace: Trace,
    selection: Selection,
    folder: str,
    redact: Redact | None,
    force: bool,
) -> int:
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ExportError(f"{folder}: is a file; give a folder")
    try:
        written = export.write_folder(
            trace, selection, Path(folder), ExportOptions(redact=redact, overwrite=force)
        )
    except FileExistsError as error:
        raise ExportError(f"{error}: exists; give --force to replace it") from None
    except OSError as error:
        raise ExportError(f"{folder}: {error.strerror or error}") from None
    say(f"export: wrote {len(written)} files under {folder}")
    return 0


def _send_spans(endpoint: str, trace: Trace, selection: Selection, redact: Redact | None) -> int:
    # The collector's answer carries no trace text, but the URL is the user's: shown escaped.
    from tui.export import otlp

    try:
        sent = otlp.send(endpoint, otlp.requests(trace, selection, ExportOptions(redact=redact)))
    except otlp.OtlpSendError as error:
        raise ExportError(str(error)) from None
    say(f"export: sent {sent} spans to {otlp.traces_url(endpoint)}")
    return 0


def _parse_filter(text: str) -> Query:
    try:
        return parse_query(text)
    except QueryError as error:
        raise ExportError(
            f"--filter: {error.message} (at character {error.position + 1})"
        ) from None
