"""The detail pane's JSON colouring classifies pretty-printed lines as Pygments does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pygments.lexers.data import JsonLexer
from pygments.token import Keyword, Name, Number, Punctuation, String

from tests.conftest import TRACE_FILES
from tui.readers import TraceReader
from tui.text.json_tokens import json_tokens
from tui.views.detail_lines import JSON, exchange_lines

PYGMENTS_CLASSES = (
    (Name.Tag, "key"),
    (String, "string"),
    (Number, "number"),
    (Keyword, "keyword"),
    (Punctuation, "punct"),
)
LEXER = JsonLexer()


def pygments_cells(line: str) -> list[str | None]:
    """The class of each character as Pygments' JSON lexer sees it."""
    cells: list[str | None] = []
    for token, value in LEXER.get_tokens(line):
        if value != "\n":
            kind = next((name for kind, name in PYGMENTS_CLASSES if token in kind), None)
            cells += [kind] * len(value)
    return cells


def our_cells(line: str) -> list[str | None]:
    return [kind for kind, piece in json_tokens(line) for _ in piece]


def test_every_json_line_of_the_samples_is_coloured_as_pygments_colours_it():
    lines = [
        line.text
        for path in TRACE_FILES
        for trace in [TraceReader(str(path)).read_all()]
        for index in range(len(trace.exchanges))
        for line in exchange_lines(trace, index)
        if line.kind == JSON
    ]
    assert len(lines) > 5000
    for line in lines:
        assert our_cells(line) == pygments_cells(line), line


def test_a_line_cut_in_a_string_or_not_json_at_all_still_joins_back():
    for line in ['  "cut', 'garbage "open', "  12abc: -", '"a" : "b\\"', "{]}", ""]:
        assert "".join(piece for _, piece in json_tokens(line)) == line


@given(st.text())
def test_any_text_comes_back_whole(line):
    assert "".join(piece for _, piece in json_tokens(line)) == line
