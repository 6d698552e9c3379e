"""A format is a plug-in: one class implementing `Format` plus one registry entry.

`ToyLines` lives only in this test suite and is written against the Protocol alone (no shared
base class): registered by patching `registry.FORMATS`, its files open through `TraceReader`,
`tracetui stats`, `tracetui grep` and `--format`, with headers and bodies that only the format
can decode, a clock, and a call tree the format names itself.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.cli import main
from tui.model.trace import REQUEST, RESPONSE, Buffer, Headers, Record, Span, Timings
from tui.readers import TraceError, TraceReader, read_trace, registry
from tui.readers.format import Cursor, Format, Warn

MAGIC = b"TOY 1\n"


class ToyLines:
    """`TOY 1`, then one record a line:

    `> ID PARENT TIME SRC DST METHOD PATH<tab>Name=value;Name=value<tab>base64 body`
    `< ID - TIME SRC DST STATUS REASON<tab>headers<tab>body`   (PARENT `-`: a root)
    """

    name = "toy-lines"
    expected = "`TOY 1` and `> id parent time ...` lines"
    request_id_name = "record id"
    lookahead = 0
    can_follow = True
    explicit_parents = True
    whole_document = False
    raw_text = False

    def detect(self, head: Buffer, end: int) -> int:
        return len(MAGIC) if bytes(head[: len(MAGIC)]) == MAGIC and end >= len(MAGIC) else -1

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        newline = buffer.rfind(b"\n", start, end)
        if newline >= start:
            return newline + 1
        following = buffer.find(b"\n", end)
        return len(buffer) if following < 0 else following + 1

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        data = bytes(chunk)
        pos = len(MAGIC) if base == 0 and data.startswith(MAGIC) else 0
        line = cursor.line + data.count(b"\n", cursor.counted, pos)
        while pos < limit:
            end = data.find(b"\n", pos, limit)
            end = limit if end < 0 else end
            if data[pos : pos + 2] in (b"> ", b"< "):
                head, headers, _ = data[pos:end].split(b"\t")
                words = head.decode().split(" ", 7)
                headers_at = pos + len(head) + 1
                body_at = headers_at + len(headers) + 1
                kind = REQUEST if words[0] == ">" else RESPONSE
                method, status, reason, target = (
                    (words[6], 0, "", words[7])
                    if kind == REQUEST
                    else ("", int(words[6]), words[7], "")
                )
                yield Record(
                    kind,
                    words[4],
                    words[5],
                    method,
                    status,
                    reason,
                    target,
                    words[1],
                    line,
                    line,
                    Span(base + pos, base + end),
                    Span(base + headers_at, base + headers_at + len(headers)),
                    Span(base + body_at, base + end),
                    float(words[3]),
                    "" if words[2] == "-" else words[2],
                )
            elif pos < end:
                warn(line, "not a toy record")
            pos, line = end + 1, line + 1
        cursor.line, cursor.counted, cursor.resume = line, min(pos, len(data)), limit

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        return -1

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        text = self.header_text(buffer, span)
        return tuple(tuple(line.split(": ", 1)) for line in text.splitlines())  # type: ignore[misc]

    def header_text(self, buffer: Buffer, span: Span) -> str:
        raw = bytes(buffer[span.start : span.end]).decode()
        return "\n".join(pair.replace("=", ": ", 1) for pair in raw.split(";") if pair)

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        return base64.b64decode(bytes(buffer[span.start : span.end])).decode()

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        return (("wait", float(len(bytes(buffer[span.start : span.end])))),)


TOY: Format = ToyLines()

TOY_TRACE = (
    MAGIC
    + b"> a1 - 1700000000.5 client api POST /servers\tAccept=json;X-A=1\t"
    + base64.b64encode(b'{"name": "vm"}')
    + b"\n> c1 d1 1700000000.6 api db GET /rows\t\t\n"
    + b"> d1 a1 1700000000.55 api cache GET /lookup\t\t\n"
    + b"< c1 - 1700000000.7 api db 500 Boom\t\t\n"
    + b"< d1 - 1700000000.75 api cache 200 OK\t\t\n"
    + b"< a1 - 1700000000.9 client api 202 Accepted\tContent-Type=json\t"
    + base64.b64encode(b"{}")
    + b"\n"
)


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The toy format registered (one entry, as a new module would add it) and a file of it."""
    monkeypatch.setattr(registry, "FORMATS", [*registry.FORMATS, TOY])
    path = tmp_path / "run.toy"
    path.write_bytes(TOY_TRACE)
    return path


def test_a_registered_format_is_detected_and_indexed(toy: Path) -> None:
    reader = TraceReader(str(toy))
    # Small batches: the format's `cut` and the cursor carry it from one batch to the next.
    while not reader.read_batch(64):
        pass
    trace = reader.trace
    assert trace.format == "toy-lines"
    assert trace.warnings == []
    assert [(e.request.target, e.status) for e in trace.exchanges] == [
        ("/servers", 202),
        ("/rows", 500),
        ("/lookup", 200),
    ]
    # The parents the format names, one of them read after its child.
    assert [e.parent for e in trace.exchanges] == [None, 2, 0]
    create = trace.exchanges[0]
    assert create.response is not None
    assert (create.request.time, create.response.time) == (1700000000.5, 1700000000.9)
    assert create.duration == pytest.approx(0.4)
    assert trace.services == ["client", "api", "db", "cache"]


