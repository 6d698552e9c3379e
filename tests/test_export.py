"""Exports: every format opens in its target and markdown/json read back as the same exchanges."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import TRACE_FILES
from tui.cli import main
from tui.export import curl as curl_export
from tui.export import har as har_export
from tui.export import json as json_export
from tui.export import markdown as markdown_export
from tui.export import mermaid as mermaid_export
from tui.export import registry
from tui.readers import read_trace
from tui.redact import secret_values

TRACES = [pytest.param(path, id=path.name) for path in TRACE_FILES]


def _facts(trace, exchange) -> dict:
    """What must survive an export: both records' first lines, headers and bodies."""
    source, request, response = trace.source, exchange.request, exchange.response
    facts = {
        "src": request.src,
        "dst": request.dst,
        "method": request.method,
        "target": request.target,
        "request_headers": source.headers(request),
        "request_body": source.body(request),
        "status": None,
    }
    if response is not None:
        facts.update(
            status=response.status,
            reason=response.reason,
            response_target=response.target,
            response_headers=source.headers(response),
            response_body=source.body(response),
        )
    return facts


def _read_text(tmp_path: Path, text: str, name: str = "export.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_trace(str(path))


# --- markdown ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TRACES)
def test_markdown_reads_back_as_the_same_exchanges(path, tmp_path):
    trace = read_trace(str(path))
    back = _read_text(tmp_path, markdown_export.markdown(trace))
    assert back.warnings == []
    assert [_facts(back, x) for x in back.exchanges] == [_facts(trace, x) for x in trace.exchanges]
    assert [x.parent for x in back.exchanges] == [x.parent for x in trace.exchanges]
    assert back.services == trace.services


def test_markdown_of_a_raw_hook_file_is_the_file_itself(sample):
    """server-create.md is body.md exactly as requestshook writes it: same bytes back."""
    path = sample("server-create.md")
    assert markdown_export.markdown(read_trace(str(path))) == path.read_text(encoding="utf-8")


def test_markdown_of_a_log_trace_keeps_the_full_url(sample, tmp_path):
    trace = read_trace(str(sample("image-show.log")))
    back = _read_text(tmp_path, markdown_export.markdown(trace))
    assert back.format == "requestshook-markdown"
    assert back.exchanges[0].request.target.startswith("http://")
    assert [x.request.target for x in back.exchanges] == [x.request.target for x in trace.exchanges]


@pytest.mark.parametrize("name", ["server-create.md", "image-create-annotated.md"])
def test_markdown_of_a_selection_reads_back_as_those_exchanges(sample, tmp_path, name):
    trace = read_trace(str(sample(name)))
    chosen = list(range(1, len(trace.exchanges), 3))
    back = _read_text(tmp_path, markdown_export.markdown(trace, chosen))
    assert back.warnings == []
    expected = [_facts(trace, trace.exchanges[i]) for i in chosen]
    assert [_facts(back, x) for x in back.exchanges] == expected


def test_markdown_selection_keeps_file_order_of_records(sample, tmp_path):
    trace = read_trace(str(sample("server-create.md")))
    child = next(x for x in trace.exchanges if x.parent is not None)
    parent = trace.exchanges[child.parent]
    back = _read_text(tmp_path, markdown_export.markdown(trace, [child.index, parent.index]))
    # A child call happens while its parent is handled: its records sit between the parent's.
    nested = (parent.request, child.request, child.response, parent.response)
    assert [(r.kind, r.target) for r in back.records] == [(r.kind, r.target) for r in nested]
    assert back.exchanges[1].parent == 0


TRICKY = """
### POST /things
`client` --> `api`

=== "Header"
    ``` http
    Host: example.test
    Accept:
    X-Requestshook-Request-Id: r1
    ```

=== "Body"
    ``` json
    first line
<six spaces>
    \tindented by a tab

    after a blank line
    ```

### 201 Created /things
`client` <-- `api`

=== "Header"
    ``` http
    X-Requestshook-Request-Id: r1
    ```

=== "Body"
    ``` json
    none
    ```

### GET /never/answered
`client` --> `api`

=== "Header"
    ``` http
    X-Requestshook-Request-Id: r2
    ```

=== "Body"
    ``` json
    none
    ```

### 500 Internal Server Error /lost
`api` <-- `db`

=== "Header"
    ``` http
    X-Requestshook-Request-Id: r3
    ```

=== "Body"
    ``` json
    {"a": 1, "a": 2}
    ```
""".replace("<six spaces>", " " * 6)


def test_markdown_round_trip_of_awkward_records(tmp_path):
    """Whitespace-only body lines, empty header values, no response, a response orphan."""
    trace = _read_text(tmp_path, TRICKY, "tricky.md")
    assert "  " in trace.source.body(trace.exchanges[0].request).split("\n")
    assert trace.exchanges[1].response is None and len(trace.orphan_records) == 1
    back = _read_text(tmp_path, markdown_export.markdown(trace))
    assert [_facts(back, x) for x in back.exchanges] == [_facts(trace, x) for x in trace.exchanges]
    assert len(back.records) == len(trace.records) == 4
    orphan, orphan_back = (t.records[t.orphan_records[0]] for t in (trace, back))
    assert (orphan_back.status, orphan_back.src, orphan_back.dst) == (500, "api", "db")
    assert back.source.body(orphan_back) == trace.source.body(orphan)


# --- json ----------------------------------------------------------------------------------


def _json_body_matches(record_json: dict, original: str) -> bool:
    kind, body = record_json["body_kind"], record_json["body"]
    if kind == "empty":
        return body is None and original == ""
    if kind == "json":
        return body == json.loads(original)
    return body == original


@pytest.mark.parametrize("path", TRACES)
def test_json_reads_back_as_the_same_exchanges(path):
    trace = read_trace(str(path))
    document = json.loads(json_export.json(trace))
    assert document["source"] == trace.path
    assert document["format"] == trace.format
    assert document["services"] == trace.services
    assert len(document["warnings"]) == len(trace.warnings)
    assert len(document["exchanges"]) == len(trace.exchanges)
    source = trace.source
    for item, exchange in zip(document["exchanges"], trace.exchanges):
        request, response = exchange.request, exchange.response
        assert (item["index"], item["parent"]) == (exchange.index, exchange.parent)
        assert (item["src"], item["dst"]) == (request.src, request.dst)
        got = item["request"]
        assert (got["method"], got["target"]) == (request.method, request.target)
        assert [tuple(pair) for pair in got["headers"]] == list(source.headers(request))
        assert _json_body_matches(got, source.body(request))
        assert (item["response"] is None) == (response is None)
        if response is not None:
            got = item["response"]
            assert (got["status"], got["reason"]) == (response.status, response.reason)
            assert [tuple(pair) for pair in got["headers"]] == list(source.headers(response))
            assert _json_body_matches(got, source.body(response))


def test_json_parses_json_bodies_and_keeps_the_rest_raw(sample):
    trace = read_trace(str(sample("image-create.md")))
    document = json.loads(json_export.json(trace))
    records = [x["request"] for x in document["exchanges"]]
    records += [x["response"] for x in document["exchanges"] if x["response"]]
    kinds = {record["body_kind"] for record in records}
    assert {"empty", "json", "binary"} <= kinds
    binary = next(record for record in records if record["body_kind"] == "binary")
    assert binary["body"].startswith("b'QFI")
    token = next(record for record in records if record["target"] == "/identity/v3/auth/tokens")
    assert isinstance(token["body"], dict)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('{"a": 1, "a": 2}', "text"),  # a dict would drop the first value
        ('{"n": NaN}', "text"),  # json.dumps would write invalid JSON
        ('{"n": 1e999}', "text"),
        ("1" * 5000, "text"),  # over Python's int digit limit
        ("[" * 500 + "]" * 500, "text"),
        ('"just a string"', "json"),
        ("null", "json"),
        ("plain words", "text"),
        ("", "empty"),
        ("b'\\x00\\x01'...", "binary"),
    ],
)
def test_parse_body_keeps_only_bodies_that_survive_a_round_trip(body, kind):
    got_kind, value = json_export.parse_body(body)
    assert got_kind == kind
    if kind == "json":
        assert json.loads(json.dumps(value)) == json.loads(body)
    elif kind != "empty":
        assert value == body


