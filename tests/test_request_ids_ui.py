"""Pilot tests of request ids in the explorer: the request-id grouping, RPC roots under their
API call in the call tree, the id in the detail and `*` on it, the `reqid:` filter."""

from __future__ import annotations

from tests.conftest import SAMPLES, press, settle
from tui.query.request_ids import request_id
from tui.ui.app import make_app
from tui.ui.screens.explorer import ExplorerScreen
from tui.views.list_rows import BY_REQUEST, BY_TREE, NO_REQUEST_ID

BOOT = "req-9c0dd7d2-2994-47f8-bcf3-39c502f4827b"


def open_app():
    return make_app([str(SAMPLES / "server-create.md")])


def row_text(screen: ExplorerScreen, row: int) -> str:
    return "".join(s.text for s in screen.exchange_list.render_row(row, 200).segments)


async def test_g_reaches_the_request_id_grouping():
    app = open_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        await press(app, pilot, "g", "g", "g")
        assert screen.grouping == BY_REQUEST
        groups = screen.exchange_list.list_layout.groups
        boot = next(group for group in groups if group.src == BOOT)
        trace = screen.trace
        assert boot.members == [e.index for e in trace.exchanges if request_id(trace, e) == BOOT]
        assert len(boot.members) == 19
        assert groups[0].src == NO_REQUEST_ID, "the client's first calls carry no id"
        header = str(screen.query_one("#trace-header").render())
        assert "group: request id" in header
        first_row = row_text(screen, 0)
        assert first_row.startswith("▾ (no request id)")


async def test_call_tree_puts_rpc_calls_under_post_servers():
    app = open_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "g")
        assert screen.grouping == BY_TREE
        tree = screen.exchange_list.list_layout
        rows = list(tree.rows)
        post = next(n for n, row in enumerate(rows) if row.exchange == 9)
        scheduler = next(n for n, row in enumerate(rows) if row.exchange == 21)
        assert rows[scheduler].depth == rows[post].depth + 1
        # Everything between POST /servers and the scheduler's call is in POST's subtree.
        assert all(row.depth > rows[post].depth for row in rows[post + 1 : scheduler + 1])
        text = row_text(screen, scheduler)
        assert "⚡via RPC" in text and "nova…duler" in text
        # A root whose id names no earlier API call keeps its ⚡ and no "via RPC".
        lone = next(n for n, row in enumerate(rows) if row.exchange == 54)
        assert rows[lone].depth == 0
        assert "⚡" in row_text(screen, lone) and "via RPC" not in row_text(screen, lone)


async def test_detail_names_the_request_id_and_star_marks_its_exchanges():
    app = open_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.select(21)
        await press(app, pilot, "enter")
        lines = screen.detail.lines
        row = next(i for i, line in enumerate(lines) if line.name == "Request id")
        assert lines[row].text == f"Request id: {BOOT}"
        screen.detail.move_cursor(row)
        await settle(app, pilot)
        await press(app, pilot, "asterisk")
        trace = screen.trace
        carriers = [e.index for e in trace.exchanges if request_id(trace, e) == BOOT]
        assert set(carriers) <= set(screen.matches)


async def test_reqid_filter_narrows_every_pane():
    app = open_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "f", *f"reqid:{BOOT}", "enter")
        await settle(app, pilot)
        assert screen.filtered is not None and len(screen.filtered) == 19
