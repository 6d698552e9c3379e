"""A read-only list of prepared lines (help, warnings): the Line API, so any length is cheap."""

from __future__ import annotations

from rich.text import Text

from tui.ui.widgets.cursor_view import Row
from tui.ui.widgets.themed import ThemedView


class TextLines(ThemedView):
    """Shows `rich.text.Text` lines with a cursor; the caller sanitizes any trace text."""

    def __init__(self, lines: list[Text], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = lines

    def on_mount(self) -> None:
        """Size the view to the lines."""
        self.set_row_count(len(self.lines), max((line.cell_len for line in self.lines), default=0))

    def render_row(self, row: int, width: int) -> Row:
        """Draw one prepared line."""
        cursor = self.cursor_style() if row == self.cursor else None
        return self.text_row(self.lines[row].copy(), cursor)
