"""Search and filter over traces: semantics on the samples, the fast byte scanner against a
slow reference over decoded text, following a value, highlighting, and `tracetui grep`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TRACE_FILES
from tui.cli import main
from tui.query.follow import follow_value, value_places
from tui.query.language import parse_query, parse_search
from tui.query.match import highlight_spans, matches
from tui.query.search import all_matches, iter_matches
from tui.readers import TraceReader, read_trace
from tui.readers.source import decode_span

# --- an independent reference: decode everything, then search plain strings -------------


def exchange_texts(trace, exchange) -> list[str]:
    """Everything a text search looks at in one exchange, decoded."""
    request, response = exchange.request, exchange.response
    texts = [request.method, request.target, request.src, request.dst]
    records = [request]
    if response is not None:
        texts += [str(response.status), response.reason, response.target]
        records.append(response)
    for record in records:
        if record.headers is not None:
            texts.append(decode_span(trace.source.buffer, record.headers))
        texts.append(trace.source.body(record))
    return [text for text in texts if text]


def reference(trace, found) -> list[int]:
    """Exchanges where `found(text)` is true for one of their decoded texts."""
    return [e.index for e in trace.exchanges if any(map(found, exchange_texts(trace, e)))]


def bodies(trace, exchange) -> list[str]:
    records = [exchange.request] + ([exchange.response] if exchange.response else [])
    return [trace.source.body(record) for record in records]


def headers(trace, exchange) -> list[tuple[str, str]]:
    records = [exchange.request] + ([exchange.response] if exchange.response else [])
    return [pair for record in records for pair in trace.source.headers(record)]


def smart_case_finder(text: str):
    if any(char.isupper() for char in text):
        return lambda haystack: text in haystack
    return lambda haystack: re.search(re.escape(text), haystack, re.IGNORECASE) is not None


@pytest.fixture(scope="module")
def server_create():
    return read_trace(str(Path(__file__).parent.parent / "sample_traces" / "server-create.md"))


@pytest.fixture(scope="module")
def run2():
    return read_trace(str(Path(__file__).parent.parent / "sample_traces" / "server-create-run2.md"))


def admin_token(trace) -> str:
    token = trace.source.header(trace.exchanges[1].response, "X-Subject-Token")
    assert token and len(token) > 100
    return token


# --- following the admin token --------------------------------------------------------------


def test_admin_token_is_found_where_issued_and_everywhere_it_is_used(server_create):
    token = admin_token(server_create)
    holders = reference(server_create, lambda text: token in text)
    assert 1 in holders and len(holders) > 5
    assert all_matches(server_create, parse_search(token)) == holders

    followed = follow_value(server_create, token)
    assert followed.origin == 1
    assert sorted((followed.origin, *followed.uses)) == holders
    assert value_places(server_create, server_create.exchanges[1], token) == [
        "response header X-Subject-Token"
    ]
    for index in followed.uses:
        places = value_places(server_create, server_create.exchanges[index], token)
        assert places, index
        assert any(place.startswith("request ") for place in places)


def test_a_created_resource_is_followed_from_the_post_that_created_it(server_create):
    # The server id appears first in the 202 of POST /servers: that call issued it.
    post = next(
        e for e in server_create.exchanges if e.request.method == "POST" and e.status == 202
    )
    server_id = json.loads(server_create.source.body(post.response))["server"]["id"]
    followed = follow_value(server_create, server_id)
    assert followed.origin == post.index
    holders = reference(server_create, lambda text: server_id in text)
    assert sorted((followed.origin, *followed.uses)) == holders
    assert all(index > post.index for index in followed.uses)


def test_follow_value_of_an_absent_or_empty_value(server_create):
    assert follow_value(server_create, "no-such-value-anywhere") == (
        "no-such-value-anywhere",
        None,
        (),
    )
    assert follow_value(server_create, "").origin is None


def test_follow_value_can_be_cancelled(server_create):
    assert follow_value(server_create, "keystone", cancelled=lambda: True) is None


# --- filter fields on the samples -------------------------------------------------------------


def test_status_filters_reach_every_failure(run2):
    failed = [e.index for e in run2.exchanges if e.status is not None and e.status >= 400]
    assert failed
    assert all_matches(run2, parse_query("status:>=400")) == failed
    assert all_matches(run2, parse_query("status:5xx")) == [
        e.index for e in run2.exchanges if e.status is not None and 500 <= e.status < 600
    ]
    assert all_matches(run2, parse_query("!status:<400")) == failed


def test_service_and_method_filters(server_create):
    exchanges = server_create.exchanges
    assert all_matches(server_create, parse_query("svc:keystone")) == [
        e.index for e in exchanges if "keystone" in (e.request.src, e.request.dst)
    ]
    assert all_matches(server_create, parse_query("!dst:neutron-server method:GET")) == [
        e.index
        for e in exchanges
        if e.request.dst != "neutron-server" and e.request.method == "GET"
    ]
    assert all_matches(server_create, parse_query("dst:nova* src:nova-*")) == [
        e.index
        for e in exchanges
        if e.request.dst.startswith("nova") and e.request.src.startswith("nova-")
    ]


def test_path_filter_as_text_and_as_glob_on_both_formats(sample):
    for name in ("image-show.md", "image-show.log"):
        trace = read_trace(str(sample(name)))
        assert all_matches(trace, parse_query("path:/images")) == [
            e.index for e in trace.exchanges if "/images" in e.request.target.lower()
        ]
        # A glob is matched against the path: the log's `http://host` does not get in the way.
        glob = all_matches(trace, parse_query("path:/identity/v3/*"))
        assert glob == [
            e.index
            for e in trace.exchanges
            if urlsplit(e.request.target).path.startswith("/identity/v3/")
        ]
        assert glob


def test_header_filters(server_create):
    exchanges = server_create.exchanges
    assert all_matches(server_create, parse_query("header:X-Auth-Token")) == [
        e.index
        for e in exchanges
        if any(name.lower() == "x-auth-token" for name, _ in headers(server_create, e))
    ]
    assert all_matches(server_create, parse_query('header:"Content-Type=application/json"')) == [
        e.index
        for e in exchanges
        if any(
            name.lower() == "content-type" and "application/json" in value
            for name, value in headers(server_create, e)
        )
    ]
    assert all_matches(server_create, parse_query("header:*-Token=re:^gAAAA")) == [
        e.index
        for e in exchanges
        if any(
            name.lower().endswith("-token") and value.startswith("gAAAA")
            for name, value in headers(server_create, e)
        )
    ]


def test_body_filter_and_negation(server_create):
    exchanges = server_create.exchanges
    with_pass = [
        e.index for e in exchanges if any("adminPass" in b for b in bodies(server_create, e))
    ]
    assert with_pass
    assert all_matches(server_create, parse_query("body:adminPass")) == with_pass
    assert all_matches(server_create, parse_query("!body:adminPass")) == [
        e.index for e in exchanges if e.index not in with_pass
    ]


def test_status_none_matches_requests_without_response(tmp_path):
    path = tmp_path / "cut.md"
    path.write_text(
        markdown_trace([exchange_spec(0, response=False), exchange_spec(1)]), encoding="utf-8"
    )
    trace = read_trace(str(path))
    assert all_matches(trace, parse_query("status:none")) == [0]
    assert all_matches(trace, parse_query("!status:none")) == [1]


# --- text search on the samples ---------------------------------------------------------------


def test_smart_case(server_create):
    lower = all_matches(server_create, parse_search("adminpass"))
    exact = all_matches(server_create, parse_search("adminPass"))
    assert lower == reference(server_create, lambda text: "adminpass" in text.lower())
    assert exact == reference(server_create, lambda text: "adminPass" in text)
    assert all_matches(server_create, parse_search("ADMINPASS")) == reference(
        server_create, lambda text: "ADMINPASS" in text
    )


def test_regex_search_with_anchors_on_decoded_lines(server_create):
    # Raw lines of body.md are indented; `^` anchors the lines as shown.
    found = all_matches(server_create, parse_search("re:^X-Subject-Token: gAAAA"))
    expected = reference(
        server_create, lambda text: re.search("^X-Subject-Token: gAAAA", text, re.M) is not None
    )
    assert found == expected
    assert found


def test_a_none_body_is_empty_and_indentation_is_not_text(server_create):
    # Every empty body is written `none` and every body.md line is indented: neither counts.
    assert all_matches(server_create, parse_search("none")) == reference(
        server_create, lambda text: "none" in text.lower()
    )
    assert all_matches(server_create, parse_search('    "auth"')) == reference(
        server_create, lambda text: '    "auth"' in text
    )


def test_binary_bodies_are_searchable_as_logged(sample):
    trace = read_trace(str(sample("image-create.md")))
    found = all_matches(trace, parse_search("b'QFI"))
    assert found
    assert found == reference(trace, lambda text: "b'QFI" in text)


QUERIES = [
    "keystone",
    "Keystone",
    "CREATED",
    "201",
    "v2.1",
    "gzip, deflate",
    "Token: gAAAA",
    '  "name"',
    "re:[0-9a-f]{32}",
    r"re:\bport",
    r"re:vm-\d+",
    r're:"id": "[0-9a-f-]{36}"',
    "re:(?s)auth.*token",
    r"re:\s{3}\"auth",
    "re:[A-Z]{3}",
]


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_scanner_agrees_with_decoded_matching_on_every_sample(path):
    trace = read_trace(str(path))
    for text in QUERIES:
        query = parse_search(text)
        expected = [e.index for e in trace.exchanges if matches(trace, query, e)]
        assert all_matches(trace, query) == expected, text
        small_chunks = [i for batch in iter_matches(trace, query, batch_bytes=64) for i in batch]
        assert small_chunks == expected, text
        if not text.startswith("re:"):
            assert expected == reference(trace, smart_case_finder(text)), text
    filters = ["svc:keystone status:>=400", "!dst:neutron-server method:GET", "header:vary"]
    for text in filters:
        query = parse_query(text)
        expected = [e.index for e in trace.exchanges if matches(trace, query, e)]
        assert all_matches(trace, query) == expected, text


# --- streaming, progress, cancelling --------------------------------------------------------


def test_batches_come_in_order_with_progress(server_create):
    seen: list[float] = []
    batches = list(
        iter_matches(
            server_create, parse_search("keystone"), progress=seen.append, batch_bytes=4096
        )
    )
    assert len(batches) > 1
    flat = [index for batch in batches for index in batch]
    assert flat == sorted(flat) == all_matches(server_create, parse_search("keystone"))
    assert all(batches)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_cancelling_stops_the_scan(server_create):
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    batches = list(
        iter_matches(server_create, parse_search("keystone"), cancelled=cancelled, batch_bytes=4096)
    )
    everything = all_matches(server_create, parse_search("keystone"))
    got = [index for batch in batches for index in batch]
    assert got == everything[: len(got)]
    assert len(got) < len(everything)


def test_empty_query_matches_everything(server_create):
    assert all_matches(server_create, parse_query("")) == list(range(len(server_create.exchanges)))


# --- highlighting ---------------------------------------------------------------------------------


def test_highlight_spans_follow_smart_case_and_merge_overlaps():
    text = "Alpha alphabet ALPHA"
    assert highlight_spans(parse_search("alpha"), text) == [(0, 5), (6, 11), (15, 20)]
    assert highlight_spans(parse_search("ALPHA"), text) == [(15, 20)]
    assert highlight_spans(parse_query("alpha phab"), text) == [(0, 5), (6, 12), (15, 20)]
    assert highlight_spans(parse_search("re:a.p"), text) == [(0, 3), (6, 9), (15, 18)]
    assert highlight_spans(parse_search("re:A.p"), text) == [(0, 3)]
    assert highlight_spans(parse_search("re:x*"), text) == []
    assert highlight_spans(parse_query("!alpha"), text) == []


# --- tracetui grep ----------------------------------------------------------------------------


def test_grep_json_prints_one_object(capsys, sample):
    status = main(["grep", str(sample("server-create-run2.md")), "status:>=400", "--json"])
    out = capsys.readouterr().out
    document = json.loads(out)
    assert status == 0
    assert document["query"] == "status:>=400"
    trace = read_trace(str(sample("server-create-run2.md")))
    failed = [e for e in trace.exchanges if e.failed]
    assert document["matches"] == [
        {
            "index": e.index,
            "src": e.request.src,
            "dst": e.request.dst,
            "method": e.request.method,
            "path": e.request.target,
            "status": e.status,
        }
        for e in failed
    ]
    assert all(isinstance(match["status"], int) for match in document["matches"])


def test_grep_json_status_is_null_without_response(capsys, tmp_path):
    path = tmp_path / "cut.md"
    path.write_text(markdown_trace([exchange_spec(0, response=False)]), encoding="utf-8")
    assert main(["grep", str(path), "status:none", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["status"] is None


def test_grep_lines_and_exit_status(capsys, sample):
    path = str(sample("server-create.md"))
    token = admin_token(read_trace(path))
    assert main(["grep", path, token]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(all_matches(read_trace(path), parse_search(token)))
    assert "POST /identity/v3/auth/tokens" in lines[0]
    assert "openstack -> keystone" in lines[0]
    assert lines[0].split()[:2] == ["1", "201"]

    assert main(["grep", path, "svc:keystone status:>=400"]) == 1
    assert capsys.readouterr().out == ""
    assert main(["grep", path, "svc:keystone status:>=400", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["matches"] == []


def test_grep_bad_query_or_file_exits_2_with_one_line(capsys, sample, tmp_path):
    assert main(["grep", str(sample("server-create.md")), "colour:red"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unknown field" in error and "column 1" in error
    assert main(["grep", str(sample("server-create.md")), "re:(oops"]) == 2
    assert "invalid regex" in capsys.readouterr().err
    assert main(["grep", str(tmp_path / "missing.md"), "x"]) == 2
    assert "no such file" in capsys.readouterr().err
    not_a_trace = tmp_path / "notes.md"
    not_a_trace.write_text("just prose\n", encoding="utf-8")
    assert main(["grep", str(not_a_trace), "x", "--json"]) == 2


def test_grep_line_output_is_sanitized(capsys, tmp_path):
    path = tmp_path / "evil.md"
    path.write_text(
        markdown_trace([exchange_spec(0, target="/x\x1b[31mred", headers=[("A", "b")])]),
        encoding="utf-8",
    )
    assert main(["grep", str(path), "red"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


# --- the property: fast byte scanning == slow matching of decoded text -----------------


def exchange_spec(number, response=True, target=None, headers=(), body=None, reply=None):
    return {
        "number": number,
        "target": target or f"/v1/things/{number}",
        "headers": list(headers),
        "body": body,
        "response": response,
        "reply_headers": list(headers[::-1]),
        "reply": reply,
    }


def _block(lines: list[str], indent: str, crlf: bool) -> str:
    ending = "\r\n" if crlf else "\n"
    return "".join(f"{indent}{line}{ending}" for line in lines)


def markdown_trace(specs, crlf=False) -> str:
    out = []
    for spec in specs:
        rid = f"rid{spec['number']:04d}"
        target = spec["target"]
        records = [("GET " + target, "-->", spec["headers"], spec["body"])]
        if spec["response"]:
            records.append(("200 OK " + target, "<--", spec["reply_headers"], spec["reply"]))
        for heading, arrow, header_pairs, body in records:
            header_lines = [f"{name}: {value}" for name, value in header_pairs]
            header_lines.append(f"X-Requestshook-Request-Id: {rid}")
            body_lines = ["none"] if body is None else body
            out.append(
                f"### {heading}\n`nova-api` {arrow} `keystone`\n\n"
                f'=== "Header"\n    ``` http title="{heading}" linenums="1"\n'
                + _block(header_lines, "    ", crlf)
                + '    ```\n\n=== "Body"\n    ``` json\n'
                + _block(body_lines, "    ", crlf)
                + "    ```\n\n"
            )
    return "".join(out)


def log_trace(specs, crlf=False) -> str:
    out = []
    for spec in specs:
        rid = f"rid{spec['number']:04d}"
        url = "http://host" + spec["target"]
        records = [("REQ >>>", f"GET {url}", spec["headers"], spec["body"])]
        if spec["response"]:
            records.append(("RESP <<<", f"200 OK GET {url}", spec["reply_headers"], spec["reply"]))
        for direction, rest, header_pairs, body in records:
            header_lines = [f"{name}: {value}" for name, value in header_pairs]
            header_lines.append(f"X-Requestshook-Request-Id: {rid}")
            body_lines = ["none"] if body is None else body
            out.append(
                f"### (nova-api) {direction} (keystone) : {rest}\n"
                + _block(header_lines, "", crlf)
                + "\n"
                + _block(body_lines, "", crlf)
                + "\n\n"
            )
    return "".join(out)


# Characters chosen to trip a byte scanner: case pairs, spaces that meet body.md's
# indentation, tabs, quotes and `none`; and in half the traces also UTF-8, non-ASCII letters
# Python's re folds to ASCII (Kelvin sign, long s, dotless i) and a separator Python strips as
# a space, which make a record read differently as bytes.
PLAIN_ALPHABET = 'abkAKs ie-:{}"\t'
FULL_ALPHABET = PLAIN_ALPHABET + "é\u212a\u017f\u0131\x1c"
HEADER_NAMES = ["Vary", "X-Tok", "k-Name", "Aé"]


def words(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=6)


def exchanges(alphabet: str) -> st.SearchStrategy[list[dict]]:
    word = words(alphabet)
    lines = st.lists(
        st.one_of(word, st.just("none"), st.just(""), word.map(lambda w: "  " + w)),
        min_size=1,
        max_size=4,
    )
    values = st.text(alphabet=alphabet.replace("\x1c", ""), min_size=1, max_size=8).filter(
        lambda v: v.strip() and v == v.strip()
    )
    names = st.sampled_from([n for n in HEADER_NAMES if n.isascii() or alphabet == FULL_ALPHABET])
    pairs = st.lists(st.tuples(names, values), max_size=3)
    return st.lists(
        st.builds(
            lambda body, reply, pairs, response: {
                "body": body,
                "reply": reply,
                "headers": pairs,
                "reply_headers": pairs[::-1],
                "response": response,
            },
            st.one_of(st.none(), lines),
            st.one_of(st.none(), lines),
            pairs,
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    )


# A trace and a word to look for, drawn from the same alphabet.
TRACES_AND_WORDS = st.sampled_from([PLAIN_ALPHABET, FULL_ALPHABET]).flatmap(
    lambda alphabet: st.tuples(exchanges(alphabet), words(alphabet))
)
# Regexes by kind: literal-prefixed, classes, `\b`, anchors and multi-line ones (those run on
# decoded text), a negated class, `\s` (which counts \x1c as a space in str patterns).
REGEX_TEMPLATES = [
    "{w}",
    "{w}.?",
    "[ab]+{w}",
    r"\b{w}",
    r"{w}\s",
    "^{w}",
    "{w}$",
    "(?s){w}.*a",
    "[^a]{w}",
    r"\S{w}",
    "k|{w}",
]


def build_specs(raw_specs):
    return [
        {**spec, "number": number, "target": f"/v1/things/{number}"}
        for number, spec in enumerate(raw_specs)
    ]


def has_capitals_outside_escapes(pattern: str) -> bool:
    return any(char.isupper() for char in re.sub(r"\\.", "", pattern))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    trace_and_word=TRACES_AND_WORDS,
    fmt=st.sampled_from(["md", "log"]),
    crlf=st.booleans(),
    template=st.sampled_from([None, *REGEX_TEMPLATES]),
    field=st.sampled_from(["text", "body"]),
    batch=st.sampled_from([64, 1 << 19]),
    data=st.data(),
)
def test_byte_scanner_agrees_with_reference_over_decoded_text(
    trace_and_word, fmt, crlf, template, field, batch, data
):
    raw_specs, needle = trace_and_word
    specs = build_specs(raw_specs)
    written = [
        text
        for spec in specs
        for text in (spec["body"] or []) + (spec["reply"] or []) + [v for _, v in spec["headers"]]
        if text
    ]
    if written and data.draw(st.booleans(), label="needle from the trace"):
        # Half the time look for a piece of what was written, so that there are hits.
        text = data.draw(st.sampled_from(written), label="text")
        start = data.draw(st.integers(0, len(text) - 1), label="start")
        end = data.draw(st.integers(start + 1, min(len(text), start + 6)), label="end")
        needle = text[start:end]
    text = (markdown_trace if fmt == "md" else log_trace)(specs, crlf)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"trace.{fmt if fmt == 'log' else 'md'}"
        path.write_bytes(text.encode("utf-8"))
        trace = read_trace(str(path))
        assert len(trace.exchanges) == len(specs)
        if template is None:
            value = needle
            ignore_case = not any(char.isupper() for char in needle)
            flags = re.IGNORECASE if ignore_case else 0
            pattern = re.compile(re.escape(needle), flags)
        else:
            value = "re:" + template.format(w=re.escape(needle))
            flags = re.MULTILINE
            if not has_capitals_outside_escapes(value[3:]):
                flags |= re.IGNORECASE
            pattern = re.compile(value[3:], flags)
        if field == "text":
            query = parse_search(value)
            expected = reference(trace, lambda t: pattern.search(t) is not None)
        else:
            quoted = '"' + value.removeprefix("re:").replace("\\", "\\\\").replace('"', '\\"') + '"'
            query = parse_query("body:" + ("" if template is None else "re:") + quoted)
            expected = [
                e.index
                for e in trace.exchanges
                if any(b and pattern.search(b) for b in bodies(trace, e))
            ]
        found = [i for batch_ in iter_matches(trace, query, batch_bytes=batch) for i in batch_]
        assert found == expected
        assert [e.index for e in trace.exchanges if matches(trace, query, e)] == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    trace_and_word=TRACES_AND_WORDS,
    fmt=st.sampled_from(["md", "log"]),
    name=st.sampled_from(["Vary", "vary", "X-TOK", "k-name", "Aé", "*-Name", "X-*"]),
    with_value=st.booleans(),
)
def test_header_filter_agrees_with_parsed_headers(trace_and_word, fmt, name, with_value):
    raw_specs, word = trace_and_word
    value = word if with_value else None
    specs = build_specs(raw_specs)
    text = (markdown_trace if fmt == "md" else log_trace)(specs, crlf=False)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"trace.{fmt}"
        path.write_bytes(text.encode("utf-8"))
        trace = read_trace(str(path))
        term = f"header:{name}" if value is None else f"header:{name}={value}"
        query = parse_query('header:"' + term[7:].replace('"', '\\"') + '"')
        name_glob = re.compile(re.escape(name).replace(r"\*", ".*"), re.IGNORECASE)
        found_value = smart_case_finder(value) if value is not None else (lambda _v: True)
        expected = [
            e.index
            for e in trace.exchanges
            if any(name_glob.fullmatch(n) and found_value(v) for n, v in headers(trace, e))
        ]
        assert all_matches(trace, query) == expected


def test_a_trace_still_being_read_can_be_searched_and_searched_again(sample):
    reader = TraceReader(str(sample("server-create.md")))
    reader.read_batch(60_000)
    trace = reader.trace
    assert not trace.complete and trace.exchanges
    query = parse_query("keystone !status:none")
    partial = all_matches(trace, query)
    assert partial == [e.index for e in trace.exchanges if matches(trace, query, e)]
    reader.read_all()
    assert all_matches(trace, query) == [
        e.index for e in trace.exchanges if matches(trace, query, e)
    ]
    assert len(all_matches(trace, query)) > len(partial)


FILTER_TERMS = [
    "svc:keystone",
    "dst:nova*",
    "method:GET",
    "status:2xx",
    "status:>=300",
    "path:/v2",
    "path:/v2.0/*",
    "header:X-Auth-Token",
    'header:"Content-Type=json"',
    "header:*-id=re:^req-",
    "body:admin",
    "keystone",
    "Token",
    "none",
    "re:[0-9a-f]{32}",
    "re:^Vary",
]


@settings(max_examples=100, deadline=None)
@given(
    terms=st.lists(st.tuples(st.sampled_from(FILTER_TERMS), st.booleans()), max_size=3),
    batch=st.sampled_from([2048, 1 << 19]),
)
def test_filters_combine_as_and_with_negation(server_create, terms, batch):
    text = " ".join(("!" if negated else "") + term for term, negated in terms)
    query = parse_query(text)
    single = [
        [e.index for e in server_create.exchanges if matches(server_create, parse_query(t), e)]
        for t, _ in terms
    ]
    expected = [
        e.index
        for e in server_create.exchanges
        if all((e.index in hits) != negated for hits, (_, negated) in zip(single, terms))
    ]
    found = [i for batch_ in iter_matches(server_create, query, batch_bytes=batch) for i in batch_]
    assert found == expected


def test_search_modules_do_not_import_textual():
    code = (
        "import sys, tui.query.language, tui.query.search, tui.commands.grep\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_searching_while_the_reader_runs_in_another_thread(sample):
    reader = TraceReader(str(sample("server-create.md")))
    reader.read_batch(20_000)
    trace = reader.trace
    query = parse_query("keystone !status:none")
    reading = threading.Thread(target=lambda: [reader.read_batch(5_000) for _ in range(200)])
    reading.start()
    while reading.is_alive():
        found = all_matches(trace, query)
        assert found == sorted(set(found))
    reading.join()
    assert trace.complete
    assert all_matches(trace, query) == [
        e.index for e in trace.exchanges if matches(trace, query, e)
    ]