def test_json_of_a_selection_and_the_orphans(tmp_path):
    trace = _read_text(tmp_path, TRICKY, "tricky.md")
    whole = json.loads(json_export.json(trace))
    assert [o["status"] for o in whole["orphan_responses"]] == [500]
    assert whole["orphan_responses"][0]["body_kind"] == "text"
    assert whole["exchanges"][1]["response"] is None
    part = json.loads(json_export.json(trace, [1]))
    assert [x["index"] for x in part["exchanges"]] == [1]
    assert "orphan_responses" not in part


# --- har -----------------------------------------------------------------------------------

# HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): required and optional fields of
# each object. Anything else must be a custom field, whose name starts with "_".
HAR_FIELDS = {
    "log": ({"version", "creator", "entries"}, {"browser", "pages", "comment"}),
    "creator": ({"name", "version"}, {"comment"}),
    "entry": (
        {"startedDateTime", "time", "request", "response", "cache", "timings"},
        {"pageref", "serverIPAddress", "connection", "comment"},
    ),
    "request": (
        {
            "method",
            "url",
            "httpVersion",
            "cookies",
            "headers",
            "queryString",
            "headersSize",
            "bodySize",
        },
        {"postData", "comment"},
    ),
    "response": (
        {
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        },
        {"comment"},
    ),
    "cookie": ({"name", "value"}, {"path", "domain", "expires", "httpOnly", "secure", "comment"}),
    "pair": ({"name", "value"}, {"comment"}),
    "postData": ({"mimeType"}, {"params", "text", "comment"}),
    "content": ({"size", "mimeType"}, {"compression", "text", "encoding", "comment"}),
    "cache": (set(), {"beforeRequest", "afterRequest", "comment"}),
    "timings": (
        {"send", "wait", "receive"},
        {"blocked", "dns", "connect", "ssl", "comment"},
    ),
}


