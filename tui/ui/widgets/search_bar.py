"""The bar at the bottom for `/` search and `f` filter: an input and a status line."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from tui.ui.screen_text import screen_text

SEARCH = "search"
FILTER = "filter"
PROMPTS = {SEARCH: "/", FILTER: "filter:"}
PLACEHOLDERS = {
    SEARCH: "text (smart case), re:regex, or filter terms",
    FILTER: "svc:keystone status:>=400 !method:GET path:/ports header:X-Auth-Token body:text",
}


class SearchBar(Horizontal):
    """Asks for a query; says how the last one went (`3/17`, an error, progress)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    @dataclass
    class Submitted(Message):
        """The user pressed enter on a query."""

        mode: str
        text: str

    @dataclass
    class Cancelled(Message):
        """The user pressed esc in the bar."""

        mode: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = SEARCH

    def compose(self) -> ComposeResult:
        """Prompt, input, status."""
        yield Static(PROMPTS[SEARCH], id="search-prompt")
        yield Input(id="search-input", select_on_focus=False)
        yield Static("", id="search-status")

    @property
    def input(self) -> Input:
        """The text field."""
        return self.query_one(Input)

    def open(self, mode: str, text: str = "") -> None:
        """Show the bar for `mode`, prefilled with `text`, and focus it."""
        self.mode = mode
        self.query_one("#search-prompt", Static).update(PROMPTS[mode])
        self.input.placeholder = PLACEHOLDERS[mode]
        self.input.value = text
        self.input.cursor_position = len(text)
        self.display = True
        self.input.focus()

    def say(self, text: str, error: bool = False) -> None:
        """Show a status (it may quote trace text: sanitized here)."""
        status = self.query_one("#search-status", Static)
        status.update(screen_text(text))
        status.set_class(error, "-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Hand the query to the screen."""
        event.stop()
        self.post_message(self.Submitted(self.mode, event.value))

    def action_cancel(self) -> None:
        """Close the bar; the screen decides what esc clears."""
        self.post_message(self.Cancelled(self.mode))
