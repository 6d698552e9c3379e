"""What a regular expression can reach: across a line break, or an upper-case letter.

The only module that reads the private `re._parser` (`sre_parse` before Python 3.11): the
public `re` API compiles a pattern but does not show its structure, and a search must know
whether a pattern can match or look across a line (then raw bytes do not read like decoded
text) and whether ignoring its case is the same as running it over lower-cased text. A wrong
answer here would only cost speed if it said "no", so unknown nodes say no; a change in the
private module's names fails tests/test_regex_shape.py loudly, naming the attribute.

Plain Python, no Textual.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

try:
    from re import _parser as _sre  # type: ignore[attr-defined]  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    import sre_parse as _sre

# Every private name this module reads; tests/test_regex_shape.py checks each one.
PRIVATE_NAMES = (
    "parse",
    "LITERAL",
    "RANGE",
    "CATEGORY",
    "ANY",
    "IN",
    "SUBPATTERN",
    "BRANCH",
    "AT",
    "GROUPREF",
    "GROUPREF_EXISTS",
    "MAX_REPEAT",
    "MIN_REPEAT",
    "CATEGORY_DIGIT",
    "CATEGORY_WORD",
    "CATEGORY_NOT_SPACE",
    "AT_BOUNDARY",
    "AT_NON_BOUNDARY",
)

_NEWLINE_CODES = (10, 13)
_REPEATS = tuple(
    getattr(_sre, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_sre, name)
)
_ATOMIC_GROUP = getattr(_sre, "ATOMIC_GROUP", None)
_LINE_CATEGORIES = (_sre.CATEGORY_DIGIT, _sre.CATEGORY_WORD, _sre.CATEGORY_NOT_SPACE)
_BOUNDARIES = (_sre.AT_BOUNDARY, _sre.AT_NON_BOUNDARY)


class RegexShape(NamedTuple):
    """`line_local`: nothing in the pattern can match or look across a line break.
    `lowercase_only`: it names no upper-case ASCII letter and never turns case sensitivity
    back on, so ignoring case is the same as running it over lower-cased text."""

    line_local: bool
    lowercase_only: bool


def regex_shape(text: str, flags: int) -> RegexShape:
    """The shape of regex `text` compiled with `flags` (it must compile)."""
    parsed: Any = _sre.parse(text, flags)
    dotall = bool(parsed.state.flags & re.DOTALL)
    return RegexShape(_stays_on_line(parsed, dotall), _lowercase_only(parsed))


def _class_stays_on_line(items: Any) -> bool:
    for op, arg in items:
        if op == _sre.LITERAL:
            if arg in _NEWLINE_CODES:
                return False
        elif op == _sre.RANGE:
            low, high = arg
            if low <= 13 and high >= 10:
                return False
        elif op == _sre.CATEGORY:
            if arg not in _LINE_CATEGORIES:
                return False
        else:  # NEGATE: a negated class matches a newline
            return False
    return True


def _stays_on_line(items: Any, dotall: bool) -> bool:
    """True when nothing in a parsed regex can match or look across a line break."""
    for op, arg in items:
        if op == _sre.LITERAL:
            if arg in _NEWLINE_CODES:
                return False
        elif op == _sre.ANY:
            if dotall:
                return False
        elif op == _sre.IN:
            if not _class_stays_on_line(arg):
                return False
        elif op in _REPEATS:
            if not _stays_on_line(arg[2], dotall):
                return False
        elif op == _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            inner = (dotall or bool(add_flags & re.DOTALL)) and not del_flags & re.DOTALL
            if not _stays_on_line(sub, inner):
                return False
        elif op == _sre.BRANCH:
            if not all(_stays_on_line(branch, dotall) for branch in arg[1]):
                return False
        elif op == _sre.AT:
            if arg not in _BOUNDARIES:
                return False
        elif op == _sre.GROUPREF_EXISTS:
            _group, yes, no = arg
            if not all(_stays_on_line(branch, dotall) for branch in (yes, no) if branch):
                return False
        elif _ATOMIC_GROUP is not None and op == _ATOMIC_GROUP:
            if not _stays_on_line(arg, dotall):
                return False
        elif op != _sre.GROUPREF:
            return False  # lookarounds, and anything this check does not know
    return True


def _lowercase_only(items: Any) -> bool:
    """True when a parsed regex names no upper-case ASCII letter and never turns case
    sensitivity back on, so ignoring case is the same as running it over lower-cased text."""
    for op, arg in items:
        if op == _sre.LITERAL:
            if 65 <= arg <= 90:
                return False
        elif op == _sre.IN:
            for item, value in arg:
                if item == _sre.LITERAL and 65 <= value <= 90:
                    return False
                if item == _sre.RANGE and value[0] <= 90 and value[1] >= 65:
                    return False
        elif op in _REPEATS:
            if not _lowercase_only(arg[2]):
                return False
        elif op == _sre.SUBPATTERN:
            if arg[2] & re.IGNORECASE or not _lowercase_only(arg[3]):
                return False
        elif op == _sre.BRANCH:
            if not all(_lowercase_only(branch) for branch in arg[1]):
                return False
        elif op == _sre.GROUPREF_EXISTS:
            if not all(_lowercase_only(branch) for branch in arg[1:] if branch):
                return False
        elif _ATOMIC_GROUP is not None and op == _ATOMIC_GROUP and not _lowercase_only(arg):
            return False
    return True
