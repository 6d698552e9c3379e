"""The diff of two runs: planted differences, real second runs, renamed ids, properties, CLI."""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES, TRACE_FILES
from tui.cli import main
from tui.diff.align import _increasing_chain, _matches
from tui.diff.changes import ABSENT, Kind, value_text
from tui.diff.engine import diff_traces, to_json
from tui.diff.masking import header_rule, mask_text, path_signature
from tui.model.trace import Trace
from tui.readers import read_trace

SAME, CHANGED, ADDED, REMOVED = Kind.SAME, Kind.CHANGED, Kind.ADDED, Kind.REMOVED
TRUTH = json.loads((SAMPLES / "server-create-run2.truth.json").read_text())

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX32 = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])")
_FERNET = re.compile(r"gAAAAA[A-Za-z0-9_-]{40,}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?")
_AUDIT_IDS = re.compile(r'("audit_ids":\s*)(\[[^\]]*\])')
_QUOTED = re.compile(r'"([^"]+)"')
B64URL = string.ascii_letters + string.digits + "-_"


def read(name: str) -> Trace:
    return read_trace(str(SAMPLES / name))


def write(directory: Path, name: str, data: bytes) -> Trace:
    path = directory / name
    path.write_bytes(data)
    return read_trace(str(path))


def differences(diff):
    return [entry for entry in diff.entries if entry.kind != SAME]


def rename_volatile(text: str, rng: random.Random) -> str:
    """`text` with every UUID, 32-hex id, Fernet token, audit id and timestamp replaced,
    consistently, by a random value of the same shape and length."""
    renames: dict[str, str] = {}

    def same_shape(value: str) -> str:
        if _UUID.fullmatch(value) or _HEX32.fullmatch(value):
            return "".join(c if c == "-" else rng.choice("0123456789abcdef") for c in value)
        if _FERNET.fullmatch(value):
            return "gAAAAA" + "".join(rng.choice(B64URL) for _ in value[6:])
        if _TIMESTAMP.fullmatch(value):
            return f"{rng.randint(2000, 2099)}-{rng.randint(1, 12):02d}" + value[7:]
        return "".join(rng.choice(B64URL) for _ in value)  # an audit id

    def renamed(value: str) -> str:
        return renames.setdefault(value, same_shape(value))

    def rename_audit_ids(match: re.Match[str]) -> str:
        ids = _QUOTED.sub(lambda quoted: f'"{renamed(quoted.group(1))}"', match.group(2))
        return match.group(1) + ids

    text = _AUDIT_IDS.sub(rename_audit_ids, text)
    for pattern in (_FERNET, _UUID, _HEX32, _TIMESTAMP):
        text = pattern.sub(lambda match: renamed(match.group()), text)
    return text


def without_spans(data: bytes, spans) -> bytes:
    for span in sorted(spans, reverse=True):
        data = data[: span.start] + data[span.end :]
    return data


def replace_in_span(data: bytes, span, old: bytes, new: bytes) -> bytes:
    assert old in data[span.start : span.end]
    return data[: span.start] + data[span.start : span.end].replace(old, new) + data[span.end :]


def assert_nothing_volatile_reported(diff) -> None:
    """A change with no note is never two values that differ only in volatile parts."""
    for entry in differences(diff):
        for change in entry.changes:
            if change.note or not isinstance(change.a, str) or not isinstance(change.b, str):
                continue
            assert mask_text(change.a).text != mask_text(change.b).text, change


# --- the planted differences ------------------------------------------------------------------


def test_planted_differences_are_found_and_nothing_else():
    a, b = read(TRUTH["source"]), read("server-create-run2.md")
    assert (len(a.exchanges), len(b.exchanges)) == (TRUTH["exchanges_a"], TRUTH["exchanges_b"])
    diff = diff_traces(a, b)
    found = differences(diff)
    assert len(found) == len(TRUTH["differences"])
    for truth in TRUTH["differences"]:
        matching = [
            entry
            for entry in found
            if (entry.kind, entry.a_index, entry.b_index)
            == (truth["kind"], truth["a_index"], truth["b_index"])
        ]
        assert len(matching) == 1, truth
        entry = matching[0]
        method, path = truth["request"].split(" ", 1)
        assert (entry.src, entry.dst, entry.method) == (truth["src"], truth["dst"], method)
        assert path_signature(entry.path) == path_signature(path)
        if truth["kind"] != CHANGED:
            assert entry.changes == ()
            continue
        if truth["what"] == "response.status":
            # A failed call answers with an error body: its fields come with the status.
            (change,) = [c for c in entry.changes if c.part == "response.status"]
            assert change.key is None
            assert all(other.part.startswith("response.") for other in entry.changes)
        else:
            # A planted header or body value: that change and no other.
            (change,) = entry.changes
            assert change.key == truth["key"] or change.key.endswith("." + truth["key"])
        assert (change.part, change.a, change.b) == (truth["what"], truth["a"], truth["b"])
        assert change.note == ""
    assert_nothing_volatile_reported(diff)


