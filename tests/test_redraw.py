"""A key press redraws what it changed, not the panes: the cost of a key must not grow with
the screen (issue 6), and moving in one pane must not fight the others."""

from __future__ import annotations

from collections import Counter

import pytest
from textual.geometry import Region

from tests import hostile
from tests.conftest import explorer_on, press, settle
from tui.ui.app import make_app
from tui.ui.screens.explorer import ExplorerScreen
from tui.ui.widgets.detail import SYNC_BODY_BYTES, DetailView, body_bytes
from tui.ui.widgets.exchange_list import ExchangeList
from tui.ui.widgets.lanes import SequenceLanes

WIDE = (200, 50)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Screen lines each pane asks Textual to redraw, by pane class name: a refresh of the
    whole pane (a scroll, a restyle) counts every line of it."""
    counts: Counter[str] = Counter()
    for view in (ExchangeList, SequenceLanes, DetailView):
        original = view.refresh

        def counting(self, *regions, original=original, name=view.__name__, **kwargs):
            counts[name] += sum(r.height for r in regions) if regions else self.size.height
            return original(self, *regions, **kwargs)

        monkeypatch.setattr(view, "refresh", counting)
    return counts


async def test_moving_down_redraws_two_list_rows_and_the_two_exchanges_in_the_lanes(drawn):
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        before = screen.selected
        drawn.clear()
        await press(app, pilot, "down")
        assert screen.selected != before
        assert drawn["ExchangeList"] <= 2, "the old and the new cursor row"
        assert drawn["SequenceLanes"] <= 4, "the two exchanges' request and response rows"
        assert drawn["DetailView"] >= 1, "the detail shows the new exchange"


async def test_the_lanes_cursor_walks_every_row_down_and_up():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        await press(app, pilot, "tab", "home")
        lanes = screen.lanes
        assert screen.focused is lanes
        rows = lanes.row_count
        visited = [lanes.cursor]
        for _ in range(rows - 1):
            await pilot.press("down")
            visited.append(lanes.cursor)
        # A response row belongs to an earlier exchange than the row above it: selecting
        # that exchange must not send the cursor back to its request.
        assert visited == list(range(rows))
        for _ in range(rows - 1):
            await pilot.press("up")
        assert lanes.cursor == 0
        await settle(app, pilot)
        assert screen.selected == 0


async def test_small_exchanges_show_at_once_and_big_bodies_in_a_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path
):
    built: list[int] = []
    original = DetailView._build

    def recording(self, trace, index):
        built.append(index)
        return original(self, trace, index)

    monkeypatch.setattr(DetailView, "_build", recording)
    case = hostile.PER_SAMPLE["5mb-line"](hostile.MD_SAMPLE)
    path = tmp_path / "big.md"
    path.write_bytes(case.data)
    app = make_app([str(path)])
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        trace = screen.trace
        big = [i for i in range(len(trace.exchanges)) if body_bytes(trace, i) > SYNC_BODY_BYTES]
        small = [i for i in range(len(trace.exchanges)) if i not in big]
        assert big and small, "the case has one 5 MB body among small ones"
        built.clear()
        for index in small:
            screen.select(index)
            assert screen.detail.lines[0].text.startswith(f"#{index} "), "shown at once"
        assert built == []
        screen.select(big[0])
        await settle(app, pilot)
        assert built == big[:1]
        assert screen.detail.lines[0].text.startswith(f"#{big[0]} ")


async def test_tab_repaints_the_two_panes_not_the_screen(
    monkeypatch: pytest.MonkeyPatch,
):
    from textual._compositor import Compositor

    full: list[int] = []
    original = Compositor.render_full_update

    def counting(self, simplify=False):
        full.append(1)
        return original(self, simplify=simplify)

    monkeypatch.setattr(Compositor, "render_full_update", counting)
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        full.clear()
        await press(app, pilot, "tab")
        assert screen.focused is screen.lanes
        assert full == [], "a change of focus repaints the panes it concerns, not the screen"


async def test_a_new_theme_redraws_every_pane_in_its_colours():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        views = (screen.exchange_list, screen.lanes, screen.detail)

        def backgrounds() -> list[object]:
            return [next(iter(view.render_line(3))).style.bgcolor for view in views]

        before = backgrounds()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(app, pilot)
        after = backgrounds()
        assert all(new != old for new, old in zip(after, before))
        assert len(set(after)) == 1, "every pane on the new surface colour"


async def test_no_color_draws_every_pane_in_grey(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with explorer_on("server-create-run2.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        await press(app, pilot, "right_square_bracket")
        for view in (screen.exchange_list, screen.lanes, screen.detail):
            lines = view.render_lines(Region(0, 0, *view.size))
            colours = {
                colour.triplet
                for line in lines
                for segment in line
                for colour in (segment.style.color, segment.style.bgcolor)
                if colour is not None and colour.triplet is not None
            }
            assert colours, view.id
            assert all(r == g == b for r, g, b in colours), view.id


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per frame Textual draws (a compositor update of the screen)."""
    from textual.screen import Screen

    drawn: list[int] = []
    original = Screen._compositor_refresh

    def counting(self):
        drawn.append(1)
        return original(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", counting)
    return drawn


@pytest.mark.parametrize("pane, key", [("1", "down"), ("1", "pagedown"), ("2", "down")])
async def test_a_move_changes_every_pane_in_one_frame(frames, pane, key):
    # Flat grouping, so every list row is an exchange; a short screen, so pages are short.
    async with explorer_on("server-create-run2.md", (200, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        await press(app, pilot, "g", "g", pane, "home")
        changed = 0
        for _ in range(4):
            before = screen.selected
            frames.clear()
            await press(app, pilot, key)
            changed += screen.selected != before
            assert len(frames) == 1, "the list (or lanes), the other panes and the detail at once"
        assert changed >= 2


@pytest.mark.parametrize("pane", ["1", "2"])
async def test_keys_pressed_faster_than_the_screen_answers_all_count(pane):
    async with explorer_on("server-create-run2.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        await press(app, pilot, pane, "home")
        view = screen.focused
        for downs in (1, 5, 9):
            start = view.cursor
            await pilot.press(*["down"] * downs, "up")
            await settle(app, pilot)
            assert view.cursor == start + downs - 1
            shown = screen.selected
            assert screen.exchange_list.selected == screen.lanes.selected == shown
            assert screen.detail.index == shown
            lanes = screen.lanes
            lit = [row for row in range(lanes.row_count) if lanes.row_state(row)[0]]
            assert lit and all(lanes.row_state(row)[0] for row in lanes._rows_of(shown))


async def test_tab_does_not_restyle_the_panes(monkeypatch):
    """Textual restyles a widget and each of its component classes when focus moves; the
    views draw what focus changes themselves, so `tab` must not cost that."""
    from textual.css.stylesheet import Stylesheet

    from tui.ui.widgets.themed import ThemedView

    restyled: list[str] = []
    original = Stylesheet.apply

    def recording(self, node, *args, **kwargs):
        if isinstance(node, ThemedView):
            restyled.append(node.id or "")
        return original(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", recording)
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        restyled.clear()
        await press(app, pilot, "tab", "tab", "tab")
        assert screen.focused is screen.exchange_list
        assert restyled == []
