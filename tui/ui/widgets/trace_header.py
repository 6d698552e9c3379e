"""The one-line summary above the explorer's panes."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class TraceHeader(Static):
    """Shows `summary`, which the screen sets (built by `ExplorerState.header`)."""

    # Not repainting by itself: `update` does, and only when the text changed.
    summary: reactive[Text] = reactive(Text, repaint=False, init=False)

    def watch_summary(self, summary: Text) -> None:
        """Show the new summary; one line of fixed size, so no layout pass for the screen."""
        self.update(summary, layout=False)
