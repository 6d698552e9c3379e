"""The diff screen: two runs aligned, each difference shown with where it is.

Both traces are read to the end and aligned in a worker; the screen then shows the aligned
list, the changes of the selected entry, and the two exchanges side by side (stacked below
120 columns) with the differing headers and JSON fields marked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tui.diff.changes import Kind, Line, Part, TraceDiff, value_text
from tui.diff.engine import diff_traces
from tui.readers import TraceReader
from tui.redact import Redactor
from tui.ui.screen_text import screen_text
from tui.ui.screens.paned import PanedScreen
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.diff_list import DiffList
from tui.ui.widgets.key_bar import KeyBar
from tui.ui.widgets.lanes import SequenceLanes
from tui.ui.widgets.text_lines import TextLines
from tui.views.lanes import lane_layout
from tui.views.pane_text import PaneText


def change_marks(diff: TraceDiff, position: int) -> frozenset[str]:
    """Header names (lower case) and JSON keys that differ in entry `position`."""
    marks = set()
    for change in diff.entries[position].changes:
        if not change.path:
            continue
        if change.part.is_headers:
            marks.add(str(change.path[0]).lower())
        elif change.part.is_body and not isinstance(change.path[0], Line):
            # The innermost object key: `networks` for `networks[0]`.
            keys = [step for step in change.path if isinstance(step, str)]
            if keys:
                marks.add(keys[-1])
    return frozenset(marks)


class DiffScreen(PanedScreen):
    """Run 1 against run 2: `=` same, `~` changed, `+` only in run 2, `-` only in run 1."""

    PANES = ("diff-entries", "diff-sides", "diff-lanes")

    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("right_square_bracket", "difference(1)", "Next diff", key_display="]"),
        Binding("left_square_bracket", "difference(-1)", "Prev diff", key_display="["),
        Binding("o", "open('a')", "Open run 1"),
        Binding("O", "open('b')", "Open run 2", key_display="O"),
        Binding("r", "toggle_raw", "Raw diff"),
        Binding("R", "toggle_redact", "Redact", key_display="R"),
        Binding("1", "pane('diff-entries')", "List", show=False),
        Binding("2", "pane('diff-sides')", "Sides", show=False),
        Binding("3", "pane('diff-lanes')", "Lanes", show=False),
        Binding("enter", "pane('diff-sides')", "Sides", show=False),
        Binding("escape", "pane('diff-entries')", "Back", show=False),
    ]

    def __init__(self, reader_a: TraceReader, reader_b: TraceReader, redact: bool = False) -> None:
        super().__init__()
        self.readers = (reader_a, reader_b)
        # Every string bound for a pane passes through this; `R` turns it on and off.
        self.pane_text = PaneText(Redactor() if redact else None)
        self.diff: TraceDiff | None = None
        self.raw = False
        self.position = 0

    def compose(self) -> ComposeResult:
        """Header, entries, and the changes with both exchanges (or both runs' lanes)."""
        yield Static(Text("tracetui diff · reading both runs…"), id="diff-header")
        with Horizontal(id="diff-panes"):
            yield DiffList(id="diff-entries")
            with Vertical(id="diff-sides"):
                yield TextLines([], id="changes")
                with Horizontal(id="side-by-side"):
                    yield DetailView(id="side-a")
                    yield DetailView(id="side-b")
            with Horizontal(id="diff-lanes"):
                yield SequenceLanes(id="lanes-a")
                yield SequenceLanes(id="lanes-b")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        """Read both runs to the end and align them, off the UI thread."""
        self.fit_width()
        self.query_one(DiffList).focus()
        self.compute()

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False, description="diff")
    def compute(self) -> None:
        """Finish reading both traces, then align and compare them."""
        for reader in self.readers:
            reader.read_all()
        diff = diff_traces(self.readers[0].trace, self.readers[1].trace, raw=self.raw)
        self.app.call_from_thread(self.show_diff, diff)

    def show_diff(self, diff: TraceDiff) -> None:
        """Put a computed diff on screen."""
        self.diff = diff
        # One colour per service across both runs, in the list, the sides and the lanes.
        services = list(dict.fromkeys([*diff.a.services, *diff.b.services]))
        for side, trace in (("a", diff.a), ("b", diff.b)):
            lanes = self.query_one(f"#lanes-{side}", SequenceLanes)
            lanes.set_services(services)
            self.query_one(f"#side-{side}", DetailView).set_services(services)
            differing = (
                getattr(entry, f"{side}_index")
                for entry in diff.entries
                if entry.kind is not Kind.SAME
            )
            lanes.set_matches(frozenset(index for index in differing if index is not None))
            lanes.show_layout(trace, lane_layout(trace), None)
        self.query_one(DiffList).set_services(services)
        self.query_one(DiffList).show_diff(diff)
        self._show_redaction()

    def update_header(self) -> None:
        """`tracetui diff · a ⟷ b · 50 same · 3 changed · 1 added · 1 removed`."""
        if self.diff is None:
            return
        names = [self.pane_text(Path(reader.path).name) for reader in self.readers]
        summary = " · ".join(f"{count} {kind}" for kind, count in self.diff.summary.items())
        text = f"tracetui diff · {names[0]} ⟷ {names[1]} · {summary}"
        if self.raw:
            text += " · raw (nothing masked)"
        elif self.diff.masked:
            masked = ", ".join(f"{n} {rule}" for rule, n in sorted(self.diff.masked.items()))
            text += f" · masked: {masked}"
        if self.pane_text.redacting:
            text += " · redacted"
        self.query_one("#diff-header", Static).update(screen_text(text))

    @on(DiffList.Selected)
    def _entry_selected(self, message: DiffList.Selected) -> None:
        self.show_entry(message.position)

    def show_entry(self, position: int) -> None:
        """Show the changes and both sides of entry `position`."""
        assert self.diff is not None
        self.position = position
        entry = self.diff.entries[position]
        marks = change_marks(self.diff, position)
        shown = self.pane_text
        heading = f"{entry.kind.value}: {entry.method} {shown(entry.path)}"
        lines = [screen_text(heading, style="bold")]
        for change in entry.changes:
            where = change.part.value + (f" {change.key}" if change.key else "")
            line = screen_text(shown(where), style="bold")
            line.append_text(screen_text(f"   {shown(value_text(change.a))}", style="red"))
            line.append("  →  ")
            line.append_text(screen_text(shown(value_text(change.b)), style="green"))
            if change.note:
                line.append_text(screen_text(f"   ({shown(change.note)})", style="italic"))
            lines.append(line)
        changes = self.query_one("#changes", TextLines)
        changes.lines = lines
        changes.set_row_count(len(lines), max(line.cell_len for line in lines))
        for side, trace, index in (
            ("a", self.diff.a, entry.a_index),
            ("b", self.diff.b, entry.b_index),
        ):
            detail = self.query_one(f"#side-{side}", DetailView)
            detail.marks = marks
            lanes = self.query_one(f"#lanes-{side}", SequenceLanes)
            if index is None:
                detail.show_nothing(f"(not in run {'1' if side == 'a' else '2'})")
            else:
                detail.show_exchange(trace, index)
                lanes.select_exchange(index)

    @on(SequenceLanes.Selected)
    def _lanes_moved(self, message: SequenceLanes.Selected) -> None:
        """A run's lanes are only looked through here: the move selects nothing else."""
        message.lanes.select_exchange(message.index)

    @on(DetailView.Loaded)
    def _side_loaded(self, message: DetailView.Loaded) -> None:
        """Bring the first difference of each side into view: a marked header or field, or
        the response when its status changed."""
        if self.diff is None:
            return
        detail = message.detail
        parts = {change.part for change in self.diff.entries[self.position].changes}
        for row, line in enumerate(detail.lines):
            status_changed = Part.RESPONSE_STATUS in parts and line.text.startswith("─ Response")
            if detail.is_marked(line) or status_changed:
                detail.move_cursor(row)
                detail.scroll_to_row(row, center=True)
                return

    def panes_changed(self) -> None:
        """The lanes replace the two sides when chosen."""
        self.set_class(self.active_pane == "diff-lanes", "-show-lanes")

    def action_pane(self, pane: str) -> None:
        """Show pane `pane` and focus what is in it."""
        self.active_pane = pane
        target = {
            "diff-entries": "#diff-entries",
            "diff-sides": "#side-a",
            "diff-lanes": "#lanes-a",
        }[pane]
        self.query_one(target).focus()
        if pane == "diff-lanes" and self.diff is not None:
            # Hidden lanes have no size to scroll in: bring the entry into view once shown.
            self.call_after_refresh(self.show_entry, self.position)

    def action_difference(self, step: int) -> None:
        """Jump to the next/previous entry that is not `same`."""
        if self.diff is None:
            return
        positions = self.diff.differences
        if not positions:
            self.notify("The runs do not differ.")
            return
        after = [p for p in positions if (p - self.position) * step > 0]
        target = (
            (after[0] if step > 0 else after[-1]) if after else positions[0 if step > 0 else -1]
        )
        self.query_one(DiffList).move_cursor(target)

    def action_open(self, side: str) -> None:
        """Open run 1's (or run 2's) exchange of this entry in the explorer."""
        if self.diff is None:
            return
        from tui.ui.screens.explorer import ExplorerScreen

        entry = self.diff.entries[self.position]
        index = entry.a_index if side == "a" else entry.b_index
        if index is None:
            self.notify(f"This exchange is not in run {'1' if side == 'a' else '2'}.")
            return
        reader = self.readers[0 if side == "a" else 1]
        screen = ExplorerScreen(reader, select=index, back=True, redact=self.pane_text.redacting)
        self.app.push_screen(screen)

    def action_toggle_redact(self) -> None:
        """Show secrets as stable labels (`<token-1>`) or as they are, in every pane."""
        self.pane_text = PaneText(None if self.pane_text.redacting else Redactor())
        self._show_redaction()
        self.notify("Secrets redacted." if self.pane_text.redacting else "Secrets shown.")

    def _show_redaction(self) -> None:
        """Hand the panes the screen's `PaneText` (the detail sides its redactor), redraw."""
        for reader in self.readers:
            self.pane_text.learn(reader.trace)
        for side in ("a", "b"):
            self.query_one(f"#side-{side}", DetailView).redactor = self.pane_text.redactor
            self.query_one(f"#lanes-{side}", SequenceLanes).set_pane_text(self.pane_text)
        self.query_one(DiffList).set_pane_text(self.pane_text)
        self.update_header()
        if self.diff is not None and self.diff.entries:
            self.show_entry(self.position)

    def notify(self, message: str, **options: Any) -> None:
        """A notification, its trace text masked while redacting."""
        super().notify(self.pane_text(message), **options)

    def action_toggle_raw(self) -> None:
        """Compare with no masking at all, or go back to the masked diff."""
        self.raw = not self.raw
        self.compute()

    def action_help(self) -> None:
        """Every key of this screen."""
        from tui.ui.screens.help import help_lines
        from tui.ui.screens.text_modal import TextModal

        self.app.push_screen(TextModal("tracetui diff keys", help_lines(self)))
