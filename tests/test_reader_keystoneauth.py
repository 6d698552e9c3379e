"""keystoneauth's debug output, as the real `openstack --debug`, `--log-file` and oslo.log wrote
it (sample_traces/, made by sample_traces/generator/)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main
from tui.diff.engine import diff_traces
from tui.readers import TraceError, TraceReader, read_trace
from tui.readers.keystoneauth import NAME, split_response_headers

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
DEBUG = SAMPLES / "osc-server-create.debug.log"
LOGFILE = SAMPLES / "osc-server-create.logfile.log"
COMMANDS = SAMPLES / "osc-commands.debug.log"
SERVICE = SAMPLES / "nova-api-keystoneauth.log"
ALL = [DEBUG, LOGFILE, COMMANDS, SERVICE]

_REQUEST_LINE = re.compile(r"REQ: curl -g -i -X (\S+) (\S+)|Making authentication request to (\S+)")
_STATUS = re.compile(r'RESP: \[(\d{3})\]|" (\d{3}) \d+(?: |$)')
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")


def _expected(path: Path) -> list[tuple[str, str, int]]:
    """(method, URL, status) of each call, read from the file line by line, independently of
    the reader: a request line, then the first status after it (urllib3's or RESP:)."""
    calls: list[list[object]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        request = _REQUEST_LINE.search(line)
        if request is not None:
            if request.group(3):
                calls.append(["POST", request.group(3), 0])
            else:
                calls.append([request.group(1), request.group(2).strip('"'), 0])
            continue
        status = _STATUS.search(line)
        if status is not None and calls and calls[-1][2] == 0:
            calls[-1][2] = int(status.group(1) or status.group(2))
    return [(str(m), str(u), int(s)) for m, u, s in calls]  # type: ignore[call-overload]


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_every_call_is_read_and_paired(path: Path) -> None:
    trace = read_trace(str(path))
    assert trace.format == NAME
    assert trace.warnings == []
    seen = [
        (e.request.method, e.request.target, e.status if e.status is not None else 0)
        for e in trace.exchanges
    ]
    assert seen == _expected(path)
    assert all(e.response is not None for e in trace.exchanges)
    # Every record starts on a line keystoneauth or urllib3 wrote; the rest of the output
    # (help, tables, options, other loggers) is in no record.
    lines = path.read_text(encoding="utf-8").splitlines()
    for record in trace.records:
        text = lines[record.line - 1]
        assert re.search(r"REQ: curl|Making authentication|HTTP/1\.1\" \d{3}|RESP: \[", text)


def test_callee_from_the_call_to_line_or_the_path_and_caller_from_the_user_agent() -> None:
    trace = read_trace(str(DEBUG))
    assert trace.services == ["openstack", "keystone", "glance-api", "nova-api", "neutron-server"]
    by_path = {
        e.request.target.split("/", 3)[3].split("/")[0]: e.request.dst for e in trace.exchanges
    }
    assert by_path == {
        "identity": "keystone",
        "image": "glance-api",
        "compute": "nova-api",
        "networking": "neutron-server",
    }
    service = read_trace(str(SERVICE))
    assert {e.request.src for e in service.exchanges} == {"nova-api"}


def test_headers_split_at_names_and_values_kept_as_logged() -> None:
    trace = read_trace(str(DEBUG))
    create = next(
        e for e in trace.exchanges if e.request.method == "POST" and "servers" in e.request.target
    )
    request_headers = dict(trace.source.headers(create.request))
    assert request_headers["Content-Type"] == "application/json"
    assert request_headers["OpenStack-API-Version"] == "compute 2.96"
    assert request_headers["X-Auth-Token"].startswith("{SHA256}")
    assert '"server"' in trace.source.body(create.request)
    response = create.response
    assert response is not None
    names = [name for name, _ in trace.source.headers(response)]
    assert names == sorted(names)  # keystoneauth sorts them
    headers = dict(trace.source.headers(response))
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", headers["Date"])
    assert headers["Server"] == "Apache/2.4.52 (Ubuntu)"
    assert headers["Vary"] == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    assert '"adminPass"' in trace.source.body(response)
    token = next(e for e in trace.exchanges if e.request.target.endswith("/auth/tokens"))
    assert token.status == 201
    assert trace.source.body(token.response).startswith('{"token": ')


def test_a_value_holding_an_earlier_name_stays_in_the_value() -> None:
    pairs = split_response_headers(
        "Content-Type: text/plain Date: Tue, 20 May 2025 08:13:46 GMT "
        "Link: <http://h/x>; Accept: maybe Vary: X-Auth-Token"
    )
    assert pairs == (
        ("Content-Type", "text/plain"),
        ("Date", "Tue, 20 May 2025 08:13:46 GMT"),
        ("Link", "<http://h/x>; Accept: maybe"),
        ("Vary", "X-Auth-Token"),
    )


def test_oslo_log_suffix_is_not_part_of_headers_or_bodies() -> None:
    trace = read_trace(str(SERVICE))
    for record in trace.records:
        for _, value in trace.source.headers(record):
            assert "session.py:" not in value
        assert "session.py:" not in trace.source.body(record)
        assert "connectionpool.py:" not in trace.source.body(record)


@pytest.mark.parametrize("path", [LOGFILE, SERVICE], ids=lambda path: path.name)
def test_log_file_timestamps_are_the_clock(path: Path) -> None:
    from datetime import datetime, timezone

    trace = read_trace(str(path))
    lines = path.read_text(encoding="utf-8").splitlines()

    def stamp(line: int) -> float:
        text = _STAMP.match(lines[line - 1])
        assert text is not None
        moment = datetime.strptime(text.group(1), "%Y-%m-%d %H:%M:%S.%f")
        return moment.replace(tzinfo=timezone.utc).timestamp()

    for exchange in trace.exchanges:
        assert exchange.request.time == pytest.approx(stamp(exchange.request.line))
        response = exchange.response
        assert response is not None and response.time is not None
        assert response.time >= exchange.request.time
    # The bare stderr output has no clock: nothing is invented.
    assert all(record.time is None for record in read_trace(str(DEBUG)).records)


def test_a_debug_log_with_no_request_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DEBUG.read_text(encoding="utf-8")
    empty = tmp_path / "no-request.log"
    empty.write_text(text[: text.index("REQ: curl")].rsplit("\n", 2)[0] + "\n", encoding="utf-8")
    with pytest.raises(TraceError):
        read_trace(str(empty))
    assert main(["stats", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "REQ: curl" in err


def test_a_cut_off_body_warns_naming_its_line_and_a_lone_request_has_no_response(
    tmp_path: Path,
) -> None:
    text = LOGFILE.read_text(encoding="utf-8")
    body_at = text.index("RESP BODY: {", text.index("POST http://"))
    cut = tmp_path / "cut.log"
    cut.write_text(text[: body_at + 40] + "\n", encoding="utf-8")
    trace = read_trace(str(cut))
    body_line = text[:body_at].count("\n") + 1
    assert (body_line, "response body is cut off") in [(w.line, w.message) for w in trace.warnings]
    # Cut right after a request line: the request shows with no response.
    request_at = text.index("REQ: curl", body_at)
    lone = tmp_path / "lone.log"
    lone.write_text(text[: text.index("\n", request_at) + 1], encoding="utf-8")
    trace = read_trace(str(lone))
    assert trace.exchanges[-1].response is None
    assert trace.warnings[-1].message.endswith("got no response")


def test_detected_by_content_and_named_by_format(tmp_path: Path) -> None:
    disguised = tmp_path / "trace.md"
    shutil.copy(DEBUG, disguised)
    assert read_trace(str(disguised)).format == NAME
    assert read_trace(str(disguised), NAME).format == NAME


def test_followed_log_reads_what_is_appended(tmp_path: Path) -> None:
    text = LOGFILE.read_bytes()
    half = text.index(b"\n", len(text) // 2) + 1
    growing = tmp_path / "growing.log"
    growing.write_bytes(text[:half])
    reader = TraceReader(str(growing), follow=True)
    reader.read_all()
    first = len(reader.trace.exchanges)
    with growing.open("ab") as file:
        file.write(text[half:])
    assert reader.poll() == "grown"
    while not reader.read_batch():
        pass
    reader.holding_tail = False
    whole = read_trace(str(LOGFILE))
    assert 0 < first < len(whole.exchanges)
    # What was held back as still being written comes in once the file settles.
    assert len(reader.trace.exchanges) >= len(whole.exchanges) - 1


def test_diff_aligns_the_calls_a_requestshook_run_and_a_debug_run_both_made() -> None:
    a = read_trace(str(SAMPLES / "server-create.md"))
    b = read_trace(str(DEBUG))
    diff = diff_traces(a, b)
    aligned = {
        (a.exchanges[e.a_index].request.method, a.exchanges[e.a_index].request.target)
        for e in diff.entries
        if e.a_index is not None and e.b_index is not None
    }
    assert {
        ("POST", "/identity/v3/auth/tokens"),
        ("GET", "/compute/v2.1/flavors/c1"),
        ("GET", "/networking/v2.0/networks/4529570d-57bf-4ec8-8d67-937f13b1d9ae"),
        ("POST", "/compute/v2.1/servers"),
        ("GET", "/compute/v2.1/servers/6dc2e525-a218-4814-9dc5-4cfcf2332268"),
    } <= aligned
    for entry in diff.entries:
        if entry.a_index is not None and entry.b_index is not None:
            assert a.exchanges[entry.a_index].request.src == "openstack"


@pytest.mark.parametrize("fmt", ["json", "har", "markdown", "curl"])
def test_redact_hides_tokens_and_passwords_in_every_export(fmt: str) -> None:
    secrets = ("1d3160c972c1948bb4432ef070324fc7", "kNNSdm96W6ma")
    command = [sys.executable, "-m", "tui", "export", str(DEBUG), "-f", fmt]
    plain = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    # A curl export holds requests only: the token, not the response's adminPass.
    assert secrets[0] in plain and (fmt == "curl" or secrets[1] in plain)
    hidden = subprocess.run([*command, "--redact"], capture_output=True, text=True, check=True)
    assert not any(secret in hidden.stdout for secret in secrets)


@pytest.mark.parametrize("path", [DEBUG, LOGFILE, SERVICE], ids=lambda path: path.name)
def test_a_log_cut_anywhere_reads_without_a_traceback(path: Path, tmp_path: Path) -> None:
    data = path.read_bytes()
    cut_file = tmp_path / "cut.log"
    for cut in range(1, len(data), 1499):
        for variant in (data[:cut], data[cut:], data[:cut] + b"\xff\x00 {unclosed"):
            cut_file.write_bytes(variant)
            try:
                trace = read_trace(str(cut_file))
            except TraceError:
                continue  # no request left in it: one line for the user
            for record in trace.records:
                trace.source.headers(record)
                trace.source.body(record)


def test_follow_a_value_finds_who_issued_the_server_id_and_who_used_it() -> None:
    from tui.query.follow import follow_value

    trace = read_trace(str(DEBUG))
    result = follow_value(trace, "6dc2e525-a218-4814-9dc5-4cfcf2332268")
    assert result is not None and result.origin is not None
    origin = trace.exchanges[result.origin].request
    assert (origin.method, origin.target.endswith("/compute/v2.1/servers")) == ("POST", True)
    assert {trace.exchanges[i].request.method for i in result.uses} == {"GET"}
    assert len(result.uses) == 4
