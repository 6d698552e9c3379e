"""Colour classes for one line of pretty-printed JSON, without a lexer.

The detail pane colours only the lines on screen, one at a time; Pygments' JSON lexer took
half of a detail line's drawing time. Pretty-printed JSON keeps every token on one line, so
one regular expression classifies a line as Pygments does (keys, strings, numbers, keywords,
punctuation). Anything else (a large body shown as logged, a cut line) comes out as plain
text, never an error.
"""

from __future__ import annotations

import re

KEY = "key"
STRING = "string"
NUMBER = "number"
KEYWORD = "keyword"
PUNCT = "punct"

_TOKENS = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*")(?=\s*:)'
    r'|(?P<string>"(?:[^"\\]|\\.)*"?)'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])"
    r"|(?P<keyword>true|false|null)(?!\w)"
    r"|(?P<punct>[{}\[\],:])"
    r'|(?P<plain>\s+|[^\s"{}\[\],:]+)'
)


def json_tokens(line: str) -> list[tuple[str | None, str]]:
    """`line` cut into `(class, text)` pieces that join back to it; the class is None for
    whitespace and anything that is not a JSON token."""
    return [
        (match.lastgroup if match.lastgroup != "plain" else None, match.group())
        for match in _TOKENS.finditer(line)
    ]
