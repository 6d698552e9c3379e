"""The readers on the sample traces, and the CLI on files that are not traces.

Expected figures come from plain text processing of each file (heading lines, direction
lines, request-id lines), never from the reader under test.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, TRACE_FILES
from tui import __version__
from tui.cli import main
from tui.model.trace import FORMAT_LOG, FORMAT_MARKDOWN
from tui.readers import read_trace

STATS_KEYS = {
    "format",
    "records",
    "exchanges",
    "paired",
    "unpaired_requests",
    "orphan_responses",
    "services",
    "pairs",
    "statuses",
    "roots",
    "warnings",
}


class PlainRecord(NamedTuple):
    """A record as read with str.split: enough to count and pair."""

    line: int
    is_request: bool
    src: str
    dst: str
    method: str
    status: int
    request_id: str


def plain_records(path: Path) -> list[PlainRecord]:
    """The records of a trace file, read line by line without the reader."""
    lines = path.read_text(encoding="utf-8").split("\n")
    log = path.suffix == ".log"
    records: list[PlainRecord] = []
    current: dict | None = None
    for number, line in enumerate(lines, 1):
        if line.startswith("### "):
            words = line[4:].split()
            if words[0].startswith("(") and not log:
                words = words[1:]  # "(12)" of a numbered document
            current = {"line": number, "request_id": ""}
            if log:
                # ### (src) REQ >>> (dst) : METHOD URL / ### (src) RESP <<< (dst) : STATUS ...
                current.update(
                    is_request=words[1] == "REQ",
                    src=words[0].strip("()"),
                    dst=words[3].strip("()"),
                    method=words[5] if words[1] == "REQ" else "",
                    status=0 if words[1] == "REQ" else int(words[5]),
                )
            else:
                is_request = words[0].isalpha()
                current.update(
                    is_request=is_request,
                    method=words[0] if is_request else "",
                    status=0 if is_request else int(words[0]),
                )
            records.append(current)  # type: ignore[arg-type]
        elif current is not None and "src" not in current and line.startswith("`"):
            # `caller` --> `callee` on a request, `caller` <-- `callee` on a response.
            left, _, right = line.replace("<--", "-->").partition("-->")
            current.update(src=left.strip(" `"), dst=right.strip(" `"))
        if (
            current is not None
            and not current["request_id"]
            and "X-Requestshook-Request-Id:" in line
        ):
            current["request_id"] = line.split(":", 1)[1].strip()
    return [PlainRecord(**record) for record in records]  # type: ignore[arg-type]


class Expected(NamedTuple):
    records: int
    exchanges: int
    paired: int
    orphans: int
    services: list[str]
    pairs: Counter
    statuses: Counter
    parents: dict[str, str | None]


def expected_figures(path: Path) -> Expected:
    """Counts, pairing and call-tree parents (by request id) from the plain records."""
    records = plain_records(path)
    requests = {r.request_id for r in records if r.is_request}
    responses = {r.request_id for r in records if not r.is_request}
    services: list[str] = []
    for record in records:
        for service in (record.src, record.dst):
            if service not in services:
                services.append(service)
    # The call tree as the issue states it: a call made by S while S handles an inbound
    # request (its request seen, its response not yet) is a child of the latest such request.
    handling: dict[str, list[str]] = {}
    parents: dict[str, str | None] = {}
    for record in records:
        if record.is_request:
            inbound = handling.get(record.src)
            parents[record.request_id] = inbound[-1] if inbound else None
            handling.setdefault(record.dst, []).append(record.request_id)
        elif record.request_id in handling.get(record.dst, []):
            handling[record.dst].remove(record.request_id)
    return Expected(
        records=len(records),
        exchanges=sum(1 for r in records if r.is_request),
        paired=len(requests & responses),
        orphans=len(responses - requests),
        services=services,
        pairs=Counter((r.src, r.dst) for r in records if r.is_request),
        statuses=Counter(str(r.status) for r in records if not r.is_request),
        parents=parents,
    )


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_sample_loads_with_expected_counts(path: Path) -> None:
    expected = expected_figures(path)
    text = path.read_text(encoding="utf-8")
    heading = r"^### \(" if path.suffix == ".log" else r"^### "
    assert expected.records == len(re.findall(heading, text, re.M))
    assert expected.exchanges == len(set(re.findall(r"X-Requestshook-Request-Id: (\S+)", text))), (
        "each request has its own id in the samples"
    )

    trace = read_trace(str(path))
    assert trace.complete
    assert trace.format == (FORMAT_LOG if path.suffix == ".log" else FORMAT_MARKDOWN)
    assert len(trace.records) == expected.records
    assert len(trace.exchanges) == expected.exchanges
    assert sum(e.response is not None for e in trace.exchanges) == expected.paired
    assert len(trace.orphan_records) == expected.orphans
    assert trace.services == expected.services
    assert not trace.warnings


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_stats_json(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = expected_figures(path)
    status, out, err = run_cli(["stats", "--json", str(path)], capsys)
    assert status == 0 and not err
    stats = json.loads(out)
    assert set(stats) >= STATS_KEYS
    assert stats["format"] == (FORMAT_LOG if path.suffix == ".log" else FORMAT_MARKDOWN)
    assert stats["records"] == expected.records
    assert stats["exchanges"] == expected.exchanges
    assert stats["paired"] == expected.paired
    assert stats["unpaired_requests"] == expected.exchanges - expected.paired
    assert stats["orphan_responses"] == expected.orphans
    assert stats["services"] == expected.services
    assert Counter({(p["src"], p["dst"]): p["count"] for p in stats["pairs"]}) == expected.pairs
    assert stats["statuses"] == dict(expected.statuses)
    roots = [rid for rid, parent in expected.parents.items() if parent is None]
    assert len(stats["roots"]) == len(roots)
    assert stats["warnings"] == []


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_stats_table(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(["stats", str(path)], capsys)
    expected = expected_figures(path)
    assert status == 0 and not err
    assert re.search(rf"records\s+{expected.records}\b", out)
    assert re.search(rf"exchanges\s+{expected.exchanges}\b", out)


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_call_tree_parents(path: Path) -> None:
    expected = expected_figures(path)
    trace = read_trace(str(path))
    rid_of = [exchange.request.request_id for exchange in trace.exchanges]
    parents = {
        exchange.request.request_id: None if exchange.parent is None else rid_of[exchange.parent]
        for exchange in trace.exchanges
    }
    assert parents == expected.parents


def test_nova_compute_calls_are_roots(sample) -> None:
    trace = read_trace(str(sample("server-create.md")))
    calls = [e for e in trace.exchanges if e.request.src == "nova-compute"]
    assert calls
    assert all(exchange.parent is None for exchange in calls)


def test_glance_token_check_is_a_child_of_the_call_it_serves(sample) -> None:
    path = sample("image-show.md")
    records = plain_records(path)
    outer = next(r for r in records if r.src == "openstack" and r.dst == "glance-api")
    inner = next(r for r in records if r.src == "glance-api" and r.dst == "keystone")
    outer_response = next(
        r for r in records if not r.is_request and r.request_id == outer.request_id
    )
    assert outer.line < inner.line < outer_response.line  # made while glance-api handles it
    trace = read_trace(str(path))
    by_line = {exchange.request.line: exchange for exchange in trace.exchanges}
    assert by_line[outer.line].request.method == "GET"
    assert by_line[inner.line].parent == by_line[outer.line].index


def test_markdown_and_log_of_one_run_give_the_same_exchanges(sample) -> None:
    md = read_trace(str(sample("image-show.md")))
    log = read_trace(str(sample("image-show.log")))

    def view(trace, reduce_url: bool) -> list[tuple]:
        rows = []
        for exchange in trace.exchanges:
            request, response = exchange.request, exchange.response
            target = urlsplit(request.target).path if reduce_url else request.target
            rows.append(
                (
                    request.src,
                    request.dst,
                    request.method,
                    target,
                    exchange.status,
                    trace.source.headers(request),
                    trace.source.body(request),
                    trace.source.headers(response),
                    trace.source.body(response),
                    exchange.parent,
                )
            )
        return rows

    assert view(log, reduce_url=True) == view(md, reduce_url=False)
    assert all(e.request.target.startswith("http://") for e in log.exchanges)


def test_binary_upload_body_is_the_truncated_bytes_literal(sample) -> None:
    trace = read_trace(str(sample("image-create.md")))
    upload = next(
        r
        for r in trace.records
        if r.is_request and r.method == "PUT" and r.target.endswith("/file")
    )
    body = trace.source.body(upload)
    assert body.startswith("b'QFI\\xfb") and body.endswith("...")
    data = ast.literal_eval(body[: -len("...")])
    assert isinstance(data, bytes) and data.startswith(b"QFI\xfb") and len(data) <= 32


def test_annotated_document_loads_every_record_silently(sample) -> None:
    path = sample("image-create-annotated.md")
    text = path.read_text(encoding="utf-8")
    trace = read_trace(str(path))
    assert len(trace.records) == len(re.findall(r"^### \(\d+\) ", text, re.M))
    assert [r.line for r in trace.records] == [
        number for number, line in enumerate(text.split("\n"), 1) if line.startswith("### (")
    ]
    assert not trace.warnings
    assert all(e.response is not None for e in trace.exchanges)
    # Admonitions and prose between records stay out of the records' headers and bodies.
    for record in trace.records:
        assert "!!!" not in trace.source.body(record)
        assert all("!!!" not in name for name, _ in trace.source.headers(record))


def test_repeated_headers_keep_their_order(sample) -> None:
    path = sample("server-create.md")
    lines = path.read_text(encoding="utf-8").split("\n")
    # The first record whose header block has two Vary lines, found in the text.
    heading, varies = 0, []
    for number, line in enumerate(lines, 1):
        if line.startswith("### "):
            if len(varies) >= 2:
                break
            heading, varies = number, []
        elif line.strip().startswith("Vary:"):
            varies.append(line.split(":", 1)[1].strip())
    assert len(varies) >= 2
    trace = read_trace(str(path))
    record = next(r for r in trace.records if r.line == heading)
    headers = trace.source.headers(record)
    assert [value for name, value in headers if name == "Vary"] == varies
    assert trace.source.header(record, "vary") == varies[0]


def test_empty_body_reads_as_empty(sample) -> None:
    trace = read_trace(str(sample("image-show.log")))
    assert trace.source.body(trace.records[0]) == ""
    assert trace.source.body(trace.records[1]).startswith("{")


def test_a_response_heading_without_a_path_keeps_its_reason_clean(sample) -> None:
    # image-create.md has `### 300 Multiple Choices None`: the hook had no path for it.
    trace = read_trace(str(sample("image-create.md")))
    response = next(r for r in trace.records if r.status == 300 and r.line == 358)
    assert (response.reason, response.target) == ("Multiple Choices", "")


BAD_FILES = {
    "empty": b"",
    "binary": bytes(range(256)) * 8,
    "invalid-utf8": b"hello \xff\xfe\x80 world\n" * 20,
    "no-records": b"# Notes\n\nNothing from requestshook here.\n### not a record\n",
}


@pytest.mark.parametrize("kind", ["missing", "directory", *BAD_FILES])
def test_bad_input_is_one_line_and_status_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if kind == "missing":
        path = tmp_path / "nowhere.md"
    elif kind == "directory":
        path = tmp_path
    else:
        path = tmp_path / f"{kind}.md"
        path.write_bytes(BAD_FILES[kind])
    status, out, err = run_cli(["stats", str(path)], capsys)
    assert status == 2
    assert not out
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert str(path) in err
    assert "Traceback" not in err
    if kind == "invalid-utf8":
        assert "offset 6" in err


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "binary.log"
    path.write_bytes(BAD_FILES["binary"])
    result = subprocess.run(
        [sys.executable, "-m", "tui", "stats", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_read_whole(tmp_path: Path, sample) -> None:
    """`tracetui stats <(zcat trace.gz)` hands over a pipe, which cannot be mapped."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = sample("image-show.log").read_bytes()
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    trace = read_trace(str(fifo))
    writer.join()
    assert len(trace.records) == len(plain_records(sample("image-show.log")))
    assert trace.source.body(trace.records[1]).startswith("{")


def test_python_m_tui_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"tracetui {__version__}"
