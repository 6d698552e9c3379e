"""Pilot tests of the explorer: every binding, and the panes kept in step."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, press, settle
from tui.ui.app import TraceApp, make_app
from tui.ui.screens.explorer import ExplorerScreen
from tui.ui.screens.text_modal import TextModal
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.exchange_list import ExchangeList
from tui.ui.widgets.lanes import SequenceLanes
from tui.views.detail_lines import HEADER
from tui.views.list_rows import BY_PAIR, BY_REQUEST, BY_TREE, FLAT

WIDE = (200, 50)
NARROW = (80, 24)


def explorer(app: TraceApp) -> ExplorerScreen:
    screen = app.screen
    assert isinstance(screen, ExplorerScreen)
    return screen


def detail_text(app: TraceApp) -> str:
    return "\n".join(line.text for line in explorer(app).detail.lines)


@pytest.fixture
def server_create() -> TraceApp:
    return make_app([str(SAMPLES / "server-create.md")])


@pytest.fixture
def run2() -> TraceApp:
    return make_app([str(SAMPLES / "server-create-run2.md")])


async def test_opens_with_first_exchange_selected(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        assert screen.selected == 0
        assert screen.focused is screen.exchange_list
        assert detail_text(app).startswith("#0 GET /identity/")
        header = str(screen.query_one("#trace-header").render())
        assert "55 exchanges" in header and "8 services" in header


async def test_moving_in_the_list_moves_lanes_and_detail(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        rows = screen.exchange_list.list_layout.rows
        await press(app, pilot, "down")
        expected = rows[screen.exchange_list.cursor].exchange
        assert screen.selected == expected == 1
        request_record = screen.trace.exchanges[1].request_record
        assert screen.lanes.lane_layout.records[screen.lanes.cursor] == request_record
        assert detail_text(app).startswith("#1 POST /identity/v3/auth/tokens")
        await press(app, pilot, "j", "j")
        assert screen.selected == rows[screen.exchange_list.cursor].exchange
        # Up onto a group row: the group is not an exchange, the selection stays.
        before = screen.selected
        await press(app, pilot, "k")
        assert rows[screen.exchange_list.cursor].exchange == -1
        assert screen.selected == before


async def test_moving_in_the_lanes_moves_the_list(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        await pilot.press("tab")
        assert screen.focused is screen.lanes
        # Records in trace order: request 0, response 0, request 1 ...
        await press(app, pilot, "down", "down")
        assert screen.selected == 1
        list_row = screen.exchange_list.list_layout.rows[screen.exchange_list.cursor]
        assert list_row.exchange == 1
        await press(app, pilot, "end")
        last_record = screen.lanes.lane_layout.records[-1]
        assert screen.selected == screen.trace.exchange_of_record[last_record]


async def test_tab_enter_and_escape_move_focus(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        await pilot.press("tab")
        assert screen.focused is screen.lanes
        await pilot.press("tab")
        assert screen.focused is screen.detail
        await pilot.press("shift+tab", "shift+tab")
        assert screen.focused is screen.exchange_list
        await pilot.press("enter")
        assert screen.focused is screen.detail
        await pilot.press("escape")
        assert screen.focused is screen.exchange_list


async def test_detail_scrolls_sideways_past_its_short_lines(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        detail = explorer(app).detail
        await press(app, pilot, "3", "right", "right", "right")
        assert app.is_running, "a line shorter than the offset once crashed the app"
        left = detail.scroll_offset.x
        assert left > 0
        headers = [(y, line) for y, line in enumerate(detail.lines) if line.kind == HEADER]
        assert any(len(line.text) < left for _, line in headers)
        for y, line in headers:
            shown = detail.render_line(y).text.rstrip()
            assert shown == line.text[left : left + detail.row_width].rstrip()
        await press(app, pilot, "left", "left", "left")
        assert detail.scroll_offset.x == 0


async def test_failure_keys_visit_every_failed_exchange(run2):
    app = run2
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        failed = {e.index for e in screen.trace.exchanges if e.failed}
        assert failed, "run 2 has a planted 500"
        seen = set()
        for _ in range(len(failed) + 1):
            await press(app, pilot, "right_square_bracket")
            seen.add(screen.selected)
        assert seen == failed
        await press(app, pilot, "left_square_bracket")
        assert screen.selected in failed


async def test_failure_keys_without_failures_say_so(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "right_square_bracket")
        assert explorer(app).selected == 0
        assert any("No failed exchange" in str(n.message) for n in app._notifications)


async def test_g_cycles_grouping(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        assert screen.grouping == BY_PAIR
        assert screen.exchange_list.list_layout.groups
        await pilot.press("g")
        assert screen.grouping == BY_TREE
        depths = {row.depth for row in screen.exchange_list.list_layout.rows}
        assert depths >= {0, 1}, "glance-api's keystone calls nest under openstack's GET"
        await pilot.press("g")
        assert screen.grouping == FLAT
        order = [row.exchange for row in screen.exchange_list.list_layout.rows]
        assert order == list(range(len(screen.trace.exchanges)))
        await pilot.press("g")
        assert screen.grouping == BY_REQUEST
        await pilot.press("g")
        assert screen.grouping == BY_PAIR


async def test_collapse_and_expand_a_group(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        before = len(screen.exchange_list.list_layout.rows)
        await pilot.press("left")
        await pilot.pause()
        assert ("openstack", "keystone") in screen.collapsed
        assert len(screen.exchange_list.list_layout.rows) == before - 2
        await pilot.press("right")
        await pilot.pause()
        assert len(screen.exchange_list.list_layout.rows) == before


async def test_c_copies_the_request_as_curl(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "down", "c")
        assert app.clipboard.startswith("curl ")
        assert "/identity/v3/auth/tokens" in app.clipboard
        assert "POST" in app.clipboard


async def test_t_shows_tokens_whole(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        await press(app, pilot, "down")
        detail: DetailView = screen.detail
        token_row = next(
            row for row, line in enumerate(detail.lines) if line.name == "X-Subject-Token"
        )
        token = detail.lines[token_row].text.partition(": ")[2]
        assert len(token) > 100

        def shown() -> str:
            return "".join(segment.text for segment in detail.render_row(token_row, 500).segments)

        assert token not in shown() and f"({len(token)} chars)" in shown()
        await pilot.press("t")
        assert token in shown()


async def test_help_and_warnings_open_and_close(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, TextModal)
        text = "\n".join(line.plain for line in app.screen.lines)
        for key in ("Quit", "Group", "Copy curl", "Prev fail", "Tokens", "Warnings"):
            assert key in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, TextModal)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)


async def test_narrow_terminal_shows_one_pane_and_number_keys_switch(server_create):
    app = server_create
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        assert screen.narrow
        shown = [pane.id for pane in screen.query("#panes > *") if pane.display]
        assert shown == ["list"]
        await pilot.press("2")
        await pilot.pause()
        shown = [pane.id for pane in screen.query("#panes > *") if pane.display]
        assert shown == ["lanes"] and screen.focused is screen.lanes
        await pilot.press("3")
        await pilot.pause()
        assert [p.id for p in screen.query("#panes > *") if p.display] == ["detail"]
        # The header names the pane shown, within the 80 columns.
        header = str(screen.query_one("#trace-header").render())
        assert "[3]detail" in header[: NARROW[0] - 2]
        await pilot.press("1")
        await pilot.pause()
        assert [p.id for p in screen.query("#panes > *") if p.display] == ["list"]
        await pilot.press("enter")
        await pilot.pause()
        assert [p.id for p in screen.query("#panes > *") if p.display] == ["detail"]


async def test_wide_terminal_shows_three_panes(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        assert not screen.narrow
        assert all(pane.display for pane in screen.query("#panes > *"))
        assert isinstance(screen.query_one("#list"), ExchangeList)
        assert isinstance(screen.query_one("#lanes"), SequenceLanes)


async def test_q_quits(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_e_exports_the_selection_to_a_file(server_create, tmp_path, monkeypatch):
    from tui.readers import read_trace
    from tui.ui.screens.export import ExportModal

    monkeypatch.chdir(tmp_path)
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "down", "e")
        assert isinstance(app.screen, ExportModal)
        await pilot.press("down", "down", "down")  # format: markdown
        await pilot.press("tab", "end")  # scope: the selected exchange
        await press(app, pilot, "tab", "ctrl+u", *"one.md", "enter")
        assert isinstance(app.screen, ExplorerScreen)
    exported = read_trace(str(tmp_path / "one.md"))
    assert [e.request.target for e in exported.exchanges] == ["/identity/v3/auth/tokens"]


async def test_command_palette_offers_every_screen_action(server_create):
    app = server_create
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = explorer(app)
        titles = {command.title for command in app.get_system_commands(screen)}
        for wanted in ("Group", "Copy curl", "Search", "Filter", "Export", "Next fail", "Redact"):
            assert wanted in titles
        grouping = next(c for c in app.get_system_commands(screen) if c.title == "Group")
        grouping.callback()
        await settle(app, pilot)
        assert screen.grouping != "pair"
