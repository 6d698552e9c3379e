"""Property: for any trace with planted secrets of every known kind, no planted secret appears
in any output of any command under `--redact` (issue 14, "Prove it").

The traces come from `tests.hostile.planted_trace`; the commands run in-process through
`tui.cli.main`, so a few hundred whole traces stay within seconds. A few subprocess runs
check the same through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import PLANTERS, leaks, planted_trace
from tui.cli import main
from tui.export import registry
from tui.readers import read_trace
from tui.redact import Redactor

KINDS = sorted(PLANTERS)


def command_lines(path: str, other: str) -> list[list[str]]:
    """Every command and output format, each with --redact."""
    return [
        ["stats", path, "--redact"],
        ["stats", path, "--json", "--redact"],
        ["grep", path, "method:GET", "--redact"],
        ["grep", path, "method:POST", "--json", "--redact"],
        ["grep", path, "client", "--json", "--redact"],
        ["diff", path, other, "--redact"],
        ["diff", path, other, "--json", "--redact"],
        ["diff", path, other, "--raw", "--json", "--redact"],
        *(["export", path, "--format", fmt, "--redact"] for fmt in registry.names(folders=False)),
    ]


def all_outputs(capsys, argvs: list[list[str]]) -> str:
    printed = []
    for argv in argvs:
        status = main(argv)
        captured = capsys.readouterr()
        assert status in (0, 1), (argv, captured.err)
        assert "Traceback" not in captured.err
        printed.append(captured.out + captured.err)
    return "\n".join(printed)


planted = st.tuples(
    st.lists(st.sampled_from(KINDS), min_size=1, max_size=6),
    st.integers(0, 2**32),
    st.sampled_from(["log", "md"]),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(planted, planted)
def test_no_planted_secret_in_any_command_output(capsys, one, two):
    with tempfile.TemporaryDirectory() as folder:
        pieces = set()
        paths = []
        for number, (kinds, seed, fmt) in enumerate((one, two)):
            data, secrets = planted_trace(kinds, seed, fmt)
            path = Path(folder) / f"t{number}.{fmt}"
            path.write_bytes(data)
            paths.append(str(path))
            pieces |= secrets
        text = all_outputs(capsys, command_lines(*paths))
    assert not leaks(text, pieces)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_leaks_without_redact(kind, tmp_path, capsys):
    """The check above can fail: without --redact each planted kind shows in an export."""
    data, pieces = planted_trace([kind], seed=1)
    path = tmp_path / "t.log"
    path.write_bytes(data)
    main(["export", str(path), "--format", "json"])
    assert leaks(capsys.readouterr().out, pieces)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4), st.integers(0, 2**32))
def test_redactor_hides_every_planted_secret_in_headers_bodies_and_targets(kinds, seed):
    data, pieces = planted_trace(kinds, seed)
    with tempfile.NamedTemporaryFile(suffix=".log") as file:
        file.write(data)
        file.flush()
        trace = read_trace(file.name)
        redactor = Redactor()
        redactor.learn(trace)
        shown = []
        for record in trace.records:
            target, headers, body = redactor.record(trace, record)
            shown += [target, body, *(f"{name}: {value}" for name, value in headers)]
            shown.append(redactor.text(f"{record.src} {record.dst} {record.target}"))
    assert not leaks("\n".join(shown), pieces)


@pytest.mark.parametrize("fmt", ["log", "md"])
def test_whole_processes_leak_nothing(fmt, tmp_path):
    data, pieces = planted_trace(KINDS, seed=14, fmt=fmt)
    path = tmp_path / f"all.{fmt}"
    path.write_bytes(data)
    outputs = []
    for argv in (
        ["stats", str(path), "--json", "--redact"],
        ["grep", str(path), "client", "--json", "--redact"],
        ["export", str(path), "--format", "har", "--redact"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    assert json.loads(outputs[2])["log"]["entries"]
    assert not leaks("\n".join(outputs), pieces)
