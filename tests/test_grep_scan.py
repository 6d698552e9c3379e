"""`tracetui grep` without the index finds what the index finds (issue 20).

The scan (`tui.query.scan`) either answers exactly as `all_matches` on the full index does, or
says `Unsupported` and the command reads the file whole; these tests hold it to that on every
sample and every hostile case, and check that it does answer on the ordinary files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks.generate import generate
from tests.conftest import SAMPLES
from tests.hostile import CASES, write_case
from tui.cli import main
from tui.commands import grep as grep_command
from tui.query.language import parse_query
from tui.query.scan import Unsupported, scan_matches
from tui.query.search import all_matches
from tui.readers import TraceError, read_trace

QUERIES = (
    "adminPass",
    "keystone",
    "Keystone",
    "token",
    "re:serv[a-z]+",
    "re:(?i)IMAGE",
    "header:X-Auth-Token",
    'header:"Content-Type=application/json"',
    "body:id svc:keystone",
    "GET status:200",
    "status:>=400 token",
    "!method:GET token",
    "none",
    "Created",
    "x1b",
    "\\x1b",
    "u202e",
    "\\t",
    "injected-id",
    "req-",
)
HOSTILE_QUERIES = ("token", "Keystone", "x1b", "\\x1b", "u202e", "\\t", "header:x-auth-token", "id")
MARKDOWN_SAMPLES = sorted(path.name for path in SAMPLES.glob("*.md") if path.name != "README.md")


def scanned_or_none(path: Path, query_text: str) -> list[int] | None:
    """What the scan finds (every hit parsed, however many), or None when it defers."""
    try:
        found = scan_matches(str(path), parse_query(query_text), max_hit_share=1.0)
    except Unsupported:
        return None
    return [exchange.index for exchange in found]


def indexed(path: Path, query_text: str) -> list[int]:
    return all_matches(read_trace(str(path)), parse_query(query_text))


@pytest.mark.parametrize("name", MARKDOWN_SAMPLES)
def test_scan_finds_what_the_index_finds_on_every_sample(name):
    path = SAMPLES / name
    trace = read_trace(str(path))
    for query_text in QUERIES:
        scanned = scanned_or_none(path, query_text)
        if scanned is not None:
            assert scanned == all_matches(trace, parse_query(query_text)), query_text


def test_scan_answers_ordinary_files_itself(tmp_path):
    """The scan is not a path that always defers: on the hook's own files it answers, and the
    exchanges it returns carry the records the index has."""
    copies = generate(tmp_path / "three.md", 700_000, SAMPLES / "server-create.md")
    for path in (SAMPLES / "server-create.md", SAMPLES / "image-create.md", copies):
        trace = read_trace(str(path))
        for query_text in ("adminPass", "keystone", "header:X-Auth-Token", "token status:201"):
            found = scan_matches(str(path), parse_query(query_text), max_hit_share=1.0)
            assert [e.index for e in found] == all_matches(trace, parse_query(query_text))
            for exchange in found:
                full = trace.exchanges[exchange.index]
                assert exchange.request.span == full.request.span
                assert (exchange.response and exchange.response.span) == (
                    full.response and full.response.span
                )
                assert exchange.request._replace(line=0, end_line=0) == exchange.request


def test_scan_defers_where_it_cannot_be_exact(tmp_path):
    with pytest.raises(Unsupported):  # nothing to scan for: pairing needed
        scan_matches(str(SAMPLES / "server-create.md"), parse_query("status:500"))
    with pytest.raises(Unsupported):  # not body.md
        scan_matches(str(SAMPLES / "image-show.log"), parse_query("token"))
    with pytest.raises(Unsupported):  # in nearly every record: the index is cheaper
        scan_matches(str(SAMPLES / "server-create.md"), parse_query("keystone"))
    with pytest.raises(Unsupported):  # UTF-8 in the file, a case-insensitive word
        scan_matches(str(SAMPLES / "image-create-annotated.md"), parse_query("token"), None, 1.0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_scan_finds_what_the_index_finds_on_hostile_files(case, tmp_path):
    path = write_case(case, tmp_path)
    try:
        trace = read_trace(str(path))
    except TraceError:
        with pytest.raises(TraceError):
            scan_matches(str(path), parse_query("token"))
        return
    for query_text in HOSTILE_QUERIES:
        scanned = scanned_or_none(path, query_text)
        if scanned is not None:
            assert scanned == all_matches(trace, parse_query(query_text)), query_text


def _cli(args: list[str], capsys) -> tuple[int, str]:
    status = main(args)
    return status, capsys.readouterr().out


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_cli_prints_the_same_either_way(extra, capsys, monkeypatch, tmp_path):
    copies = str(generate(tmp_path / "three.md", 700_000, SAMPLES / "server-create.md"))
    for query_text in ("adminPass", "header:X-Auth-Token status:201", "nothing-has-this"):
        scanned = _cli(["grep", copies, query_text, *extra], capsys)

        def defer(*_args, **_kwargs):
            raise Unsupported("test")

        with monkeypatch.context() as patch:
            patch.setattr(grep_command, "scan_matches", defer)
            assert _cli(["grep", copies, query_text, *extra], capsys) == scanned
        if extra:
            assert json.loads(scanned[1])["query"] == query_text
    assert scanned[0] == 1
