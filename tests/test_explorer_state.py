"""The explorer's state without a running app: selection, grouping, filter, search, a followed
file's growth, the header line and the export scopes."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import SAMPLES
from tests.test_follow import record_starts
from tui.export.registry import export
from tui.query.language import parse_query, parse_search
from tui.query.search import all_matches
from tui.readers import TraceReader, read_trace
from tui.views.explorer_state import ExplorerState, SearchState
from tui.views.export_file import export_target, write_export
from tui.views.list_rows import BY_PAIR, BY_TREE, FLAT


def state_of(name: str = "server-create.md", **options: bool) -> ExplorerState:
    reader = TraceReader(str(SAMPLES / name))
    while not reader.read_batch():
        pass
    state = ExplorerState(reader, **options)
    state.catch_up()
    return state


def test_the_state_needs_no_textual():
    # In a fresh interpreter: pytest's snapshot plugin has loaded Textual into this one.
    code = (
        "import sys, tui.views.explorer_state, tui.views.export_file, tui.readers.follow; "
        "print([m for m in sys.modules if m.split('.')[0] == 'textual'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_select_keeps_to_the_exchanges_there_are():
    state = state_of()
    count = len(state.trace.exchanges)
    assert state.select(3) and state.selected == 3
    assert not state.select(count) and state.selected == 3
    assert not state.select(-1) and state.selected == 3


def test_grouping_cycles_through_pair_tree_flat_reqid():
    state = state_of()
    assert state.grouping == BY_PAIR
    # Issue 17 added the fourth grouping, by global request id, after trace order.
    names = [state.cycle_grouping() for _ in range(4)]
    assert names[2:] == ["request id", "source → destination"]
    assert state.grouping == BY_PAIR
    assert len(set(names)) == 4
    state.cycle_grouping()
    assert state.grouping == BY_TREE
    state.cycle_grouping()
    assert state.grouping == FLAT


def test_collapsing_a_group_hides_its_members():
    state = state_of()
    rows = len(state.list_layout().rows)
    state.toggle_group(("openstack", "keystone"), collapse=True)
    assert ("openstack", "keystone") in state.collapsed
    assert len(state.list_layout().rows) < rows
    state.toggle_group(("openstack", "keystone"), collapse=False)
    assert len(state.list_layout().rows) == rows


def test_failure_visits_each_failed_exchange_and_wraps():
    state = state_of("server-create-run2.md")
    failed = [e.index for e in state.trace.exchanges if (e.status or 0) >= 400]
    assert failed
    seen = []
    for _ in range(len(failed) + 1):
        target = state.failure(1)
        assert target is not None
        state.select(target)
        seen.append(target)
    assert sorted(set(seen)) == sorted(failed)
    assert seen[-1] == seen[0], "past the last failure it wraps to the first"


def test_no_failure_gives_none():
    state = state_of()
    assert state.failure(1) is None


def test_a_filter_narrows_and_clearing_shows_all():
    state = state_of()
    query = parse_query("dst:placement-api")
    found = all_matches(state.trace, query)
    state.use_filter("dst:placement-api", query, found, len(state.trace.exchanges))
    state.catch_up()
    assert state.filtered == found
    listed = sorted(r.exchange for r in state.list_layout().rows if r.exchange >= 0)
    assert listed == found
    header = state.header(False, ("list", "lanes", "detail"), "list").summary
    assert f"filter: dst:placement-api ({len(found)} shown)" in header
    state.clear_filter()
    assert state.filtered is None
    assert "filter:" not in state.header(False, (), "list").summary


def test_the_filter_keeps_up_with_a_followed_file(tmp_path):
    data = (SAMPLES / "server-create.md").read_bytes()
    starts = record_starts(data)
    path = tmp_path / "growing.md"
    path.write_bytes(data[: starts[20]])
    reader = TraceReader(str(path), follow=True)
    while not reader.read_batch():
        pass
    state = ExplorerState(reader)
    state.catch_up()
    query = parse_query("dst:placement-api")
    state.use_filter("dst:placement-api", query, all_matches(state.trace, query), 10)
    with open(path, "ab") as file:
        file.write(data[starts[20] :])
    reader.poll()
    while not reader.read_batch():
        pass
    state.catch_up()
    whole = read_trace(str(SAMPLES / "server-create.md"))
    assert state.filtered == [e.index for e in whole.exchanges if e.request.dst == "placement-api"]


def test_following_the_end_selects_the_new_last_exchange(tmp_path):
    data = (SAMPLES / "server-create.md").read_bytes()
    starts = record_starts(data)
    path = tmp_path / "growing.md"
    path.write_bytes(data[: starts[10]])
    reader = TraceReader(str(path), follow=True)
    while not reader.read_batch():
        pass
    state = ExplorerState(reader)
    state.catch_up()
    assert state.to_select_after_reading() == 4, "nothing selected: the view follows the end"
    state.select(4)
    assert state.to_select_after_reading() is None
    with open(path, "ab") as file:
        file.write(data[starts[10] : starts[21]])
    reader.poll()
    while not reader.read_batch():
        pass
    state.catch_up()
    last = len(state.trace.exchanges) - 1
    assert last > 4
    assert state.to_select_after_reading() == last, "the user was at the end: follow it"
    state.select(2)
    with open(path, "ab") as file:
        file.write(data[starts[21] :])
    reader.poll()
    while not reader.read_batch():
        pass
    state.catch_up()
    assert state.to_select_after_reading() is None, "away from the end, the selection stays"


def test_a_selection_waiting_for_its_response_is_shown_again_when_it_comes(tmp_path):
    data = (SAMPLES / "server-create.md").read_bytes()
    starts = record_starts(data)
    path = tmp_path / "growing.md"
    path.write_bytes(data[: starts[6]])  # the third exchange's response is not written yet
    reader = TraceReader(str(path), follow=True)
    while not reader.read_batch():
        pass
    state = ExplorerState(reader)
    state.catch_up()
    state.to_select_after_reading()
    state.select(2)
    assert state.trace.exchanges[2].response is None
    reader.follow = False  # not following the end: only the answer reselects
    with open(path, "ab") as file:
        file.write(data[starts[6] : starts[7]])
    reader.follow = True
    reader.poll()
    while not reader.read_batch():
        pass
    reader.follow = False
    state.catch_up()
    assert state.trace.exchanges[2].response is not None
    assert state.to_select_after_reading() == 2


def test_a_reopened_file_starts_over_and_keeps_the_filter(tmp_path):
    path = tmp_path / "trace.md"
    path.write_bytes((SAMPLES / "server-create.md").read_bytes())
    state = state_of()
    state.reader = TraceReader(str(path), follow=True)
    query = parse_query("dst:placement-api")
    state.use_filter("dst:placement-api", query, [1, 2], len(state.trace.exchanges))
    state.select(3)
    fresh = TraceReader(str(path), follow=True)
    state.reopened(fresh)
    assert state.trace is fresh.trace and state.selected is None
    assert state.filtered == [] and state.filter.checked == 0
    while not fresh.read_batch():
        pass
    state.catch_up()
    assert state.filtered == all_matches(fresh.trace, query)


def test_search_steps_through_matches_and_wraps():
    search = SearchState()
    search.use(parse_search("x"), "x", [])
    assert search.add([3, 7]) and not search.add([9])
    assert search.first_at(None) == 3
    assert search.first_at(8) == 9
    assert search.first_at(10) == 3
    assert search.step(7, 1) == 9 and search.step(9, 1) == 3
    assert search.step(7, -1) == 3 and search.step(3, -1) == 9
    assert search.position(7).startswith("2/3 ")
    assert search.position(5).startswith("3 matches")
    search.clear()
    assert search.query is None and search.matches == [] and search.text == "x"


def test_header_wide_and_narrow():
    state = state_of()
    wide = state.header(False, ("list", "lanes", "detail"), "list")
    assert wide.panes == ""
    # Issue 16: a clockless trace says `order only`, early, so 80 columns still show it.
    assert wide.summary.startswith(
        "tracetui · server-create.md · order only · 55 exchanges · 8 services"
    )
    assert "group: " in wide.summary and "following" not in wide.summary
    narrow = state.header(True, ("list", "lanes", "detail"), "lanes")
    assert narrow.panes == "1 list  [2]lanes  3 detail   "
    assert narrow.summary.startswith("server-create.md · order only · 55 ex · 8 svc · 0 failed")
    state.toggle_redact()
    assert state.header(True, (), "list").summary.endswith("redacted")


def test_the_header_reaches_the_screen_escaped(tmp_path):
    """The views hand over the file name as it is; `screen_text` is where it is escaped."""
    from tui.ui.screen_text import screen_text

    path = tmp_path / "evil\x1b[2J\u202e.md"
    path.write_bytes((SAMPLES / "server-create.md").read_bytes())
    state = ExplorerState(TraceReader(str(path)))
    header = screen_text(state.header(False, (), "list").summary).plain
    assert "\x1b" not in header and "\u202e" not in header
    assert "evil\\x1b[2J\\u202e.md" in header


def test_export_scopes_name_what_is_shown():
    state = state_of()
    assert [label for label, _ in state.export_scopes()] == ["whole trace (55 exchanges)"]
    state.select(4)
    state.search.use(parse_search("x"), "x", [1, 4])
    state.set_filtered([0, 1, 4])
    scopes = state.export_scopes()
    assert scopes[1:] == [
        ("filtered view (3)", [0, 1, 4]),
        ("search matches (2)", [1, 4]),
        ("selected exchange #4", [4]),
    ]


def test_export_file_never_overwrites_and_writes_the_scope(tmp_path):
    state = state_of()
    assert export_target("") == "Export needs a file name, not a folder."
    assert export_target(str(tmp_path)) == "Export needs a file name, not a folder."
    taken = tmp_path / "taken.json"
    taken.write_text("mine")
    assert export_target(str(taken)) == f"{taken} exists: not overwritten."
    target = export_target(str(tmp_path / "out.sh"))
    assert not isinstance(target, str)
    notice, failed = write_export(target, "curl", lambda: export(state.trace, "curl", [0]))
    assert not failed and notice == f"Wrote curl to {target}"
    assert "\ncurl http://182.161.114.101/identity/ " in target.read_text()
    notice, failed = write_export(tmp_path / "no" / "x.sh", "curl", lambda: "x")
    assert failed and notice.startswith("Export failed: ")


def test_a_clean_file_says_it_has_no_warnings():
    state = state_of()
    assert state.warning_lines() == ["No warnings: the whole file read cleanly."]
