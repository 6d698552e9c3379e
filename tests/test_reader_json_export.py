"""tracetui's own JSON export reads back: the round trip over every committed sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.cli import main
from tui.diff.engine import diff_traces
from tui.export.json import json as export_json
from tui.export.json import parse_body
from tui.model.trace import Trace
from tui.query.language import parse_query
from tui.query.search import iter_matches
from tui.query.stats import trace_stats
from tui.readers import TraceError, TraceReader, read_trace
from tui.readers.json_export import NAME

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"


def _samples() -> list[Path]:
    """Every committed sample that reads as a trace (not the README or a truth file)."""
    found = []
    for path in sorted(SAMPLES.iterdir()):
        if path.is_file() and path.suffix in (".md", ".log", ".json") and path.stem != "README":
            try:
                TraceReader(str(path)).close()
            except Exception:
                continue
            found.append(path)
    return found


SAMPLE_FILES = _samples()


def _round_trip(path: Path, tmp_path: Path) -> tuple[Trace, Trace, Path]:
    original = read_trace(str(path))
    exported = tmp_path / f"{path.name}.json"
    exported.write_text(export_json(original), encoding="utf-8")
    return original, read_trace(str(exported)), exported


def _exchange_view(trace: Trace) -> list[tuple[object, ...]]:
    """What the round trip must keep of each exchange."""
    source = trace.source
    rows = []
    for exchange in trace.exchanges:
        request, response = exchange.request, exchange.response
        rows.append(
            (
                request.src,
                request.dst,
                request.method,
                request.target,
                request.line,
                exchange.parent,
                source.headers(request),
                parse_body(source.body(request)),
                None if response is None else response.status,
                None if response is None else response.reason,
                source.headers(response),
                parse_body(source.body(response)),
            )
        )
    return rows


def test_there_are_samples_of_several_formats() -> None:
    assert len({read_trace(str(path)).format for path in SAMPLE_FILES}) >= 2


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name)
def test_export_reads_back_as_the_same_trace(path: Path, tmp_path: Path) -> None:
    original, again, _ = _round_trip(path, tmp_path)
    assert again.format == NAME
    assert again.complete
    assert _exchange_view(again) == _exchange_view(original)
    assert again.services == original.services
    assert len(again.orphan_records) == len(original.orphan_records)
    assert [warning.line for warning in again.warnings] == [
        warning.line for warning in original.warnings
    ]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name)
def test_stats_grep_diff_and_export_match_the_original(path: Path, tmp_path: Path) -> None:
    original, again, exported = _round_trip(path, tmp_path)
    ignored = {"file", "format", "path"}
    stats_a = {key: value for key, value in trace_stats(original).items() if key not in ignored}
    stats_b = {key: value for key, value in trace_stats(again).items() if key not in ignored}
    assert stats_b == stats_a
    for text in ("status:>=300", "method:POST", "header:Content-Type=application/json", "id"):
        query = parse_query(text)
        matches_a = [i for batch in iter_matches(original, query) for i in batch]
        matches_b = [i for batch in iter_matches(again, query) for i in batch]
        assert matches_b == matches_a, text
    assert not diff_traces(original, again).has_differences
    # Exported again, the document is the same but for where it was read from.
    first, second = export_json(original), export_json(again)
    assert second.replace(str(exported), str(path)).replace(NAME, original.format) == first


def test_cli_commands_open_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = tmp_path / "out.json"
    sample = str(SAMPLES / "server-create.md")
    assert main(["export", sample, "-f", "json", "-o", str(exported)]) == 0
    assert main(["stats", str(exported)]) == 0
    assert "(tracetui-json)" in capsys.readouterr().out
    assert main(["grep", str(exported), "status:202"]) == 0
    assert "POST /compute/v2.1/servers" in capsys.readouterr().out
    assert main(["diff", str(SAMPLES / "server-create.md"), str(exported)]) == 0
    assert main(["export", str(exported), "-f", "har"]) == 0
    assert '"entries"' in capsys.readouterr().out


def test_detected_by_content_not_by_name(tmp_path: Path) -> None:
    original = read_trace(str(SAMPLES / "image-show.md"))
    disguised = tmp_path / "looks-like-a-trace.md"
    disguised.write_text(export_json(original), encoding="utf-8")
    assert read_trace(str(disguised)).format == NAME
    assert read_trace(str(disguised), NAME).format == NAME


def test_partial_export_keeps_parents_it_has(tmp_path: Path) -> None:
    original = read_trace(str(SAMPLES / "server-create.md"))
    children = [e.index for e in original.exchanges if e.parent is not None]
    child = original.exchanges[children[0]]
    selection = [child.parent, child.index, children[-1]]
    exported = tmp_path / "some.json"
    exported.write_text(export_json(original, selection), encoding="utf-8")
    again = read_trace(str(exported))
    assert [e.request.line for e in again.exchanges] == sorted(
        original.exchanges[i].request.line for i in set(selection)
    )
    by_line = {e.request.line: e for e in again.exchanges}
    reread_child = by_line[child.request.line]
    assert reread_child.parent is not None
    assert again.exchanges[reread_child.parent].request.line == (
        original.exchanges[child.parent].request.line
    )


def test_cut_off_export_warns_naming_the_line(tmp_path: Path) -> None:
    text = export_json(read_trace(str(SAMPLES / "image-show.md")))
    cut = text.rindex('"request": {')
    truncated = tmp_path / "cut.json"
    truncated.write_text(text[:cut], encoding="utf-8")
    trace = read_trace(str(truncated))
    messages = [(w.line, w.message) for w in trace.warnings]
    cut_line = text[:cut].count("\n") + 1
    assert any("is cut off" in message and line <= cut_line for line, message in messages)
    assert len(trace.exchanges) == text.count('"index": ') - 1


def test_compact_export_gets_one_clear_warning(tmp_path: Path) -> None:
    import json

    document = json.loads(export_json(read_trace(str(SAMPLES / "image-show.md"))))
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(document), encoding="utf-8")
    trace = read_trace(str(compact))
    assert trace.exchanges == []
    assert [w.message for w in trace.warnings] == [
        "JSON export is not indented (re-indent it: python3 -m json.tool FILE)"
    ]


def test_an_export_cut_anywhere_reads_without_a_traceback(tmp_path: Path) -> None:
    data = export_json(read_trace(str(SAMPLES / "image-create.md"))).encode()
    cut_file = tmp_path / "cut.json"
    for cut in range(1, len(data), 997):
        for variant in (data[:cut], data[:cut] + b"\xff\x00 }", data[: cut // 2] + data[cut:]):
            cut_file.write_bytes(variant)
            try:
                trace = read_trace(str(cut_file))
            except TraceError:
                continue  # no longer opens as an export: one line for the user
            for record in trace.records:
                trace.source.headers(record)
                trace.source.body(record)


def test_follow_a_value_in_an_export_is_as_in_the_original(tmp_path: Path) -> None:
    from tui.query.follow import follow_value

    original, again, _ = _round_trip(SAMPLES / "server-create.md", tmp_path)
    value = "6dc2e525-a218-4814-9dc5-4cfcf2332268"
    expected, found = follow_value(original, value), follow_value(again, value)
    assert expected is not None and found is not None and expected.origin is not None
    assert (found.origin, found.uses) == (expected.origin, expected.uses)
