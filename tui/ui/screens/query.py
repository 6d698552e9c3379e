"""The query screen: SQL over the open trace, the tables `tracetui sql` has (command palette).

The tables are built in a worker the first time a query runs, and again only when the trace
has grown since (a followed file); DuckDB answers in the same worker. Without the `sql`
extra, the screen says which to install.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.model.trace import Trace
from tui.query.sql import (
    SqlError,
    SqlUnavailable,
    connect,
    result_table,
    run_query,
    trace_tables,
)
from tui.redact import Redactor
from tui.ui.messages import QueryAnswered
from tui.ui.screen_text import screen_text
from tui.ui.widgets.text_lines import TextLines

EXAMPLE = "SELECT callee, count(*), max(status) FROM exchanges GROUP BY ALL ORDER BY 2 DESC"


class QueryScreen(ModalScreen[None]):
    """Type a query, press enter, read the rows; `esc` closes."""

    BINDINGS = [Binding("escape", "dismiss_modal", "Close")]

    def __init__(self, trace: Trace, redactor: Redactor | None) -> None:
        super().__init__()
        self.trace = trace
        self.redactor = redactor
        self._connection: Any = None
        self._built_for = -1

    def compose(self) -> ComposeResult:
        """The query line and the result."""
        with Vertical(id="modal-box"):
            yield Static(
                Text("SQL over this trace: tables exchanges, headers (see README, Tables)"),
                id="modal-title",
            )
            yield Input(value=EXAMPLE, id="query-input")
            yield TextLines([], id="modal-lines")
            yield Static(Text("enter run   esc close"), id="modal-hint")

    def on_mount(self) -> None:
        """Focus the query line."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#query-input")
    def run_query(self, event: Input.Submitted) -> None:
        """Run the query typed."""
        self._show([Text("running…")])
        self._answer(event.value)

    @work(thread=True, exclusive=True, group="query", exit_on_error=False)
    def _answer(self, statement: str) -> None:
        try:
            if self._connection is None or self._built_for != len(self.trace.exchanges):
                self._built_for = len(self.trace.exchanges)
                mask = None
                if self.redactor is not None:
                    self.redactor.learn(self.trace)
                    mask = self.redactor.record
                self._connection = connect([trace_tables(self.trace, mask)])
            names, result = run_query(self._connection, statement)
            lines = result_table(names, result)
        except (SqlUnavailable, SqlError) as error:
            lines = [str(error)]
        self.post_message(QueryAnswered(lines))

    @on(QueryAnswered)
    def _answered(self, message: QueryAnswered) -> None:
        self._show([screen_text(line) for line in message.lines])

    def _show(self, lines: list[Text]) -> None:
        view = self.query_one(TextLines)
        view.lines = lines
        view.set_row_count(len(lines), max((line.cell_len for line in lines), default=0))
        view.refresh()

    def action_dismiss_modal(self) -> None:
        """Close the screen."""
        self.dismiss(None)
