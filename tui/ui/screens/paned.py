"""Screens of side-by-side panes that show one pane at a time on a narrow terminal."""

from __future__ import annotations

from textual.reactive import Reactive, reactive
from textual.screen import Screen
from textual.widget import Widget

# Below this many columns three panes are each too narrow to read: show one at a time.
NARROW_WIDTH = 120


class PanedScreen(Screen[None]):
    """Panes named in `PANES` (widget ids); the active one carries the `-active` class and the
    screen `-narrow` below NARROW_WIDTH, so the stylesheet decides what shows."""

    PANES: tuple[str, ...] = ()

    # Not repainting: a change of focus or of the active pane restyles the panes it concerns,
    # which repaint themselves; repainting the whole screen on top cost `tab` two full frames.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    active_pane: reactive[str] = reactive("", repaint=False)
    narrow: reactive[bool] = reactive(False)

    def fit_width(self) -> None:
        """Switch between all panes and one pane at a time for the terminal's width."""
        self.narrow = self.app.size.width < NARROW_WIDTH
        if not self.active_pane:
            self.active_pane = self.PANES[0]

    def on_resize(self) -> None:
        """The terminal changed size."""
        self.fit_width()

    def watch_narrow(self, narrow: bool) -> None:
        """Mark the screen narrow or wide."""
        self.set_class(narrow, "-narrow")
        self.watch_active_pane(self.active_pane)

    def watch_active_pane(self, pane: str) -> None:
        """Mark the active pane (the only one shown when narrow)."""
        if not pane or not self.narrow:
            # Wide, every pane shows: the class would change nothing but cost a restyle.
            self.panes_changed()
            return
        for name in self.PANES:
            self.query_one(f"#{name}").set_class(name == pane, "-active")
        self.panes_changed()

    def panes_changed(self) -> None:
        """Hook: the active pane or the width class changed."""
