"""The aligned exchanges of two runs, one row each, marked `=` `~` `+` `-`."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message

from tui.diff.changes import DiffEntry, Kind, TraceDiff
from tui.ui.widgets.cursor_view import Row
from tui.ui.widgets.themed import ThemedView, shorten_middle, status_label

MARKERS = {Kind.SAME: "=", Kind.CHANGED: "~", Kind.ADDED: "+", Kind.REMOVED: "-"}


class DiffList(ThemedView):
    """Rows of a `TraceDiff`; the cursor picks the entry the screen shows in detail."""

    COMPONENT_CLASSES = ThemedView.COMPONENT_CLASSES | {
        "diff-same",
        "diff-changed",
        "diff-added",
        "diff-removed",
    }

    @dataclass
    class Selected(Message):
        """The cursor moved onto entry `position`."""

        position: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.diff: TraceDiff | None = None

    def show_diff(self, diff: TraceDiff) -> None:
        """Show the entries of `diff`."""
        self.diff = diff
        self.set_row_count(len(diff.entries))
        self.cursor_moved(self.cursor)

    def cursor_moved(self, row: int) -> bool:
        """Tell the screen about the entry under the cursor (drawn at once: the screen does
        not answer)."""
        if self.diff is not None and row < len(self.diff.entries):
            self.post_message(self.Selected(row))
        return False

    def _status(self, entry: DiffEntry, side: str) -> str:
        assert self.diff is not None
        trace, index = (self.diff.a, entry.a_index) if side == "a" else (self.diff.b, entry.b_index)
        if index is None:
            return ""
        return status_label(trace.exchanges[index].status)

    def render_row(self, row: int, width: int) -> Row:
        """`~  18 nova-api → neutron-server GET /networking/v2.0/ports   200 │ ✗500`."""
        assert self.diff is not None
        entry = self.diff.entries[row]
        kind_style = self.style(f"diff-{entry.kind.value}")
        text = Text(f"{MARKERS[entry.kind]} ", style=kind_style)
        a = "" if entry.a_index is None else str(entry.a_index)
        b = "" if entry.b_index is None else str(entry.b_index)
        text.append(f"{a:>4} {b:>4} ", self.style("dim"))
        src = shorten_middle(self.pane_text(entry.src), 14)
        dst = shorten_middle(self.pane_text(entry.dst), 14)
        text.append(src, self.service_style(entry.src))
        text.append("→", self.style("dim"))
        text.append(dst.ljust(29 - len(src)), self.service_style(entry.dst))
        text.append(f" {entry.method:<6} ")
        status_a, status_b = self._status(entry, "a"), self._status(entry, "b")
        statuses = f" {status_a:>5} │ {status_b:<5}"
        room = max(1, width - text.cell_len - len(statuses))
        text.append(shorten_middle(self.pane_text(entry.path), room).ljust(room), kind_style)
        text.append(statuses, kind_style)
        return self.text_row(text, self.cursor_style() if row == self.cursor else None)
