"""The explorer's search (`/`, `n`/`N`, `*`) and filter (`f`): the bar, the workers that scan
the trace, and what their results change. `ExplorerScreen` builds on this with the panes."""

from __future__ import annotations

import time

from textual import on, work
from textual.worker import get_current_worker

from tui.model.trace import Trace
from tui.query.follow import follow_value
from tui.query.language import Query, QueryError, literal_query, parse_query, parse_search
from tui.query.match import highlight_spans
from tui.query.search import all_matches, iter_matches
from tui.ui import messages
from tui.ui.screens.paned import PanedScreen
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.exchange_list import ExchangeList
from tui.ui.widgets.lanes import SequenceLanes
from tui.ui.widgets.search_bar import FILTER, SEARCH, SearchBar
from tui.views.explorer_state import ExplorerState

# A search posts what it found at most this often: each post marks every match so far in the
# panes, and batches posted as fast as the scan finds them queued up on the UI thread.
MATCHES_SECONDS = 0.1


class SearchScreen(PanedScreen):
    """Panes over an `ExplorerState` that can be searched and filtered; subclasses `select`
    an exchange in every pane and `relayout` them."""

    def __init__(self, state: ExplorerState) -> None:
        super().__init__()
        self.state = state
        self.generations = messages.Generations()

    # What the tests and the panes read of the state.

    @property
    def trace(self) -> Trace:
        """The trace shown."""
        return self.state.trace

    @property
    def selected(self) -> int | None:
        """The selected exchange, if any."""
        return self.state.selected

    @property
    def filtered(self) -> list[int] | None:
        """The exchanges the filter keeps (None: no filter)."""
        return self.state.filtered

    @property
    def grouping(self) -> str:
        """How the list groups the exchanges."""
        return self.state.grouping

    @property
    def search(self) -> Query | None:
        """The search whose matches are marked, if any."""
        return self.state.search.query

    @property
    def matches(self) -> list[int]:
        """The exchanges the search matched so far."""
        return self.state.search.matches

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

    @property
    def search_bar(self) -> SearchBar:
        """The bottom bar for `/` and `f`."""
        return self.query_one(SearchBar)

    def select(self, index: int) -> None:
        """Make exchange `index` the selection in every pane (subclasses draw it)."""
        raise NotImplementedError

    def relayout(self) -> None:
        """Bring the panes up to date with the state (subclasses draw them)."""
        raise NotImplementedError

    def _focus_active_pane(self) -> None:
        self.query_one(f"#{self.active_pane}").focus()

    def action_search(self) -> None:
        """Ask for a search: every match is marked in all panes, `n`/`N` visit them."""
        self.search_bar.open(SEARCH, self.state.search.text)

    def action_filter(self) -> None:
        """Ask for a filter that narrows all panes (esc in the bar clears it)."""
        self.search_bar.open(FILTER, self.state.filter.text)
        if self.state.filter.text:
            self.search_bar.say("esc clears the filter")

    @on(SearchBar.Submitted)
    def _query_submitted(self, message: SearchBar.Submitted) -> None:
        text = message.text.strip()
        try:
            query = parse_search(text) if message.mode == SEARCH else parse_query(text)
        except QueryError as error:
            pointer = f"col {error.position + 1}: " if error.position >= 0 else ""
            self.search_bar.say(f"{pointer}{error.message}", error=True)
            return
        if message.mode == FILTER:
            self.apply_filter(text, query)
        elif text:
            self.start_search(text, query)
        else:
            self.clear_search()
        self.search_bar.display = message.mode == SEARCH and bool(text)
        self._focus_active_pane()

    @on(SearchBar.Cancelled)
    def _query_cancelled(self, message: SearchBar.Cancelled) -> None:
        if message.mode == FILTER and self.state.filter.text:
            self.apply_filter("", None)
        elif message.mode == SEARCH:
            self.clear_search()
        self.search_bar.display = self.search is not None
        self._focus_active_pane()

    def start_search(self, text: str, query: Query) -> None:
        """Search the whole trace in a worker; matches stream in."""
        self._use_search(query, text, [])
        self.search_bar.say("searching…")
        self._run_search(query, self.generations.next("search"))

    def _use_search(self, query: Query, text: str, found: list[int]) -> None:
        """Make `query` the search: its matches marked in the panes, its hits in the detail."""
        self.state.search.use(query, text, found)
        self._show_matches()
        self.detail.set_options(
            full_tokens=self.state.full_tokens,
            highlighter=lambda line: highlight_spans(query, line),
        )

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def _run_search(self, query: Query, generation: int) -> None:
        """Scan the trace's bytes for `query`, posting the first matches at once and the
        rest gathered, at most every MATCHES_SECONDS."""
        worker = get_current_worker()
        found: list[int] = []
        posted_at = 0.0
        for batch in iter_matches(self.trace, query, cancelled=lambda: worker.is_cancelled):
            found += batch
            if time.monotonic() - posted_at >= MATCHES_SECONDS:
                posted_at = time.monotonic()
                self.post_message(messages.MatchesFound(generation, query, found))
                found = []
        if found:
            self.post_message(messages.MatchesFound(generation, query, found))
        self.post_message(messages.SearchFinished(generation, query))

    @on(messages.MatchesFound)
    def _matches_found(self, message: messages.MatchesFound) -> None:
        if not self.generations.current("search", message.generation):
            return
        first = self.state.search.add(message.batch)
        self._show_matches()
        if first:
            self.goto_match(self.state.search.first_at(self.selected))

    @on(messages.SearchFinished)
    def _search_finished(self, message: messages.SearchFinished) -> None:
        if not self.generations.current("search", message.generation):
            return
        if not self.matches:
            self.search_bar.say("no match", error=True)
        else:
            self.search_bar.say(self.state.search.position(self.selected))

    def _show_matches(self) -> None:
        marks = frozenset(self.matches)
        self.exchange_list.set_matches(marks)
        self.lanes.set_matches(marks)

    def clear_search(self) -> None:
        """Forget the search: no marks, no highlights."""
        self.workers.cancel_group(self, "search")
        self.generations.next("search")
        self.state.search.clear()
        self._show_matches()
        self.detail.set_options(full_tokens=self.state.full_tokens, highlighter=None)
        self.search_bar.display = False

    def goto_match(self, index: int) -> None:
        """Select matching exchange `index` and put the detail on its first hit."""
        self.select(index)
        self.search_bar.say(self.state.search.position(self.selected))

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
        self.goto_match(self.state.search.step(self.selected, step))

    def action_follow_value(self) -> None:
        """Search for the exact value under the detail cursor: who issued it, who used it."""
        value = self.detail.current_value() if self.focused is self.detail else ""
        if not value:
            self.notify("Put the cursor on a header or JSON value in the detail pane first.")
            return
        self.search_bar.open(SEARCH, value)
        self._follow_value(value, self.generations.next("search"))

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, description="search")
    def _follow_value(self, value: str, generation: int) -> None:
        """Find where `value` was issued and every later use."""
        worker = get_current_worker()
        result = follow_value(self.trace, value, cancelled=lambda: worker.is_cancelled)
        if result is not None:
            self.post_message(messages.ValueFollowed(generation, result))

    @on(messages.ValueFollowed)
    def _value_followed(self, message: messages.ValueFollowed) -> None:
        if not self.generations.current("search", message.generation):
            return
        result = message.result
        found = sorted({*result.uses, *([result.origin] if result.origin is not None else [])})
        self._use_search(literal_query(result.value), result.value, found)
        self._focus_active_pane()
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
        generation = self.generations.next("filter")
        if query is None or not text:
            self.state.clear_filter()
            self.relayout()
            return
        self.state.filter.text = text
        self.search_bar.say("filtering…")
        self._run_filter(text, query, generation)

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="filter")
    def _run_filter(self, text: str, query: Query, generation: int) -> None:
        """Find every exchange the filter keeps."""
        checked = len(self.trace.exchanges)
        found = all_matches(self.trace, query)
        self.post_message(messages.FilterFound(generation, text, query, found, checked))

    @on(messages.FilterFound)
    def _filter_found(self, message: messages.FilterFound) -> None:
        if not self.generations.current("filter", message.generation):
            return
        found = message.found
        self.state.use_filter(message.text, message.query, found, message.checked)
        self.relayout()
        if found and self.selected not in found:
            self.select(found[0])
        if not found:
            self.notify("The filter matches no exchange.", timeout=3)