def test_planted_summary_and_masking():
    diff = diff_traces(read(TRUTH["source"]), read("server-create-run2.md"))
    kinds = [truth["kind"] for truth in TRUTH["differences"]]
    paired = TRUTH["exchanges_a"] - kinds.count(REMOVED)
    assert diff.summary == {
        SAME: paired - kinds.count(CHANGED),
        CHANGED: kinds.count(CHANGED),
        ADDED: kinds.count(ADDED),
        REMOVED: kinds.count(REMOVED),
    }
    # The renamed values were masked, and each learned id pairs one to one.
    for rule in ("request-id", "uuid", "hex32", "timestamp", "audit-id"):
        assert diff.masked.get(rule, 0) > 0, rule
    assert len(set(diff.mapping.values())) == len(diff.mapping)


def test_raw_diff_shows_what_masking_hides():
    diff = diff_traces(read(TRUTH["source"]), read("server-create-run2.md"), raw=True)
    assert diff.masked == {}
    keys = {change.key for entry in diff.entries for change in entry.changes}
    assert "X-Requestshook-Request-Id" in keys
    assert diff.summary[CHANGED] > len(TRUTH["differences"])
    # Alignment still looks past ids in paths: the same exchanges pair up.
    masked = diff_traces(read(TRUTH["source"]), read("server-create-run2.md"))
    assert [(e.a_index, e.b_index) for e in diff.entries] == [
        (e.a_index, e.b_index) for e in masked.entries
    ]


# --- a real second run, documented with prose -------------------------------------------------


def _prose_lines(trace: Trace, path: Path) -> list[str]:
    """Lines of the document that are no record's heading, header block or body."""
    data = path.read_bytes()
    kept = [
        (span.start, span.end)
        for record in trace.records
        for span in (record.headers, record.body)
        if span is not None
    ]
    headings = {record.span.start for record in trace.records}
    prose = []
    offset = 0
    for line in data.split(b"\n"):
        end = offset + len(line)
        text = line.decode("utf-8").strip()
        in_record = any(start <= offset and end <= stop for start, stop in kept)
        if (
            not in_record
            and offset not in headings
            and len(text) >= 12
            and not text.startswith(("```", "===", "`"))
        ):
            prose.append(text)
        offset = end + 1
    return prose


def test_real_second_run_of_image_create():
    a, b = read("image-create.md"), read("image-create-annotated.md")
    diff = diff_traces(a, b)
    # Every exchange of each run is in exactly one entry.
    assert sorted(e.a_index for e in diff.entries if e.a_index is not None) == list(range(16))
    assert sorted(e.b_index for e in diff.entries if e.b_index is not None) == list(range(11))
    # Run 2 made no call run 1 did not; run 1 also discovered glance's API version and let
    # glance re-authenticate with keystone twice more.
    assert diff.summary[ADDED] == 0
    removed = [e for e in diff.entries if e.kind == REMOVED]
    assert len(removed) == len(a.exchanges) - len(b.exchanges)
    for entry in removed:
        assert (entry.src, entry.dst, entry.method, entry.path) in {
            ("openstack", "glance-api", "GET", "/"),
            ("glance-api", "keystone", "GET", "/identity/"),
            ("glance-api", "keystone", "POST", "/identity/v3/auth/tokens"),
        }
    # The user named the image differently: that is reported where it is.
    create = next(e for e in diff.entries if e.method == "POST" and e.path == "/v2/images")
    name_a = json.loads(a.source.body(a.exchanges[create.a_index].request))["name"]
    name_b = json.loads(b.source.body(b.exchanges[create.b_index].request))["name"]
    assert name_a != name_b
    assert ("request.body", "name", name_a, name_b) in [c[:4] for c in create.changes]
    # Both runs uploaded the same image: the uploads are the same, whatever the image ids.
    for entry in diff.entries:
        if entry.method == "PUT":
            upload_a = a.source.body(a.exchanges[entry.a_index].request)
            assert upload_a == b.source.body(b.exchanges[entry.b_index].request)
            assert entry.kind == SAME, entry
    assert_nothing_volatile_reported(diff)


