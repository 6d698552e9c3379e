"""A Line-API scroll view with a keyboard cursor: the base of the list, the lanes and the detail.

Only the rows on screen are ever rendered (`render_row`), so the cost of a frame or a key press
does not depend on how many rows there are: 200k exchanges move as fast as 20. Rendered rows
are cached, keyed by what can change their look (`row_state`), so a key press that moves the
cursor re-renders two rows, not the screen. Lines go to the compositor as they are cached,
without Textual's per-line styles pass, with a position bar drawn in their last cell; a move
that changes the selection is announced to the screen and drawn with its answer, so every
pane changes in the same frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.filter import ANSIToTruecolor, DimFilter, LineFilter, Monochrome, NoColor
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.ui.textual_private import set_virtual_size_quietly
from tui.ui.widgets.position_bar import bar_cells

# Textual's line filters that map each segment's style alone (truecolor, NO_COLOR, dim).
STYLE_FILTERS = (ANSIToTruecolor, Monochrome, NoColor, DimFilter)
# What a view does when the screen selects something (`CursorView.screen_selected`).
SHOW, DRAW, WAIT = "show", "draw", "wait"


class Row(NamedTuple):
    """What a row shows: styled segments, and a style laid over them all (the cursor's)."""

    segments: list[Segment]
    style: Style | None = None


class _Pass(NamedTuple):
    """What every line of one drawing of a view shares: the row width, the scroll offsets,
    the position bar's cells, the colours, and the line filters applied once per style
    (`folded`) or to each line (`unfolded`)."""

    width: int
    top: int
    left: int
    bar: list[Segment]
    base: Style
    background: Color
    folded: tuple[LineFilter, ...]
    unfolded: tuple[LineFilter, ...]


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
        # Rows as drawn (keyed by what decides their look, the bar's cell included), and what
        # they show before the bar and the background are added: moving the bar re-finishes
        # rows, it does not render them again.
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(2048)
        self._looks: LRUCache[tuple[object, ...], Row] = LRUCache(2048)
        self._base_style: Style | None = None
        self._drawn_with: tuple[object, ...] | None = None
        # Segment style -> that style over the background (and the row's style, if any).
        self._style_sums: dict[Style | None, dict[Style | None, Style]] = {}
        self._bar_cells: tuple[tuple[int, int, int], list[Segment]] | None = None
        self._bar_colours: tuple[Style, Segment, tuple[Style, Style]] | None = None
        self._class_styles: dict[tuple[str, bool], Style] = {}
        # The value (an exchange) the screen selected last, one this view announced and the
        # screen has not answered yet, and the row the cursor is drawn on meanwhile.
        self.selected: int | None = None
        self._announced: int | None = None
        self._drawn_at: int | None = None

    @property
    def base_style(self) -> Style:
        """The widget's own style (its background): `rich_style` walks every ancestor's
        styles, which cost a tenth of a millisecond a row."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def notify_style_update(self) -> None:
        """Styles changed (focus, theme): look the colours up again."""
        self._base_style = None
        self._bar_cells = None
        self._bar_colours = None
        self._class_styles.clear()
        super().notify_style_update()

    def component_style(self, name: str, partial: bool = True) -> Style:
        """The rich style of component class `name`, kept until the styles change: Textual's
        own cache of these empties on every refresh, and a row asks for ten of them."""
        key = (name, partial)
        style = self._class_styles.get(key)
        if style is None:
            style = self._class_styles[key] = self.get_component_rich_style(name, partial=partial)
        return style

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
        self.forget_rows()
        top = self.scroll_offset.y
        self.refresh_rows(*range(max(changed_from, top), top + self.page_rows), *changed)

    def _resize_rows(self, count: int, width: int) -> None:
        self._row_count = count
        self._content_width = width
        size = Size(width, count + self.fixed_rows)
        if self.size.height and not self.styles.auto_dimensions:
            # The position bar is drawn in the rows, so no widget moves when the rows stop
            # fitting: skip the layout pass a virtual_size change triggers, which repainted
            # every pane, and redrew this one a frame later.
            set_virtual_size_quietly(self, size)
        else:
            self.virtual_size = size
        if self.cursor >= count:
            self.set_reactive(CursorView.cursor, max(0, count - 1))

    def invalidate(self) -> None:
        """What the rows show changed: forget every rendered row and redraw."""
        self.forget_rows()
        self.refresh()

    def forget_rows(self) -> None:
        """Forget every row drawn (subclasses that cache parts of rows forget those too)."""
        self._strips.clear()
        self._looks.clear()
        self._style_sums.clear()

    def row_state(self, row: int) -> object:
        """What, besides the data, decides how row `row` looks (default: the cursor)."""
        return row == self.cursor and (self.has_focus or 2)

    def watch_has_focus(self, has_focus: bool) -> None:
        """Focus changes the cursor's look and the bar's colour, both drawn here: no style
        rule depends on it, so Textual's restyle of the view and its two dozen component
        classes (most of the cost of `tab`) is skipped."""
        self._bar_cells = None
        self._bar_colours = None
        self.refresh()

    def refresh_rows(self, *rows: int) -> None:
        """Redraw only these scrolling rows: a whole-view refresh makes Textual restyle every
        line on screen, which at 45 lines a pane was most of a key press's cost."""
        top = self.scroll_offset.y
        page = self.page_rows
        for row in set(rows):
            if top <= row < top + page and row < self._row_count:
                self.refresh_line(row + self.fixed_rows)

    @property
    def page_rows(self) -> int:
        """Rows that fit on screen below the fixed header."""
        return max(1, self.size.height - self.fixed_rows)

    def render_row(self, row: int, width: int) -> Row:
        """What scrolling row `row` shows in `width` cells (subclasses override)."""
        raise NotImplementedError

    def render_fixed(self, y: int, width: int) -> Row:
        """What fixed header row `y` shows (subclasses with `fixed_rows` override)."""
        return Row([])

    @property
    def row_width(self) -> int:
        """Cells a row may use: the content less the position bar's column."""
        return max(0, self.content_region.width - 1)

    def text_row(self, text: Text, row_style: Style | None = None) -> Row:
        """A row drawn from one line of rich Text (segments are cheaper for busy rows)."""
        text.no_wrap = True
        text.end = ""
        console = self.app.console
        if text.style and not text.spans:
            # Text.render leaves out the text's own style when it has no spans.
            return Row([Segment(text.plain, console.get_style(text.style))], row_style)
        return Row(list(text.render(console)), row_style)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines of `crop` straight from the cached rows when nothing needs Textual's
        styles pass (no border, padding, tint or opacity): that pass made four Strips a line,
        a third of a key press's cost. Views with a border take the usual path."""
        styles = self.styles
        if (
            any(styles.gutter)
            or styles.tint.a
            or styles.opacity != 1.0
            or styles.text_opacity != 1.0
            or styles.has_rule("hatch")
        ):
            return super().render_lines(crop)
        pass_ = self._pass(self.get_line_filters())
        lines = [self._draw_line(y, pass_) for y in crop.line_range]
        for line_filter in pass_.unfolded:
            lines = [line.apply_filter(line_filter, pass_.background) for line in lines]
        if crop.column_span != (0, self.size.width):
            x1, x2 = crop.column_span
            lines = [line.crop(x1, x2) for line in lines]
        return lines

    def render_line(self, y: int) -> Strip:
        """Textual's Line API, which the styles pass calls once a line (and then applies the
        line filters itself): line `y`."""
        return self._draw_line(y, self._pass(()))

    def _pass(self, filters: Sequence[LineFilter]) -> _Pass:
        """What every line of one drawing shares, looked up once. Rows drawn in other colours
        (a new theme) or through other filters are forgotten."""
        base = self.base_style
        background = self.background_colors[1]
        folded = tuple(f for f in filters if type(f) in STYLE_FILTERS)
        colours = (self.app.theme, base, background, folded)
        if colours != self._drawn_with:
            self._drawn_with = colours
            self._class_styles.clear()
            self.forget_rows()
        left, top = self.scroll_offset
        bar = self._bar(top, self.page_rows)
        unfolded = tuple(f for f in filters if type(f) not in STYLE_FILTERS)
        return _Pass(self.row_width, top, left, bar, base, background, folded, unfolded)

    def _draw_line(self, y: int, pass_: _Pass) -> Strip:
        line = y - self.fixed_rows
        state: object
        if line < 0:
            # A fixed row: keyed apart from the scrolling rows, with a blank for the bar.
            row, state, edge = y, "fixed", Segment(" ")
        else:
            row = pass_.top + line
            edge = pass_.bar[line] if line < len(pass_.bar) else Segment(" ")
            # Below the last row: one blank line, kept like a row (a short detail left
            # thirty of them to make again on every frame).
            state = self.row_state(row) if row < self._row_count else "blank"
        key = (row if state != "blank" else -1, pass_.width, pass_.left, state, edge)
        strip = self._strips.get(key)
        if strip is None:
            look_key = key[:4]
            look = self._looks.get(look_key)
            if look is None:
                if state == "blank":
                    look = Row([])
                elif line < 0:
                    look = self.render_fixed(y, pass_.width)
                else:
                    look = self.render_row(row, pass_.width)
                self._looks[look_key] = look
            strip = self._strips[key] = self._finish(look, pass_, edge)
        return strip

    def _finish(self, look: Row, pass_: _Pass, edge: Segment) -> Strip:
        """One Strip for a row: scrolled, cut or padded to the row width, the position bar's
        cell after it, every segment on the widget's background (and the row's style).

        One Strip, made last: each Strip carries caches that often refer back to it, so every
        intermediate one was garbage only the full collector frees (it paused the UI for
        60-80 ms at a time while a followed file grew)."""
        segments, row_style = look
        width = pass_.width
        if pass_.left:
            # Divide yields a piece per cut reached: none for a row shorter than the offset.
            pieces = list(Segment.divide(segments, [pass_.left, pass_.left + width]))
            segments = pieces[1] if len(pieces) > 1 else []
        line = self._styled(Segment.adjust_line_length(segments, width, pad=True), row_style, pass_)
        # The bar's cell is not the row's: no row style under it.
        line += self._styled([edge], None, pass_)
        return Strip(line, width + 1)

    def _styled(
        self, segments: list[Segment], row_style: Style | None, pass_: _Pass
    ) -> list[Segment]:
        sums = self._style_sums.get(row_style)
        if sums is None:
            sums = self._style_sums[row_style] = {}
        for _, style, _ in segments:
            if style not in sums:
                sums[style] = self._style_sum(pass_, row_style, style)
        return [Segment(text, sums[style]) for text, style, _ in segments]

    def _style_sum(self, pass_: _Pass, row_style: Style | None, style: Style | None) -> Style:
        """A segment's final style: on the background, under the row's style, through the
        line filters (Textual's change colours style by style, so once a style will do)."""
        total = pass_.base if row_style is None else pass_.base + row_style
        if style is not None:
            total += style
        for line_filter in pass_.folded:
            total = line_filter.apply([Segment(" ", total)], pass_.background)[0].style or total
        return total

    def _bar(self, top: int, page: int) -> list[Segment]:
        """The position bar's cell for each scrolling line: a thumb as tall as the share of
        the rows on screen (eighths of a cell at its ends), on a track that also divides
        this pane from the next. Drawn in the rows, not by Textual's scrollbar widget: that
        one repainted and restyled its whole column on every scroll."""
        key = (top, page, self._row_count)
        if self._bar_cells is not None and self._bar_cells[0] == key:
            return self._bar_cells[1]
        cells = bar_cells(page, self._row_count, top, *self._bar_styles())
        self._bar_cells = (key, cells)
        return cells

    def _bar_styles(self) -> tuple[Style, Segment, tuple[Style, Style]]:
        """The track's style, a whole thumb cell, and the styles of a glyph at the thumb's
        ends (drawn in the track's or the thumb's colour)."""
        if self._bar_colours is None:
            styles = self.styles
            track = self.background_colors[1] + styles.scrollbar_background
            # The thumb is never dragged, so its "active" colour marks the focused view.
            colour = styles.scrollbar_color_active if self.has_focus else styles.scrollbar_color
            back, thumb = track.rich_color, (track + colour).rich_color
            self._bar_colours = (
                Style.from_color(bgcolor=back),
                Segment(" ", Style.from_color(bgcolor=thumb)),
                (Style.from_color(back, thumb), Style.from_color(thumb, back)),
            )
        return self._bar_colours

    def watch_cursor(self, old: int, new: int) -> None:
        """Keep the cursor on screen and redraw the rows that changed; but when the move was
        announced to the screen (`cursor_moved`), only once the screen answers: then the
        list, the lanes and the detail change in the same frame, not in two."""
        if self.cursor_moved(new):
            if self._drawn_at is None:
                self._drawn_at = old
            return
        self.draw_cursor(old)

    def draw_cursor(self, old: int, center: bool = False, changed: Iterable[int] = ()) -> None:
        """Draw the cursor where it is, having been on `old` (or where it was last drawn, if
        moves since then awaited an answer); rows `changed` look different too."""
        drawn = old if self._drawn_at is None else self._drawn_at
        self._drawn_at = None
        self.place_cursor(drawn, self.cursor, center, [*changed, old])

    def place_cursor(
        self, old: int, new: int, center: bool = False, changed: Iterable[int] = ()
    ) -> None:
        """The cursor went from row `old` to `new`, and rows `changed` look different: scroll
        to the cursor and redraw those rows (a scroll redraws the whole view by itself)."""
        top = self.scroll_offset.y
        self.scroll_to_row(new, center)
        if self.scroll_offset.y == top:
            self.refresh_rows(*changed, *((old, new) if old != new else ()))

    def cursor_moved(self, row: int) -> bool:
        """Hook for subclasses: the cursor is now on `row`. True when that was announced
        (`announce`), so the screen's answer will draw it."""
        return False

    def announce(self, value: int, message: Message) -> bool:
        """The cursor moved onto `value` (an exchange): post `message` about it unless the
        screen already selected it (or it is already announced). True while an answer is
        awaited."""
        if value == (self.selected if self._announced is None else self._announced):
            return self._announced is not None
        self._announced = value
        self.post_message(message)
        return True

    def screen_selected(self, value: int) -> str:
        """The screen selected `value`: SHOW it (the screen chose it), DRAW the cursor where
        the user put it (the answer to this view's announcement), or WAIT (the answer to an
        older announcement: a newer one is on its way, so the cursor stays)."""
        if self._announced is not None and value != self._announced:
            return WAIT
        answer = SHOW if self._announced is None else DRAW
        self._announced = None
        self.selected = value
        return answer

    def forget_announcement(self) -> None:
        """The rows were laid out again: whatever was announced, show what the screen says."""
        self._announced = None

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
