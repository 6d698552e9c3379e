"""With --redact, no secret value of a sample trace appears in the output of any command."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, TRACE_FILES
from tui.cli import main
from tui.readers import read_trace
from tui.redact import secret_values


def outputs(capsys, *argvs: list[str]) -> str:
    printed = []
    for argv in argvs:
        main(argv)
        captured = capsys.readouterr()
        printed.append(captured.out + captured.err)
    return "\n".join(printed)


@pytest.mark.parametrize("path", TRACE_FILES, ids=[p.name for p in TRACE_FILES])
def test_no_secret_in_any_command_output(path, capsys):
    secrets = secret_values(read_trace(str(path)))
    assert secrets, "every sample carries tokens"
    other = str(SAMPLES / "server-create-run2.md")
    text = outputs(
        capsys,
        ["stats", str(path), "--redact"],
        ["stats", str(path), "--json", "--redact"],
        ["grep", str(path), "X-Requestshook-Request-Id", "--redact"],
        ["grep", str(path), "X-Requestshook-Request-Id", "--json", "--redact"],
        ["diff", str(path), other, "--redact"],
        ["diff", str(path), other, "--json", "--redact"],
        *(["export", str(path), "--format", fmt, "--redact"] for fmt in ("json", "har", "curl")),
    )
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked


def test_without_redact_the_secrets_are_there(capsys):
    path = str(SAMPLES / "server-create.md")
    secrets = secret_values(read_trace(path))
    text = outputs(capsys, ["export", path, "--format", "json"])
    assert all(secret in text for secret in secrets)