def test_prose_of_an_annotated_run_is_never_a_difference():
    path = SAMPLES / "image-create-annotated.md"
    trace = read(path.name)
    prose = _prose_lines(trace, path)
    assert len(prose) > 10, "the annotated sample has prose between its records"
    for a, b in ((read("image-create.md"), trace), (trace, read("image-create.md"))):
        shown = json.dumps(to_json(diff_traces(a, b), "a", "b"), ensure_ascii=False)
        assert not [line for line in prose if line in shown]


def test_diff_is_symmetric():
    forward = diff_traces(read("image-create.md"), read("image-create-annotated.md"))
    backward = diff_traces(read("image-create-annotated.md"), read("image-create.md"))
    assert (forward.summary[SAME], forward.summary[CHANGED]) == (
        backward.summary[SAME],
        backward.summary[CHANGED],
    )
    assert (forward.summary[ADDED], forward.summary[REMOVED]) == (
        backward.summary[REMOVED],
        backward.summary[ADDED],
    )


# --- no difference where there is none --------------------------------------------------------


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_a_trace_against_itself(path):
    trace = read_trace(str(path))
    diff = diff_traces(trace, read_trace(str(path)))
    assert diff.summary == {SAME: len(trace.exchanges), CHANGED: 0, ADDED: 0, REMOVED: 0}
    assert diff.masked == {}
    assert not diff_traces(trace, trace, raw=True).has_differences


def test_one_run_in_both_formats():
    diff = diff_traces(read("image-show.md"), read("image-show.log"))
    assert not diff.has_differences


def test_every_volatile_value_renamed(tmp_path):
    text = (SAMPLES / "server-create.md").read_text()
    renamed = rename_volatile(text, random.Random(1))
    assert renamed != text
    diff = diff_traces(read("server-create.md"), write(tmp_path, "r.md", renamed.encode()))
    assert differences(diff) == []
    assert {"uuid", "hex32", "request-id", "auth-token", "audit-id"} <= set(diff.masked)
    # With nothing masked, every renamed value shows.
    raw = diff_traces(read("server-create.md"), write(tmp_path, "r2.md", renamed.encode()), True)
    assert raw.summary[CHANGED] == len(raw.entries)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from([p.name for p in TRACE_FILES]),
    seed=st.integers(0, 2**32 - 1),
)
def test_renaming_volatile_values_never_creates_a_difference(name, seed):
    text = (SAMPLES / name).read_text()
    with tempfile.TemporaryDirectory() as directory:
        renamed = write(Path(directory), name, rename_volatile(text, random.Random(seed)).encode())
        diff = diff_traces(read(name), renamed)
    assert differences(diff) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from([p.name for p in TRACE_FILES]), data=st.data())
def test_dropping_one_exchange_is_one_removed(name, data):
    trace = read(name)
    index = data.draw(st.integers(0, len(trace.exchanges) - 1), label="index")
    exchange = trace.exchanges[index]
    spans = [exchange.request.span] + ([exchange.response.span] if exchange.response else [])
    dropped = without_spans((SAMPLES / name).read_bytes(), spans)
    with tempfile.TemporaryDirectory() as directory:
        diff = diff_traces(trace, write(Path(directory), name, dropped))
    found = differences(diff)
    assert [(entry.kind, entry.a_index) for entry in found] == [(REMOVED, index)]