def _check(obj, kind: str, where: str) -> None:
    required, optional = HAR_FIELDS[kind]
    assert isinstance(obj, dict), where
    missing = required - obj.keys()
    assert not missing, f"{where}: missing {sorted(missing)}"
    unknown = {k for k in obj.keys() - required - optional if not k.startswith("_")}
    assert not unknown, f"{where}: not in HAR 1.2 and not custom: {sorted(unknown)}"
    for key, value in obj.items():
        if key == "comment":
            assert isinstance(value, str), where


def _check_pairs(items, kind: str, where: str) -> None:
    assert isinstance(items, list), where
    for item in items:
        _check(item, kind, where)
        assert isinstance(item["name"], str) and isinstance(item["value"], str), where


def validate_har(document: dict) -> None:
    """Assert `document` has the structure HAR 1.2 requires."""
    assert set(document) == {"log"}
    log = document["log"]
    _check(log, "log", "log")
    assert log["version"] == "1.2"
    _check(log["creator"], "creator", "creator")
    assert isinstance(log["entries"], list)
    for number, entry in enumerate(log["entries"]):
        where = f"entries[{number}]"
        _check(entry, "entry", where)
        started = entry["startedDateTime"].replace("Z", "+00:00")
        assert datetime.fromisoformat(started).tzinfo is not None, where
        request, response = entry["request"], entry["response"]
        _check(request, "request", where + ".request")
        assert isinstance(request["method"], str) and request["method"]
        url = urlsplit(request["url"])
        assert url.scheme in ("http", "https") and url.netloc, f"{where}: URL not absolute"
        assert isinstance(request["httpVersion"], str)
        _check_pairs(request["cookies"], "cookie", where + ".request.cookies")
        _check_pairs(request["headers"], "pair", where + ".request.headers")
        _check_pairs(request["queryString"], "pair", where + ".request.queryString")
        if "postData" in request:
            post = request["postData"]
            _check(post, "postData", where + ".postData")
            assert ("text" in post) != ("params" in post), "text and params are exclusive"
        _check(response, "response", where + ".response")
        assert isinstance(response["status"], int)
        assert isinstance(response["statusText"], str)
        assert isinstance(response["redirectURL"], str)
        _check_pairs(response["cookies"], "cookie", where + ".response.cookies")
        _check_pairs(response["headers"], "pair", where + ".response.headers")
        _check(response["content"], "content", where + ".content")
        assert isinstance(response["content"]["size"], int)
        assert isinstance(response["content"]["mimeType"], str)
        for message in (request, response):
            for size in ("headersSize", "bodySize"):
                assert isinstance(message[size], int) and message[size] >= -1, where
        _check(entry["cache"], "cache", where + ".cache")
        timings = entry["timings"]
        _check(timings, "timings", where + ".timings")
        for name in ("send", "wait", "receive"):
            assert isinstance(timings[name], (int, float)) and timings[name] >= 0, where
        for name in ("blocked", "dns", "connect", "ssl"):
            if name in timings:
                assert timings[name] == -1 or timings[name] >= 0, where
        spent = sum(v for k, v in timings.items() if k != "comment" and v != -1)
        assert entry["time"] == spent, f"{where}: time is not the sum of the timings"


