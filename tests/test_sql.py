"""`tracetui sql` (issue 18): SQL over many traces agrees with `tracetui stats`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tui.cli import main
from tui.query.stats import trace_stats
from tui.readers import read_trace

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
# Every sample of every format.
TRACES = sorted(
    str(path)
    for path in SAMPLES.iterdir()
    if path.is_file() and path.name != "README.md" and not path.name.endswith(".truth.json")
)


def sql(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["sql", *args])
    out, err = capsys.readouterr()
    return status, out, err


def rows(capsys, query: str, *files: str) -> list[dict]:
    status, out, err = sql(capsys, query, *files, "--json")
    assert status == 0, err
    return json.loads(out)


@pytest.mark.parametrize("path", TRACES, ids=lambda p: Path(p).name)
def test_sql_agrees_with_stats(capsys, path):
    stats = trace_stats(read_trace(path))
    (totals,) = rows(
        capsys,
        "SELECT count(*) AS n, count(status) AS paired, "
        "count(*) FILTER (WHERE status >= 400) AS failed, "
        "count(*) FILTER (WHERE parent_index IS NULL) AS roots FROM exchanges",
        path,
    )
    assert totals["n"] == stats["exchanges"]
    assert totals["paired"] == stats["paired"]
    assert totals["failed"] == stats["failed"]
    pairs = rows(capsys, "SELECT caller, callee, count(*) AS n FROM exchanges GROUP BY ALL", path)
    assert Counter({(p["caller"], p["callee"]): p["n"] for p in pairs}) == Counter(
        {(p["src"], p["dst"]): p["count"] for p in stats["pairs"]}
    )
    statuses = rows(
        capsys,
        "SELECT status, count(*) AS n FROM exchanges WHERE status IS NOT NULL GROUP BY ALL",
        path,
    )
    assert {str(s["status"]): s["n"] for s in statuses} == stats["statuses"]


def test_many_runs_from_a_folder_skip_what_is_not_a_trace(capsys, tmp_path):
    for number, name in enumerate(["server-create.md", "server-create-run2.md"] * 2):
        folder = tmp_path / f"run-{number}"
        folder.mkdir()
        shutil.copy(SAMPLES / name, folder / "body.md")
    (tmp_path / "notes.txt").write_text("not a trace\n")
    status, out, err = sql(
        capsys, "SELECT run, count(*) AS n FROM exchanges GROUP BY run ORDER BY run", str(tmp_path)
    )
    assert status == 0, err
    assert "skipped" in err and "notes.txt" in err
    lines = out.splitlines()
    assert lines[0].split() == ["run", "n"]
    assert [line.split()[0] for line in lines[2:6]] == [f"run-{n}" for n in range(4)]
    assert lines[-1] == "(4 rows)"


def test_headers_table_and_csv(capsys):
    path = str(SAMPLES / "image-show.md")
    status, out, _ = sql(
        capsys,
        "SELECT exchange, side, name FROM headers WHERE lower(name) = 'x-auth-token' "
        "ORDER BY exchange LIMIT 2",
        path,
        "--csv",
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "exchange,side,name"
    assert all(line.endswith(",request,X-Auth-Token") for line in lines[1:])


def test_redact_masks_every_value(capsys):
    path = str(SAMPLES / "server-create.md")
    raw = rows(capsys, "SELECT value FROM headers WHERE name = 'X-Auth-Token'", path)
    masked = rows(capsys, "SELECT value FROM headers WHERE name = 'X-Auth-Token'", path, "--redact")
    assert raw and len(raw) == len(masked)
    assert all(row["value"].startswith("<token-") for row in masked)
    secrets = {row["value"] for row in raw}
    status, out, _ = sql(capsys, "SELECT * FROM headers", path, "--redact", "--json")
    assert status == 0
    assert not any(secret in out for secret in secrets)


def test_a_clockless_trace_has_no_times(capsys):
    (row,) = rows(
        capsys,
        "SELECT count(start) AS s, count(duration_ms) AS d FROM exchanges",
        str(SAMPLES / "server-create.md"),
    )
    assert row == {"s": 0, "d": 0}


def test_a_bad_query_is_one_line_and_exit_2(capsys):
    status, out, err = sql(capsys, "SELEC nonsense", str(SAMPLES / "image-show.md"))
    assert status == 2
    assert out == ""
    assert err.startswith("tracetui: sql: ") and err.count("\n") == 1


def test_no_trace_at_all_is_exit_2(capsys, tmp_path):
    (tmp_path / "a.txt").write_text("hello\n")
    status, _, err = sql(capsys, "SELECT 1", str(tmp_path))
    assert status == 2
    assert "none of the files is a trace" in err


def test_without_duckdb_the_hint_names_the_extra(tmp_path):
    code = (
        "import sys; sys.modules['duckdb'] = None; from tui.cli import main; "
        f"sys.exit(main(['sql', 'SELECT 1', {str(SAMPLES / 'image-show.md')!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "tracetui: sql: needs DuckDB and pyarrow: pip install 'tracetui[sql]'"
    )
