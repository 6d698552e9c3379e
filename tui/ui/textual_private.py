"""Every private Textual API tracetui uses, in one module, each with why no public one does.

Textual is pinned exactly (pyproject.toml); tests/test_textual_private.py names each private
attribute used here and fails loudly when an upgrade changes one. Nothing else in tui/ reaches
into Textual's underscored names.
"""

from __future__ import annotations

import sys

from rich.console import RenderableType
from textual.app import App
from textual.geometry import Size
from textual.widget import Widget


class QuietCrashApp(App[int]):
    """An app whose unhandled errors end it with `crash_message()` instead of Textual's crash
    screen, which prints a traceback with local variables (a local may hold a token)."""

    def crash_message(self, error: BaseException | None) -> RenderableType:
        """What to print on the terminal for `error` (subclasses say)."""
        raise NotImplementedError

    def _fatal_error(self) -> None:
        # Private: `App._handle_exception` calls this for an error with no `__rich__`, and
        # Textual 8.2.8 has no public hook there. The error is `App._exception` when it
        # was not raised in this frame. `panic()` (public) prints and exits.
        error = sys.exc_info()[1] or self._exception
        self.panic(self.crash_message(error))


def set_virtual_size_quietly(widget: Widget, size: Size) -> None:
    """Give `widget` a new virtual size without the layout pass assigning `virtual_size`
    triggers: the scroll limits and scrollbars follow (`Widget._scroll_update`, private: the
    public way is that layout pass, which repainted every pane and cost a frame)."""
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)