@pytest.mark.parametrize("path", TRACES)
def test_har_is_valid_har_1_2(path):
    trace = read_trace(str(path))
    document = json.loads(har_export.har(trace))
    validate_har(document)
    entries = document["log"]["entries"]
    assert len(entries) == len(trace.exchanges)
    assert [(e["_src"], e["_dst"]) for e in entries] == [
        (x.request.src, x.request.dst) for x in trace.exchanges
    ]
    starts = [e["startedDateTime"] for e in entries]
    assert starts == sorted(starts), "viewers sort by start time: trace order must survive"
    for entry, exchange in zip(entries, trace.exchanges):
        request = entry["request"]
        assert request["method"] == exchange.request.method
        assert urlsplit(request["url"]).path == urlsplit(exchange.request.target).path
        assert entry["response"]["status"] == (exchange.status or 0)
        headers = [(h["name"], h["value"]) for h in request["headers"]]
        assert headers == list(trace.source.headers(exchange.request))


def test_har_urls_come_from_the_host_header_or_the_log(sample):
    md = json.loads(har_export.har(read_trace(str(sample("image-show.md")))))
    log_trace = read_trace(str(sample("image-show.log")))
    log = json.loads(har_export.har(log_trace))
    assert [e["request"]["url"] for e in md["log"]["entries"]] == [
        x.request.target for x in log_trace.exchanges
    ]
    assert [e["request"]["url"] for e in log["log"]["entries"]] == [
        x.request.target for x in log_trace.exchanges
    ]


def test_har_keeps_no_fake_timings_or_binary_text(sample):
    trace = read_trace(str(sample("image-create.md")))
    document = json.loads(har_export.har(trace))
    assert "timestamps" in document["log"]["_tracetui"]["startedDateTime"]
    for entry in document["log"]["entries"]:
        assert entry["startedDateTime"].startswith("1970-01-01T00:00:00.")
        assert entry["time"] == 0
        assert "comment" in entry["timings"]
    uploads = [e for e in document["log"]["entries"] if e["request"]["method"] == "PUT"]
    post = uploads[0]["request"]["postData"]
    assert post["text"] == "" and "binary" in post["comment"]
    assert uploads[0]["request"]["bodySize"] == 21233664
    assert uploads[0]["request"]["_tracetui"]["loggedBody"].startswith("b'QFI")


def test_har_of_an_unanswered_request_is_still_valid(tmp_path):
    trace = _read_text(tmp_path, TRICKY, "tricky.md")
    document = json.loads(har_export.har(trace))
    validate_har(document)
    assert document["log"]["entries"][1]["response"]["status"] == 0
    empty = next(
        c for c in document["log"]["entries"][0]["request"]["headers"] if c["name"] == "Accept"
    )
    assert empty["value"] == ""


# --- mermaid -------------------------------------------------------------------------------

_PARTICIPANT = re.compile(r"participant (\S+)(?: as (.+))?\Z")
# Message text may hold `#NN;` entities, which mermaid decodes, but no other `#` or `;`.
_MESSAGE = re.compile(
    r"([^\s>:;#-](?:[^>:;#]*[^\s>:;#-])?)(->>|-->>)([^\s:;#]+): ((?:[^;#]|#\d+;)*)\Z"
)


