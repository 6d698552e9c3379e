"""The Parquet export: the `exchanges` and `headers` tables of `tracetui sql`, as files that
Spark, Trino, BigQuery or DuckDB elsewhere read unchanged.

`tracetui export run.md --format parquet -o DIR` writes a Hive-partitioned dataset:

    DIR/exchanges/run=<run>/part-0.parquet
    DIR/headers/run=<run>/part-0.parquet

so one DIR collects every run of a CI fleet, one partition each (`read_parquet('DIR/exchanges/
**/*.parquet', hive_partitioning = true)`). A run's partition that exists is replaced only with
`--force`; other runs' partitions are never touched. The columns are those of
tui/query/tables.py (schema version in every row), documented in the README.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tui.export.base import ExportOptions, FolderExport, Selection, selected_exchanges
from tui.model.trace import Trace
from tui.query.sql import trace_tables
from tui.query.tables import run_label

TABLES = ("exchanges", "headers")


def _partition(folder: Path, table: str, run: str) -> Path:
    # Hive's escaping of partition values: `/` and `=` cannot stand in a folder name.
    escaped = "".join(f"%{ord(char):02X}" if char in '/=%\\:"\n' else char for char in run)
    return folder / table / f"run={escaped}"


def write_parquet(
    trace: Trace, selection: Selection, folder: Path, options: ExportOptions
) -> list[Path]:
    """Write the selection's two tables under `folder`, partitioned by run; the files written.

    FileExistsError when this run's partition exists and `options.overwrite` is not set.
    """
    import pyarrow.parquet as parquet  # type: ignore[import-untyped]  # no stubs

    run = run_label(trace.path)
    selected = selected_exchanges(trace, selection)
    tables: dict[str, Any] = dict(zip(TABLES, trace_tables(trace, options.redact, selected)))
    partitions = {table: _partition(folder, table, run) for table in TABLES}
    for partition in partitions.values():
        if partition.exists() and not options.overwrite:
            raise FileExistsError(str(partition))
    written = []
    for table, partition in partitions.items():
        partition.mkdir(parents=True, exist_ok=True)
        for old in partition.glob("*.parquet"):
            old.unlink()
        target = partition / "part-0.parquet"
        # Written aside and renamed, so an interrupted export leaves no half a file; the
        # partition column lives in the folder name, as Hive partitioning has it.
        temporary = partition / ".part-0.parquet.tmp"
        parquet.write_table(tables[table].drop(["run"]), temporary)
        os.replace(temporary, target)
        written.append(target)
    return written


EXPORT = FolderExport("parquet", "", write_parquet)
