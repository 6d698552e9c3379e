"""Traces as two columnar tables for DuckDB and Parquet: the engine behind `tracetui sql` and
`export --format parquet`. DuckDB and pyarrow are an optional extra (`pip install
'tracetui[sql]'`), imported only when a table is built, so the explorer and the other commands
never load them.

Rows are gathered as columns (lists by name), which pyarrow turns into typed tables that DuckDB
reads without a copy per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tui.model.trace import Exchange, Trace
from tui.query.tables import EXCHANGE_COLUMNS, HEADER_COLUMNS, Masker, rows, run_label

MISSING = "needs DuckDB and pyarrow: pip install 'tracetui[sql]'"

Columns = dict[str, list[Any]]


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


def empty_columns() -> tuple[Columns, Columns]:
    """Empty `exchanges` and `headers` columns, by name."""
    return (
        {name: [] for name, _ in EXCHANGE_COLUMNS},
        {name: [] for name, _ in HEADER_COLUMNS},
    )


def _append(columns: Columns, row: Sequence[Any]) -> None:
    for values, value in zip(columns.values(), row):
        values.append(value)


def trace_columns(
    trace: Trace, mask: Masker | None = None, selection: Iterable[Exchange] | None = None
) -> tuple[Columns, Columns]:
    """The `exchanges` and `headers` columns of one trace (of the `selection` of it)."""
    exchanges, headers = empty_columns()
    for row, header_rows in rows(trace, run_label(trace.path), mask, selection):
        _append(exchanges, row)
        for header_row in header_rows:
            _append(headers, header_row)
    return exchanges, headers


def merge(into: Columns, more: Columns) -> None:
    """Append the rows of `more` to `into` (columns of the same table)."""
    for name, values in more.items():
        into[name].extend(values)


def arrow_tables(exchanges: Columns, headers: Columns) -> tuple[Any, Any]:
    """The two tables as pyarrow Tables with the documented column types."""
    _, pyarrow = _modules()
    return (
        pyarrow.table(_arrow_columns(pyarrow, exchanges, EXCHANGE_COLUMNS)),
        pyarrow.table(_arrow_columns(pyarrow, headers, HEADER_COLUMNS)),
    )


def connect(exchanges: Columns, headers: Columns) -> Any:
    """An in-memory DuckDB connection holding the `exchanges` and `headers` tables."""
    duckdb, _ = _modules()
    connection = duckdb.connect()
    for table, arrow in zip(("exchanges", "headers"), arrow_tables(exchanges, headers)):
        connection.register(f"{table}_arrow", arrow)
        connection.execute(f"CREATE TABLE {table} AS SELECT * FROM {table}_arrow")
        connection.unregister(f"{table}_arrow")
    return connection


_ARROW_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int32",
    "BIGINT": "int64",
    "DOUBLE": "float64",
}


def _arrow_columns(
    pyarrow: Any, columns: Columns, schema: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    arrays = {}
    for name, kind in schema:
        values = columns[name]
        if kind == "TIMESTAMPTZ":
            # Seconds since the epoch -> microseconds, UTC; None stays NULL.
            micros = [None if value is None else round(value * 1e6) for value in values]
            arrays[name] = pyarrow.array(micros, pyarrow.timestamp("us", tz="UTC"))
        else:
            arrays[name] = pyarrow.array(values, getattr(pyarrow, _ARROW_TYPES[kind])())
    return arrays


def run_query(connection: Any, statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows `statement` gives; SqlError when DuckDB refuses it."""
    duckdb, _ = _modules()
    try:
        cursor = connection.execute(statement)
        names = [column[0] for column in cursor.description or ()]
        return names, cursor.fetchall()
    except duckdb.Error as error:
        raise SqlError(str(error).strip().splitlines()[0]) from None
