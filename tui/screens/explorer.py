"""The explorer: exchanges, sequence lanes and detail of one trace, kept in step.

Widgets post messages up (`ExchangeList.Selected`, `SequenceLanes.Selected`); the screen owns
the state (selection, grouping, filter, search) and pushes it down to every pane.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from tui.grouping import GROUPING_NAMES, GROUPINGS, layout
from tui.model import Trace
from tui.readers import TraceReader
from tui.sanitize import visible_line
from tui.sequence import lane_layout
from tui.widgets.detail import DetailView
from tui.widgets.exchange_list import ExchangeList
from tui.widgets.lanes import SequenceLanes

NARROW_WIDTH = 120
PANES = ("list", "lanes", "detail")
# While a big file is indexed, re-laying out every pane after each batch would cost more than
# the indexing; the panes catch up at most this often.
RELAYOUT_SECONDS = 1.0


class ExplorerScreen(Screen[None]):
    """Three panes over one trace; one pane at a time below NARROW_WIDTH columns."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
        Binding("enter", "focus_detail", "Detail", show=False),
        Binding("left_square_bracket", "failure(-1)", "Prev fail", key_display="["),
        Binding("right_square_bracket", "failure(1)", "Next fail", key_display="]"),
        Binding("g", "cycle_grouping", "Group"),
        Binding("c", "copy_curl", "Copy curl"),
        Binding("t", "toggle_tokens", "Tokens", show=False),
        Binding("w", "warnings", "Warnings", show=False),
        Binding("1", "pane('list')", "List", show=False),
        Binding("2", "pane('lanes')", "Lanes", show=False),
        Binding("3", "pane('detail')", "Detail", show=False),
        Binding("escape", "escape", "Back", show=False),
    ]

    active_pane: reactive[str] = reactive("list")
    narrow: reactive[bool] = reactive(False)

    def __init__(self, reader: TraceReader) -> None:
        super().__init__()
        self.reader = reader
        self.trace: Trace = reader.trace
        self.grouping = GROUPINGS[0]
        self.collapsed: frozenset[tuple[str, str]] = frozenset()
        self.filtered: list[int] | None = None
        self.selected: int | None = None
        self.full_tokens = False
        self._laid_out_at = 0.0
        self._failed = 0

    def compose(self) -> ComposeResult:
        """Header line, the three panes, footer."""
        yield Static(id="trace-header")
        with Horizontal(id="panes"):
            yield ExchangeList(id="list")
            yield SequenceLanes(id="lanes")
            yield DetailView(id="detail")
        yield Footer()

    @property
    def exchange_list(self) -> ExchangeList:
        """The left pane."""
        return self.query_one(ExchangeList)

    @property
    def lanes(self) -> SequenceLanes:
        """The middle pane."""
        return self.query_one(SequenceLanes)

    @property
    def detail(self) -> DetailView:
        """The right pane."""
        return self.query_one(DetailView)

    def on_mount(self) -> None:
        """Show what is indexed so far, then index the rest in a worker."""
        services = self.trace.services
        for view in (self.exchange_list, self.lanes, self.detail):
            view.set_services(services)
        self.narrow = self.app.size.width < NARROW_WIDTH
        self.relayout()
        self.exchange_list.focus()
        if self.trace.exchanges:
            self.select(0)
        if not self.reader.done:
            self.load_rest()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_rest(self) -> None:
        """Index the rest of the file in batches, refreshing the panes now and then."""
        worker = get_current_worker()
        while not worker.is_cancelled and not self.reader.read_batch():
            if time.monotonic() - self._laid_out_at > RELAYOUT_SECONDS:
                self.app.call_from_thread(self.relayout)
        self.app.call_from_thread(self.relayout)

    def relayout(self) -> None:
        """Lay out list and lanes again for the grouping, filter and what is indexed."""
        self._laid_out_at = time.monotonic()
        self._failed = sum(1 for exchange in self.trace.exchanges if exchange.failed)
        for view in (self.exchange_list, self.lanes, self.detail):
            view.set_services(self.trace.services)
        list_layout = layout(self.trace.exchanges, self.grouping, self.filtered, self.collapsed)
        self.exchange_list.collapsed = self.collapsed
        self.exchange_list.show_layout(self.trace, list_layout, self.grouping, self.selected)
        self.lanes.show_layout(self.trace, lane_layout(self.trace, self.filtered), self.selected)
        self.update_header()

    def update_header(self) -> None:
        """The one-line summary at the top (sanitized: the file name is untrusted too)."""
        trace = self.trace
        short = self.narrow
        parts = [
            visible_line(Path(trace.path).name),
            f"{len(trace.exchanges)} {'ex' if short else 'exchanges'}",
            f"{len(trace.services)} {'svc' if short else 'services'}",
            f"{self._failed} failed",
            f"{len(trace.warnings)} {'warn' if short else 'warnings'}",
        ]
        if not short:
            parts.insert(0, "tracetui")
            parts.append(f"group: {GROUPING_NAMES[self.grouping]}")
        if not self.reader.done:
            parts.append(f"indexing {self.reader.progress:.0%} (esc stops)")
        text = Text(" · ".join(parts))
        if short:
            panes = "  ".join(
                f"[{number}]{pane}" if pane == self.active_pane else f"{number} {pane}"
                for number, pane in enumerate(PANES, 1)
            )
            text.append("   " + panes, style="bold")
        self.query_one("#trace-header", Static).update(text)

    def select(self, index: int) -> None:
        """Make exchange `index` the selection in every pane."""
        if not 0 <= index < len(self.trace.exchanges):
            return
        self.selected = index
        self.exchange_list.select_exchange(index)
        self.lanes.select_exchange(index)
        self.detail.show_exchange(self.trace, index)

    @on(ExchangeList.Selected)
    @on(SequenceLanes.Selected)
    def _selected(self, message: ExchangeList.Selected | SequenceLanes.Selected) -> None:
        if message.index != self.selected:
            self.select(message.index)

    @on(ExchangeList.GroupToggled)
    def _group_toggled(self, message: ExchangeList.GroupToggled) -> None:
        if message.collapse:
            self.collapsed = self.collapsed | {message.key}
        else:
            self.collapsed = self.collapsed - {message.key}
        self.relayout()

    def on_resize(self) -> None:
        """Switch between three panes and one pane at a time."""
        self.narrow = self.app.size.width < NARROW_WIDTH

    def watch_narrow(self, narrow: bool) -> None:
        """Show one pane at a time when the terminal is narrow."""
        self.set_class(narrow, "-narrow")
        self.update_header()

    def watch_active_pane(self, pane: str) -> None:
        """Mark the active pane (the only one shown when narrow)."""
        for name in PANES:
            self.query_one(f"#{name}").set_class(name == pane, "-active")
        self.update_header()

    def on_descendant_focus(self) -> None:
        """Focus decides which pane is active, so `tab` works in narrow mode too."""
        focused = self.focused
        if focused is not None and focused.id in PANES:
            self.active_pane = focused.id

    def action_pane(self, pane: str) -> None:
        """Show and focus pane `pane`."""
        self.query_one(f"#{pane}").focus()

    def action_focus_detail(self) -> None:
        """Read the selected exchange."""
        self.action_pane("detail")

    def action_escape(self) -> None:
        """Stop indexing, or go back from the detail to the list."""
        if not self.reader.done:
            self.workers.cancel_group(self, "load")
            self.notify("Indexing stopped: showing what was read so far.")
        elif self.active_pane != "list":
            self.action_pane("list")

    def action_failure(self, step: int) -> None:
        """Select the previous/next exchange with a 4xx/5xx, in list order."""
        rows = self.exchange_list.list_layout.rows
        order = [row.exchange for row in rows if row.exchange >= 0]
        if not order:
            return
        here = order.index(self.selected) if self.selected in order else -1
        count = len(order)
        for offset in range(1, count + 1):
            candidate = order[(here + step * offset) % count]
            if self.trace.exchanges[candidate].failed:
                self.select(candidate)
                return
        self.notify("No failed exchange (4xx/5xx) here.")

    def action_cycle_grouping(self) -> None:
        """Group by caller -> callee, by call tree, or not at all."""
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self.relayout()
        self.notify(f"Grouping: {GROUPING_NAMES[self.grouping]}", timeout=2)

    def action_copy_curl(self) -> None:
        """Copy the selected request as a curl command (OSC 52: works over SSH)."""
        if self.selected is None:
            return
        from tui.export import curl_command

        self.app.copy_to_clipboard(curl_command(self.trace, self.selected))
        self.notify(f"Copied exchange #{self.selected} as a curl command.", timeout=3)

    def action_toggle_tokens(self) -> None:
        """Show long tokens whole, or shortened."""
        self.full_tokens = not self.full_tokens
        self.detail.set_options(full_tokens=self.full_tokens, pattern=self.detail.pattern)

    def action_warnings(self) -> None:
        """List the reader's warnings with their line numbers."""
        from tui.screens.text_modal import TextModal

        lines = [
            Text(f"line {warning.line:>6}  {visible_line(warning.message)}")
            for warning in self.trace.warnings
        ] or [Text("No warnings: the whole file read cleanly.")]
        self.app.push_screen(TextModal(f"Warnings ({len(self.trace.warnings)})", lines))

    def action_help(self) -> None:
        """Every key of this screen and of the panes."""
        from tui.screens.help import help_lines
        from tui.screens.text_modal import TextModal

        self.app.push_screen(TextModal("tracetui keys", help_lines(self)))
