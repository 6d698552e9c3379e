"""The reader against broken and hostile input: it loads what it can, warns, never crashes.

The corpus comes from `tests/hostile.py`. Expectations are computed here from the bytes of
each case (where a heading is, which bytes do not decode), never from the reader's output.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import hostile
from tests.conftest import TRACE_FILES
from tui.model.trace import REQUEST, RESPONSE, Trace
from tui.readers import TraceError, TraceReader, read_trace
from tui.text.sanitize import visible, visible_line

BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
# Every control (Cc) and surrogate (Cs) code point by the Unicode database, and the above.
FORBIDDEN = sorted(
    {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) in ("Cc", "Cs")}
    | BIDI_CONTROLS
    | ZERO_WIDTH
)


@functools.cache
def _unsafe_pattern(allowed: str) -> re.Pattern[str]:
    chars = "".join(re.escape(chr(code)) for code in FORBIDDEN if chr(code) not in allowed)
    return re.compile(f"[{chars}]")


def unsafe_characters(text: str, allowed: str = "\t\n") -> list[str]:
    """The characters of `text` a terminal must never receive (`allowed` excepted)."""
    return _unsafe_pattern(allowed).findall(text)


def record_fields(trace: Trace, start: int = 0) -> list[str]:
    """Every small field the reader sanitizes, of each record from `start`, and the warnings."""
    fields = []
    for record in trace.records[start:]:
        fields += [record.src, record.dst, record.method, record.reason, record.target]
        fields.append(record.request_id)
    fields += trace.services
    fields += [warning.message for warning in trace.warnings]
    return fields


def check_consistent(trace: Trace, data: bytes, decode_from: int = 0) -> None:
    """What must hold for any trace the reader returns, whatever the file was.

    Headers and bodies are decoded from record `decode_from` on (all of them by default).
    """
    assert trace.complete
    # A file with no LF at all has its lines end in CR.
    lines = (data.count(b"\n") or data.count(b"\r")) + 1
    assert len(trace.exchange_of_record) == len(trace.records)
    previous = 0
    for number, record in enumerate(trace.records):
        assert record.kind in (REQUEST, RESPONSE)
        assert previous <= record.line <= record.end_line <= lines
        previous = record.line
        assert 0 <= record.span.start <= record.span.end <= len(data)
        for span in (record.headers, record.body):
            assert span is None or record.span.start <= span.start <= span.end <= len(data)
        if number >= decode_from:
            trace.source.headers(record)
            trace.source.body(record)
        if record.kind == RESPONSE and trace.exchange_of_record[number] < 0:
            assert number in trace.orphan_records
    for exchange in trace.exchanges:
        assert trace.records[exchange.request_record] is exchange.request
        assert exchange.request.kind == REQUEST
        assert exchange.parent is None or 0 <= exchange.parent < exchange.index
        if exchange.response is not None:
            assert trace.records[exchange.response_record] is exchange.response
            assert exchange.response.kind == RESPONSE
            assert exchange.response.request_id == exchange.request.request_id
            assert trace.exchange_of_record[exchange.response_record] == exchange.index
    assert [w.line for w in trace.warnings if w.line] == sorted(
        w.line for w in trace.warnings if w.line
    )
    assert all(0 <= warning.line <= lines for warning in trace.warnings)
    for text in record_fields(trace, decode_from):
        assert not unsafe_characters(text, allowed=""), text[:200]


def read_bytes(data: bytes, folder: Path, name: str = "trace") -> Trace:
    path = folder / name
    path.write_bytes(data)
    return read_trace(str(path))


def read_in_batches(path: Path, max_bytes: int) -> Trace:
    reader = TraceReader(str(path))
    while not reader.read_batch(max_bytes):
        pass
    return reader.trace


def summary(trace: Trace) -> list[tuple]:
    """What a trace says, without the file offsets a byte-level change moves."""
    return [
        (*record[:8], trace.source.headers(record), trace.source.body(record))
        for record in trace.records
    ]


@pytest.mark.parametrize("name", sorted(hostile.CASES))
def test_hostile_case_loads_and_warns(name: str, tmp_path: Path) -> None:
    case = hostile.CASES[name]()
    path = tmp_path / name
    path.write_bytes(case.data)
    started = time.monotonic()
    trace = read_trace(str(path))
    # Linear work on a few MB takes well under a second; a backtracking regex takes hours.
    assert time.monotonic() - started < 20
    check_consistent(trace, case.data)
    assert trace.records
    if case.must_warn:
        assert trace.warnings
    warned = {warning.line for warning in trace.warnings}
    assert set(case.lines) <= warned, trace.warnings


@pytest.mark.parametrize(
    "name", sorted(name for name in hostile.CASES if "5mb" not in name and "storm" not in name)
)
def test_reading_in_small_batches_gives_the_same_trace(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(hostile.CASES[name]().data)
    whole = read_trace(str(path))
    for max_bytes in (1, 1000, 5000):
        parts = read_in_batches(path, max_bytes)
        assert parts.records == whole.records
        assert parts.exchanges == whole.exchanges
        assert parts.warnings == whole.warnings


def _boundaries(data: bytes) -> list[int]:
    starts = [match.start() for match in hostile.heading_pattern(data).finditer(data)]
    return [*starts, len(data)]


def _stripped_ends(data: bytes) -> list[int]:
    """`ends[k]` is the length of `data[:k]` once trailing whitespace is dropped."""
    ends = [0] * (len(data) + 1)
    for k in range(1, len(data) + 1):
        ends[k] = ends[k - 1] if data[k - 1 : k].isspace() else k
    return ends


class Cuts:
    """What each prefix of `data` must read as, computed from the bytes alone."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        boundaries = _boundaries(data)
        self.headings = boundaries[:-1]
        self.ends = _stripped_ends(data)
        # A prefix that stops where a record ends, give or take blank lines, is a clean cut.
        self.clean = {self.ends[boundary] for boundary in boundaries}
        self.first_line_end = data.index(b"\n", boundaries[0])

    def check(self, cut: int, trace: Trace | None) -> None:
        """A clean cut may read silently; any other must warn, on the line of the record it
        cut or later. Only a cut inside the first heading line may be refused as no trace."""
        if trace is None:
            assert cut <= self.first_line_end, cut
            return
        prefix = self.data[:cut]
        # Decoding every record of every prefix would make this test quadratic; the records
        # before the cut one are whole and were decoded on earlier (longer) cuts.
        check_consistent(trace, prefix, decode_from=max(0, len(trace.records) - 2))
        if self.ends[cut] not in self.clean:
            assert trace.warnings, f"no warning for a cut at byte {cut}"
            # The last heading that starts inside the prefix is the record the cut went through.
            cut_heading = self.headings[max(0, bisect.bisect_left(self.headings, cut) - 1)]
            last = hostile.line_of(self.data, cut_heading)
            assert max(w.line for w in trace.warnings) >= last, (cut, trace.warnings)


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_cut_at_record_boundaries_and_inside_records(path: Path, tmp_path: Path) -> None:
    data = path.read_bytes()
    expected = Cuts(data)
    for label, cut in hostile.cuts(data):
        try:
            trace = read_bytes(data[:cut], tmp_path, f"cut-{cut}")
        except TraceError:
            trace = None
        try:
            expected.check(cut, trace)
        except AssertionError as error:
            raise AssertionError(f"{path.name} cut {label} (byte {cut}): {error}") from None


