"""The bottom line of keys: the screen's shown bindings, and the command palette's key.

Textual's `Footer` composes a widget per binding and composes them all again on every focus
change, which made `tab` restyle and redraw the screen. The keys shown here are the screen's
own, which focus does not change, so the bar is one line of text drawn again only when its
width changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget

_PALETTE_DESCRIPTION = "palette"


class KeyBar(Widget):
    """`key description` for each `show=True` binding given, as many as fit the width, and
    the command palette's key at the right edge. A click on an item presses its key."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}

    def __init__(self, bindings: Iterable[BindingType], *, id: str | None = None) -> None:
        """Show the `show=True` ones of `bindings` (a screen's BINDINGS), in their order."""
        super().__init__(id=id)
        self.bindings = [b for b in bindings if isinstance(b, Binding) and b.show]
        # (first cell, end cell, key) of each item drawn, for clicks.
        self._spans: list[tuple[int, int, str]] = []

    def _item(self, binding: Binding) -> Text:
        # Spaced as the Footer spaced them: ` q Quit `.
        key = self.app.get_key_display(binding)
        return Text.assemble(
            (f" {key} ", self.get_component_rich_style("key-bar--key")),
            (f"{binding.description} ", self.get_component_rich_style("key-bar--description")),
        )

    def render(self) -> Text:
        """The items that fit the width, left to right, then the palette key at the right."""
        width = self.size.width
        palette = Text()
        palette_key = ""
        if self.app.ENABLE_COMMAND_PALETTE:
            palette_key = self.app.COMMAND_PALETTE_BINDING
            palette = Text.assemble(
                ("▏", self.get_component_rich_style("key-bar--separator")),
                self._item(Binding(palette_key, "command_palette", _PALETTE_DESCRIPTION)),
            )
        line = Text(no_wrap=True, overflow="crop", end="")
        spans = []
        room = width - palette.cell_len
        for binding in self.bindings:
            item = self._item(binding)
            if line.cell_len + item.cell_len > room:
                break
            spans.append((line.cell_len, line.cell_len + item.cell_len, binding.key))
            line.append_text(item)
        if palette_key and palette.cell_len <= width:
            start = width - palette.cell_len
            line.append(" " * (start - line.cell_len))
            spans.append((start + 1, width, palette_key))
            line.append_text(palette)
        self._spans = spans
        return line

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Press the key of the item under the pointer, as the Footer did."""
        for start, end, key in self._spans:
            if start <= event.x < end:
                # The first key of `pageup,ctrl+b`-style bindings is the one shown.
                self.app.simulate_key(key.split(",")[0])
                return
