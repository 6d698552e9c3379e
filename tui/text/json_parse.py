"""The one JSON parser for untrusted text: bounded nesting, never a RecursionError.

Every part that parses a body (the detail pane, the diff, the JSON export, the redactor) parses
it here, so one limit applies everywhere: JSON nested deeper than `MAX_DEPTH` is refused before
the parse, and whatever walks the parsed value afterwards (masking, comparing, re-serialising)
stays far from the interpreter's recursion limit, whatever the caller's stack depth.

Plain Python, no Textual.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Callable, Optional

MAX_DEPTH = 200

# Strings first, so brackets inside them do not count; then only brackets are left.
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}

PairsHook = Optional[Callable[[list[tuple[str, Any]]], Any]]
LiteralHook = Optional[Callable[[str], Any]]


class JSONTooDeep(ValueError):
    """JSON nested deeper than `MAX_DEPTH`."""


def nesting_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when the arrays and objects of `text` nest deeper than `limit` (strings aside)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def parse_json(
    text: str,
    *,
    object_pairs_hook: PairsHook = None,
    parse_float: LiteralHook = None,
    parse_int: LiteralHook = None,
    parse_constant: LiteralHook = None,
) -> Any:
    """`json.loads(text)` with the same hooks, bounded.

    Raises ValueError for text that is not JSON (as `json.loads`, and for what a hook
    refuses) and its subclass `JSONTooDeep` for JSON nested deeper than `MAX_DEPTH`.
    """
    if nesting_exceeds(text):
        raise JSONTooDeep(f"JSON nested deeper than {MAX_DEPTH}")
    try:
        return json.loads(
            text,
            object_pairs_hook=object_pairs_hook,
            parse_float=parse_float,
            parse_int=parse_int,
            parse_constant=parse_constant,
        )
    except RecursionError:
        # Only when the caller's own stack is nearly used up.
        raise JSONTooDeep("JSON nested too deeply for the stack left") from None
