"""What the explorer shows of one trace, without Textual: selection, grouping, filter, search,
what a followed file's growth changes, and the header line.

The explorer screen keeps one `ExplorerState`, asks it what to show and pushes that down to
its panes; everything here is unit-tested without a running app (tests/test_explorer_state.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from tui.model.trace import Trace
from tui.query.language import Query
from tui.query.match import matches
from tui.readers import TraceReader
from tui.redact import Redactor
from tui.views.list_rows import GROUPING_NAMES, GROUPINGS, Layouts, ListLayout
from tui.views.pane_text import PaneText
from tui.views.timing import SlowCalls, has_clock, row_order

Scope = tuple[str, "list[int] | None"]


class Header(NamedTuple):
    """The header line: the panes (shown first and bold when narrow, else empty) and the
    summary. Plain strings: the file name and the filter are trace text, which the UI
    sanitizes on the way to the screen."""

    panes: str
    summary: str


class SearchState:
    """The search the panes mark: its query and text, and the matches found so far."""

    def __init__(self) -> None:
        self.query: Query | None = None
        self.text = ""
        self.matches: list[int] = []

    def use(self, query: Query, text: str, found: list[int]) -> None:
        """Make `query` (typed as `text`) the search, with the matches `found` so far."""
        self.query, self.text, self.matches = query, text, found

    def clear(self) -> None:
        """No search (its text stays, to edit at the next `/`)."""
        self.query = None
        self.matches = []

    def add(self, batch: list[int]) -> bool:
        """More matches found; True if they are the first."""
        first = not self.matches
        self.matches.extend(batch)
        return first

    def first_at(self, selected: int | None) -> int:
        """The match to show first: the selection or the next one after it, else the first."""
        here = selected if selected is not None else -1
        return next((m for m in self.matches if m >= here), self.matches[0])

    def step(self, selected: int | None, step: int) -> int:
        """The next (`step` > 0) or previous match from the selection, wrapping."""
        here = selected if selected is not None else -1
        if step > 0:
            return next((m for m in self.matches if m > here), self.matches[0])
        return next((m for m in reversed(self.matches) if m < here), self.matches[-1])

    def position(self, selected: int | None) -> str:
        """Where the selection stands among the matches, for the search bar."""
        if selected in self.matches:
            where = f"{self.matches.index(selected) + 1}/{len(self.matches)}"
        else:
            where = f"{len(self.matches)} matches"
        return f"{where}   n/N next/prev   esc clear"


class FilterState:
    """The filter shown, as typed, and how many exchanges it has looked at: those read later
    (a file still being indexed or followed) are checked as they come."""

    def __init__(self) -> None:
        self.text = ""
        self.query: Query | None = None
        self.checked = 0

    def new_matches(self, trace: Trace, shown: Sequence[int], answered: list[int]) -> list[int]:
        """The exchanges read since the filter last looked, and those it saw unanswered that
        have their response now (`status:>=400` needs it), which the filter keeps."""
        if self.query is None:
            return []
        exchanges = trace.exchanges
        start, self.checked = self.checked, len(exchanges)
        kept = set(shown)
        query = self.query
        candidates = [*answered, *range(start, len(exchanges))]
        return [i for i in candidates if i not in kept and matches(trace, query, exchanges[i])]


class ExplorerState:
    """The explorer's state over one reader's trace (a new reader after a logrotate)."""

    def __init__(self, reader: TraceReader, redact: bool = False) -> None:
        self.reader = reader
        self.trace: Trace = reader.trace
        # Every pane's trace text passes through this (masked while redacting).
        self.pane_text = PaneText(Redactor() if redact else None)
        self.pane_text.learn(self.trace)
        self.grouping = GROUPINGS[0]
        self.collapsed: frozenset[tuple[str, str]] = frozenset()
        self.filtered: list[int] | None = None
        self.selected: int | None = None
        self.full_tokens = False
        self.search = SearchState()
        self.filter = FilterState()
        self.failed = 0
        # How many exchanges the last catch-up saw (was the user at the end?), and the one
        # selected while it waited for its response (shown again once it has one).
        self._last_seen = 0
        self._waiting_for: int | None = None
        self.layouts = Layouts(reader.trace)
        self.slow = SlowCalls()

    @property
    def clock(self) -> bool:
        """True when the trace has a clock: durations, slow calls and time features work."""
        return has_clock(self.trace)

    @property
    def redactor(self) -> Redactor | None:
        """The redactor of the panes, the detail and exports; None when secrets are shown."""
        return self.pane_text.redactor

    def list_layout(self) -> ListLayout:
        """The list's layout for the grouping shown."""
        return self.layouts.list_layout(self.grouping)

    def select(self, index: int) -> bool:
        """Make exchange `index` the selection; False if there is no such exchange."""
        if not 0 <= index < len(self.trace.exchanges):
            return False
        self.selected = index
        self._waiting_for = index if self.trace.exchanges[index].response is None else None
        return True

    def catch_up(self) -> list[int]:
        """Take in what the reader indexed: layouts grown, new exchanges the filter keeps
        added; return the exchanges whose response came since."""
        self.layouts.catch_up(self.grouping)
        self.pane_text.learn(self.trace)
        answered = self.layouts.columns.take_answered()
        if self.filtered is not None:
            found = self.filter.new_matches(self.trace, self.filtered, answered)
            if found:
                self.set_filtered(sorted({*self.filtered, *found}))
        self.failed = self.layouts.columns.failed_count
        return answered

    def to_select_after_reading(self) -> int | None:
        """After a catch-up, the exchange to select: the new last one when following and the
        user was at the end, the one awaiting its response once it has it, else None."""
        exchanges = self.trace.exchanges
        at_end = self.selected is None or self.selected >= self._last_seen - 1
        self._last_seen = len(exchanges)
        if self.reader.follow and at_end and exchanges and self.selected != len(exchanges) - 1:
            return len(exchanges) - 1
        waiting = self._waiting_for
        if waiting is not None and exchanges[waiting].response is not None:
            return waiting
        return None

    def reopened(self, reader: TraceReader) -> None:
        """The followed file was truncated or rotated and opened anew as `reader`: start over.
        A filter stays on (watching `status:>=400` across a logrotate): it starts over too."""
        self.reader, self.trace = reader, reader.trace
        self.pane_text.learn(self.trace)
        self.selected = None
        self._last_seen = 0
        self.filtered = None if self.filter.query is None else []
        self.filter.checked = 0
        self.layouts = Layouts(self.trace, self.filtered, self.collapsed)

    def set_filtered(self, visible: list[int] | None) -> None:
        """Show only the `visible` exchanges (None: all), laid out anew."""
        self.filtered = visible
        self.layouts = Layouts(self.trace, visible, self.collapsed, self.layouts.columns)

    def use_filter(self, text: str, query: Query, found: list[int], checked: int) -> None:
        """Filter `query` (typed as `text`) kept `found` of the first `checked` exchanges."""
        self.filter.text, self.filter.query, self.filter.checked = text, query, checked
        self.set_filtered(found)

    def clear_filter(self) -> None:
        """Show every exchange again."""
        self.filter.text = ""
        self.filter.query = None
        self.set_filtered(None)

    def cycle_grouping(self) -> str:
        """Group by caller -> callee, by call tree, not at all, or by global request id; the
        new grouping's name."""
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        return GROUPING_NAMES[self.grouping]

    def toggle_group(self, key: tuple[str, str], collapse: bool) -> None:
        """Hide (`collapse`) or show the members of caller -> callee group `key`."""
        self.collapsed = self.collapsed | {key} if collapse else self.collapsed - {key}
        self.layouts.set_collapsed(self.collapsed)

    def failure(self, step: int) -> int | None:
        """The previous/next exchange with a 4xx/5xx in list order (wrapping), if any."""
        list_layout = self.list_layout()
        here = None if self.selected is None else list_layout.nearest_row(self.selected)
        row = list_layout.failed_row(here, step)
        return None if row is None else list_layout.row(row).exchange

    def slow_call(self, step: int) -> int | None:
        """The previous/next slow exchange (see `SlowCalls`) in list order (wrapping), if any."""
        list_layout = self.list_layout()
        here = None if self.selected is None else list_layout.nearest_row(self.selected)
        rows = row_order([list_layout.row_of(index) for index in self.slow.of(self.trace)])
        row = self.slow.step_rows(rows, here, step)
        return None if row is None else list_layout.row(row).exchange

    def toggle_redact(self) -> bool:
        """Show secrets as stable labels (`<token-1>`) or as they are; True when redacting."""
        self.pane_text = PaneText(None if self.redactor is not None else Redactor())
        self.pane_text.learn(self.trace)
        return self.redactor is not None

    def export_scopes(self) -> list[Scope]:
        """What `e` can export: the whole trace, the filtered view, the search matches, the
        selection, each with its label."""
        scopes: list[Scope] = [(f"whole trace ({len(self.trace.exchanges)} exchanges)", None)]
        if self.filtered is not None:
            scopes.append((f"filtered view ({len(self.filtered)})", list(self.filtered)))
        if self.search.matches:
            matched = self.search.matches
            scopes.append((f"search matches ({len(matched)})", list(matched)))
        if self.selected is not None:
            scopes.append((f"selected exchange #{self.selected}", [self.selected]))
        return scopes

    def warning_lines(self) -> list[str]:
        """The reader's warnings with their line numbers, one a line."""
        return [
            f"line {warning.line:>6}  {self.pane_text(warning.message)}"
            for warning in self.trace.warnings
        ] or ["No warnings: the whole file read cleanly."]

    def header(self, narrow: bool, panes: Sequence[str], active_pane: str) -> Header:
        """The one-line summary at the top; `narrow`: shortened, and led by the panes, the
        `active_pane` marked (80 columns must never cut off which pane is showing)."""
        trace, reader = self.trace, self.reader
        parts = [
            self.pane_text(Path(trace.path).name),
            f"{len(trace.exchanges)} {'ex' if narrow else 'exchanges'}",
            f"{len(trace.services)} {'svc' if narrow else 'services'}",
            f"{self.failed} failed",
            f"{len(trace.warnings)} {'warn' if narrow else 'warnings'}",
        ]
        if trace.records and not self.clock:
            # Early: at 80 columns the end of the line is cut off.
            parts.insert(1, "order only")
        if not narrow:
            parts.insert(0, "tracetui")
            parts.append(f"group: {GROUPING_NAMES[self.grouping]}")
        if reader.follow:
            parts.append("following")
        elif not reader.done:
            parts.append(f"indexing {reader.progress:.0%} (esc stops)")
        if self.redactor is not None:
            parts.append("redacted")
        if self.filter.text:
            typed = self.pane_text.typed(self.filter.text)
            parts.append(f"filter: {typed} ({len(self.filtered or [])} shown)")
        names = ""
        if narrow:
            names = "  ".join(
                f"[{number}]{pane}" if pane == active_pane else f"{number} {pane}"
                for number, pane in enumerate(panes, 1)
            )
            names += "   "
        return Header(names, " · ".join(parts))