def check_mermaid(text: str) -> list[tuple[str, str, str, str]]:
    """Structural check of a sequenceDiagram; returns (src, arrow, dst, text) per message."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "sequenceDiagram"
    declared: set[str] = set()
    messages = []
    for line in lines[1:]:
        body = line.strip()
        participant = _PARTICIPANT.match(body)
        if participant:
            assert not messages, "participants come first"
            assert participant.group(1) not in declared
            declared.add(participant.group(1))
            continue
        message = _MESSAGE.match(body)
        assert message, f"not a participant or message line: {line!r}"
        src, arrow, dst, what = message.groups()
        assert src in declared and dst in declared, f"undeclared participant in {line!r}"
        messages.append((src, arrow, dst, what))
    return messages


@pytest.mark.parametrize("path", TRACES)
def test_mermaid_is_a_well_formed_sequence_diagram(path):
    trace = read_trace(str(path))
    messages = check_mermaid(mermaid_export.mermaid(trace))
    assert len(messages) == len(trace.records)
    for (src, arrow, dst, what), record in zip(messages, trace.records):
        if record.is_request:
            assert (src, arrow, dst) == (record.src, "->>", record.dst)
            assert what.split(" ")[0] == record.method
        else:
            assert (src, arrow, dst) == (record.dst, "-->>", record.src)
            assert what.startswith(f"{record.status} ")


def test_mermaid_matches_the_hook_diagram_lines(sample):
    """requestshook's own diagram.md lines for this run, as the hook writes them."""
    trace = read_trace(str(sample("image-show.log")))
    lines = mermaid_export.mermaid(trace).split("\n")
    assert "    openstack->>keystone: GET /identity/" in lines
    assert "    keystone-->>openstack: 300 MULTIPLE CHOICES /identity/" in lines
    assert (
        "    glance-api-->>openstack: 200 OK /v2/images/" + ("a42bfade-78ec-4c95-b7b4-272ba265072c")
        in lines
    )


def test_mermaid_of_a_selection_declares_only_its_services(sample):
    trace = read_trace(str(sample("server-create.md")))
    chosen = [x.index for x in trace.exchanges if x.request.dst == "placement-api"][:2]
    messages = check_mermaid(mermaid_export.mermaid(trace, chosen))
    assert len(messages) == 4
    participants = [
        line for line in mermaid_export.mermaid(trace, chosen).split("\n") if "participant" in line
    ]
    assert len(participants) == len({m[0] for m in messages} | {m[2] for m in messages})


def test_mermaid_aliases_names_it_would_misread(tmp_path):
    """Keywords (also before `-`), `;` and `#` break mermaid; aliases must not collide."""
    text = TRICKY.replace("`api` <-- `db`", "`service1` <-- `a;b#c`")
    text = text.replace("`client`", "`end`").replace("`api`", "`opt-x`")
    text = text.replace("/lost", "/x;y")
    trace = _read_text(tmp_path, text, "names.md")
    diagram = mermaid_export.mermaid(trace)
    messages = check_mermaid(diagram)
    assert len(messages) == len(trace.records)
    assert "participant end" not in diagram and "participant opt-x" not in diagram
    assert "participant service1\n" in diagram
    assert "a#59;b#35;c" in diagram and "/x#59;y" in diagram
    declared = re.findall(r"(?m)^    participant (\S+)", diagram)
    assert len(declared) == len(set(declared)) == 4


# --- curl ----------------------------------------------------------------------------------


def _parse_curl(command: str) -> tuple[dict, list[str]]:
    """Split a command as a shell would; return its parts and the comment lines before it."""
    comments = [line for line in command.split("\n") if line.startswith("#")]
    code = "\n".join(line for line in command.split("\n") if not line.startswith("#"))
    words = shlex.split(code.replace("\\\n", ""))
    assert words[0] == "curl"
    parsed: dict = {"method": "GET", "headers": [], "data": None, "url": None, "flags": []}
    rest = iter(words[1:])
    for word in rest:
        if word == "-X":
            parsed["method"] = next(rest)
        elif word == "--head":
            parsed["method"] = "HEAD"
        elif word == "-H":
            parsed["headers"].append(next(rest))
        elif word == "--data-binary":
            parsed["data"] = next(rest)
        elif word.startswith("-"):
            parsed["flags"].append(word)
        else:
            assert parsed["url"] is None, "one URL per command"
            parsed["url"] = word
    return parsed, comments


def _expected_url(trace, request) -> str:
    if request.target.startswith("http"):
        return request.target
    return "http://" + trace.source.header(request, "Host") + request.target


