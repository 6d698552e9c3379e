"""The left pane: exchanges grouped by caller -> callee, by call tree, flat, or by request id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from tui.model.trace import Trace
from tui.readers.calltree import is_rpc_root
from tui.ui.widgets.cursor_view import DRAW, SHOW, Row
from tui.ui.widgets.themed import ThemedView, shorten_middle, status_label
from tui.views.list_rows import BY_PAIR, BY_REQUEST, BY_TREE, ListLayout, TreeLayout, layout
from tui.views.timing import DURATION_WIDTH, SLOW_GLYPH, duration_text

STATUS_WIDTH = 5
METHOD_WIDTH = 6


def index_width(trace: Trace) -> int:
    """Cells the widest exchange index takes."""
    return len(str(max(len(trace.exchanges) - 1, 0)))


class ExchangeList(ThemedView):
    """One row per exchange (index, method, path, status) under group rows."""

    BINDINGS = [
        Binding("left,h", "collapse", "Collapse", show=False),
        Binding("right,l", "expand", "Expand", show=False),
    ]

    @dataclass
    class Selected(Message):
        """The cursor moved onto an exchange."""

        index: int

    @dataclass
    class GroupToggled(Message):
        """The user collapsed or expanded a caller -> callee group."""

        key: tuple[str, str]
        collapse: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace: Trace | None = None
        self.list_layout: ListLayout = layout([], BY_PAIR)
        self.mode = BY_PAIR
        self.collapsed: frozenset[tuple[str, str]] = frozenset()
        self._index_width = 1
        # Whether rows carry a duration column (the trace has a clock), and the exchanges
        # drawn as slow in it (a glyph as well as a colour: NO_COLOR loses nothing).
        self.clock = False
        self.slow: frozenset[int] = frozenset()

    def set_timing(self, clock: bool, slow: frozenset[int]) -> None:
        """Draw a duration column when `clock`, the `slow` exchanges marked."""
        if (clock, slow) != (self.clock, self.slow):
            self.clock, self.slow = clock, slow
            self.invalidate()

    def show_layout(
        self, trace: Trace, list_layout: ListLayout, mode: str, selected: int | None
    ) -> None:
        """Show a new layout for grouping `mode`; put the cursor on `selected` if listed."""
        self.trace = trace
        self.list_layout = list_layout
        self.mode = mode
        self._index_width = index_width(trace)
        self.set_row_count(len(list_layout))
        self.forget_announcement()
        if selected is not None:
            self.select_exchange(selected)

    def show_grown(self, changed: Sequence[int], selected: int | None) -> None:
        """The layout shown grew in place (more of the file read); exchanges `changed` got
        their response. Redraw what moved or changed, not the whole list."""
        assert self.trace is not None
        if index_width(self.trace) != self._index_width:
            # Every row's index column widens.
            self.show_layout(self.trace, self.list_layout, self.mode, selected)
            return
        layout = self.list_layout
        self.grow_rows(len(layout), layout.changed_from, layout.rows_showing(changed))
        self.forget_announcement()
        if selected is not None:
            self.select_exchange(selected)

    def select_exchange(self, index: int) -> None:
        """The screen selected exchange `index`: put the cursor on it, or, when this list
        announced it, draw the cursor where the user put it.

        When its group is collapsed, the cursor goes to the group's row instead.
        """
        answer = self.screen_selected(index)
        if answer == DRAW:
            self.draw_cursor(self.cursor)
            return
        row = self.list_layout.nearest_row(index) if answer == SHOW else None
        if row is not None:
            old = self.cursor
            self.set_reactive(ThemedView.cursor, row)
            self.draw_cursor(old, center=True)

    def cursor_moved(self, row: int) -> bool:
        """Announce the exchange under the cursor."""
        if 0 <= row < len(self.list_layout):
            exchange = self.list_layout.row(row).exchange
            if exchange >= 0:
                return self.announce(exchange, self.Selected(exchange))
        return False

    def _group_key(self) -> tuple[str, str] | None:
        list_layout = self.list_layout
        if not 0 <= self.cursor < len(list_layout) or list_layout.row(self.cursor).group < 0:
            return None
        group = list_layout.groups[list_layout.row(self.cursor).group]
        return (group.src, group.dst)

    def action_collapse(self) -> None:
        """Collapse the group the cursor is in."""
        key = self._group_key()
        if key is not None:
            self.post_message(self.GroupToggled(key, True))

    def action_expand(self) -> None:
        """Expand the group the cursor is in."""
        key = self._group_key()
        if key is not None:
            self.post_message(self.GroupToggled(key, False))

    def render_row(self, row: int, width: int) -> Row:
        """Draw a group row or an exchange row."""
        list_row = self.list_layout.rows[row]
        row_style = self.cursor_style() if row == self.cursor else None
        if list_row.exchange < 0:
            return self.text_row(self._group_text(list_row.group, width), row_style)
        return Row(self._exchange_segments(list_row.exchange, list_row.depth, width), row_style)

    def _group_text(self, number: int, width: int) -> Text:
        group = self.list_layout.groups[number]
        folded = (group.src, group.dst) in self.collapsed
        counts = f" {len(group.members)}" + (f" ✗{group.failed}" if group.failed else "")
        text = Text("▸ " if folded else "▾ ", style=self.style("group"))
        if self.mode == BY_REQUEST:
            # Keyed (request id, ""): the id alone names the group.
            room = max(4, width - len(counts) - 3)
            text.append(shorten_middle(self.pane_text(group.src), room), self.style("group"))
        else:
            room = max(4, width - len(counts) - 5)
            src = shorten_middle(self.pane_text(group.src), max(2, room // 2))
            dst = shorten_middle(self.pane_text(group.dst), max(2, room - len(src)))
            text.append(src, self.service_style(group.src))
            text.append(" → ", self.style("group"))
            text.append(dst, self.service_style(group.dst))
        text.append(" " * max(1, width - text.cell_len - len(counts)))
        text.append(counts, self.style("status-5xx") if group.failed else self.style("group"))
        return text
        room = max(4, width - len(counts) - 5)
        src = shorten_middle(self.pane_text(group.src), max(2, room // 2))
        dst = shorten_middle(self.pane_text(group.dst), max(2, room - len(src)))
        text.append(src, self.service_style(group.src))
        text.append(" → ", self.style("group"))
        text.append(dst, self.service_style(group.dst))
        text.append(" " * max(1, width - text.cell_len - len(counts)))
        text.append(counts, self.style("status-5xx") if group.failed else self.style("group"))
        return text

    def _exchange_segments(self, index: int, depth: int, width: int) -> list[Segment]:
        # Segments, not a Text: a page of rows is drawn on every scroll, and a Text of eight
        # spans cost three times as much to render.
        assert self.trace is not None
        exchange = self.trace.exchanges[index]
        request = exchange.request
        dim = self.style("dim")
        segments = [Segment("●" if index in self.matches else " ", self.style("match"))]
        if depth:
            segments.append(Segment("  " * depth))
        if self.mode == BY_TREE and is_rpc_root(exchange, self.trace.root_service):
            segments.append(Segment("⚡", dim))
            tree = self.list_layout
            if isinstance(tree, TreeLayout) and index in tree.attached:
                # Under the API call whose request id it carries, not under an HTTP parent.
                segments.append(Segment("via RPC ", dim))
        segments.append(Segment(f"{index:>{self._index_width}} ", dim))
        if self.mode != BY_PAIR:
            segments += [
                Segment(
                    shorten_middle(self.pane_text(request.src), 10),
                    self.service_style(request.src),
                ),
                Segment("→", dim),
                Segment(
                    shorten_middle(self.pane_text(request.dst), 10),
                    self.service_style(request.dst),
                ),
                Segment(" "),
            ]
        segments.append(Segment(f"{request.method:<{METHOD_WIDTH}} "))
        used = sum(cell_len(segment.text) for segment in segments)
        timing = DURATION_WIDTH if self.clock else 0
        room = max(1, width - used - STATUS_WIDTH - 1 - timing)
        status = status_label(exchange.status)
        segments.append(Segment(shorten_middle(self.pane_text(request.target), room).ljust(room)))
        if timing:
            segments.append(self._duration_segment(exchange.duration, index in self.slow))
        segments.append(Segment(f" {status:>{STATUS_WIDTH}}", self.status_style(exchange.status)))
        return segments

    def _duration_segment(self, seconds: float | None, slow: bool) -> Segment:
        if seconds is None:
            return Segment(" " * DURATION_WIDTH)
        shown = duration_text(seconds * 1000)
        if slow:
            return Segment(f" {SLOW_GLYPH}{shown:>{DURATION_WIDTH - 2}}", self.style("slow"))
        return Segment(f"{shown:>{DURATION_WIDTH}}", self.style("dim"))
