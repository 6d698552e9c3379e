"""The help screen's text, generated from the BINDINGS so it can never drift from the keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.ui.widgets.cursor_view import CursorView
from tui.ui.widgets.detail import DetailView
from tui.ui.widgets.exchange_list import ExchangeList

PANE_BINDINGS = (
    ("Moving (every pane)", CursorView),
    ("Exchange list", ExchangeList),
    ("Detail", DetailView),
)

EXTRA = (
    ("Anywhere", [("ctrl+p", "command palette: every action by name")]),
    ("Views", [("1 2 3", "list / lanes / detail (one pane at a time below 120 columns)")]),
)


def _keys(binding: Binding) -> str:
    return binding.key_display or binding.key.replace("_square_bracket", " bracket")


def _section(title: str, rows: list[tuple[str, str]]) -> list[Text]:
    lines = [Text(title, style="bold")]
    lines += [Text(f"  {keys:<22} {description}") for keys, description in rows]
    lines.append(Text(""))
    return lines


def _rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    return [(_keys(b), b.description) for b in bindings if isinstance(b, Binding)]


def help_lines(screen: Screen[Any]) -> list[Text]:
    """Every binding of `screen` and of the panes, grouped, one per line."""
    lines = _section("Screen", _rows(type(screen).BINDINGS))
    for title, widget in PANE_BINDINGS:
        lines += _section(title, _rows(widget.BINDINGS))
    for title, rows in EXTRA:
        lines += _section(title, list(rows))
    return lines
