"""Styles shared by every trace view: one colour per service, status classes, the cursor.

The colours live in tracetui.tcss as component classes; this module only picks the class.
Status classes also differ in text (`✗` on failures, `···` with no response), so nothing is
lost on a 16-colour terminal or with NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style

from tui.ui.widgets.cursor_view import CursorView

SERVICE_COLOURS = 10
NO_RESPONSE = "···"


def status_class(status: int | None) -> str:
    """The component class for a status (None: no response)."""
    if status is None:
        return "status-none"
    return f"status-{min(max(status // 100, 1), 5)}xx"


def status_label(status: int | None) -> str:
    """The status as text, readable without colour: failures carry a `✗`."""
    if status is None:
        return NO_RESPONSE
    return f"✗{status}" if status >= 400 else str(status)


def shorten_middle(text: str, width: int) -> str:
    """Fit `text` in `width` cells, keeping its start and end (paths end in what matters)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def _as_is(text: str) -> str:
    return text


class ThemedView(CursorView):
    """A cursor view that knows the app's palette."""

    COMPONENT_CLASSES = {
        "cursor",
        "cursor-blurred",
        "group",
        "dim",
        "match",
        "slow",
        "status-1xx",
        "status-2xx",
        "status-3xx",
        "status-4xx",
        "status-5xx",
        "status-none",
        *(f"svc-{number}" for number in range(SERVICE_COLOURS)),
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.service_order: dict[str, int] = {}
        self.matches: frozenset[int] = frozenset()
        # Trace text goes through this before it is shortened and drawn (the screen's
        # `PaneText`: masked while redacting).
        self.pane_text: Callable[[str], str] = _as_is

    def set_pane_text(self, pane_text: Callable[[str], str]) -> None:
        """Draw trace text through `pane_text` from now on."""
        self.pane_text = pane_text
        self.invalidate()

    def set_matches(self, matches: frozenset[int]) -> None:
        """Mark these exchanges as search matches."""
        if matches != self.matches:
            self.matches = matches
            self.invalidate()

    def set_services(self, services: list[str]) -> None:
        """Give each service its colour by first-seen order (the same in every view)."""
        order = {service: number for number, service in enumerate(services)}
        if order != self.service_order:
            self.service_order = order
            self.invalidate()

    def style(self, name: str) -> Style:
        """The rich style of a component class."""
        return self.component_style(name)

    def service_style(self, service: str) -> Style:
        """The colour of a service."""
        return self.style(f"svc-{self.service_order.get(service, 0) % SERVICE_COLOURS}")

    def status_style(self, status: int | None) -> Style:
        """The colour of a status class."""
        return self.style(status_class(status))

    def cursor_style(self) -> Style:
        """The cursor row's style, dimmer when the view does not have focus.

        Not partial: the class's translucent background must be blended with the widget's.
        """
        return self.component_style("cursor" if self.has_focus else "cursor-blurred", partial=False)
