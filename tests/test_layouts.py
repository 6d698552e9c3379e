"""Unit tests of the plain layout modules behind the panes: grouping, lanes, bodies, detail."""

from __future__ import annotations

import json

import pytest

from tests.benchmarks.generate import generate
from tests.conftest import SAMPLES, TRACE_FILES
from tui.readers import TraceReader, read_trace
from tui.readers.calltree import walk
from tui.text import bodies
from tui.views.detail_lines import HEADER, JSON, exchange_lines, shorten_tokens, value_at
from tui.views.lanes import abbreviations, lane_layout
from tui.views.list_rows import BY_PAIR, BY_TREE, FLAT, GROUPINGS, Columns, Layouts, ListRow, layout


@pytest.fixture(scope="module")
def trace():
    return read_trace(str(SAMPLES / "server-create.md"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A trace made of copies of a sample (calls of one copy interleave with the next's)."""
    path = tmp_path_factory.mktemp("gen") / "big.md"
    return generate(path, 1_200_000, source=SAMPLES / "server-create-run2.md")


def reference_rows(exchanges, mode, visible=None, collapsed=frozenset()):
    """The rows laid out the straightforward way, one object per row, and the groups as
    (src, dst, members, failed)."""
    shown = range(len(exchanges)) if visible is None else visible
    rows, groups = [], []
    if mode == BY_PAIR:
        by_pair = {}
        for index in shown:
            request = exchanges[index].request
            key = (request.src, request.dst)
            if key not in by_pair:
                by_pair[key] = len(groups)
                groups.append((request.src, request.dst, [], 0))
            src, dst, members, failed = groups[by_pair[key]]
            members.append(index)
            groups[by_pair[key]] = (src, dst, members, failed + exchanges[index].failed)
        for number, (src, dst, members, _) in enumerate(groups):
            rows.append(ListRow(-1, number, 0))
            if (src, dst) not in collapsed:
                rows.extend(ListRow(index, number, 1) for index in members)
    elif mode == BY_TREE:
        wanted = set(shown)
        rows = [ListRow(index, -1, depth) for index, depth in walk(exchanges) if index in wanted]
    else:
        rows = [ListRow(index, -1, 0) for index in shown]
    return rows, groups


def scan_failed(rows, exchanges, start, step):
    """The failed-exchange row `]`/`[` goes to, found by looking at every row in turn."""
    count = len(rows)
    if start is None:
        candidates = range(count) if step > 0 else range(count - 1, -1, -1)
    else:
        candidates = [(start + step * offset) % count for offset in range(1, count + 1)]
    for row in candidates:
        if rows[row].exchange >= 0 and exchanges[rows[row].exchange].failed:
            return row
    return None


def assert_matches_reference(exchanges, result, visible=None, collapsed=frozenset()):
    rows, groups = reference_rows(exchanges, result.mode, visible, collapsed)
    assert list(result.rows) == rows
    assert len(result.rows) == len(rows)
    assert [(g.src, g.dst, list(g.members), g.failed) for g in result.groups] == groups
    row_of = {row.exchange: number for number, row in enumerate(rows) if row.exchange >= 0}
    header = {number: row for row, number in ((r, n.group) for r, n in enumerate(rows))}
    for index, exchange in enumerate(exchanges):
        assert result.row_of(index) == row_of.get(index), index
        if index not in row_of and result.mode == BY_PAIR and index in set(visible or [index]):
            key = (exchange.request.src, exchange.request.dst)
            number = next(n for n, g in enumerate(groups) if (g[0], g[1]) == key)
            assert result.nearest_row(index) == header[number]
    assert result.row_of(len(exchanges)) is None
    step_rows = range(len(rows)) if len(rows) < 400 else range(0, len(rows), 7)
    for start in [None, *step_rows]:
        for step in (1, -1):
            assert result.failed_row(start, step) == scan_failed(rows, exchanges, start, step)


def some_of(exchanges):
    """A filter's result: every third exchange and every failed one, ascending."""
    return [e.index for e in exchanges if e.index % 3 == 0 or e.failed]


def folded(exchanges):
    """Collapse every other caller -> callee group."""
    pairs = list(dict.fromkeys((e.request.src, e.request.dst) for e in exchanges))
    return frozenset(pairs[::2])


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
@pytest.mark.parametrize("mode", [BY_PAIR, BY_TREE, FLAT])
def test_virtual_layouts_match_the_straightforward_one(path, mode):
    exchanges = read_trace(str(path)).exchanges
    assert_matches_reference(exchanges, layout(exchanges, mode))
    visible = some_of(exchanges)
    assert_matches_reference(exchanges, layout(exchanges, mode, visible), visible)
    collapsed = folded(exchanges)
    assert_matches_reference(exchanges, layout(exchanges, mode, None, collapsed), None, collapsed)
    assert_matches_reference(
        exchanges, layout(exchanges, mode, visible, collapsed), visible, collapsed
    )


@pytest.mark.parametrize("mode", [BY_PAIR, BY_TREE, FLAT])
def test_virtual_layouts_match_on_a_generated_trace(generated, mode):
    exchanges = read_trace(str(generated)).exchanges
    assert any(e.failed for e in exchanges)
    assert_matches_reference(exchanges, layout(exchanges, mode))
    visible = some_of(exchanges)
    collapsed = folded(exchanges)
    assert_matches_reference(
        exchanges, layout(exchanges, mode, visible, collapsed), visible, collapsed
    )


def assert_same_layouts(grown, fresh):
    """Layouts brought up to date batch by batch equal layouts built on the whole."""
    assert grown.columns.failed_count == fresh.columns.failed_count
    assert grown.columns.failed == fresh.columns.failed
    assert grown.columns.failed_count == sum(e.failed for e in fresh.trace.exchanges)
    for mode in GROUPINGS:
        mine, theirs = grown.list_layout(mode), fresh.list_layout(mode)
        assert list(mine.rows) == list(theirs.rows), mode
        assert [(g.src, g.dst, g.members, g.failed) for g in mine.groups] == [
            (g.src, g.dst, g.members, g.failed) for g in theirs.groups
        ]
        rows = list(theirs.rows)
        for start in (None, 0, len(rows) // 2, len(rows) - 1):
            for step in (1, -1):
                expected = scan_failed(rows, fresh.trace.exchanges, start, step)
                assert mine.failed_row(start, step) == expected
    assert grown.lanes.services == fresh.lanes.services
    assert list(grown.lanes.records) == list(fresh.lanes.records)
    assert grown.lanes.busy == fresh.lanes.busy


@pytest.mark.parametrize(
    "path", [*TRACE_FILES, "generated"], ids=lambda path: getattr(path, "name", path)
)
@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
def test_extending_while_reading_equals_building_on_the_whole(path, filtered, generated):
    path = generated if path == "generated" else path
    reader = TraceReader(str(path))
    batch = max(500, path.stat().st_size // 40)
    reader.read_batch(batch)
    trace = reader.trace
    visible = some_of(trace.exchanges) if filtered else None
    collapsed = folded(trace.exchanges)
    grown = Layouts(trace, visible, collapsed)
    for mode in GROUPINGS:
        grown.list_layout(mode)
    batches = 0
    while not reader.read_batch(batch):
        batches += 1
        grown.catch_up(BY_TREE)
        if batches % 5 == 0:
            assert_same_layouts(grown, Layouts(trace, visible, collapsed))
    grown.catch_up(BY_TREE)
    assert batches > 2
    assert_same_layouts(grown, Layouts(trace, visible, collapsed))
    grown.set_collapsed(frozenset())
    assert_same_layouts(grown, Layouts(trace, visible))


def row_looks(list_layout, exchanges):
    """What each row shows: its exchange and that exchange's status, or its group's counts."""
    looks = []
    for row in list_layout.rows:
        if row.exchange < 0:
            group = list_layout.groups[row.group]
            looks.append((group.src, group.dst, len(group.members), group.failed))
        else:
            looks.append((row, exchanges[row.exchange].status))
    return looks


@pytest.mark.parametrize(
    "path", [*TRACE_FILES, "generated"], ids=lambda path: getattr(path, "name", path)
)
def test_rows_a_view_does_not_redraw_after_growing_look_as_they_did(path, generated):
    """A view redraws from `changed_from` on and the rows of the exchanges just answered;
    every other row must show what it showed before the layout grew."""
    path = generated if path == "generated" else path
    reader = TraceReader(str(path))
    batch = max(500, path.stat().st_size // 40)
    reader.read_batch(batch)
    trace = reader.trace
    grown = Layouts(trace, None, folded(trace.exchanges))
    checked = 0
    finished = False
    while not finished:
        before = {mode: grown.list_layout(mode) for mode in GROUPINGS}
        looks = {mode: row_looks(before[mode], trace.exchanges) for mode in GROUPINGS}
        finished = reader.read_batch(batch)
        grown.catch_up(BY_PAIR)
        answered = grown.columns.take_answered()
        for mode in GROUPINGS:
            after = grown.list_layout(mode)
            if after is not before[mode]:
                continue  # built anew: a view shows it whole
            redrawn = set(after.rows_showing(answered))
            now = row_looks(after, trace.exchanges)
            kept = range(min(after.changed_from, len(looks[mode])))
            for row in kept:
                if row not in redrawn:
                    assert now[row] == looks[mode][row], (mode, row)
                    checked += 1
    assert checked, "rows were compared"


def test_tree_rows_move_down_for_a_late_child_or_build_anew(trace):
    def exchange(index, parent):
        return trace.exchanges[0]._replace(index=index, parent=parent)

    # Fifty roots, each with a child; then calls under recent roots (the rows after them move
    # down), and under the first root: moving most rows again and again costs more than
    # building anew.
    exchanges = [exchange(i, None if i < 50 else i - 50) for i in range(100)]
    columns = Columns()
    columns.add(exchanges)
    tree = layout(exchanges, BY_TREE, columns=columns)
    exchanges += [exchange(100, 48), exchange(101, 100), exchange(102, 49), exchange(103, None)]
    columns.add(exchanges)
    assert tree.extend([])
    assert_matches_reference(exchanges, tree)
    exchanges += [exchange(i, 0) for i in range(104, 110)]
    columns.add(exchanges)
    assert not tree.extend([]), "moving most rows again and again: build anew"
    assert_matches_reference(exchanges, layout(exchanges, BY_TREE, columns=columns))


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
    for index in range(len(trace.exchanges)):
        assert result.rows[result.row_of(index)].exchange == index


def test_collapsed_group_hides_members(trace):
    key = (trace.exchanges[0].request.src, trace.exchanges[0].request.dst)
    full = layout(trace.exchanges, BY_PAIR)
    folded = layout(trace.exchanges, BY_PAIR, collapsed=frozenset({key}))
    members = len(full.groups[0].members)
    assert len(folded.rows) == len(full.rows) - members
    assert folded.row_of(0) is None
    assert folded.nearest_row(0) == 0, "the group's row stands for its hidden members"


def test_tree_grouping_puts_children_under_parents(trace):
    result = layout(trace.exchanges, BY_TREE)
    assert sorted(row.exchange for row in result.rows) == list(range(len(trace.exchanges)))
    for number, row in enumerate(result.rows):
        parent = trace.exchanges[row.exchange].parent
        if parent is None:
            assert row.depth == 0
        else:
            parent_row = result.row_of(parent)
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


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_lanes_extended_record_by_record_equal_a_full_build(path):
    reader = TraceReader(str(path))
    reader.read_batch(1)
    lanes = lane_layout(reader.trace)
    while not reader.read_batch(3_000):
        lanes = lanes.extend(reader.trace)
    lanes = lanes.extend(reader.trace)
    full = lane_layout(reader.trace)
    assert (lanes.services, list(lanes.records), lanes.busy) == (
        full.services,
        list(full.records),
        full.busy,
    )


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
    from tui.views.detail_lines import DetailLine

    assert value_at(DetailLine(JSON, '    "id": "da9259d0-b57f",')) == "da9259d0-b57f"
    assert value_at(DetailLine(JSON, '    "count": 3,')) == "3"
