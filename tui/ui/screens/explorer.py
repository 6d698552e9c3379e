"""The explorer: exchanges, sequence lanes and detail of one trace, kept in step.

Widgets post messages up (`ExchangeList.Selected`, `SequenceLanes.Selected`); the screen owns
the state (selection, grouping, filter, search) and pushes it down to every pane.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static
from textual.worker import get_current_worker

from tui.model.trace import Trace
from tui.query.language import Query, QueryError, literal_query, parse_query, parse_search
from tui.query.search import (
    FollowResult,
    all_matches,
    follow_value,
    highlight_spans,
    iter_matches,
    matches,
)
from tui.readers import GROWN, REPLACED, TraceError, TraceReader
from tui.redact import Redactor
from tui.text.sanitize import visible_line
from tui.ui.screens.paned import PanedScreen
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.exchange_list import ExchangeList
from tui.ui.widgets.key_bar import KeyBar
from tui.ui.widgets.lanes import SequenceLanes
from tui.ui.widgets.search_bar import FILTER, SEARCH, SearchBar
from tui.views.list_rows import GROUPING_NAMES, GROUPINGS, Layouts

if TYPE_CHECKING:
    # Only a type here; the dialog's module (and its widgets) loads when `e` opens it.
    from tui.ui.screens.export import ExportRequest

# While a big file is indexed, re-laying out every pane after each batch would cost more than
# the indexing; the panes catch up at most this often.
RELAYOUT_SECONDS = 1.0
# How often a followed file is checked for growth: new records show within a second.
FOLLOW_POLL_SECONDS = 0.25
# A followed file that grows all the time is laid out again at most this often.
FOLLOW_RELAYOUT_SECONDS = 0.5


class ExplorerScreen(PanedScreen):
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
        super().__init__()
        self.redactor: Redactor | None = Redactor() if redact else None
        self.reader = reader
        self.initial = select
        self.back = back
        self.trace: Trace = reader.trace
        self.grouping = GROUPINGS[0]
        self.collapsed: frozenset[tuple[str, str]] = frozenset()
        self.filtered: list[int] | None = None
        self.selected: int | None = None
        self.full_tokens = False
        self._laid_out_at = 0.0
        self._last_seen = 0
        self._waiting_for: int | None = None
        self.search: Query | None = None
        self.search_text = ""
        self.matches: list[int] = []
        self.filter_text = ""
        # The filter shown, and how many exchanges it has looked at: those read later (a file
        # still being indexed or followed) are checked as they come.
        self._filter: Query | None = None
        self._filter_checked = 0
        self._failed = 0
        self._header: Text | None = None
        self._layouts = Layouts(reader.trace)

    def compose(self) -> ComposeResult:
        """Header line, the three panes, the search bar and the keys."""
        yield Static(id="trace-header")
        with Horizontal(id="panes"):
            yield ExchangeList(id="list")
            yield SequenceLanes(id="lanes")
            yield DetailView(id="detail")
        yield SearchBar(id="search-bar")
        yield KeyBar(self.BINDINGS)

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
        self.detail.redactor = self.redactor
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

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="load")
    def load_rest(self) -> None:
        """Index the rest of the file in batches, refreshing the panes now and then; when
        following, keep polling the file for more."""
        worker = get_current_worker()
        shown = -1
        while not worker.is_cancelled:
            while not worker.is_cancelled and not self.reader.read_batch():
                if time.monotonic() - self._laid_out_at > RELAYOUT_SECONDS:
                    self.app.call_from_thread(self.relayout)
            count = len(self.trace.records)
            recent = time.monotonic() - self._laid_out_at < FOLLOW_RELAYOUT_SECONDS
            if count != shown and not (self.reader.follow and recent):
                shown = count
                self.app.call_from_thread(self._caught_up)
            if not self.reader.follow:
                return
            while not worker.is_cancelled:
                time.sleep(FOLLOW_POLL_SECONDS)
                change = self.reader.poll()
                if change == REPLACED:
                    self.app.call_from_thread(self._file_replaced)
                    return
                if change == GROWN or self.reader.holding_tail or count != shown:
                    break

    def _caught_up(self) -> None:
        """New records are indexed: lay out again, following the end if the user is there."""
        exchanges = self.trace.exchanges
        at_end = self.selected is None or self.selected >= self._last_seen - 1
        self._last_seen = len(exchanges)
        self.relayout()
        if self.reader.done:
            # The index is built and stays: keep the collector from walking it on every pass
            # (a full collection of a 1 GB trace's index took 0.4 s, landing on key presses).
            gc.freeze()
        if self.reader.follow and at_end and exchanges and self.selected != len(exchanges) - 1:
            self.select(len(exchanges) - 1)
        elif self._waiting_for is not None and exchanges[self._waiting_for].response is not None:
            self.select(self._waiting_for)

    def _file_replaced(self) -> None:
        """The file was truncated or rotated (logrotate): read it again from the start."""
        path = self.reader.path
        try:
            reader = TraceReader(path, follow=True)
        except TraceError as error:
            self.notify(f"{error}; waiting for the file to come back", severity="warning")
            self.set_timer(FOLLOW_POLL_SECONDS * 4, self._file_replaced)
            return
        self.notify("The file was truncated or rotated: reloaded from the start.", timeout=4)
        self.reader, self.trace = reader, reader.trace
        self.selected = None
        self._last_seen = 0
        # A filter stays on (watching `status:>=400` across a logrotate): it starts over too.
        self.filtered = None if self._filter is None else []
        self._filter_checked = 0
        self._layouts = Layouts(self.trace, self.filtered, self.collapsed)
        self.clear_search()
        self.load_rest()

    def action_toggle_follow(self) -> None:
        """Follow the file as it grows (like `tail -f`), or stop."""
        self.reader.follow = not self.reader.follow
        if self.reader.follow:
            self.load_rest()
            self.notify("Following the file: new records appear as they are written.")
        else:
            self.workers.cancel_group(self, "load")
            self.notify("Stopped following.", timeout=2)
        self.update_header()

    def relayout(self) -> None:
        """Bring list and lanes up to date with what is indexed: the layouts grow by what was
        appended (at 200k exchanges, laying them out anew took 0.5 s on the UI thread)."""
        self._laid_out_at = time.monotonic()
        self._layouts.catch_up(self.grouping)
        answered = self._layouts.columns.take_answered()
        if self._filter is not None and self.filtered is not None:
            found = self._new_filter_matches(self._filter, self.filtered, answered)
            if found:
                self._set_filtered(sorted({*self.filtered, *found}))
        layouts = self._layouts
        self._failed = layouts.columns.failed_count
        for view in (self.exchange_list, self.lanes, self.detail):
            view.set_services(self.trace.services)
        self._show_list(answered)
        if layouts.lanes is self.lanes.lane_layout:
            self.lanes.show_grown(self.selected)
        else:
            self.lanes.show_layout(self.trace, layouts.lanes, self.selected)
        self.update_header()

    def _new_filter_matches(self, query: Query, shown: list[int], answered: list[int]) -> list[int]:
        """The exchanges read since the filter last looked, and those it saw unanswered that
        have their response now (`status:>=400` needs it), which the filter keeps."""
        trace = self.trace
        exchanges = trace.exchanges
        start, self._filter_checked = self._filter_checked, len(exchanges)
        kept = set(shown)
        candidates = [*answered, *range(start, len(exchanges))]
        return [i for i in candidates if i not in kept and matches(trace, query, exchanges[i])]

    def _set_filtered(self, visible: list[int] | None) -> None:
        """Show only the `visible` exchanges (None: all), laid out anew."""
        self.filtered = visible
        self._layouts = Layouts(self.trace, visible, self.collapsed, self._layouts.columns)

    def _show_list(self, answered: list[int] | None = None) -> None:
        """Show the list's layout for the grouping (kept per grouping: `g` back is instant).
        After a catch-up (`answered`: the exchanges whose response it read), the one shown
        may just have grown in place: then only what changed is redrawn."""
        self.exchange_list.collapsed = self.collapsed
        list_layout = self._layouts.list_layout(self.grouping)
        if answered is not None and list_layout is self.exchange_list.list_layout:
            self.exchange_list.show_grown(answered, self.selected)
        else:
            self.exchange_list.show_layout(self.trace, list_layout, self.grouping, self.selected)

    def update_header(self) -> None:
        """The one-line summary at the top (sanitized: the file name is untrusted too)."""
        self.detail.waiting = self.reader.follow
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
        if self.reader.follow:
            parts.append("following")
        elif not self.reader.done:
            parts.append(f"indexing {self.reader.progress:.0%} (esc stops)")
        if self.redactor is not None:
            parts.append("redacted")
        if self.filter_text:
            shown = len(self.filtered or [])
            parts.append(f"filter: {visible_line(self.filter_text)} ({shown} shown)")
        text = Text()
        if short:
            # First, so that 80 columns never cut off which pane is showing.
            panes = "  ".join(
                f"[{number}]{pane}" if pane == self.active_pane else f"{number} {pane}"
                for number, pane in enumerate(self.PANES, 1)
            )
            text.append(panes + "   ", style="bold")
        text.append(" · ".join(parts))
        if text != self._header:
            self._header = text
            # One line of fixed size: no layout pass for the screen.
            self.query_one("#trace-header", Static).update(text, layout=False)

    def select(self, index: int) -> None:
        """Make exchange `index` the selection in every pane."""
        if not 0 <= index < len(self.trace.exchanges):
            return
        self.selected = index
        # Shown as "waiting for the response": show it again once the response is read.
        self._waiting_for = index if self.trace.exchanges[index].response is None else None
        self.exchange_list.select_exchange(index)
        self.lanes.select_exchange(index)
        self.detail.show_exchange(self.trace, index)

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
        if message.collapse:
            self.collapsed = self.collapsed | {message.key}
        else:
            self.collapsed = self.collapsed - {message.key}
        self._layouts.set_collapsed(self.collapsed)
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
        list_layout = self._layouts.list_layout(self.grouping)
        here = None if self.selected is None else list_layout.nearest_row(self.selected)
        row = list_layout.failed_row(here, step)
        if row is None:
            self.notify("No failed exchange (4xx/5xx) here.")
        else:
            self.select(list_layout.row(row).exchange)

    def action_cycle_grouping(self) -> None:
        """Group by caller -> callee, by call tree, or not at all."""
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self._show_list()
        self.update_header()
        self.notify(f"Grouping: {GROUPING_NAMES[self.grouping]}", timeout=2)

    def action_copy_curl(self) -> None:
        """Copy the selected request as a curl command (OSC 52: works over SSH)."""
        if self.selected is None:
            return
        from tui.export.curl import curl_command

        redact = self.redactor.record if self.redactor is not None else None
        self.app.copy_to_clipboard(curl_command(self.trace, self.selected, redact))
        self.notify(f"Copied exchange #{self.selected} as a curl command.", timeout=3)

    def action_toggle_tokens(self) -> None:
        """Show long tokens whole, or shortened."""
        self.full_tokens = not self.full_tokens
        self.detail.set_options(full_tokens=self.full_tokens, highlighter=self.detail.highlighter)

    def action_toggle_redact(self) -> None:
        """Show secrets as stable labels (`<token-1>`) or as they are."""
        self.redactor = None if self.redactor is not None else Redactor()
        self.detail.redactor = self.redactor
        if self.selected is not None:
            self.detail.show_exchange(self.trace, self.selected)
        self.update_header()
        self.notify("Secrets redacted." if self.redactor else "Secrets shown.", timeout=2)

    def action_export(self) -> None:
        """Export the whole trace, the filtered view or the selection to a file."""
        from tui.ui.screens.export import ExportModal

        scopes: list[tuple[str, list[int] | None]] = [
            (f"whole trace ({len(self.trace.exchanges)} exchanges)", None)
        ]
        if self.filtered is not None:
            scopes.append((f"filtered view ({len(self.filtered)})", list(self.filtered)))
        if self.matches:
            scopes.append((f"search matches ({len(self.matches)})", list(self.matches)))
        if self.selected is not None:
            scopes.append((f"selected exchange #{self.selected}", [self.selected]))
        self.app.push_screen(ExportModal(self.trace.path, scopes), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        target = Path(request.path).expanduser()
        if not request.path or target.is_dir():
            self.notify("Export needs a file name, not a folder.", severity="error")
        elif target.exists():
            self.notify(f"{visible_line(str(target))} exists: not overwritten.", severity="error")
        else:
            self.write_export(request, target)

    @work(thread=True, group="export", exit_on_error=False, description="export")
    def write_export(self, request: ExportRequest, target: Path) -> None:
        """Render and write an export off the UI thread."""
        from tui.export.registry import export

        redact = self.redactor.record if self.redactor is not None else None
        try:
            target.write_text(export(self.trace, request.fmt, request.scope, redact), "utf-8")
        except OSError as error:
            message = f"Export failed: {error.strerror or error}"
            self.app.call_from_thread(self.notify, visible_line(message), severity="error")
            return
        message = f"Wrote {request.fmt} to {target}"
        self.app.call_from_thread(self.notify, visible_line(message), timeout=4)

    def action_warnings(self) -> None:
        """List the reader's warnings with their line numbers."""
        from tui.ui.screens.text_modal import TextModal

        lines = [
            Text(f"line {warning.line:>6}  {visible_line(warning.message)}")
            for warning in self.trace.warnings
        ] or [Text("No warnings: the whole file read cleanly.")]
        self.app.push_screen(TextModal(f"Warnings ({len(self.trace.warnings)})", lines))

    def action_help(self) -> None:
        """Every key of this screen and of the panes."""
        from tui.ui.screens.help import help_lines
        from tui.ui.screens.text_modal import TextModal

        self.app.push_screen(TextModal("tracetui keys", help_lines(self)))

    # Search and filter -------------------------------------------------------------------

    @property
    def search_bar(self) -> SearchBar:
        """The bottom bar for `/` and `f`."""
        return self.query_one(SearchBar)

    def action_search(self) -> None:
        """Ask for a search: every match is marked in all panes, `n`/`N` visit them."""
        self.search_bar.open(SEARCH, self.search_text)

    def action_filter(self) -> None:
        """Ask for a filter that narrows all panes (esc in the bar clears it)."""
        self.search_bar.open(FILTER, self.filter_text)
        if self.filter_text:
            self.search_bar.say("esc clears the filter")

    @on(SearchBar.Submitted)
    def _query_submitted(self, message: SearchBar.Submitted) -> None:
        text = message.text.strip()
        try:
            query = parse_search(text) if message.mode == SEARCH else parse_query(text)
        except QueryError as error:
            pointer = f"col {error.position + 1}: " if error.position >= 0 else ""
            self.search_bar.say(visible_line(f"{pointer}{error.message}"), error=True)
            return
        if message.mode == FILTER:
            self.apply_filter(text, query)
        elif text:
            self.start_search(text, query)
        else:
            self.clear_search()
        self.search_bar.display = message.mode == SEARCH and bool(text)
        self.query_one(f"#{self.active_pane}").focus()

    @on(SearchBar.Cancelled)
    def _query_cancelled(self, message: SearchBar.Cancelled) -> None:
        if message.mode == FILTER and self.filter_text:
            self.apply_filter("", None)
        elif message.mode == SEARCH:
            self.clear_search()
        self.search_bar.display = self.search is not None
        self.query_one(f"#{self.active_pane}").focus()

    def start_search(self, text: str, query: Query) -> None:
        """Search the whole trace in a worker; matches stream in."""
        self._use_search(query, text, [])
        self.search_bar.say("searching…")
        self.run_search(query)

    def _use_search(self, query: Query, text: str, matches: list[int]) -> None:
        """Make `query` the search: its matches marked in the panes, its hits in the detail."""
        self.search = query
        self.search_text = text
        self.matches = matches
        self._show_matches()
        self.detail.set_options(
            full_tokens=self.full_tokens, highlighter=lambda line: highlight_spans(query, line)
        )

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def run_search(self, query: Query) -> None:
        """Scan the trace's bytes for `query`, posting matches a batch at a time."""
        worker = get_current_worker()
        for batch in iter_matches(self.trace, query, cancelled=lambda: worker.is_cancelled):
            self.app.call_from_thread(self._matches_found, query, batch)
        self.app.call_from_thread(self._search_finished, query)

    def _matches_found(self, query: Query, batch: list[int]) -> None:
        if query is not self.search:
            return
        first = not self.matches
        self.matches.extend(batch)
        self._show_matches()
        if first:
            here = self.selected if self.selected is not None else -1
            self.goto_match(next((m for m in self.matches if m >= here), self.matches[0]))

    def _search_finished(self, query: Query) -> None:
        if query is not self.search:
            return
        if not self.matches:
            self.search_bar.say("no match", error=True)
        else:
            self._say_position()

    def _show_matches(self) -> None:
        marks = frozenset(self.matches)
        self.exchange_list.set_matches(marks)
        self.lanes.set_matches(marks)

    def _say_position(self) -> None:
        if self.selected in self.matches:
            where = f"{self.matches.index(self.selected) + 1}/{len(self.matches)}"
        else:
            where = f"{len(self.matches)} matches"
        self.search_bar.say(f"{where}   n/N next/prev   esc clear")

    def clear_search(self) -> None:
        """Forget the search: no marks, no highlights."""
        self.workers.cancel_group(self, "search")
        self.search = None
        self.matches = []
        self._show_matches()
        self.detail.set_options(full_tokens=self.full_tokens, highlighter=None)
        self.search_bar.display = False

    def goto_match(self, index: int) -> None:
        """Select matching exchange `index` and put the detail on its first hit."""
        self.select(index)
        self._say_position()

    @on(DetailView.Loaded)
    def _detail_loaded(self, message: DetailView.Loaded) -> None:
        if self.search is not None and message.index in self.matches:
            self.detail.next_hit(forward=True, from_row=-1)

    def action_next_match(self, step: int) -> None:
        """Next/previous hit: within the body when the detail has focus, then across exchanges."""
        if not self.matches:
            self.notify("No search: press / first.", timeout=2)
            return
        if self.focused is self.detail and self.detail.next_hit(forward=step > 0):
            return
        here = self.selected if self.selected is not None else -1
        if step > 0:
            target = next((m for m in self.matches if m > here), self.matches[0])
        else:
            target = next((m for m in reversed(self.matches) if m < here), self.matches[-1])
        self.goto_match(target)

    def action_follow_value(self) -> None:
        """Search for the exact value under the detail cursor: who issued it, who used it."""
        value = self.detail.current_value() if self.focused is self.detail else ""
        if not value:
            self.notify("Put the cursor on a header or JSON value in the detail pane first.")
            return
        self.search_bar.open(SEARCH, value)
        self.follow(value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def follow(self, value: str) -> None:
        """Find where `value` was issued and every later use."""
        result = follow_value(
            self.trace, value, cancelled=lambda: get_current_worker().is_cancelled
        )
        if result is not None:
            self.app.call_from_thread(self._followed, result)

    def _followed(self, result: FollowResult) -> None:
        found = sorted({*result.uses, *([result.origin] if result.origin is not None else [])})
        self._use_search(literal_query(result.value), result.value, found)
        self.query_one(f"#{self.active_pane}").focus()
        if result.origin is not None:
            self.goto_match(result.origin)
            self.notify(
                f"Issued by #{result.origin}; used by {len(result.uses)} exchanges (n/N).",
                timeout=4,
            )
        elif found:
            self.goto_match(found[0])
        else:
            self.search_bar.say("no match", error=True)

    def apply_filter(self, text: str, query: Query | None) -> None:
        """Narrow every pane to the exchanges matching `query` (None: show all)."""
        self.filter_text = text
        if query is None or not text:
            self.filter_text = ""
            self._filter = None
            self._set_filtered(None)
            self.relayout()
            return
        self.search_bar.say("filtering…")
        self.run_filter(text, query)

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="filter")
    def run_filter(self, text: str, query: Query) -> None:
        """Find every exchange the filter keeps."""
        checked = len(self.trace.exchanges)
        found = all_matches(self.trace, query)
        self.app.call_from_thread(self._filtered, text, query, found, checked)

    def _filtered(self, text: str, query: Query, found: list[int], checked: int) -> None:
        if text != self.filter_text:
            return
        self._filter, self._filter_checked = query, checked
        self._set_filtered(found)
        self.relayout()
        if found and self.selected not in found:
            self.select(found[0])
        if not found:
            self.notify("The filter matches no exchange.", timeout=3)