def test_the_source_asks_the_format_to_decode(toy: Path) -> None:
    trace = read_trace(str(toy))
    create = trace.exchanges[0]
    assert trace.source.headers(create.request) == (("Accept", "json"), ("X-A", "1"))
    assert trace.source.header(create.response, "content-type") == "json"
    assert trace.source.header_text(create.request) == "Accept: json\nX-A: 1"
    assert not trace.source.raw_text
    assert json.loads(trace.source.body(create.request)) == {"name": "vm"}
    span = create.request.span
    assert trace.source.timings(create.request) == (("wait", float(span.end - span.start)),)


def test_stats_and_grep_read_a_registered_format(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--json", str(toy)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["format"], stats["exchanges"], stats["records"]) == ("toy-lines", 3, 6)
    assert main(["grep", str(toy), "status:>=500"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "GET /rows" in out[0] and "api -> db" in out[0]
    assert main(["grep", str(toy), "svc:cache"]) == 0
    assert "GET /lookup" in capsys.readouterr().out


def test_format_overrides_detection(
    toy: Path, sample: object, capsys: pytest.CaptureFixture[str]
) -> None:
    markdown = str(sample("image-show.md"))  # type: ignore[operator]
    assert main(["stats", "--json", "--format", "requestshook-markdown", markdown]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "requestshook-markdown"
    # A format that finds none of its records in the file: one line, exit 2.
    assert main(["stats", "--format", "toy-lines", markdown]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no toy-lines records found" in err
    with pytest.raises(TraceError, match="no requestshook-log records"):
        read_trace(str(toy), "requestshook-log")


@pytest.mark.parametrize(
    "argv",
    [
        ["stats", "--format", "nope", "FILE"],
        ["grep", "--format", "nope", "FILE", "x"],
        ["export", "--input-format", "nope", "FILE", "-f", "json"],
        ["grep", "--input-format", "nope", "FILE", "x"],
        ["diff", "--format", "nope", "FILE", "FILE"],
        ["--format", "nope", "FILE"],
    ],
)
def test_an_unknown_format_is_one_line_naming_the_formats(
    toy: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(toy) if arg == "FILE" else arg for arg in argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # Every registered format is named, in registry order, new ones included.
    names = ", ".join(registry.names())
    assert names.startswith("requestshook-log, requestshook-markdown, ")
    assert names.endswith(", toy-lines")
    assert captured.err == f"tracetui: unknown format 'nope' (formats: {names})\n"


def test_a_document_that_cannot_grow_is_not_followed(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ToyLines, "can_follow", False)
    with pytest.raises(TraceError, match="cannot grow"):
        TraceReader(str(toy), follow=True)


def test_every_record_has_every_field(sample: object) -> None:
    # The fast paths build records with `tuple.__new__`, which skips the defaults.
    for name in ("image-show.md", "image-show.log"):
        trace = read_trace(str(sample(name)))  # type: ignore[operator]
        assert {len(record) for record in trace.records} == {len(Record._fields)}
        assert {(record.time, record.parent_id) for record in trace.records} == {(None, "")}
        assert {exchange.duration for exchange in trace.exchanges} == {None}


def test_a_whole_document_format_is_read_in_one_pass_over_the_file(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int, int]] = []
    records = ToyLines.records

    def recording(
        self: ToyLines,
        chunk: Buffer,
        limit: int,
        file_end: int,
        base: int,
        cursor: Cursor,
        warn: Warn,
    ) -> Iterator[Record]:
        seen.append((len(chunk), limit, base))
        return records(self, chunk, limit, file_end, base, cursor, warn)

    monkeypatch.setattr(ToyLines, "whole_document", True)
    monkeypatch.setattr(ToyLines, "records", recording)
    reader = TraceReader(str(toy))
    assert reader.read_batch(64) is True
    assert seen == [(len(TOY_TRACE), len(TOY_TRACE), 0)]
    assert [e.parent for e in reader.trace.exchanges] == [None, 2, 0]
    assert reader.trace.warnings == []


def test_every_registered_format_has_every_member_of_the_protocol() -> None:
    # mypy checks the registry too; this says which member a format lacks at run time.
    members = set(Format.__annotations__) | {
        name for name, value in vars(Format).items() if callable(value) and not name.startswith("_")
    }
    assert {"detect", "records", "decode_body", "decode_timings", "can_follow"} <= members
    missing = {
        fmt.name: sorted(name for name in members if not hasattr(fmt, name))
        for fmt in registry.FORMATS
    }
    assert {name: lacks for name, lacks in missing.items() if lacks} == {}