def test_calls_that_swapped_places_still_pair(tmp_path):
    trace = read("server-create.md")
    data = (SAMPLES / "server-create.md").read_bytes()
    # Two neighbouring root calls, each request straight followed by its response.
    first, second = next(
        (first, second)
        for first, second in zip(trace.exchanges, trace.exchanges[1:])
        if first.parent is None
        and second.parent is None
        and first.response_record == first.request_record + 1
        and second.request_record == first.request_record + 2
        and second.response_record == first.request_record + 3
        and (first.request.method, first.request.target)
        != (second.request.method, second.request.target)
    )
    start, first_end = first.request.span.start, first.response.span.end
    middle, end = second.request.span.start, second.response.span.end
    swapped = (
        data[:start]
        + data[middle:end]
        + data[first_end:middle]
        + data[start:first_end]
        + data[end:]
    )
    diff = diff_traces(trace, write(tmp_path, "swapped.md", swapped))
    assert not diff.has_differences
    assert (diff.entries[diff.a_position[first.index]].b_index) == second.index
    assert (diff.entries[diff.a_position[second.index]].b_index) == first.index


# --- what a change shows ----------------------------------------------------------------------


def test_wrong_network_breaks_the_id_correspondence(tmp_path):
    renamed = rename_volatile((SAMPLES / "server-create.md").read_text(), random.Random(7))
    run2 = write(tmp_path, "run2.md", renamed.encode())
    boot = next(
        e
        for e in run2.exchanges
        if e.request.method == "POST" and e.request.target.endswith("/servers")
    )
    network = json.loads(run2.source.body(boot.request))["server"]["networks"][0]["uuid"]
    other = "0" * 8 + network[8:]
    data = replace_in_span(renamed.encode(), boot.request.body, network.encode(), other.encode())
    original = read("server-create.md")
    diff = diff_traces(original, write(tmp_path, "wrong.md", data))
    found = differences(diff)
    assert [(e.kind, e.a_index, e.b_index) for e in found] == [(CHANGED, boot.index, boot.index)]
    (change,) = found[0].changes
    expected = json.loads(original.source.body(original.exchanges[boot.index].request))
    assert change[:4] == (
        "request.body",
        "server.networks[0].uuid",
        expected["server"]["networks"][0]["uuid"],
        other,
    )
    assert change.note


def test_reused_token_breaks_the_id_correspondence(tmp_path):
    renamed = rename_volatile((SAMPLES / "server-create.md").read_text(), random.Random(3))
    run2 = write(tmp_path, "run2.md", renamed.encode())
    tokens = [
        (exchange, run2.source.header(exchange.request, "X-Auth-Token"))
        for exchange in run2.exchanges
    ]
    tokens = [(exchange, token) for exchange, token in tokens if token]
    first_token = tokens[0][1]
    victim = next(exchange for exchange, token in tokens if token != first_token)
    old = run2.source.header(victim.request, "X-Auth-Token")
    data = replace_in_span(
        renamed.encode(), victim.request.headers, old.encode(), first_token.encode()
    )
    diff = diff_traces(read("server-create.md"), write(tmp_path, "reused.md", data))
    found = differences(diff)
    assert [(e.kind, e.a_index) for e in found] == [(CHANGED, victim.index)]
    (change,) = found[0].changes
    assert (change.part, change.key, change.b) == ("request.headers", "X-Auth-Token", first_token)
    assert change.note


def test_content_length_counts_only_when_the_body_differs(tmp_path):
    data = (SAMPLES / "server-create.md").read_bytes()
    trace = read("server-create.md")
    exchange = next(
        e for e in trace.exchanges if trace.source.header(e.response, "Content-Length") == "274"
    )
    headers = exchange.response.headers
    only_length = replace_in_span(data, headers, b"Content-Length: 274", b"Content-Length: 275")
    diff = diff_traces(trace, write(tmp_path, "length.md", only_length))
    assert not diff.has_differences
    assert diff.masked == {"content-length": 1}
    body = exchange.response.body
    text = trace.source.raw(body)
    assert b'"stable"' in text
    both = replace_in_span(only_length, body, b'"stable"', b'"stable!"')
    diff = diff_traces(trace, write(tmp_path, "both.md", both))
    (entry,) = differences(diff)
    assert [(c.part, c.key, c.a, c.b) for c in entry.changes] == [
        ("response.headers", "Content-Length", "274", "275"),
        ("response.body", "versions.values[0].status", "stable", "stable!"),
    ]