@pytest.mark.parametrize("path", TRACES)
def test_curl_commands_carry_method_url_headers_and_body(path):
    trace = read_trace(str(path))
    hook_headers = {"x-requestshook-request-id", "x-requestshook-request-from"}
    for exchange in trace.exchanges:
        request = exchange.request
        parsed, comments = _parse_curl(curl_export.curl_command(trace, exchange.index))
        assert parsed["method"] == request.method
        assert parsed["url"] == _expected_url(trace, request)
        headers = trace.source.headers(request)
        expected = [
            f"{name}: {value}" if value else f"{name};"
            for name, value in headers
            if name.lower() not in curl_export.CURL_SKIPPED_HEADERS
        ]
        assert parsed["headers"] == expected
        assert not any(h.split(":")[0].lower() in hook_headers for h in parsed["headers"])
        if trace.source.header(request, "X-Auth-Token"):
            assert any(h.startswith("X-Auth-Token: ") for h in parsed["headers"])
        body = trace.source.body(request)
        if body.startswith("b'"):
            assert parsed["data"] is None
            assert any("binary" in comment for comment in comments)
        else:
            assert parsed["data"] == (body or None)


def test_curl_command_on_one_line_for_a_clipboard(sample):
    trace = read_trace(str(sample("image-show.md")))
    for exchange in trace.exchanges:
        command = curl_export.curl_command(trace, exchange.index, multiline=False)
        assert "\\\n" not in command
        assert _parse_curl(command) == _parse_curl(curl_export.curl_command(trace, exchange.index))


def test_curl_export_lists_every_request_once(sample):
    trace = read_trace(str(sample("image-create.md")))
    text = curl_export.curl(trace)
    assert text.count("\ncurl ") + text.startswith("curl ") == len(trace.exchanges)
    assert len(re.findall(r"(?m)^# \[\d+\] ", text)) == len(trace.exchanges)


def test_curl_commands_parse_the_same_in_a_real_shell(sample):
    """bash, not shlex, is the real judge of the quoting."""
    trace = read_trace(str(sample("server-create.md")))
    indices = [x.index for x in trace.exchanges if x.request.method in ("POST", "PUT")][:6]
    script = "curl() { printf '%s\\0' \"$@\"; printf '\\1'; }\n" + curl_export.curl(trace, indices)
    result = subprocess.run(["bash", "-c", script], capture_output=True, check=True, timeout=10)
    runs = result.stdout.decode().split("\1")[:-1]
    assert len(runs) == len(indices)
    for run, index in zip(runs, indices):
        argv = ["curl", *run.split("\0")[:-1]]
        expected, _ = _parse_curl(curl_export.curl_command(trace, index))
        parsed, _ = _parse_curl(shlex.join(argv))
        assert parsed == expected


# --- redaction hook and selection ----------------------------------------------------------

SECRET_HEADERS = {"x-auth-token", "x-subject-token"}


def _hide(trace, record):
    """A redactor in the shape exports take: (target, headers, body) of a record."""
    headers = tuple(
        (n, "***" if n.lower() in SECRET_HEADERS else v) for n, v in trace.source.headers(record)
    )
    body = re.sub(r'"password": "[^"]*"', '"password": "***"', trace.source.body(record))
    return f"/hidden/{record.line}", headers, body


@pytest.mark.parametrize("fmt", registry.names(folders=False))
def test_exports_pass_targets_headers_and_bodies_through_the_redactor(sample, fmt):
    trace = read_trace(str(sample("server-create.md")))
    token = trace.source.header(trace.exchanges[1].response, "X-Subject-Token")
    plain = registry.export(trace, fmt)
    text = registry.export(trace, fmt, redact=_hide)
    for exchange in trace.exchanges:
        assert f"/hidden/{exchange.request.line}" in text
    if fmt not in ("mermaid", "otlp"):  # the diagram and the spans carry no headers or bodies
        assert token in plain and "asdf" in plain
        assert token not in text and "asdf" not in text  # the only password in this trace
        assert "***" in text


def test_bad_selection_and_format_are_refused(sample):
    trace = read_trace(str(sample("image-show.md")))
    with pytest.raises(ValueError, match="no exchange 99"):
        json_export.json(trace, [99])
    with pytest.raises(ValueError, match="unknown export format"):
        registry.export(trace, "pdf")


