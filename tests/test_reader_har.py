"""The HAR 1.2 reader, on the HAR that mitmproxy's `hardump` wrote (sample_traces/README.md).

Every expectation is computed here from the sample with `json`, independently of the reader's
byte scanner; layouts other tools write (minified, tabs, pages, base64 bodies, other key
orders) are made from the same sample in a temporary directory.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

import pytest

from tui.cli import main
from tui.model.trace import Trace
from tui.readers import TraceError, TraceReader, read_trace
from tui.readers.har import PAGE_HEADER
from tui.readers.jsonscan import container_end, string_end

SAMPLE = Path(__file__).resolve().parent.parent / "sample_traces" / "osc-server-create.har"


def _document() -> dict:
    return json.loads(SAMPLE.read_text())


def _write(tmp_path: Path, document: object, name: str = "t.har", **dump: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, **dump))
    return path


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _summary(trace: Trace) -> list[tuple]:
    source = trace.source
    return [
        (
            exchange.request.src,
            exchange.request.dst,
            exchange.request.method,
            exchange.request.target,
            exchange.status,
            exchange.response.reason if exchange.response else None,
            exchange.request.time,
            exchange.response.time if exchange.response else None,
            source.headers(exchange.request),
            source.body(exchange.request),
            source.headers(exchange.response),
            source.body(exchange.response),
        )
        for exchange in trace.exchanges
    ]


def test_every_entry_is_an_exchange_with_its_fields_and_clock() -> None:
    entries = _document()["log"]["entries"]
    trace = read_trace(str(SAMPLE))
    assert trace.format == "har"
    assert trace.warnings == []
    assert len(trace.exchanges) == len(entries)
    for exchange, entry in zip(trace.exchanges, entries):
        request, response = exchange.request, exchange.response
        assert request.method == entry["request"]["method"]
        url = entry["request"]["url"]
        assert request.target == "/" + url.split("://", 1)[1].split("/", 1)[1]
        assert exchange.status == entry["response"]["status"]
        assert response.reason == entry["response"]["statusText"]
        assert request.time == pytest.approx(_epoch(entry["startedDateTime"]), abs=1e-6)
        assert response.time - request.time == pytest.approx(entry["time"] / 1000, abs=1e-6)
        assert exchange.parent is None
        headers = trace.source.headers(response)
        assert headers == tuple((h["name"], h["value"]) for h in entry["response"]["headers"])


def test_bodies_come_from_post_data_and_content() -> None:
    entries = _document()["log"]["entries"]
    trace = read_trace(str(SAMPLE))
    checked = 0
    for exchange, entry in zip(trace.exchanges, entries):
        text = entry["request"].get("postData", {}).get("text", "")
        body = trace.source.body(exchange.request)
        if "\0" in text:
            # The image upload: mitmproxy keeps the bytes as Latin-1 text; shown as binary.
            assert body.startswith("b'QFI\\xfb")
        else:
            assert body == text
        assert trace.source.body(exchange.response) == entry["response"]["content"].get("text", "")
        checked += bool(text)
    assert checked >= 3


def test_caller_and_callee_name_the_client_and_the_openstack_services() -> None:
    trace = read_trace(str(SAMPLE))
    pairs = {(e.request.src, e.request.dst) for e in trace.exchanges}
    assert {src for src, _ in pairs} == {"openstack"}
    assert {dst for _, dst in pairs} == {"keystone", "glance-api", "nova-api", "neutron-server"}
    by_path = {e.request.target: e.request.dst for e in trace.exchanges}
    assert by_path["/image"] == "glance-api"
    assert by_path["/compute/v2.1/servers/missing"] == "nova-api"


def test_timings_are_decoded_on_demand() -> None:
    entries = _document()["log"]["entries"]
    trace = read_trace(str(SAMPLE))
    for exchange, entry in zip(trace.exchanges, entries):
        expected = tuple((name, float(value)) for name, value in entry["timings"].items())
        assert trace.source.timings(exchange.request) == expected
        assert trace.source.timings(exchange.response) == expected


@pytest.mark.parametrize(
    "dump",
    [{}, {"indent": 2}, {"indent": "\t"}, {"separators": (",", ":")}],
    ids=["minified", "two-spaces", "tabs", "compact"],
)
def test_other_layouts_read_the_same(tmp_path: Path, dump: dict) -> None:
    expected = _summary(read_trace(str(SAMPLE)))
    trace = read_trace(str(_write(tmp_path, _document(), **dump)))
    assert trace.warnings == []
    assert _summary(trace) == expected


def test_key_order_of_another_tool_reads_the_same(tmp_path: Path) -> None:
    document = _document()
    # Chrome writes the keys of an entry sorted, private `_` fields first.
    document["log"]["entries"] = [
        {"_initiator": {"type": "other", "url": "http://x/"}, **entry}
        for entry in document["log"]["entries"]
    ]
    expected = _summary(read_trace(str(SAMPLE)))
    trace = read_trace(str(_write(tmp_path, document, indent=2, sort_keys=True)))
    assert _summary(trace) == expected


def test_batches_cut_at_entries_read_what_one_pass_reads() -> None:
    whole = _summary(read_trace(str(SAMPLE)))
    reader = TraceReader(str(SAMPLE))
    batches = 0
    while not reader.read_batch(max_bytes=4096):
        batches += 1
    assert batches > 10
    assert reader.trace.warnings == []
    assert _summary(reader.trace) == whole
    lines = SAMPLE.read_bytes().split(b"\n")
    for exchange in reader.trace.exchanges:
        assert lines[exchange.request.line - 1].strip() == b"{"


def test_base64_content_is_decoded_and_binary_is_labelled(tmp_path: Path) -> None:
    document = _document()
    first, second = document["log"]["entries"][:2]
    text = first["response"]["content"]["text"]
    first["response"]["content"].update(text=base64.b64encode(text.encode()).decode())
    first["response"]["content"]["encoding"] = "base64"
    second["response"]["content"].update(text=base64.b64encode(b"\x89PNG\r\n\x1a\n\0").decode())
    second["response"]["content"]["encoding"] = "base64"
    trace = read_trace(str(_write(tmp_path, document, indent=2)))
    assert trace.source.body(trace.exchanges[0].response) == text
    assert trace.source.body(trace.exchanges[1].response) == repr(b"\x89PNG\r\n\x1a\n\0")


def test_the_page_of_an_entry_is_a_pseudo_header_and_a_filter(tmp_path: Path) -> None:
    document = _document()
    log = document["log"]
    started = log["entries"][0]["startedDateTime"]
    log["pages"] = [
        {"id": "page_1", "title": "Log in", "startedDateTime": started},
        {"id": "page_2", "title": "Launch instance", "startedDateTime": started},
    ]
    for number, entry in enumerate(log["entries"]):
        entry["pageref"] = "page_1" if number < 3 else "page_2"
    path = _write(tmp_path, document, indent=2)
    trace = read_trace(str(path))
    assert trace.source.headers(trace.exchanges[0].request)[-1] == (PAGE_HEADER, "Log in")
    assert trace.source.header(trace.exchanges[5].request, PAGE_HEADER) == "Launch instance"
    assert main(["grep", str(path), 'header:":page=Log in"', "--json"]) == 0


def test_follow_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(TraceError, match="cannot grow"):
        TraceReader(str(SAMPLE), follow=True)


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.97])
def test_a_truncated_har_warns_and_keeps_the_entries_before(tmp_path: Path, cut: float) -> None:
    data = SAMPLE.read_bytes()
    path = tmp_path / "cut.har"
    path.write_bytes(data[: int(len(data) * cut)])
    trace = read_trace(str(path))
    whole = read_trace(str(SAMPLE))
    assert 0 < len(trace.exchanges) < len(whole.exchanges) or cut < 0.2
    assert [w.message for w in trace.warnings if "cut off" in w.message]
    for exchange, full in zip(trace.exchanges, whole.exchanges):
        assert exchange.request.target == full.request.target


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"log": {"version": "1.2", "creator": {}}}', "no `entries`"),
        ('{"log": {"entries": {}}}', "not an array"),
        ('{"log": {"entries": [{"request": 5}]}}', "HAR entry"),
        ('{"log": {"entries": [{"startedDateTime": "x", "response": {}}]}}', "no request"),
        ('{"log": {"entries": [1, 2]}}', "not a JSON object"),
        ('{"log": {"entries": [{"request": {"method": "GET"}}} junk', "expected `,`"),
    ],
)
def test_a_har_that_is_not_har_warns_naming_the_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.har"
    path.write_text(content)
    trace = read_trace(str(path))
    assert any(message in warning.message for warning in trace.warnings), trace.warnings
    assert all(warning.line >= 1 for warning in trace.warnings)


def test_json_that_is_no_har_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"entries": [], "log": 1}')
    assert main(["stats", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "other.json" in error


def test_string_and_container_ends_respect_escapes() -> None:
    data = b'["a\\\\", "b\\"]", {"k": "}"}]'
    assert string_end(data, 1, len(data)) == 6
    assert string_end(data, 8, len(data)) == 14
    assert container_end(data, 0, len(data)) == len(data)
    assert container_end(b'{"a": "', 0, 7) == -1


def test_a_chrome_har_keeps_its_pages_and_names_the_browser() -> None:
    path = SAMPLE.with_name("browser-dashboard.har")
    document = json.loads(path.read_text())
    titles = {page["id"]: page["title"] for page in document["log"]["pages"]}
    trace = read_trace(str(path))
    assert trace.warnings == []
    assert len(trace.exchanges) == len(document["log"]["entries"])
    for exchange, entry in zip(trace.exchanges, document["log"]["entries"]):
        assert exchange.request.src == "browser"
        assert exchange.request.method == entry["request"]["method"]
        assert exchange.status == entry["response"]["status"]
        assert trace.source.header(exchange.request, PAGE_HEADER) == titles[entry["pageref"]]
        assert exchange.response.time - exchange.request.time == pytest.approx(
            entry["time"] / 1000, abs=1e-6
        )
