"""A Line-API scroll view with a keyboard cursor: the base of the list, the lanes and the detail.

Only the rows on screen are ever rendered (`render_row`), so the cost of a frame or a key press
does not depend on how many rows there are: 200k exchanges move as fast as 20. Rendered rows
are cached, keyed by what can change their look (`row_state`), so a key press that moves the
cursor re-renders two rows, not the screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


class CursorView(ScrollView, can_focus=True):
    """Rows with a cursor; subclasses say how many rows there are and how to draw one.

    `fixed_rows` rows at the top (a header) stay on screen while the rest scrolls.
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)
    fixed_rows = 0

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._row_count = 0
        self._content_width = 0
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(2048)
        self._base_style: Style | None = None

    @property
    def base_style(self) -> Style:
        """The widget's own style (its background): `rich_style` walks every ancestor's
        styles, which cost a tenth of a millisecond a row."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def notify_style_update(self) -> None:
        """Styles changed (focus, theme): the base style must be looked up again."""
        self._base_style = None
        super().notify_style_update()

    @property
    def row_count(self) -> int:
        """How many scrolling rows there are."""
        return self._row_count

    def set_row_count(self, count: int, width: int = 0) -> None:
        """Change the number of rows (and the widest row) and redraw."""
        self._resize_rows(count, width)
        self.invalidate()

    def grow_rows(self, count: int, changed_from: int, changed: Iterable[int] = ()) -> None:
        """There are `count` rows now; those before `changed_from` look as they did, but for
        `changed`. Redraw only the changed rows on screen: a file followed as it grows added
        rows twice a second, and redrawing whole panes each time made the UI stutter."""
        self._resize_rows(count, self._content_width)
        self._strips.clear()
        top = self.scroll_offset.y
        self.refresh_rows(*range(max(changed_from, top), top + self.page_rows), *changed)

    def _resize_rows(self, count: int, width: int) -> None:
        self._row_count = count
        self._content_width = width
        size = Size(width, count + self.fixed_rows)
        height = self.size.height
        if height and (size.height > height) == (self.virtual_size.height > height):
            # The scrollbar stays (or stays away), so no widget moves: skip the layout pass
            # a virtual_size change triggers, which would repaint every pane on each key.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
        if self.cursor >= count:
            self.set_reactive(CursorView.cursor, max(0, count - 1))

    def invalidate(self) -> None:
        """What the rows show changed: forget every rendered row and redraw."""
        self._strips.clear()
        self.refresh()

    def row_state(self, row: int) -> object:
        """What, besides the data, decides how row `row` looks (default: the cursor)."""
        return row == self.cursor and (self.has_focus or 2)

    def on_focus(self) -> None:
        """The cursor row looks different with focus."""
        self.refresh_rows(*self.focus_rows())

    def on_blur(self) -> None:
        """The cursor row looks different without focus."""
        self.refresh_rows(*self.focus_rows())

    def focus_rows(self) -> list[int]:
        """The rows whose look depends on focus (default: the cursor's)."""
        return [self.cursor]

    def refresh_rows(self, *rows: int) -> None:
        """Redraw only these scrolling rows: a whole-view refresh makes Textual restyle every
        line on screen, which at 45 lines a pane was most of a key press's cost."""
        top = self.scroll_offset.y
        page = self.page_rows
        for row in rows:
            if top <= row < top + page and row < self._row_count:
                self.refresh_line(row + self.fixed_rows)

    @property
    def page_rows(self) -> int:
        """Rows that fit on screen below the fixed header."""
        return max(1, self.size.height - self.fixed_rows)

    def render_row(self, row: int, width: int) -> Strip:
        """Draw scrolling row `row` (subclasses override)."""
        raise NotImplementedError

    def render_fixed(self, y: int, width: int) -> Strip:
        """Draw fixed header row `y` (subclasses with `fixed_rows` override)."""
        return Strip.blank(width, self.base_style)

    @property
    def row_width(self) -> int:
        """Cells a row may use: the widget less its scrollbar."""
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        """Textual's Line API: draw screen line `y`."""
        width = self.row_width
        if y < self.fixed_rows:
            return self.render_fixed(y, width)
        row = self.scroll_offset.y + y - self.fixed_rows
        if row >= self._row_count:
            return Strip.blank(width, self.base_style)
        key = (row, width, self.scroll_offset.x, self.row_state(row))
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self.render_row(row, width)
        return strip

    def text_strip(self, text: Text, width: int, row_style: Style | None = None) -> Strip:
        """Turn one line of rich Text into a strip exactly `width` cells wide, scrolled
        horizontally, on the widget's background (plus `row_style`, e.g. the cursor)."""
        text.no_wrap = True
        text.end = ""
        return self.segments_strip(list(text.render(self.app.console)), width, row_style)

    def segments_strip(
        self, segments: list[Segment], width: int, row_style: Style | None = None
    ) -> Strip:
        """`text_strip` for a line already cut into styled segments (cheaper than Text).

        One Strip, made last: each Strip carries caches that often refer back to it, so every
        intermediate one was garbage only the full collector frees (it paused the UI for
        60-80 ms at a time while a followed file grew)."""
        left = self.scroll_offset.x
        if left:
            segments = list(Segment.divide(segments, [left, left + width]))[1]
        style = self.base_style if row_style is None else self.base_style + row_style
        line = Segment.adjust_line_length(segments, width, pad=True)
        return Strip(Segment.apply_style(line, style), width)

    def watch_cursor(self, old: int, new: int) -> None:
        """Keep the cursor on screen and redraw the two rows that changed."""
        self.place_cursor(old, new)
        self.cursor_moved(new)

    def place_cursor(
        self, old: int, new: int, center: bool = False, changed: Iterable[int] = ()
    ) -> None:
        """The cursor went from row `old` to `new`, and rows `changed` look different: scroll
        to the cursor and redraw those rows (a scroll redraws the whole view by itself)."""
        top = self.scroll_offset.y
        self.scroll_to_row(new, center)
        if self.scroll_offset.y == top:
            self.refresh_rows(*changed, *((old, new) if old != new else ()))

    def cursor_moved(self, row: int) -> None:
        """Hook for subclasses: the cursor is now on `row`."""

    def scroll_to_row(self, row: int, center: bool = False) -> None:
        """Scroll the least needed (or center) so that `row` is visible."""
        top = self.scroll_offset.y
        page = self.page_rows
        if center and not top <= row < top + page:
            self.scroll_to(y=max(0, row - page // 2), animate=False, immediate=True)
        elif row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row`, clamped to the rows there are."""
        if self._row_count:
            self.cursor = max(0, min(self._row_count - 1, row))

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        """Move the cursor one screen up."""
        self.move_cursor(self.cursor - self.page_rows)

    def action_page_down(self) -> None:
        """Move the cursor one screen down."""
        self.move_cursor(self.cursor + self.page_rows)

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self.move_cursor(0)

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self.move_cursor(self._row_count - 1)
