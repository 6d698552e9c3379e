"""Panes that keep up with the reader: what `follow()` reads, in a worker, reaches the state
and is drawn; the header line says how far it got. `ExplorerScreen` builds on this."""

from __future__ import annotations

import gc
from typing import Any

from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker

from tui.readers import TraceReader
from tui.readers.follow import RELOADED_NOTICE, follow
from tui.redact import Redactor
from tui.ui import messages
from tui.ui.screen_text import screen_text
from tui.ui.screens.explorer_search import SearchScreen
from tui.ui.widgets.trace_header import TraceHeader


class _PostFollowed:
    """Tells the screen what `follow()` read, as messages of one load generation."""

    def __init__(self, screen: ReadingScreen, generation: int) -> None:
        self.screen = screen
        self.generation = generation

    def read(self, reader: TraceReader, caught_up: bool) -> None:
        self.screen.post_message(messages.TraceRead(self.generation, caught_up))

    def reopened(self, reader: TraceReader) -> None:
        self.screen.post_message(messages.TraceReopened(self.generation, reader))

    def missing(self, notice: str) -> None:
        self.screen.post_message(messages.TraceMissing(self.generation, notice))


class ReadingScreen(SearchScreen):
    """The explorer's panes as the trace is indexed and followed; subclasses compose them."""

    @property
    def reader(self) -> TraceReader:
        """The reader of the trace shown."""
        return self.state.reader

    @property
    def redactor(self) -> Redactor | None:
        """Labels secrets in the detail and exports, when redacting."""
        return self.state.redactor

    def notify(self, message: str, **options: Any) -> None:
        """A notification, its trace text masked while redacting."""
        super().notify(self.state.pane_text(message), **options)

    @property
    def collapsed(self) -> frozenset[tuple[str, str]]:
        """The caller -> callee groups whose members are hidden."""
        return self.state.collapsed

    def load_rest(self) -> None:
        """Index the rest of the file in a worker, and when following keep reading it."""
        self._follow(self.reader, self.generations.next("load"))

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="load")
    def _follow(self, reader: TraceReader, generation: int) -> None:
        worker = get_current_worker()
        follow(reader, _PostFollowed(self, generation), lambda: worker.is_cancelled)

    @on(messages.TraceRead)
    def _trace_read(self, message: messages.TraceRead) -> None:
        if not self.generations.current("load", message.generation):
            return
        self.relayout()
        if not message.caught_up:
            return
        if self.reader.done:
            # The index is built and stays: keep the collector from walking it on every pass
            # (a full collection of a 1 GB trace's index took 0.4 s, landing on key presses).
            gc.freeze()
        target = self.state.to_select_after_reading()
        if target is not None:
            self.select(target)

    @on(messages.TraceReopened)
    def _trace_reopened(self, message: messages.TraceReopened) -> None:
        if not self.generations.current("load", message.generation):
            return
        self.notify(RELOADED_NOTICE, timeout=4)
        self.state.reopened(message.reader)
        self.clear_search()

    @on(messages.TraceMissing)
    def _trace_missing(self, message: messages.TraceMissing) -> None:
        if self.generations.current("load", message.generation):
            self.notify(message.notice, severity="warning")

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
        answered = self.state.catch_up()
        for view in (self.exchange_list, self.lanes, self.detail):
            view.set_services(self.trace.services)
        self._show_list(answered)
        layouts = self.state.layouts
        if layouts.lanes is self.lanes.lane_layout:
            self.lanes.show_grown(self.selected)
        else:
            self.lanes.show_layout(self.trace, layouts.lanes, self.selected)
        self.update_header()

    def _show_list(self, answered: list[int] | None = None) -> None:
        """Show the list's layout for the grouping (kept per grouping: `g` back is instant).
        After a catch-up (`answered`: the exchanges whose response it read), the one shown
        may just have grown in place: then only what changed is redrawn."""
        self.exchange_list.collapsed = self.collapsed
        list_layout = self.state.list_layout()
        if answered is not None and list_layout is self.exchange_list.list_layout:
            self.exchange_list.show_grown(answered, self.selected)
        else:
            self.exchange_list.show_layout(self.trace, list_layout, self.grouping, self.selected)

    def update_header(self) -> None:
        """The one-line summary at the top."""
        self.detail.waiting = self.reader.follow
        header = self.state.header(self.narrow, self.PANES, self.active_pane)
        text = Text()
        if header.panes:
            text.append_text(screen_text(header.panes, style="bold"))
        text.append_text(screen_text(header.summary))
        self.query_one(TraceHeader).summary = text

    def select(self, index: int) -> None:
        """Make exchange `index` the selection in every pane."""
        if not self.state.select(index):
            return
        self.exchange_list.select_exchange(index)
        self.lanes.select_exchange(index)
        self.detail.show_exchange(self.trace, index)
