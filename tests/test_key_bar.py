"""The key bar at the bottom: the active screen's shown keys, fitted to the width."""

from __future__ import annotations

from textual.binding import Binding

from tests.conftest import SAMPLES, explorer_on, press, settle
from tui.ui.app import make_app
from tui.ui.screens.diff import DiffScreen
from tui.ui.screens.explorer import ExplorerScreen
from tui.ui.widgets.key_bar import KeyBar
from tui.views.list_rows import GROUPINGS

WIDE = (200, 50)
NARROW = (80, 24)


def shown(screen: type) -> list[str]:
    """`key description` of each show=True binding of a screen class, in order."""
    items = []
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.show:
            items.append(f"{binding.key_display or binding.key} {binding.description}")
    return items


def bar_text(app) -> str:
    return app.screen.query_one(KeyBar).render().plain


async def test_shows_every_shown_binding_of_the_explorer_and_the_palette():
    async with explorer_on("server-create.md", WIDE) as (app, _):
        text = bar_text(app)
        positions = [text.index(f" {item} ") for item in shown(ExplorerScreen)]
        assert positions == sorted(positions)
        assert text.rstrip().endswith("^p palette")
        assert len(text) == WIDE[0]


async def test_fits_80_columns_with_whole_items_and_the_palette():
    async with explorer_on("server-create.md", NARROW) as (app, _):
        text = bar_text(app)
        assert len(text) <= NARROW[0]
        assert text.rstrip().endswith("^p palette")
        items = shown(ExplorerScreen)
        fitted = [item for item in items if f" {item} " in text]
        # The first keys, whole, and nothing cut: what does not fit is left out.
        assert fitted == items[: len(fitted)]
        assert 3 <= len(fitted) < len(items)
        left = text.split("▏")[0].strip()
        assert left == "  ".join(fitted)


async def test_diff_screen_shows_its_own_keys():
    app = make_app([str(SAMPLES / "server-create.md"), str(SAMPLES / "server-create-run2.md")])
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DiffScreen)
        text = bar_text(app)
        for item in shown(DiffScreen):
            assert f" {item} " in text
        assert "Filter" not in text


async def test_focus_changes_leave_the_bar_alone():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        bar = app.screen.query_one(KeyBar)
        before = bar.render().plain
        await press(app, pilot, "tab")
        assert app.screen.focused is not None and app.screen.focused.id == "lanes"
        assert bar.render().plain == before
        assert not bar.children


async def test_clicking_an_item_presses_its_key():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        column = bar_text(app).index(" g Group ") + 1
        await pilot.click(KeyBar, offset=(column, 0))
        await settle(app, pilot)
        assert screen.grouping == GROUPINGS[1]
