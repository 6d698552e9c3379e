"""`export --format parquet` (issue 18): a Hive-partitioned dataset DuckDB reads back as the
rows `tracetui sql` sees."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tui.cli import main
from tui.readers import read_trace

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
RUNS = ("server-create.md", "server-create-run2.md", "image-show.log")


def read_back(folder: Path, table: str) -> list[tuple]:
    relation = duckdb.sql(
        f"SELECT * EXCLUDE (run), run FROM read_parquet('{folder}/{table}/**/*.parquet', "
        "hive_partitioning = true)"
    )
    return sorted(relation.fetchall(), key=repr)


def sql_rows(table: str, paths: list[str]) -> list[tuple]:
    from tui.query.sql import connect, trace_tables

    tables = [trace_tables(read_trace(path)) for path in paths]
    relation = connect(tables).execute(f"SELECT * EXCLUDE (run), run FROM {table}")
    return sorted(relation.fetchall(), key=repr)


def test_parquet_read_back_equals_the_sql_rows(tmp_path, capsys):
    paths = [str(SAMPLES / name) for name in RUNS]
    for path in paths:
        assert main(["export", path, "--format", "parquet", "-o", str(tmp_path)]) == 0
    assert capsys.readouterr().err.count("wrote 2 files") == len(RUNS)
    for table in ("exchanges", "headers"):
        assert read_back(tmp_path, table) == sql_rows(table, paths)
    runs = sorted(p.name for p in (tmp_path / "exchanges").iterdir())
    assert runs == ["run=image-show", "run=server-create", "run=server-create-run2"]


def test_a_run_is_replaced_only_with_force(tmp_path, capsys):
    path = str(SAMPLES / "image-show.md")
    assert main(["export", path, "--format", "parquet", "-o", str(tmp_path)]) == 0
    assert main(["export", path, "--format", "parquet", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "run=image-show: exists; give --force to replace it" in err
    filtered = ["--filter", "method:GET", "--force"]
    assert main(["export", path, "--format", "parquet", "-o", str(tmp_path), *filtered]) == 0
    methods = {
        row[0]
        for row in duckdb.sql(
            f"SELECT method FROM read_parquet('{tmp_path}/exchanges/**/*.parquet')"
        ).fetchall()
    }
    assert methods == {"GET"}


def test_parquet_needs_a_folder(capsys, tmp_path):
    path = str(SAMPLES / "image-show.md")
    assert main(["export", path, "--format", "parquet"]) == 2
    assert "writes a folder: give -o DIR" in capsys.readouterr().err
    file = tmp_path / "f"
    file.write_text("x")
    assert main(["export", path, "--format", "parquet", "-o", str(file)]) == 2
    assert "is a file; give a folder" in capsys.readouterr().err


def test_redact_reaches_parquet(tmp_path):
    path = str(SAMPLES / "server-create.md")
    assert main(["export", path, "--format", "parquet", "-o", str(tmp_path), "--redact"]) == 0
    values = duckdb.sql(
        f"SELECT value FROM read_parquet('{tmp_path}/headers/**/*.parquet') "
        "WHERE name IN ('X-Auth-Token', 'X-Subject-Token')"
    ).fetchall()
    assert values and all(value.startswith("<token-") for (value,) in values)


@pytest.mark.parametrize("run", ["a/b", "x=y"])
def test_a_run_label_with_separators_stays_one_partition(tmp_path, run):
    from tui.export.parquet import _partition

    partition = _partition(tmp_path, "exchanges", run)
    assert partition.parent == tmp_path / "exchanges"
    assert "/" not in partition.name[4:] and "=" not in partition.name[4:]
