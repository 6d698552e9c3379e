"""A modal screen showing a titled list of lines: the help screen and the warnings list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.ui.widgets.text_lines import TextLines


class TextModal(ModalScreen[None]):
    """Lines in a framed box; `esc`, `q` or the key that opened it close it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss_modal", "Close"),
    ]

    def __init__(self, title: str, lines: list[Text]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        """A title and the lines."""
        with Vertical(id="modal-box"):
            yield Static(Text(self.title_text), id="modal-title")
            yield TextLines(self.lines, id="modal-lines")
            yield Static(Text("esc close   ↑↓ PgUp PgDn move"), id="modal-hint")

    def on_mount(self) -> None:
        """Focus the lines so the arrow keys scroll them."""
        self.query_one(TextLines).focus()

    def action_dismiss_modal(self) -> None:
        """Close the modal."""
        self.dismiss(None)