def test_a_missing_response_is_a_status_change(tmp_path):
    trace = read("image-create.md")
    exchange = trace.exchanges[3]
    data = without_spans((SAMPLES / "image-create.md").read_bytes(), [exchange.response.span])
    diff = diff_traces(trace, write(tmp_path, "unanswered.md", data))
    (entry,) = differences(diff)
    assert entry.a_index == entry.b_index == exchange.index
    assert [c[:4] for c in entry.changes] == [
        ("response.status", None, f"{exchange.status} {exchange.response.reason}", ABSENT)
    ]
    (change,) = to_json(diff, "a", "b")["entries"][diff.a_position[exchange.index]]["changes"]
    assert change["b"] is None


def test_json_null_is_not_absence(tmp_path):
    trace = read("server-create.md")
    exchange = trace.exchanges[1]
    data = replace_in_span(
        (SAMPLES / "server-create.md").read_bytes(),
        exchange.response.body,
        b'"password_expires_at": null',
        b'"password_expires_at": "2099-01-01T00:00:00.000000"',
    )
    data = replace_in_span(
        data, exchange.response.body, b'"is_domain": false', b'"is_domain2": false'
    )
    diff = diff_traces(trace, write(tmp_path, "null.md", data))
    (entry,) = differences(diff)
    shown = {c.key: (value_text(c.a), value_text(c.b)) for c in entry.changes}
    assert shown == {
        "token.user.password_expires_at": ("null", "2099-01-01T00:00:00.000000"),
        "token.is_domain": ("false", "(absent)"),
        "token.is_domain2": ("(absent)", "false"),
    }


# --- the parts ---------------------------------------------------------------------------------


def test_masking_rules():
    masked = mask_text(
        "X-Openstack-Request-Id: req-0bfe96af-8abe-4a3f-a466-c48c6436fa84 "
        "http://h/v1/AUTH_67b814b10c624269b605ea8c571decdc/glance "
        '{"id": "4529570d-57bf-4ec8-8d67-937f13b1d9ae", "p": "67b814b10c624269b605ea8c571decdc",'
        ' "at": "2023-01-06T03:15:09.000000Z", "audit_ids": ["MFdgRMXZSQi7so17ctW18A"],'
        ' "name": "cirros-instance", "tap": "tap4529570d-57"}'
    )
    assert [rule for rule, _ in masked.values] == [
        "audit-id",
        "request-id",
        "swift-account",
        "uuid",
        "hex32",
        "timestamp",
    ]
    assert "cirros-instance" in masked.text and "tap4529570d-57" in masked.text
    assert header_rule("x-compute-request-id") == "request-id"
    assert header_rule("X-Subject-Token") == "auth-token"
    assert header_rule("Last-Modified") == "date-header"
    assert header_rule("X-Requestshook-Request-From") is None
    assert path_signature(
        "http://127.0.0.1:60999/v2/images/a42bfade-78ec-4c95-b7b4-272ba265072c"
    ) == ("/v2/images/{uuid}")
    assert path_signature("/v1/AUTH_7c4cda7e4807414bbdfcb22b535a9802/glance/x?limit=3") == (
        "/v1/{swift-account}/glance/x"
    )
    assert path_signature("/compute/v2.1/flavors/42") == "/compute/v2.1/flavors/{n}"


def _lcs_length(a: list[int], b: list[int]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b):
            previous, row[j + 1] = row[j + 1], previous + 1 if x == y else max(row[j + 1], row[j])
    return row[-1]


@given(st.lists(st.integers(0, 4), max_size=30), st.lists(st.integers(0, 4), max_size=30))
def test_alignment_is_a_longest_common_subsequence(a, b):
    pairs = _matches(a, b)
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(p < q for (p, _), (q, _) in zip(pairs, pairs[1:]))
    assert all(p < q for (_, p), (_, q) in zip(pairs, pairs[1:]))
    assert len(pairs) == _lcs_length(a, b)


def test_runs_too_far_apart_for_myers_still_align():
    # Run 2 stopped after 15 of run 1's 40 rounds, and one call of each round differs: more
    # edits than Myers is allowed, so the alignment anchors on the k-th call of each kind.
    pattern = [*range(25), 0, 1, 0]
    a = pattern * 40
    b = [99 if k % len(pattern) == 7 else x for k, x in enumerate(pattern * 15)]
    pairs = _matches(a, b)
    assert all(i == j for i, j in pairs)
    assert len(pairs) == sum(1 for x in b if x != 99)