# --- command line --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", registry.names(folders=False))
def test_cli_writes_each_format_to_stdout(sample, capsys, fmt):
    path = str(sample("image-show.md"))
    assert main(["export", path, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out == registry.export(read_trace(path), fmt)


def test_cli_writes_to_a_file(sample, tmp_path, capsys):
    out = tmp_path / "trace.har"
    assert main(["export", str(sample("image-show.log")), "-f", "har", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    validate_har(json.loads(out.read_text(encoding="utf-8")))


def test_cli_markdown_output_loads_back(sample, tmp_path):
    out = tmp_path / "cut.md"
    assert main(["export", str(sample("server-create.md")), "-f", "markdown", "-o", str(out)]) == 0
    assert len(read_trace(str(out)).exchanges) == 55


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda s, t: [str(t / "missing.md"), "-f", "json"], "no such file"),
        (lambda s, t: [str(s("README.md")), "-f", "json"], "no requestshook records"),
        (lambda s, t: [str(s("image-show.md")), "-f", "json", "-o", str(t)], "is a directory"),
        (
            lambda s, t: [str(s("image-show.md")), "-f", "json", "-o", str(s("image-show.md"))],
            "is the trace being exported",
        ),
        (
            lambda s, t: [str(s("image-show.md")), "-f", "json", "-o", str(t / "no" / "x.json")],
            "No such file or directory",
        ),
    ],
)
def test_cli_errors_are_one_line_with_status_2(sample, tmp_path, capsys, make_args, message):
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["export", *make_args(sample, tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("fmt", ["json", "markdown", "har", "curl"])
def test_cli_redact_hides_every_secret_the_redactor_knows(sample, capsys, fmt):
    path = str(sample("server-create.md"))
    assert main(["export", path, "-f", fmt, "--redact"]) == 0
    out = capsys.readouterr().out
    secrets = secret_values(read_trace(path))
    assert len(secrets) > 3
    assert [s for s in secrets if s in out] == []
    assert "<token-1>" in out


def test_cli_redacted_markdown_still_loads_as_the_same_calls(sample, tmp_path):
    out = tmp_path / "shared.md"
    path = str(sample("server-create.md"))
    assert main(["export", path, "-f", "markdown", "--redact", "-o", str(out)]) == 0
    trace, shared = read_trace(path), read_trace(str(out))
    assert shared.warnings == []
    assert [
        (x.request.src, x.request.dst, x.request.method, x.status) for x in shared.exchanges
    ] == [(x.request.src, x.request.dst, x.request.method, x.status) for x in trace.exchanges]


def test_cli_filter_exports_only_the_matching_exchanges(sample, capsys):
    path = str(sample("server-create.md"))
    assert main(["export", path, "-f", "json", "--filter", "dst:placement-api"]) == 0
    document = json.loads(capsys.readouterr().out)
    trace = read_trace(path)
    expected = [x.index for x in trace.exchanges if x.request.dst == "placement-api"]
    assert len(expected) > 1
    assert [x["index"] for x in document["exchanges"]] == expected


def test_cli_filter_cuts_a_trace_down_to_a_loadable_body_md(sample, tmp_path):
    path, out = str(sample("server-create-run2.md")), tmp_path / "failures.md"
    assert main(["export", path, "-f", "markdown", "--filter", "status:>=400", "-o", str(out)]) == 0
    trace, cut = read_trace(path), read_trace(str(out))
    failed = [x for x in trace.exchanges if x.failed]
    assert failed and cut.warnings == []
    assert [_facts(cut, x) for x in cut.exchanges] == [_facts(trace, x) for x in failed]


def test_cli_filter_that_matches_nothing_writes_nothing(sample, tmp_path, capsys):
    out = tmp_path / "none.json"
    args = ["export", str(sample("image-show.md")), "-f", "json", "-o", str(out)]
    assert main([*args, "--filter", "svc:no-such-service"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "no exchange matches" in captured.err
    assert not out.exists()


def test_cli_bad_filter_is_one_line_with_status_2(sample, capsys):
    path = str(sample("image-show.md"))
    assert main(["export", path, "-f", "json", "--filter", "bogus:field"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "--filter" in captured.err


def test_cli_escapes_terminal_controls_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    hostile = TRICKY.replace("after a blank line", "\x1b]0;pwned\x07\x1b[2J")
    path = tmp_path / "hostile.md"
    path.write_text(hostile, encoding="utf-8")
    out = tmp_path / "copy.md"
    assert main(["export", str(path), "-f", "markdown", "-o", str(out)]) == 0
    assert "\x1b[2J" in out.read_text(encoding="utf-8")  # a file keeps the trace as it was
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["export", str(path), "-f", "markdown"]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b[2J" in shown


def test_cli_refuses_an_unknown_format(sample, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["export", str(sample("image-show.md")), "--format", "pdf"])
    assert stop.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
