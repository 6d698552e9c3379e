"""Every export's bytes on every sample stay what they were before the exports streamed
(issue 20): the digests in tests/golden/export.sha256.json were taken from the exports as
they built whole documents in memory (main at 37dbd61, with otlp and --placeholders). The
folder exports (parquet, mkdocs) are not streams and are left out.

    python -m tests.test_export_golden   # rewrite the digests (only after a deliberate change)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import TRACE_FILES
from tests.hostile import write_case
from tui.export import registry
from tui.export.base import JsonList, json_pieces
from tui.export.placeholders import ALL, with_placeholders
from tui.query.language import parse_query
from tui.query.search import all_matches
from tui.readers import read_trace
from tui.redact import Redactor

GOLDEN = Path(__file__).resolve().parent / "golden" / "export.sha256.json"
FORMATS = ("mermaid", "json", "har", "markdown", "curl", "otlp")
# Whole trace, a selection, the whole trace redacted, and with every id named.
VARIANTS = ("all", "filter", "redact", "placeholders")
FILTER = "svc:keystone"
HOSTILE = (
    "escapes-everywhere-md",
    "escapes-everywhere-log",
    "invalid-utf8-md",
    "deep-json-md",
    "duplicate-ids-md",
    "lost-responses-md",
    "responses-first-md",
    "markup-everywhere-md",
)


def _output(path: Path, fmt: str, variant: str, streamed: bool) -> bytes:
    # The documents name their source: read it by a name that is the same in every checkout.
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        trace = read_trace(path.name)
    finally:
        os.chdir(here)
    selection = all_matches(trace, parse_query(FILTER)) if variant == "filter" else None
    redact = None
    if variant == "redact":
        redactor = Redactor()
        redactor.learn(trace)
        redact = redactor.record
    if variant == "placeholders":
        redact = with_placeholders(trace, selection, redact, ALL)
    if streamed:
        out = io.StringIO()
        registry.write(trace, fmt, selection, out, redact)
        text = out.getvalue()
    else:
        text = registry.export(trace, fmt, selection, redact)
    return text.encode("utf-8", "surrogatepass")


def _hostile(folder: Path) -> list[Path]:
    return [write_case(name, folder) for name in HOSTILE]


def _digests(folder: Path) -> dict[str, str]:
    return {
        f"{path.name} {fmt} {variant}": hashlib.sha256(
            _output(path, fmt, variant, False)
        ).hexdigest()
        for path in [*TRACE_FILES, *_hostile(folder)]
        for fmt in FORMATS
        for variant in VARIANTS
    }


def _check(path: Path) -> None:
    golden = json.loads(GOLDEN.read_text())
    for fmt in FORMATS:
        for variant in VARIANTS:
            key = f"{path.name} {fmt} {variant}"
            for streamed in (False, True):
                digest = hashlib.sha256(_output(path, fmt, variant, streamed)).hexdigest()
                assert digest == golden[key], (key, streamed)


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_export_bytes_are_unchanged(path):
    _check(path)


@pytest.mark.parametrize("name", HOSTILE)
def test_export_bytes_are_unchanged_on_hostile_files(name, tmp_path):
    _check(write_case(name, tmp_path))


@pytest.mark.parametrize(
    "value",
    [
        {"n": 1e16, "small": 1.5e-7, "nan": float("nan"), "inf": float("-inf"), "f": 0.1},
        {"big": 2**70, "neg": -(2**64), "edge": 2**64 - 1},
        {"lone": "\udc80 surrogate", "ctl": "\x1b[31m\x00\x7f\u2028", "é": ["ü", {}]},
        [[], {}, [{}], None, True, "x"],
    ],
)
def test_json_pieces_are_json_dumps_whatever_the_values(value):
    """The fast path (orjson) is taken only where it writes what json.dumps writes."""
    whole = {"head": value, "items": JsonList(iter([value, {"k": value}])), "tail": value}
    expected = json.dumps(
        {"head": value, "items": [value, {"k": value}], "tail": value},
        indent=2,
        ensure_ascii=False,
    )
    assert "".join(json_pieces(whole)) == expected
    assert "".join(json_pieces(JsonList(iter([])))) == "[]"


_CLI_VARIANTS = {"all": [], "filter": ["--filter", FILTER], "redact": ["--redact"]}


@pytest.mark.parametrize("variant", sorted(_CLI_VARIANTS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_command_writes_the_same_bytes(fmt, variant, tmp_path, monkeypatch, capsys):
    """`tracetui export -o OUT` and to stdout write the golden bytes (through the stream)."""
    from tui.cli import main

    golden = json.loads(GOLDEN.read_text())
    path = TRACE_FILES[0]
    monkeypatch.chdir(path.parent)
    out = tmp_path / f"out.{fmt}"
    argv = ["export", path.name, "--format", fmt, *_CLI_VARIANTS[variant]]
    assert main([*argv, "-o", str(out)]) == 0
    key = f"{path.name} {fmt} {variant}"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == golden[key]
    capsys.readouterr()
    assert main(argv) == 0
    stdout = capsys.readouterr().out.encode("utf-8", "surrogatepass")
    assert hashlib.sha256(stdout).hexdigest() == golden[key]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        GOLDEN.write_text(json.dumps(_digests(Path(folder)), indent=1, sort_keys=True) + "\n")
    sys.exit(0)
