"""The middle pane: one lane per service, one row per record, arrows in trace order."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.message import Message

from tui.model.trace import REQUEST, Trace
from tui.ui.widgets.cursor_view import SHOW, WAIT, Row
from tui.ui.widgets.themed import ThemedView, status_class, status_label
from tui.views.lanes import LaneLayout, abbreviations

MIN_LANE = 4
MAX_LANE = 9
MIN_LABEL = 14


@dataclass(frozen=True)
class LaneGeometry:
    """Where lanes sit in a pane of a given width."""

    lane_width: int
    label_width: int
    names: list[str]

    def x(self, lane: int) -> int:
        """The column of lane `lane`'s line."""
        return lane * self.lane_width + self.lane_width // 2


def lane_geometry(services: list[str], width: int) -> LaneGeometry:
    """Share `width` between the lanes and the label column: labels get what lanes spare."""
    count = max(1, len(services))
    lanes_room = max(count * MIN_LANE, min(count * MAX_LANE, int(width * 0.5)))
    if width - lanes_room < MIN_LABEL:
        # Too narrow for the labels: squeeze the lanes down to 3 cells before the labels go.
        lanes_room = max(count * 3, width - MIN_LABEL)
    lane_width = max(3, lanes_room // count)
    label_width = max(0, width - lane_width * count - 1)
    return LaneGeometry(lane_width, label_width, abbreviations(services, lane_width - 1))


class SequenceLanes(ThemedView):
    """The sequence diagram of the trace, drawn only for the rows on screen."""

    fixed_rows = 1

    @dataclass
    class Selected(Message):
        """The cursor moved onto a record of exchange `index`; the screen answers by
        selecting it (`select_exchange`)."""

        index: int
        lanes: SequenceLanes

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace: Trace | None = None
        self.lane_layout = LaneLayout([], [], [])  # type: ignore[arg-type]
        self._geometry: LaneGeometry | None = None
        self._art: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(4096)

    def show_layout(self, trace: Trace, lane_layout: LaneLayout, selected: int | None) -> None:
        """Show a new layout (after loading more, or a filter) and keep `selected` in view."""
        self.trace = trace
        self.lane_layout = lane_layout
        self._geometry = None
        self.set_row_count(len(lane_layout.records))
        self.forget_announcement()
        if selected is not None:
            self.select_exchange(selected)

    def show_grown(self, selected: int | None) -> None:
        """The layout shown grew in place (records appended): draw the new rows on screen."""
        self.grow_rows(len(self.lane_layout.records), self.row_count)
        self.forget_announcement()
        if selected is not None:
            self.select_exchange(selected)

    def row_state(self, row: int) -> object:
        """Rows of the selected exchange are highlighted, brighter with focus."""
        if self.trace is None or row >= len(self.lane_layout.records):
            return None
        exchange = self.trace.exchange_of_record[self.lane_layout.records[row]]
        return (exchange == self.selected and exchange >= 0, self.has_focus)

    @property
    def geometry(self) -> LaneGeometry:
        """The lane geometry for the current width (cached until a resize)."""
        if self._geometry is None:
            self._geometry = lane_geometry(self.lane_layout.services, self.row_width)
        return self._geometry

    def select_exchange(self, index: int) -> None:
        """The screen selected exchange `index`: highlight its rows and bring its request row
        into view, or, when these lanes announced it, keep the cursor where the user put it."""
        previous = self.selected
        answer = self.screen_selected(index)
        if answer == WAIT:
            return
        rows = self._rows_of(index)
        unlit = self._rows_of(previous)
        old = self.cursor
        if rows and old not in rows:
            self.set_reactive(ThemedView.cursor, rows[0])
        self.draw_cursor(old, center=answer == SHOW, changed=[*unlit, *rows])

    def _rows_of(self, index: int | None) -> list[int]:
        """The rows of exchange `index`'s request and response (those shown)."""
        if self.trace is None or index is None or not 0 <= index < len(self.trace.exchanges):
            return []
        exchange = self.trace.exchanges[index]
        found = [self.lane_layout.row_of(exchange.request_record)]
        if exchange.response_record is not None:
            found.append(self.lane_layout.row_of(exchange.response_record))
        return [row for row in found if row is not None]

    def cursor_moved(self, row: int) -> bool:
        """Announce the exchange of the record under the cursor."""
        if self.trace is None or row >= len(self.lane_layout.records):
            return False
        exchange = self.trace.exchange_of_record[self.lane_layout.records[row]]
        return exchange >= 0 and self.announce(exchange, self.Selected(exchange, self))

    def render_fixed(self, y: int, width: int) -> Row:
        """The lane header: abbreviated service names over their lanes."""
        geometry = self.geometry
        text = Text()
        for lane, name in enumerate(geometry.names):
            cell = name.center(geometry.lane_width)[: geometry.lane_width]
            text.append(
                cell, self.service_style(self.lane_layout.services[lane]) + Style(bold=True)
            )
        text.append(" " + "message".ljust(geometry.label_width), self.style("dim"))
        return self.text_row(text)

    def render_row(self, row: int, width: int) -> Row:
        """One record: lane lines, activation bars, the arrow, and its label."""
        assert self.trace is not None
        record_index = self.lane_layout.records[row]
        record = self.trace.records[record_index]
        exchange = self.trace.exchange_of_record[record_index]
        busy = self.lane_layout.busy[row]
        is_request = record.kind == REQUEST
        status = 0 if is_request else record.status
        key = (busy, is_request, record.src, record.dst, status_class(status), status >= 400)
        art = self._art.get(key)
        if art is None:
            art = self._art[key] = self._lane_art(busy, is_request, record.src, record.dst, status)
        segments = list(art)
        segments.append(Segment(" "))
        segments += self._label(record_index, exchange, self.geometry.label_width)
        highlighted = exchange >= 0 and exchange == self.selected
        return Row(segments, self.cursor_style() if highlighted else None)

    def _lane_art(
        self, busy: int, is_request: bool, src: str, dst: str, status: int
    ) -> list[Segment]:
        """The lanes part of a row: lane lines, activation bars and the arrow. Rows repeat
        these a lot (the same call, the same lanes busy): kept by what decides them."""
        geometry = self.geometry
        services = self.lane_layout.services
        cells = geometry.lane_width * len(services)
        chars = [" "] * cells
        styles: list[Style] = [Style()] * cells
        for lane, service in enumerate(services):
            x = geometry.x(lane)
            chars[x] = "┃" if busy >> lane & 1 else "│"
            styles[x] = self.service_style(service) if busy >> lane & 1 else self.style("dim")
        self._draw_arrow(is_request, src, dst, status, chars, styles)
        # One segment per run of cells in the same style: a row is about ten segments, where a
        # Text of one span per cell cost a millisecond to render.
        segments: list[Segment] = []
        start = 0
        for x in range(1, cells + 1):
            if x == cells or styles[x] is not styles[start]:
                segments.append(Segment("".join(chars[start:x]), styles[start]))
                start = x
        return segments

    def forget_rows(self) -> None:
        """Forget the drawn rows and the lane art they were made of."""
        super().forget_rows()
        self._art.clear()

    def on_resize(self) -> None:
        """Lanes are laid out for the width: recompute on the next draw."""
        self._geometry = None
        self._art.clear()

    def _draw_arrow(
        self,
        is_request: bool,
        src: str,
        dst: str,
        status: int,
        chars: list[str],
        styles: list[Style],
    ) -> None:
        services = self.lane_layout.services
        if src not in services or dst not in services:
            return
        geometry = self.geometry
        caller, callee = geometry.x(services.index(src)), geometry.x(services.index(dst))
        if is_request:
            style, line = self.service_style(src) + Style(bold=True), "─"
        else:
            failed = status >= 400
            style = self.status_style(status) + Style(bold=failed)
            line = "━" if failed else "╌"
        if caller == callee:
            if caller + 1 < len(chars):
                chars[caller + 1], styles[caller + 1] = "↺", style
            return
        start, end = (caller, callee) if is_request else (callee, caller)
        step = 1 if end > start else -1
        for x in range(start + step, end, step):
            chars[x], styles[x] = line, style
        chars[start], styles[start] = "●" if is_request else "┤" if step > 0 else "├", style
        head = end - step
        if head != start:
            chars[head] = "▶" if step > 0 else "◀"
            styles[head] = style

    def _label(self, record_index: int, exchange: int, width: int) -> list[Segment]:
        assert self.trace is not None
        record = self.trace.records[record_index]
        number = f"#{exchange} " if exchange >= 0 else "#? "
        mark = "●" if exchange in self.matches else " "
        if record.kind == REQUEST:
            body = f"{record.method} {record.target}"
            style = self.service_style(record.src)
        else:
            body = f"{status_label(record.status)} {record.reason}".rstrip()
            style = self.status_style(record.status)
        return [
            Segment(mark, self.style("match")),
            Segment(number, self.style("dim")),
            Segment(self.pane_text(body)[: max(0, width - len(number) - 1)], style),
        ]
