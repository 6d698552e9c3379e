"""A trace as rows of two tables, `exchanges` and `headers`: what `tracetui sql` queries and
`export --format parquet` writes, so the same columns reach DuckDB here and Spark or Trino
elsewhere.

The schema is versioned (`SCHEMA_VERSION`, also a column): a column is only ever added, and
a change of meaning gets a new version. The README's "Tables" section documents each column.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Callable, Optional

from tui.model.trace import Exchange, Headers, Record, Trace
from tui.query.endpoints import duration_ms
from tui.query.request_ids import request_id
from tui.text.bodies import byte_size
from tui.text.placeholders import endpoint_template

SCHEMA_VERSION = 1

# (name, DuckDB type) of each column, in order.
EXCHANGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("schema_version", "INTEGER"),
    ("file", "VARCHAR"),
    ("run", "VARCHAR"),
    ("format", "VARCHAR"),
    ("index", "INTEGER"),
    ("caller", "VARCHAR"),
    ("callee", "VARCHAR"),
    ("method", "VARCHAR"),
    ("path", "VARCHAR"),
    ("path_template", "VARCHAR"),
    ("status", "INTEGER"),
    ("request_bytes", "BIGINT"),
    ("response_bytes", "BIGINT"),
    ("request_id", "VARCHAR"),
    ("parent_index", "INTEGER"),
    ("start", "TIMESTAMPTZ"),
    ("duration_ms", "DOUBLE"),
)
HEADER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file", "VARCHAR"),
    ("run", "VARCHAR"),
    ("exchange", "INTEGER"),
    ("side", "VARCHAR"),
    ("position", "INTEGER"),
    ("name", "VARCHAR"),
    ("value", "VARCHAR"),
)

ExchangeRow = tuple[
    int,
    str,
    str,
    str,
    int,
    str,
    str,
    str,
    str,
    str,
    Optional[int],
    int,
    Optional[int],
    str,
    Optional[int],
    Optional[float],
    Optional[float],
]
# What `--redact` puts between a record and its row: (target, headers, body) masked.
Masker = Callable[[Trace, Record], tuple[str, Headers, str]]

# File names that say nothing of the run they hold: such a trace is named by its folder.
_GENERIC_NAMES = frozenset({"body", "requestshook", "trace", "diagram"})


def run_label(path: str) -> str:
    """What a trace is called in the tables' `run` column: its file name without the
    extension, or, for a name the hook gives every run (`body.md`), its folder's name."""
    folder, name = os.path.split(os.path.abspath(path))
    stem = name.split(".", 1)[0]
    if stem.lower() in _GENERIC_NAMES and os.path.basename(folder):
        return os.path.basename(folder)
    return stem


def _plain(trace: Trace, record: Record) -> tuple[str, Headers, str]:
    source = trace.source
    return record.target, source.headers(record), source.body(record)


def rows(
    trace: Trace,
    run: str,
    mask: Masker | None = None,
    exchanges: Iterable[Exchange] | None = None,
) -> Iterator[tuple[ExchangeRow, Headers, Headers]]:
    """Each exchange of `trace` (or of `exchanges`) as its `exchanges` row and the request's
    and the response's headers (the `headers` rows: one per pair), in order.

    `start` is seconds since the epoch and `duration_ms` the time to the response's end, both
    only where the trace has a clock; they are None, never invented, where it has none.
    """
    decode = mask or _plain
    templates: dict[str, str] = {}
    for exchange in trace.exchanges if exchanges is None else exchanges:
        request, response = exchange.request, exchange.response
        target, request_headers, request_body = decode(trace, request)
        response_headers: Headers = ()
        status = response_bytes = None
        if response is not None:
            _, response_headers, response_body = decode(trace, response)
            status, response_bytes = response.status, byte_size(response_body)
        template = templates.get(target)
        if template is None:
            template = templates[target] = endpoint_template(target)
        row: ExchangeRow = (
            SCHEMA_VERSION,
            trace.path,
            run,
            trace.format,
            exchange.index,
            request.src,
            request.dst,
            request.method,
            target,
            template,
            status,
            byte_size(request_body),
            response_bytes,
            request_id(trace, exchange),
            exchange.parent,
            request.time,
            duration_ms(exchange),
        )
        yield row, request_headers, response_headers