@pytest.mark.parametrize("name", [hostile.MD_SAMPLE, hostile.LOG_SAMPLE])
def test_cut_at_every_byte(name: str, tmp_path: Path) -> None:
    """Every prefix of a small sample (two exchanges of image-show, ~3 KB) loads, or is refused
    as no trace, and every cut that is not between records warns.

    One file is truncated a byte at a time, longest first: rewriting it would cost a flush
    per cut on some filesystems.
    """
    data = hostile.small_sample(name)
    expected = Cuts(data)
    path = tmp_path / name
    path.write_bytes(data)
    for cut in range(len(data), -1, -1):
        os.truncate(path, cut)
        try:
            trace = read_trace(str(path))
        except TraceError:
            trace = None
        expected.check(cut, trace)
        del trace  # release the mapping before the file shrinks under it


@pytest.mark.parametrize("kind", ["crlf", "lone-cr"])
@pytest.mark.parametrize("name", [hostile.MD_SAMPLE, hostile.LOG_SAMPLE])
def test_line_endings_read_like_lf(kind: str, name: str, tmp_path: Path) -> None:
    plain = read_bytes(hostile.sample(name), tmp_path, "lf")
    case = hostile.PER_SAMPLE[kind](name)
    other = read_bytes(case.data, tmp_path, kind)
    assert summary(other) == summary(plain)
    assert [r.line for r in other.records] == [r.line for r in plain.records]


