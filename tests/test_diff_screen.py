"""Pilot tests of the diff screen: summary, jumping between differences, opening a side."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, press, settle
from tui.ui.app import TraceApp, make_app
from tui.ui.screens.diff import DiffScreen
from tui.ui.screens.explorer import ExplorerScreen
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.diff_list import DiffList


@pytest.fixture
def two_runs() -> TraceApp:
    return make_app([str(SAMPLES / "server-create.md"), str(SAMPLES / "server-create-run2.md")])


def diff_screen(app: TraceApp) -> DiffScreen:
    assert isinstance(app.screen, DiffScreen)
    return app.screen


async def test_header_summarizes_the_diff(two_runs):
    app = two_runs
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = diff_screen(app)
        assert screen.diff is not None
        header = str(screen.query_one("#diff-header").render())
        for kind, count in screen.diff.summary.items():
            assert f"{count} {kind}" in header
        assert screen.diff.summary["changed"] == 3


async def test_brackets_visit_every_difference(two_runs):
    app = two_runs
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = diff_screen(app)
        visited = []
        for _ in screen.diff.differences:
            await press(app, pilot, "right_square_bracket")
            visited.append(screen.query_one(DiffList).cursor)
        assert visited == screen.diff.differences
        await press(app, pilot, "left_square_bracket")
        assert screen.query_one(DiffList).cursor == screen.diff.differences[-2]


async def test_changed_entry_marks_the_differing_field(two_runs):
    app = two_runs
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = diff_screen(app)
        body_change = next(
            position
            for position, entry in enumerate(screen.diff.entries)
            if any(change.part == "request.body" for change in entry.changes)
        )
        screen.query_one(DiffList).move_cursor(body_change)
        await settle(app, pilot)
        side_b = screen.query_one("#side-b", DetailView)
        marked = [line.text for line in side_b.lines if side_b.is_marked(line)]
        assert any("dns_name" in text for text in marked)


async def test_open_each_side_in_the_explorer_and_come_back(two_runs):
    app = two_runs
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = diff_screen(app)
        added = screen.diff.entries.index(
            next(entry for entry in screen.diff.entries if entry.kind == "added")
        )
        screen.query_one(DiffList).move_cursor(added)
        await settle(app, pilot)
        await press(app, pilot, "o")
        assert isinstance(app.screen, DiffScreen), "an added exchange has no run-1 side"
        changed = next(i for i, e in enumerate(screen.diff.entries) if e.kind == "changed")
        screen.query_one(DiffList).move_cursor(changed)
        await settle(app, pilot)
        entry = screen.diff.entries[changed]
        await press(app, pilot, "o")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.selected == entry.a_index
        await press(app, pilot, "escape")
        assert isinstance(app.screen, DiffScreen)
        await press(app, pilot, "O")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.selected == entry.b_index
        assert app.screen.trace.path.endswith("server-create-run2.md")


async def test_raw_toggle_masks_nothing(two_runs):
    app = two_runs
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = diff_screen(app)
        masked_changed = screen.diff.summary["changed"]
        await press(app, pilot, "r")
        assert screen.diff.raw
        assert "raw" in str(screen.query_one("#diff-header").render())
        assert screen.diff.summary["changed"] > masked_changed


async def test_narrow_diff_shows_one_pane(two_runs):
    app = two_runs
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = diff_screen(app)
        shown = [pane.id for pane in screen.query("#diff-panes > *") if pane.display]
        assert shown == ["diff-entries"]
        await pilot.press("2")
        await pilot.pause()
        assert [p.id for p in screen.query("#diff-panes > *") if p.display] == ["diff-sides"]
        await pilot.press("3")
        await pilot.pause()
        assert [p.id for p in screen.query("#diff-panes > *") if p.display] == ["diff-lanes"]
