"""The explorer: exchanges, sequence lanes and detail of one trace, kept in step.

A thin screen over `ExplorerState` (tui/views/explorer_state.py), which decides what shows.
Widgets post messages up (`ExchangeList.Selected`, `SequenceLanes.Selected`); workers post
theirs (tui/ui/messages.py); the screen updates the state and pushes it down to every pane.
Keeping up with the reader is in `ReadingScreen` (explorer_follow.py), searching and
filtering in `SearchScreen` (explorer_search.py), the clock in `TimedScreen`
(explorer_time.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from tui.readers import TraceReader
from tui.ui import messages
from tui.ui.screen_text import clipboard_text, screen_text
from tui.ui.screens.explorer_time import TimedScreen
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.exchange_list import ExchangeList
from tui.ui.widgets.key_bar import KeyBar
from tui.ui.widgets.lanes import SequenceLanes
from tui.ui.widgets.search_bar import SearchBar
from tui.ui.widgets.trace_header import TraceHeader
from tui.views.explorer_state import ExplorerState
from tui.views.export_file import export_target, write_export

if TYPE_CHECKING:
    from pathlib import Path

    # Only a type here; the dialog's module (and its widgets) loads when `e` opens it.
    from tui.ui.screens.export import ExportRequest


class ExplorerScreen(TimedScreen):
    """Three panes over one trace; one pane at a time on a narrow terminal."""

    PANES = ("list", "lanes", "detail")

    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
        Binding("enter", "focus_detail", "Detail", show=False),
        Binding("left_square_bracket", "failure(-1)", "Prev fail", key_display="["),
        Binding("right_square_bracket", "failure(1)", "Next fail", key_display="]"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "next_match(1)", "Next match", show=False),
        Binding("N", "next_match(-1)", "Prev match", show=False, key_display="N"),
        Binding("f", "filter", "Filter"),
        Binding("s", "slow(1)", "Next slow", show=False),
        Binding("S", "slow(-1)", "Prev slow", show=False, key_display="S"),
        Binding("T", "slow_threshold", "Slow threshold", show=False, key_display="T"),
        Binding("asterisk", "follow_value", "Follow value", show=False, key_display="*"),
        Binding("g", "cycle_grouping", "Group"),
        Binding("c", "copy_curl", "Copy curl"),
        Binding("e", "export", "Export"),
        Binding("F", "toggle_follow", "Follow", key_display="F"),
        Binding("t", "toggle_tokens", "Tokens", show=False),
        Binding("R", "toggle_redact", "Redact", key_display="R"),
        Binding("w", "warnings", "Warnings", show=False),
        Binding("1", "pane('list')", "List", show=False),
        Binding("2", "pane('lanes')", "Lanes", show=False),
        Binding("3", "pane('detail')", "Detail", show=False),
        Binding("escape", "escape", "Back", show=False),
    ]

    def __init__(
        self, reader: TraceReader, select: int = 0, back: bool = False, redact: bool = False
    ) -> None:
        """Explore `reader`'s trace starting at exchange `select`; `back`: opened from the
        diff screen, so `esc` returns there; `redact`: secrets shown as labels."""
        super().__init__(ExplorerState(reader, redact))
        self.initial = select
        self.back = back

    def compose(self) -> ComposeResult:
        """Header line, the three panes, the search bar and the keys."""
        yield TraceHeader(id="trace-header")
        with Horizontal(id="panes"):
            yield ExchangeList(id="list")
            yield SequenceLanes(id="lanes")
            yield DetailView(id="detail")
        yield SearchBar(id="search-bar")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        """Show what is indexed so far, then index the rest in a worker."""
        self._show_redaction()
        services = self.trace.services
        for view in (self.exchange_list, self.lanes, self.detail):
            view.set_services(services)
        self.fit_width()
        self.relayout()
        self.exchange_list.focus()
        if self.trace.exchanges:
            self.select(min(self.initial, len(self.trace.exchanges) - 1))
        if not self.reader.done or self.reader.follow:
            # After the first frame: the worker's start would otherwise delay it.
            self.call_after_refresh(self.load_rest)

    @on(ExchangeList.Selected)
    @on(SequenceLanes.Selected)
    def _selected(self, message: ExchangeList.Selected | SequenceLanes.Selected) -> None:
        if message.index != self.selected:
            self.select(message.index)
        else:
            # Already selected (another pane chose it first): the pane that asked still
            # waits for its answer to draw its cursor.
            self.exchange_list.select_exchange(message.index)
            self.lanes.select_exchange(message.index)

    @on(ExchangeList.GroupToggled)
    def _group_toggled(self, message: ExchangeList.GroupToggled) -> None:
        self.state.toggle_group(message.key, message.collapse)
        self._show_list()

    def panes_changed(self) -> None:
        """The header names the pane on screen when only one shows (unchanged when wide)."""
        self.update_header()

    def on_descendant_focus(self) -> None:
        """Focus decides which pane is active, so `tab` works in narrow mode too."""
        focused = self.focused
        if focused is not None and focused.id in self.PANES:
            self.active_pane = focused.id

    def action_pane(self, pane: str) -> None:
        """Show and focus pane `pane`."""
        self.query_one(f"#{pane}").focus()

    def action_focus_detail(self) -> None:
        """Read the selected exchange."""
        self.action_pane("detail")

    def action_escape(self) -> None:
        """Stop indexing, clear the search, or go back from the detail to the list."""
        if self.search is not None:
            self.clear_search()
        elif not self.reader.done and not self.reader.follow:
            self.workers.cancel_group(self, "load")
            self.notify("Indexing stopped: showing what was read so far.")
        elif self.active_pane != "list":
            self.action_pane("list")
        elif self.back:
            self.app.pop_screen()

    def action_failure(self, step: int) -> None:
        """Select the previous/next exchange with a 4xx/5xx, in list order (wrapping)."""
        target = self.state.failure(step)
        if target is None:
            self.notify("No failed exchange (4xx/5xx) here.")
        else:
            self.select(target)

    def action_cycle_grouping(self) -> None:
        """Group by caller -> callee, by call tree, not at all, or by global request id."""
        name = self.state.cycle_grouping()
        self._show_list()
        self.update_header()
        self.notify(f"Grouping: {name}", timeout=2)

    def action_copy_curl(self) -> None:
        """Copy the selected request as a curl command (OSC 52: works over SSH)."""
        if self.selected is None:
            return
        from tui.export.curl import curl_command

        redact = self.redactor.record if self.redactor is not None else None
        self.app.copy_to_clipboard(clipboard_text(curl_command(self.trace, self.selected, redact)))
        self.notify(f"Copied exchange #{self.selected} as a curl command.", timeout=3)

    def action_toggle_tokens(self) -> None:
        """Show long tokens whole, or shortened."""
        self.state.full_tokens = not self.state.full_tokens
        detail = self.detail
        detail.set_options(full_tokens=self.state.full_tokens, highlighter=detail.highlighter)

    def action_toggle_redact(self) -> None:
        """Show secrets as stable labels (`<token-1>`) or as they are."""
        redacting = self.state.toggle_redact()
        self._show_redaction()
        if self.selected is not None:
            self.detail.show_exchange(self.trace, self.selected)
        self.update_header()
        self.notify("Secrets redacted." if redacting else "Secrets shown.", timeout=2)

    def _show_redaction(self) -> None:
        """Every pane draws through the state's `PaneText`, the detail with its redactor."""
        self.detail.redactor = self.redactor
        for view in (self.exchange_list, self.lanes):
            view.set_pane_text(self.state.pane_text)

    def action_export(self) -> None:
        """Export the whole trace, the filtered view or the selection to a file."""
        from tui.ui.screens.export import ExportModal

        modal = ExportModal(self.trace.path, self.state.export_scopes())
        self.app.push_screen(modal, self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        target = export_target(request.path)
        if isinstance(target, str):
            self.notify(target, severity="error")
        else:
            self._write_export(request, target)

    @work(thread=True, group="export", exit_on_error=False, description="export")
    def _write_export(self, request: ExportRequest, target: Path) -> None:
        """Render and write an export off the UI thread."""
        from tui.export.base import url_problems
        from tui.export.registry import export

        redact = self.redactor.record if self.redactor is not None else None
        trace, fmt, scope = self.trace, request.fmt, request.scope
        notice, failed = write_export(target, fmt, lambda: export(trace, fmt, scope, redact))
        problems = url_problems(trace, scope) if not failed else []
        if problems:
            # A URL that does not parse is exported as logged; say where it is.
            notice += f" ({len(problems)} URL(s) exported as is: {problems[0].split(':')[0]})"
        self.post_message(messages.ExportWritten(notice, failed))

    @on(messages.ExportWritten)
    def _export_written(self, message: messages.ExportWritten) -> None:
        if message.failed:
            self.notify(message.notice, severity="error")
        else:
            self.notify(message.notice, timeout=4)

    def action_warnings(self) -> None:
        """List the reader's warnings with their line numbers."""
        from tui.ui.screens.text_modal import TextModal

        title = f"Warnings ({len(self.trace.warnings)})"
        lines = [screen_text(line) for line in self.state.warning_lines()]
        self.app.push_screen(TextModal(title, lines))

    def action_help(self) -> None:
        """Every key of this screen and of the panes."""
        from tui.ui.screens.help import help_lines
        from tui.ui.screens.text_modal import TextModal

        self.app.push_screen(TextModal("tracetui keys", help_lines(self)))
