"""Traces as two columnar tables for DuckDB and Parquet: the engine behind `tracetui sql` and
`export --format parquet`. DuckDB and pyarrow are an optional extra (`pip install
'tracetui[sql]'`), imported only when a table is built, so the explorer and the other commands
never load them.

Rows are built a batch of exchanges at a time and turned into an Arrow record batch at once
(a transpose in C, then one typed array per column), so a trace costs its Arrow size, not a
Python object per value; DuckDB reads the Arrow tables without copying them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tui.model.trace import Exchange, Headers, Trace
from tui.query.tables import EXCHANGE_COLUMNS, HEADER_COLUMNS, Masker, rows, run_label
from tui.text.sanitize import visible_line

MISSING = "needs DuckDB and pyarrow: pip install 'tracetui[sql]'"
# Exchanges per record batch: big enough that Arrow's per-batch cost vanishes, small enough
# that the Python rows of one batch stay a few MB.
BATCH = 4096


class SqlUnavailable(Exception):
    """DuckDB or pyarrow is not installed; the message is the one-line hint."""


class SqlError(Exception):
    """DuckDB refused the query (syntax, an unknown column, ...); the message is its first
    line."""


def _modules() -> tuple[Any, Any]:
    try:
        import duckdb
        import pyarrow  # type: ignore[import-untyped]  # no stubs or py.typed
    except ImportError:
        raise SqlUnavailable(MISSING) from None
    return duckdb, pyarrow


def require() -> None:
    """Raise SqlUnavailable, with the install hint, unless DuckDB and pyarrow import."""
    _modules()


_ARROW_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int32",
    "BIGINT": "int64",
    "DOUBLE": "float64",
}


def _schema(pyarrow: Any, columns: tuple[tuple[str, str], ...]) -> Any:
    fields = []
    for name, kind in columns:
        if kind == "TIMESTAMPTZ":
            kind_type = pyarrow.timestamp("us", tz="UTC")
        else:
            kind_type = getattr(pyarrow, _ARROW_TYPES[kind])()
        fields.append(pyarrow.field(name, kind_type))
    return pyarrow.schema(fields)


def _exchange_batch(pyarrow: Any, schema: Any, batch_rows: Sequence[Sequence[Any]]) -> Any:
    columns: list[Sequence[Any]] = list(zip(*batch_rows)) or [() for _ in schema]
    arrays = []
    for field, values in zip(schema, columns):
        if pyarrow.types.is_timestamp(field.type):
            # Seconds since the epoch -> microseconds; None stays NULL.
            values = [None if value is None else round(value * 1e6) for value in values]
        arrays.append(pyarrow.array(values, field.type))
    return pyarrow.RecordBatch.from_arrays(arrays, schema=schema)


class _HeaderColumns:
    """The `headers` rows of a batch of exchanges, gathered column by column."""

    def __init__(self) -> None:
        self.exchange: list[int] = []
        self.side: list[str] = []
        self.position: list[int] = []
        self.names: list[str] = []
        self.values: list[str] = []

    def add(self, index: int, side: str, headers: Headers) -> None:
        count = len(headers)
        self.exchange += [index] * count
        self.side += [side] * count
        self.position += range(count)
        self.names += [name for name, _ in headers]
        self.values += [value for _, value in headers]

    def batch(self, pyarrow: Any, schema: Any, path: str, run: str) -> Any:
        count = len(self.names)
        # The file and run are the same on every row of a trace: repeated in C, not per row.
        constant = [
            pyarrow.repeat(pyarrow.scalar(text, pyarrow.string()), count) for text in (path, run)
        ]
        arrays = [
            *constant,
            pyarrow.array(self.exchange, pyarrow.int32()),
            pyarrow.array(self.side, pyarrow.string()),
            pyarrow.array(self.position, pyarrow.int32()),
            pyarrow.array(self.names, pyarrow.string()),
            pyarrow.array(self.values, pyarrow.string()),
        ]
        return pyarrow.RecordBatch.from_arrays(arrays, schema=schema)


def trace_tables(
    trace: Trace, mask: Masker | None = None, selection: Iterable[Exchange] | None = None
) -> tuple[Any, Any]:
    """The `exchanges` and `headers` tables of one trace (of the `selection` of it), as
    pyarrow Tables with the documented column types."""
    _, pyarrow = _modules()
    exchange_schema = _schema(pyarrow, EXCHANGE_COLUMNS)
    header_schema = _schema(pyarrow, HEADER_COLUMNS)
    run = run_label(trace.path)
    exchange_batches, header_batches = [], []
    exchange_rows: list[Sequence[Any]] = []
    headers = _HeaderColumns()
    for row, request_headers, response_headers in rows(trace, run, mask, selection):
        exchange_rows.append(row)
        headers.add(row[4], "request", request_headers)
        headers.add(row[4], "response", response_headers)
        if len(exchange_rows) == BATCH:
            exchange_batches.append(_exchange_batch(pyarrow, exchange_schema, exchange_rows))
            header_batches.append(headers.batch(pyarrow, header_schema, trace.path, run))
            exchange_rows, headers = [], _HeaderColumns()
    exchange_batches.append(_exchange_batch(pyarrow, exchange_schema, exchange_rows))
    header_batches.append(headers.batch(pyarrow, header_schema, trace.path, run))
    return (
        pyarrow.Table.from_batches(exchange_batches, schema=exchange_schema),
        pyarrow.Table.from_batches(header_batches, schema=header_schema),
    )


def connect(tables: Sequence[tuple[Any, Any]]) -> Any:
    """An in-memory DuckDB connection holding the `exchanges` and `headers` tables of every
    trace in `tables` (pairs from `trace_tables`)."""
    duckdb, pyarrow = _modules()
    connection = duckdb.connect()
    for position, name in enumerate(("exchanges", "headers")):
        # Registered, not copied into a DuckDB table: DuckDB scans the Arrow buffers in place,
        # so the rows are held once.
        connection.register(name, pyarrow.concat_tables([pair[position] for pair in tables]))
    return connection


def run_query(connection: Any, statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows `statement` gives; SqlError when DuckDB refuses it."""
    duckdb, _ = _modules()
    try:
        cursor = connection.execute(statement)
        names = [column[0] for column in cursor.description or ()]
        return names, cursor.fetchall()
    except duckdb.Error as error:
        raise SqlError(str(error).strip().splitlines()[0]) from None


def cell_text(value: Any) -> str:
    """One result value as text: NULL as nothing, timestamps in ISO 8601."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def result_table(names: Sequence[str], result: Sequence[Sequence[Any]]) -> list[str]:
    """A query's result as aligned lines (numbers right-aligned), a rule under the names
    and the row count last. Values are trace text: each is made one visible line."""
    cells = [[visible_line(cell_text(value)) for value in values] for values in result]
    shown_names = [visible_line(name) for name in names]
    widths = [
        max([len(name)] + [len(row[column]) for row in cells])
        for column, name in enumerate(shown_names)
    ]
    numeric = [
        all(isinstance(row[column], (int, float)) or row[column] is None for row in result)
        for column in range(len(names))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric)
        ).rstrip()

    lines = [line(shown_names), "  ".join("-" * width for width in widths)]
    lines += [line(row) for row in cells]
    lines.append(f"({len(result)} row{'s' if len(result) != 1 else ''})")
    return lines
