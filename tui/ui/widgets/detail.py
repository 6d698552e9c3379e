"""The right pane: the selected exchange's headers and bodies, highlighted line by line.

Bodies can be megabytes, so lines are built in a thread worker and coloured only when drawn:
just the rows on screen are tokenized (pretty-printed JSON tokenizes correctly line by line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message

from tui.model.trace import Trace
from tui.redact import Redactor
from tui.text.json_tokens import json_tokens
from tui.ui.widgets.cursor_view import Row
from tui.ui.widgets.themed import ThemedView
from tui.views.detail_lines import (
    HEADER,
    JSON,
    NOTE,
    SECTION,
    TITLE,
    DetailLine,
    exchange_lines,
    shorten_tokens,
    value_at,
)

Highlighter = Callable[[str], "list[tuple[int, int]]"]
_JSON_KEY = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*:')


# Bodies up to this size are pretty-printed in about a millisecond: built in the key's own
# frame, the detail changes with the list instead of one frame (and a thread) later.
SYNC_BODY_BYTES = 32 * 1024


def body_bytes(trace: Trace, index: int) -> int:
    """Bytes of exchange `index`'s request and response bodies in the file."""
    exchange = trace.exchanges[index]
    spans = [exchange.request.body, exchange.response.body if exchange.response else None]
    return sum(span.end - span.start for span in spans if span is not None)


class DetailView(ThemedView):
    """Scrollable, highlighted text of one exchange, with a line cursor for `*`."""

    COMPONENT_CLASSES = ThemedView.COMPONENT_CLASSES | {
        "title",
        "section",
        "header-name",
        "header-value",
        "note",
        "syntax-key",
        "syntax-string",
        "syntax-number",
        "syntax-keyword",
        "syntax-punct",
        "search-hit",
        "changed",
    }

    BINDINGS = [
        Binding("left,h", "scroll_left", "Left", show=False),
        Binding("right,l", "scroll_right", "Right", show=False),
    ]

    @dataclass
    class Loaded(Message):
        """The lines of exchange `index` are on screen."""

        detail: DetailView
        index: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[DetailLine] = []
        self.index: int | None = None
        self.full_tokens = False
        self.highlighter: Highlighter | None = None
        self.redactor: Redactor | None = None
        self.waiting = False
        self.marks: frozenset[str] = frozenset()

    # Every worker here and in the screens has a fixed description: without one Textual
    # repr()s the arguments, and the repr of a Trace walks every record (5 s a key at 200k).
    def show_exchange(self, trace: Trace, index: int) -> None:
        """Show exchange `index`: built at once when its bodies are small, else in a worker
        (the newest request wins)."""
        self.index = index
        if body_bytes(trace, index) <= SYNC_BODY_BYTES:
            self._set_lines(index, exchange_lines(trace, index, self.redactor, self.waiting))
        else:
            self._build(trace, index)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="detail")
    def _build(self, trace: Trace, index: int) -> None:
        lines = exchange_lines(trace, index, self.redactor, self.waiting)
        self.app.call_from_thread(self._set_lines, index, lines)

    def show_nothing(self, message: str) -> None:
        """Show a note instead of an exchange (the diff's missing side)."""
        self.index = None
        self._set_lines(None, [DetailLine(NOTE, message)])

    def _set_lines(self, index: int | None, lines: list[DetailLine]) -> None:
        if index != self.index:
            return
        self.lines = lines
        width = max((len(line.text) for line in lines[:5000]), default=0) + 2
        self.set_reactive(ThemedView.cursor, 0)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.set_row_count(len(lines), width)
        if index is not None:
            self.post_message(self.Loaded(self, index))

    def set_options(self, *, full_tokens: bool, highlighter: Highlighter | None) -> None:
        """Show tokens whole or shortened; highlight the spans `highlighter` finds."""
        self.full_tokens = full_tokens
        self.highlighter = highlighter
        self.invalidate()

    def current_value(self) -> str:
        """The header value or JSON scalar under the cursor, for "follow this value"."""
        if not self.lines:
            return ""
        return value_at(self.lines[self.cursor])

    def next_hit(self, forward: bool = True, from_row: int | None = None) -> bool:
        """Move the cursor to the next line with a search hit after (before) `from_row`, the
        cursor by default, without wrapping; False when there is none."""
        if self.highlighter is None:
            return False
        start = self.cursor if from_row is None else from_row
        rows = range(start + 1, len(self.lines)) if forward else range(start - 1, -1, -1)
        for row in rows:
            if self.highlighter(self.lines[row].text):
                self.move_cursor(row)
                return True
        return False

    def action_scroll_left(self) -> None:
        """Scroll long lines left."""
        self.scroll_to(x=max(0, self.scroll_offset.x - 8), animate=False)

    def action_scroll_right(self) -> None:
        """Scroll long lines right."""
        self.scroll_to(x=self.scroll_offset.x + 8, animate=False)

    def row_state(self, row: int) -> object:
        """The cursor line is drawn only while the pane has focus."""
        return row == self.cursor and self.has_focus

    def render_row(self, row: int, width: int) -> Row:
        """Draw one detail line: colours, search hits, diff marks, the cursor."""
        line = self.lines[row]
        cursor = self.cursor_style() if row == self.cursor and self.has_focus else None
        hits = self.highlighter(line.text) if self.highlighter is not None else []
        marked = self.is_marked(line)
        # A hit inside a long token would vanish when shortened: show such lines whole.
        pieces = self._line_pieces(line, whole=bool(hits))
        if not hits and not marked:
            return Row([Segment(text, style) for text, style in pieces if text], cursor)
        text = Text()
        for piece, style in pieces:
            text.append(piece, style)
        for start, end in self.highlighter(text.plain) if hits and self.highlighter else []:
            text.stylize(self.style("search-hit"), start, end)
        if marked:
            text.stylize(self.style("changed"))
        return self.text_row(text, cursor)

    def is_marked(self, line: DetailLine) -> bool:
        """True for a line the diff marked: a differing header or JSON field."""
        if not self.marks:
            return False
        if line.kind == HEADER:
            return line.name.lower() in self.marks
        key = _JSON_KEY.match(line.text) if line.kind == JSON else None
        return key is not None and key.group(1) in self.marks

    def _line_pieces(self, line: DetailLine, whole: bool = False) -> list[tuple[str, Style | None]]:
        """The line's text in styled pieces (shortened tokens unless `whole`)."""
        content = line.text if self.full_tokens or whole else shorten_tokens(line.text)
        if line.kind == TITLE:
            return [(content, self.style("title"))]
        if line.kind == SECTION:
            return [(content.ljust(60, "─"), self.style("section"))]
        if line.kind == NOTE:
            return [(content, self.style("note"))]
        if line.kind == HEADER:
            name, _, value = content.partition(": ")
            return [(name, self.style("header-name")), (": " + value, self.style("header-value"))]
        if line.kind == JSON:
            return [
                (piece, None if kind is None else self.style(f"syntax-{kind}"))
                for kind, piece in json_tokens(content)
            ]
        return [(content, None)]
