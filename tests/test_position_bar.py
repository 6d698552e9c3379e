"""The position bar each view draws in its last column (instead of Textual's scrollbar)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import explorer_on, press
from tui.ui.screens.explorer import ExplorerScreen
from tui.ui.widgets.position_bar import EIGHTHS, thumb_cells

WIDE = (200, 50)


def test_no_thumb_when_every_row_fits():
    assert thumb_cells(10, 10, 0) == {}
    assert thumb_cells(10, 3, 0) == {}


def test_the_thumb_is_as_tall_as_the_share_on_screen():
    assert thumb_cells(10, 20, 0) == {cell: (" ", False) for cell in range(5)}
    assert thumb_cells(10, 20, 10) == {cell: (" ", False) for cell in range(5, 10)}


def test_the_thumb_ends_in_eighths_between_cells():
    # 10 rows of 40 on screen: a thumb of 2.5 cells; one row down moves it by 1/4 of a cell.
    cells = thumb_cells(10, 40, 1)
    assert cells == {
        0: (EIGHTHS[7 - 2], True),  # starts two eighths down the first cell
        1: (" ", False),
        2: (EIGHTHS[7 - 6], False),  # and ends six eighths down the third
    }


@given(
    track=st.integers(1, 60),
    total=st.integers(0, 500_000),
    position=st.integers(0, 500_000),
)
def test_the_thumb_stays_on_the_track_and_shows(track, total, position):
    position = min(position, max(0, total - track))
    cells = thumb_cells(track, total, position)
    assert all(0 <= cell < track for cell in cells)
    if total > track:
        assert cells, "a thumb of at least one cell"
        assert any(glyph == " " for glyph, _ in cells.values()) or len(cells) <= 2
    if total > track and position == 0:
        assert 0 in cells
    if total > track and position == total - track:
        assert track - 1 in cells


async def test_the_bar_follows_the_list_and_marks_the_focused_pane():
    async with explorer_on("server-create-run2.md", WIDE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        view = screen.exchange_list
        last = view.size.width - 1

        def bar() -> list[object]:
            """The style of each cell of the list's last column, top to bottom."""
            lines = [view.render_line(y) for y in range(view.size.height)]
            return [next(iter(line.crop(last, last + 1))).style for line in lines]

        at_top = bar()
        thumb, track = at_top[0], at_top[-1]
        assert thumb != track
        await press(app, pilot, "end")
        at_end = bar()
        assert (at_end[0], at_end[-1]) == (track, thumb), "the thumb went down"
        await press(app, pilot, "home", "tab")
        assert screen.focused is screen.lanes
        assert bar()[0] != thumb, "the focused pane's thumb has its own colour"
