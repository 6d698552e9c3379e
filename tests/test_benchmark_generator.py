"""The benchmark generator makes valid, bigger traces with unique request ids."""

from __future__ import annotations

import re

import pytest

from tests.benchmarks.generate import generate, main, parse_size, size_label
from tests.conftest import SAMPLES
from tui.readers import read_trace

SOURCE = SAMPLES / "server-create.md"


def request_ids(trace) -> list[str]:
    return [exchange.request.request_id for exchange in trace.exchanges]


def test_generated_trace_reads_cleanly_with_unique_request_ids(tmp_path):
    source = read_trace(str(SOURCE))
    size = 3 * SOURCE.stat().st_size
    path = generate(tmp_path / "big.md", size, source=SOURCE)
    trace = read_trace(str(path))
    assert trace.format == source.format
    assert trace.warnings == source.warnings == []
    ids = request_ids(trace)
    assert all(ids)
    assert len(set(ids)) == len(ids)
    assert all(exchange.response is not None for exchange in trace.exchanges)
    assert [e.request.target for e in trace.exchanges[: len(source.exchanges)]] == [
        e.request.target for e in source.exchanges
    ]


def test_exchange_count_scales_with_size(tmp_path):
    per_copy = len(read_trace(str(SOURCE)).exchanges)
    source_size = SOURCE.stat().st_size
    copies_in = {}
    for copies in (2, 6):
        target = copies * source_size
        path = generate(tmp_path / f"{copies}.md", target, source=SOURCE)
        size = path.stat().st_size
        assert target <= size < target + source_size
        exchanges = len(read_trace(str(path)).exchanges)
        assert exchanges % per_copy == 0
        # Renamed ids keep their length, so every copy is as big as the source.
        assert exchanges // per_copy == round(size / source_size)
        copies_in[copies] = exchanges // per_copy
    assert copies_in[6] - copies_in[2] == 4


def test_unique_ids_renames_uuids_and_keeps_the_file_valid(tmp_path):
    path = generate(tmp_path / "ids.md", 2 * SOURCE.stat().st_size, source=SOURCE, unique_ids=True)
    trace = read_trace(str(path))
    assert trace.warnings == []
    uuid = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    original = set(uuid.findall(SOURCE.read_bytes()))
    generated = set(uuid.findall(path.read_bytes()))
    assert original and not original & generated
    assert len(generated) > len(original)
    ids = request_ids(trace)
    assert len(set(ids)) == len(ids)


def test_log_format_scales_too(tmp_path):
    source = SAMPLES / "image-show.log"
    path = generate(tmp_path / "big.log", 4 * source.stat().st_size, fmt="log")
    trace = read_trace(str(path))
    assert trace.format == read_trace(str(source)).format
    assert trace.warnings == []
    ids = request_ids(trace)
    assert len(ids) >= 4 * len(read_trace(str(source)).exchanges)
    assert len(set(ids)) == len(ids)


def test_format_must_match_source(tmp_path):
    with pytest.raises(ValueError, match="not log"):
        generate(tmp_path / "x.log", 1000, source=SOURCE, fmt="log")


def test_prose_before_the_first_record_is_written_once(tmp_path):
    preamble = b"# A run, explained\n\nSome prose before the first record.\n\n"
    source = tmp_path / "annotated.md"
    source.write_bytes(preamble + SOURCE.read_bytes())
    path = generate(tmp_path / "a.md", 3 * source.stat().st_size, source=source)
    data = path.read_bytes()
    assert data.startswith(preamble)
    assert data.count(b"Some prose") == 1
    assert len(read_trace(str(path)).exchanges) >= 3 * len(read_trace(str(SOURCE)).exchanges)


@pytest.mark.parametrize(
    ("text", "size"),
    [("10MB", 10**7), ("1GB", 10**9), ("512KiB", 512 * 1024), ("4096", 4096), ("1.5 mb", 1500000)],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_parse_size_rejects_nonsense():
    with pytest.raises(ValueError, match="not a size"):
        parse_size("big")


def test_size_label_round_trips():
    for text in ("10MB", "100MB", "1GB", "250KB"):
        assert size_label(parse_size(text)) == text


def test_command_line_writes_into_out_dir(tmp_path, capsys):
    assert main(["--size", "600KB", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(tmp_path / "server-create-600KB.md")
    assert read_trace(printed).exchanges
    assert not list(tmp_path.glob("*.partial"))
