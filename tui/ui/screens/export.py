"""The export dialog: a format, a scope (whole trace, filtered view, selection) and a file."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.export import registry


class ExportRequest(NamedTuple):
    """What the user asked to export: `scope` is a list of exchange indices (None: all)."""

    fmt: str
    scope: list[int] | None
    path: str


class ExportModal(ModalScreen["ExportRequest | None"]):
    """Pick a format and a scope, name the file, press enter."""

    BINDINGS = [Binding("escape", "dismiss_modal", "Cancel")]

    def __init__(self, trace_path: str, scopes: list[tuple[str, list[int] | None]]) -> None:
        super().__init__()
        self.trace_path = trace_path
        self.scopes = scopes

    def compose(self) -> ComposeResult:
        """Two short lists and the file name."""
        with Vertical(id="export-box"):
            yield Static(Text("Export"), id="modal-title")
            with Horizontal(id="export-choices"):
                yield OptionList(
                    *(Option(Text(fmt)) for fmt in registry.names(folders=False)),
                    id="export-format",
                )
                yield OptionList(
                    *(Option(Text(label)) for label, _ in self.scopes), id="export-scope"
                )
            yield Input(id="export-path")
            yield Static(Text("tab next field   enter write   esc cancel"), id="modal-hint")

    def on_mount(self) -> None:
        """Preselect the first format and scope and propose a file name."""
        for option_list in self.query(OptionList):
            option_list.highlighted = 0
        self._propose_path()
        self.query_one("#export-format", OptionList).focus()

    def _format(self) -> str:
        return registry.names(folders=False)[
            self.query_one("#export-format", OptionList).highlighted or 0
        ]

    def _propose_path(self) -> None:
        stem = Path(self.trace_path).stem
        self.query_one(
            "#export-path", Input
        ).value = f"{stem}-export.{registry.get(self._format()).suffix}"

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A new format proposes a matching file extension."""
        if event.option_list.id == "export-format":
            self._propose_path()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a list moves on to the next field."""
        self.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Hand the request to the screen that opened the dialog."""
        scope = self.scopes[self.query_one("#export-scope", OptionList).highlighted or 0][1]
        self.dismiss(ExportRequest(self._format(), scope, event.value.strip()))

    def action_dismiss_modal(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