@given(st.lists(st.integers(0, 30), max_size=25, unique=True), st.data())
def test_increasing_chain_is_longest(firsts, data):
    seconds = data.draw(st.lists(st.integers(0, 30), min_size=len(firsts), max_size=len(firsts)))
    pairs = sorted(zip(firsts, seconds))
    chain = _increasing_chain(pairs)
    assert all(p in pairs for p in chain)
    assert all(p[1] < q[1] for p, q in zip(chain, chain[1:]))
    longest = [1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        for earlier in range(k):
            if pairs[earlier][1] < j:
                longest[k] = max(longest[k], longest[earlier] + 1)
    assert len(chain) == max(longest, default=0)


def test_core_modules_do_not_import_textual():
    code = (
        "import sys, tui.diff.engine, tui.diff.masking, tui.commands.diff; "
        "print('textual' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


# --- the command line --------------------------------------------------------------------------


def test_cli_exit_status_0_when_the_runs_match(capsys):
    path = str(SAMPLES / "image-show.md")
    assert main(["diff", path, str(SAMPLES / "image-show.log")]) == 0
    assert "no differences" in capsys.readouterr().out


def test_cli_exit_status_1_and_readable_report(capsys):
    a, b = str(SAMPLES / TRUTH["source"]), str(SAMPLES / "server-create-run2.md")
    assert main(["diff", a, b]) == 1
    out = capsys.readouterr().out
    summary = diff_traces(read_trace(a), read_trace(b)).summary
    assert ", ".join(f"{n} {kind}" for kind, n in summary.items()) in out
    assert "masked (values that differ between the runs, by rule):" in out
    masked = diff_traces(read_trace(a), read_trace(b)).masked
    assert all(f"  {rule} " in out for rule in masked)
    for truth in TRUTH["differences"]:
        marker = {CHANGED: "~", ADDED: "+", REMOVED: "-"}[truth["kind"]]
        where = " ".join(
            f"{side}#{truth[side + '_index']}"
            for side in ("a", "b")
            if truth[side + "_index"] is not None
        )
        assert f"{marker} [{where}] {truth['src']} -> {truth['dst']}" in out
        if truth["kind"] == CHANGED:
            assert f"{truth['a']} -> {truth['b']}" in out


def test_cli_exit_status_2_on_trouble(tmp_path, capsys):
    good = str(SAMPLES / "image-show.md")
    assert main(["diff", good, str(tmp_path / "missing.md")]) == 2
    assert "missing.md" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n")
    assert main(["diff", str(notes), good]) == 2
    assert "notes.txt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["diff", good])
    assert exit_info.value.code == 2


def test_cli_json_shape(capsys):
    a, b = str(SAMPLES / TRUTH["source"]), str(SAMPLES / "server-create-run2.md")
    assert main(["diff", "--json", a, b]) == 1
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["a", "b", "summary", "entries"]
    assert (document["a"], document["b"]) == (a, b)
    assert list(document["summary"]) == ["same", "changed", "added", "removed"]
    assert sum(document["summary"].values()) == len(document["entries"])
    for entry in document["entries"]:
        assert list(entry) == [
            "kind",
            "a_index",
            "b_index",
            "src",
            "dst",
            "method",
            "path",
            "changes",
        ]
        assert (entry["a_index"] is None) == (entry["kind"] == ADDED)
        assert (entry["b_index"] is None) == (entry["kind"] == REMOVED)
        assert bool(entry["changes"]) == (entry["kind"] == CHANGED)
        for change in entry["changes"]:
            assert list(change) == ["part", "key", "a", "b"]
    changed = [e for e in document["entries"] if e["kind"] == CHANGED]
    assert {"part": "request.headers", "key": "Accept", "a": "application/json",
            "b": "application/xml"} in [c for e in changed for c in e["changes"]]  # fmt: skip


def test_cli_raw_and_terminal_safety(tmp_path, capsys):
    trace = read("image-show.md")
    data = (SAMPLES / "image-show.md").read_bytes()
    request = trace.exchanges[0].request
    hostile = replace_in_span(
        data, request.headers, b"Accept: application/json", b"Accept: \x1b[2J"
    )
    b = write(tmp_path, "hostile.md", hostile)
    assert main(["diff", str(SAMPLES / "image-show.md"), b.path]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out
    assert main(["diff", "--raw", str(SAMPLES / "image-show.md"), b.path]) == 1
    assert "raw: nothing masked" in capsys.readouterr().out