@pytest.mark.parametrize("name", [hostile.MD_SAMPLE, hostile.LOG_SAMPLE])
def test_invalid_utf8_warns_with_each_byte_offset(name: str, tmp_path: Path) -> None:
    data = hostile.PER_SAMPLE["invalid-utf8"](name).data
    offsets, pos = [], 0
    while True:
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            offsets.append(pos + error.start)
            pos += error.end
    assert len(offsets) >= 3
    trace = read_bytes(data, tmp_path)
    messages = " | ".join(warning.message for warning in trace.warnings)
    for offset in offsets:
        assert f"byte offset {offset}" in messages
        line = hostile.line_of(data, offset)
        assert any(f"offset {offset}" in w.message and w.line == line for w in trace.warnings)


def _note_request(trace: Trace):
    return next(r for r in trace.records if r.target.endswith("/v2/notes") and r.is_request)


def test_fake_heading_in_log_body_stays_in_the_body(tmp_path: Path) -> None:
    case = hostile.CASES["fake-heading-in-log-body"]()
    trace = read_bytes(case.data, tmp_path)
    original = read_trace(str(hostile.SAMPLES / hostile.LOG_SAMPLE))
    assert len(trace.records) == len(original.records) + 2
    assert "evil" not in trace.services
    assert trace.source.body(_note_request(trace)) == hostile.fake_heading_body().decode()
    assert all(exchange.response is not None for exchange in trace.exchanges)
    fake_line = hostile.line_of(case.data, case.data.index(b"### (evil)"))
    assert any(w.line == fake_line and "Content-Length" in w.message for w in trace.warnings)


def test_fake_heading_in_the_last_record_stays_in_the_body(tmp_path: Path) -> None:
    trace = read_bytes(hostile.CASES["fake-heading-in-last-record"]().data, tmp_path)
    assert "evil" not in trace.services
    assert trace.source.body(_note_request(trace)) == hostile.fake_heading_body().decode()


@pytest.mark.parametrize(
    "name",
    ["fake-heading-without-length", "fake-heading-wrong-length", "fake-heading-length-past-end"],
)
def test_fake_heading_without_a_length_that_fits_is_a_record(name: str, tmp_path: Path) -> None:
    """Without a Content-Length that lands on a record boundary, a heading is a heading."""
    trace = read_bytes(hostile.CASES[name]().data, tmp_path)
    assert "evil" in trace.services
    assert trace.source.body(_note_request(trace)) == "first line"
    if name != "fake-heading-without-length":
        assert any("Content-Length says" in warning.message for warning in trace.warnings)


def test_fake_heading_at_a_batch_boundary(tmp_path: Path) -> None:
    """Whichever batch the fake heading falls in, the body's record claims it."""
    case = hostile.CASES["fake-heading-in-log-body"]()
    path = tmp_path / "fake.log"
    path.write_bytes(case.data)
    fake = case.data.index(b"### (evil)")
    note = case.data.rindex(b"### (openstack) REQ", 0, fake)
    whole = read_trace(str(path))
    for max_bytes in range(note - 40, fake + 40, 7):
        assert read_in_batches(path, max_bytes).records == whole.records


def test_heading_line_in_md_body_is_text(tmp_path: Path) -> None:
    trace = read_bytes(hostile.CASES["fake-heading-in-md-body"]().data, tmp_path)
    assert len(trace.records) == 8
    assert not trace.warnings
    assert "### GET /x" in trace.source.body(trace.records[0])


def test_deep_json_and_huge_integers_stay_raw(tmp_path: Path) -> None:
    for name in ("deep-json-log", "huge-integers-log"):
        data = hostile.CASES[name]().data
        trace = read_bytes(data, tmp_path, name)
        body = trace.source.body(trace.records[0])
        assert body.startswith(("[[[", '{"size": 7777'))
        assert len(body) > 4300


def test_huge_content_length_is_ignored(tmp_path: Path) -> None:
    trace = read_bytes(hostile.CASES["huge-integers-log"]().data, tmp_path)
    assert len(trace.records) == 8


