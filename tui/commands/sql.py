"""`tracetui sql QUERY FILE...`: SQL over many traces, in DuckDB, in-process.

Every trace becomes rows of `exchanges` and `headers` (see tui/query/tables.py and the README's
"Tables"); several files are indexed in worker processes. A file that is not a trace is skipped
with one line on stderr, so a folder of CI artefacts can be named whole.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Union

from tui.commands.output import document, is_terminal, report, say
from tui.commands.redaction import add_redact_argument
from tui.query.sql import (
    SqlError,
    SqlUnavailable,
    cell_text,
    connect,
    require,
    result_table,
    run_query,
    trace_tables,
)
from tui.readers import TraceError, read_trace
from tui.redact import Redactor
from tui.text.sanitize import visible_line

EXIT_TROUBLE = 2
# Below this many files a pool's start-up costs more than it saves.
PARALLEL_FROM = 3
# A progress line is drawn only when loading takes longer than a glance.
PROGRESS_FROM = 8
# An indexed file's two tables, or the one line that says why it was skipped.
Loaded = Union[tuple[Any, Any], str]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `sql` subcommand."""
    parser = subparsers.add_parser(
        "sql",
        help="run SQL over many traces (DuckDB; pip install 'tracetui[sql]')",
        description="Load every trace into the tables `exchanges` and `headers` and run QUERY "
        "in DuckDB. FILEs may be files, folders (read whole) or quoted globs.",
        epilog='example: tracetui sql "SELECT run, count(*) FROM exchanges WHERE status >= '
        '500 GROUP BY run" runs/',
    )
    parser.add_argument("query", help="one SQL statement")
    parser.add_argument("files", nargs="+", metavar="FILE", help="traces, folders or globs")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print a JSON array of objects")
    output.add_argument("--csv", action="store_true", help="print CSV with a header row")
    add_redact_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the traces, run the query, print the result; 2 on trouble."""
    try:
        require()
    except SqlUnavailable as error:
        return _trouble(str(error))
    paths = expand(args.files)
    if not paths:
        return _trouble("no trace files found")
    tables: list[tuple[Any, Any]] = []
    show = _progress if is_terminal(sys.stderr) and len(paths) >= PROGRESS_FROM else None
    for done, (path, loaded_file) in enumerate(_load(paths, args.redact), 1):
        if isinstance(loaded_file, str):
            say(f"sql: skipped {loaded_file}")
        else:
            tables.append(loaded_file)
        if show is not None:
            show(done, len(paths), path)
    if show is not None:
        sys.stderr.write("\r\x1b[K")
    if not tables:
        return _trouble("none of the files is a trace")
    try:
        names, result = run_query(connect(tables), args.query)
    except SqlError as error:
        return _trouble(str(error))
    _print(names, result, args)
    return 0


def _trouble(message: str) -> int:
    say(f"sql: {message}")
    return EXIT_TROUBLE


def _progress(done: int, total: int, path: str) -> None:
    width = 30
    filled = width * done // total
    name = visible_line(os.path.basename(path))[:40]
    sys.stderr.write(f"\r\x1b[K[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name}")
    sys.stderr.flush()


def _index(path: str, redactor: Redactor | None = None) -> tuple[str, Loaded]:
    try:
        trace = read_trace(path)
    except TraceError as error:
        return path, str(error)
    if redactor is None:
        return path, trace_tables(trace)
    redactor.learn(trace)
    return path, trace_tables(trace, redactor.record)


def _load(paths: Sequence[str], redact: bool) -> Iterator[tuple[str, Loaded]]:
    if redact:
        # One redactor sees every file in order, so a label names the same secret in every
        # run: that takes one process.
        redactor = Redactor()
        for path in paths:
            yield _index(path, redactor)
        return
    if len(paths) < PARALLEL_FROM:
        for path in paths:
            yield _index(path)
        return
    workers = min(len(paths), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_index, paths, chunksize=max(1, len(paths) // (8 * workers)))


def expand(arguments: Iterable[str]) -> list[str]:
    """Files named, files under folders named (sorted; hidden ones skipped) and the matches
    of quoted globs, each once, in the order given."""
    seen: dict[str, None] = {}
    for argument in arguments:
        if os.path.isdir(argument):
            for folder, subfolders, files in os.walk(argument):
                subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        seen.setdefault(os.path.join(folder, name), None)
        elif not os.path.exists(argument) and glob.has_magic(argument):
            for match in sorted(glob.glob(argument, recursive=True)):
                if os.path.isfile(match):
                    seen.setdefault(match, None)
        else:
            seen.setdefault(argument, None)
    return list(seen)


def _print(names: list[str], result: list[tuple[Any, ...]], args: argparse.Namespace) -> None:
    # Values come from trace text: JSON and CSV are documents, the table a report.
    data = document()
    if args.json:
        objects = [
            {
                name: (cell_text(value) if hasattr(value, "isoformat") else value)
                for name, value in zip(names, row)
            }
            for row in result
        ]
        data.line(json.dumps(objects, indent=2, default=str))
        return
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        for row in result:
            writer.writerow([data.text(cell_text(value)) for value in row])
        return
    table = report()
    for text in result_table(names, result):
        table.line(text)
