"""The one use of the private `re._parser`: fails loudly, by name, when Python changes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.query import regex_shape as shape_module
from tui.query.regex_shape import PRIVATE_NAMES, regex_shape

try:
    from re import _parser as private_parser  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    import sre_parse as private_parser


@pytest.mark.parametrize("name", PRIVATE_NAMES)
def test_every_private_name_read_still_exists(name):
    assert hasattr(private_parser, name), (
        f"re._parser.{name} is gone in this Python: tui/query/regex_shape.py must change"
    )


def test_a_parsed_pattern_still_has_the_shape_read():
    parsed = private_parser.parse("(?s)a[b-c]+", re.MULTILINE)
    assert parsed.state.flags & re.DOTALL, "SubPattern.state.flags no longer holds the flags"
    ops = [op for op, _ in parsed]
    assert ops == [private_parser.LITERAL, private_parser.MAX_REPEAT], ops
    _low, _high, items = parsed[1][1]
    assert [op for op, _ in items] == [private_parser.IN]


def test_nothing_else_in_tui_reads_the_private_parser():
    package = Path(shape_module.__file__).parent.parent
    readers = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"re\._parser|sre_parse|sre_compile", path.read_text(encoding="utf-8"))
    )
    assert readers == ["query/regex_shape.py"]


@pytest.mark.parametrize(
    ("pattern", "line_local", "lowercase_only"),
    [
        (r'"id": "[0-9a-f-]{36}"', True, True),
        (r"\d+\w*\S", True, True),
        (r"a\sb", False, True),
        (r"a.b", True, True),
        (r"(?s)a.b", False, True),
        (r"[^a]", False, True),
        (r"^x", False, True),
        (r"\bx\B", True, True),
        (r"(?=x)", False, True),
        (r"Token", True, False),
        (r"(?-i:a)", True, False),
        (r"[A-Z]", True, False),
        (r"(a)|\1", True, True),
    ],
)
def test_regex_shapes(pattern, line_local, lowercase_only):
    assert regex_shape(pattern, re.MULTILINE | re.IGNORECASE) == (line_local, lowercase_only)
