"""Unit tests of the plain layout modules behind the panes: grouping, lanes, bodies, detail."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLES
from tui import bodies
from tui.exchange_text import HEADER, JSON, exchange_lines, shorten_tokens, value_at
from tui.grouping import BY_PAIR, BY_TREE, FLAT, layout
from tui.readers import read_trace
from tui.sequence import abbreviations, lane_layout


@pytest.fixture(scope="module")
def trace():
    return read_trace(str(SAMPLES / "server-create.md"))


def test_pair_grouping_keeps_first_seen_order_and_counts(trace):
    result = layout(trace.exchanges, BY_PAIR)
    seen = []
    for exchange in trace.exchanges:
        pair = (exchange.request.src, exchange.request.dst)
        if pair not in seen:
            seen.append(pair)
    assert [(g.src, g.dst) for g in result.groups] == seen
    assert sum(len(g.members) for g in result.groups) == len(trace.exchanges)
    assert len(result.rows) == len(trace.exchanges) + len(seen)
    for index, row in result.row_of_exchange.items():
        assert result.rows[row].exchange == index


def test_collapsed_group_hides_members(trace):
    key = (trace.exchanges[0].request.src, trace.exchanges[0].request.dst)
    full = layout(trace.exchanges, BY_PAIR)
    folded = layout(trace.exchanges, BY_PAIR, collapsed=frozenset({key}))
    members = len(full.groups[0].members)
    assert len(folded.rows) == len(full.rows) - members
    assert 0 not in folded.row_of_exchange


def test_tree_grouping_puts_children_under_parents(trace):
    result = layout(trace.exchanges, BY_TREE)
    assert sorted(row.exchange for row in result.rows) == list(range(len(trace.exchanges)))
    for number, row in enumerate(result.rows):
        parent = trace.exchanges[row.exchange].parent
        if parent is None:
            assert row.depth == 0
        else:
            parent_row = result.row_of_exchange[parent]
            assert parent_row < number
            assert row.depth == result.rows[parent_row].depth + 1


def test_flat_and_filtered_layouts(trace):
    assert [r.exchange for r in layout(trace.exchanges, FLAT).rows] == list(
        range(len(trace.exchanges))
    )
    wanted = [3, 9, 40]
    assert [r.exchange for r in layout(trace.exchanges, FLAT, wanted).rows] == wanted


def test_lanes_show_every_record_with_activation_bars(trace):
    lanes = lane_layout(trace)
    assert lanes.services == trace.services
    assert list(lanes.records) == list(range(len(trace.records)))
    # A service is busy from the request it receives until its answer, both rows included.
    for row, mask in enumerate(lanes.busy):
        expected = 0
        for exchange in trace.exchanges:
            answered_at = exchange.response_record
            end = answered_at if answered_at is not None else len(trace.records)
            if exchange.request_record <= row <= end:
                expected |= 1 << lanes.services.index(exchange.request.dst)
        assert mask == expected, f"row {row}"


def test_filtered_lanes_collapse_unused_services(trace):
    only = [e.index for e in trace.exchanges if e.request.dst == "placement-api"]
    lanes = lane_layout(trace, only)
    involved = {trace.exchanges[i].request.src for i in only} | {"placement-api"}
    assert set(lanes.services) == involved
    assert len(lanes.records) == 2 * len(only)
    assert lanes.row_of(trace.exchanges[0].request_record) is None


def test_abbreviations_tell_nova_services_apart():
    names = abbreviations(["openstack", "nova-api", "nova-compute", "neutron-server"], 5)
    assert names == ["opens", "n-api", "n-com", "neutr"]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", bodies.EMPTY),
        ('{"a": 1}', bodies.JSON),
        ("[1, 2]", bodies.JSON),
        ("b'QFI\\xfb\\x00'...", bodies.BINARY),
        ("<html><body>x</body></html>", bodies.HTML),
        ("plain words", bodies.TEXT),
    ],
)
def test_body_classes(text, kind):
    assert bodies.classify(text) == kind


def test_hostile_json_bodies_fall_back_to_raw():
    deep = "[" * 100_000 + "]" * 100_000
    view = bodies.describe(deep)
    assert view.kind == bodies.TEXT and "nested" in view.note
    huge = '{"n": ' + "9" * 5000 + "}"
    view = bodies.describe(huge)
    assert view.kind == bodies.TEXT and view.lines == [huge]
    dup = '{"password": "a", "password": "b"}'
    assert bodies.describe(dup).lines == [dup], "duplicate keys are never merged away"


def test_single_line_json_is_pretty_printed():
    view = bodies.describe('{"server": {"name": "vm1", "networks": [1]}}')
    assert json.loads("\n".join(view.lines)) == {"server": {"name": "vm1", "networks": [1]}}
    assert len(view.lines) > 3


def test_detail_lines_hold_request_then_response(trace):
    lines = exchange_lines(trace, 1)
    texts = [line.text for line in lines]
    assert texts[0] == "#1 POST /identity/v3/auth/tokens"
    request_at = next(i for i, t in enumerate(texts) if t.startswith("─ Request"))
    response_at = next(i for i, t in enumerate(texts) if t.startswith("─ Response 201"))
    assert request_at < response_at
    body = [line.text for line in lines[request_at:response_at] if line.kind == JSON]
    assert json.loads("\n".join(body))["auth"]["identity"]["methods"] == ["password"]
    token = trace.source.header(trace.exchanges[1].response, "X-Subject-Token")
    header = next(line for line in lines if line.name == "X-Subject-Token")
    assert header.kind == HEADER and value_at(header) == token


def test_shorten_tokens_keeps_length_visible():
    token = "gAAAAAB" + "x" * 176
    assert shorten_tokens(f"X-Auth-Token: {token}") == "X-Auth-Token: gAAAAABxxx…(183 chars)"


def test_value_at_json_scalar():
    from tui.exchange_text import DetailLine

    assert value_at(DetailLine(JSON, '    "id": "da9259d0-b57f",')) == "da9259d0-b57f"
    assert value_at(DetailLine(JSON, '    "count": 3,')) == "3"