def test_5mb_line_is_one_body(tmp_path: Path) -> None:
    trace = read_bytes(hostile.CASES["5mb-line-md"]().data, tmp_path)
    assert len(trace.source.body(trace.records[0])) == 5 << 20
    assert not trace.warnings


def test_5mb_heading_keeps_fields_short(tmp_path: Path) -> None:
    for name in ("5mb-heading-md", "5mb-heading-log"):
        trace = read_bytes(hostile.CASES[name]().data, tmp_path, name)
        assert len(trace.records[0].target) < 20_000
        assert any(warning.line == trace.records[0].line for warning in trace.warnings)


def test_escapes_never_reach_fields(tmp_path: Path) -> None:
    for name in ("escapes-everywhere-md", "escapes-everywhere-log"):
        trace = read_bytes(hostile.CASES[name]().data, tmp_path, name)
        fields = record_fields(trace)
        assert any("\\x1b[2J" in field for field in fields)
        assert any("\\u202e" in field for field in fields)
        for field in fields:
            assert not unsafe_characters(field, allowed="")


@pytest.mark.parametrize("fmt", ["log", "md"])
def test_many_tiny_records(fmt: str, tmp_path: Path) -> None:
    """50,000 minimal records load and pair (a million take about 20 times as long)."""
    path = tmp_path / f"tiny.{fmt}"
    path.write_bytes(b"".join(hostile.tiny_records(50_000, fmt)))
    trace = read_trace(str(path))
    assert len(trace.records) == 50_000
    assert len(trace.exchanges) == 25_000
    assert all(exchange.response is not None for exchange in trace.exchanges)
    assert not trace.warnings


def test_warnings_are_capped(tmp_path: Path) -> None:
    data = b"".join(b"### GET /x%d\n" % number for number in range(20_000))
    trace = read_bytes(data, tmp_path)
    assert len(trace.records) == 20_000
    assert len(trace.warnings) <= 10_001
    assert trace.warnings[-1].line == 0 and "not listed" in trace.warnings[-1].message


# Pieces of both formats, so random files reach deep into the parsers.
FRAGMENTS = [
    b"### GET /x\n",
    b"### (3) POST /v2/images\n",
    b"### 200 OK /x\n",
    b"### 204\n",
    b"`a` --> `b`\n",
    b"`a` <-- `b`\n",
    b'=== "Header"\n',
    b'=== "Body"\n',
    b"    ``` http\n",
    b"    ```\n",
    b"~~~~\n",
    b"    X-Requestshook-Request-Id: 1\n",
    b"X-Requestshook-Request-Id: 2\n",
    b"Content-Length: 12\n",
    b"Content-Length: 99999999999999999999\n",
    b"### (a) REQ >>> (b) : GET http://h/x\n",
    b"### (a) RESP <<< (b) : 200 OK GET http://h/x\n",
    b"### (a) RESP <<< (b) : 200\n",
    b"none\n",
    b"{\n",
    b"}\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xff",
    b"\xe2\x82",
    b"\x1b[2J",
    "\u202e".encode(),
    b" " * 50,
]
trace_bytes = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=12)), max_size=60).map(
        b"".join
    ),
)
_counter = itertools.count()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=trace_bytes)
def test_any_bytes_give_a_trace_or_trace_error(data: bytes, scratch: Path) -> None:
    path = scratch / f"t{next(_counter)}"
    path.write_bytes(data)
    try:
        trace = read_trace(str(path))
    except TraceError as error:
        assert str(error).startswith(str(path))
        return
    check_consistent(trace, data)
    batched = read_in_batches(path, 64)
    assert batched.records == trace.records
    assert batched.warnings == trace.warnings


any_text = st.text(st.characters(exclude_categories=()), max_size=200)


@given(text=any_text)
def test_visible_leaves_no_unsafe_character(text: str) -> None:
    shown = visible(text)
    assert not unsafe_characters(shown)
    if not unsafe_characters(text):
        assert shown == text


@given(text=any_text)
def test_visible_line_stays_on_one_line(text: str) -> None:
    shown = visible_line(text)
    assert not unsafe_characters(shown, allowed="")
    assert "\n" not in shown and "\t" not in shown
