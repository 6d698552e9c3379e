"""What a body is and how to show it: JSON pretty-printed, binary labelled, text as text.

Plain Python, no Textual. Bodies come from untrusted traces, so every parse is bounded: deep
nesting (RecursionError), huge integers (ValueError) and giant single lines fall back to the
raw text with a note instead of raising.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from tui.text.json_parse import MAX_DEPTH, JSONTooDeep, parse_json

EMPTY = "empty"
JSON = "json"
BINARY = "binary"
HTML = "html"
TEXT = "text"

# Bodies above this are shown as the hook logged them (it already pretty-prints JSON) rather
# than re-parsed, so opening a huge body costs one split, not a parse and a dump.
MAX_REFORMAT_BYTES = 4 << 20

# requestshook writes this word where a request or response has no body.
EMPTY_BODY_WORD = "none"
_EMPTY_BODY_BYTES = EMPTY_BODY_WORD.encode()
# The bytes `str.strip()` removes from an ASCII body (the \x1c-\x1f separators aside).
_NON_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")

_BINARY_LITERAL = re.compile(r"\Ab(['\"]).*\1(\.\.\.)?\s*\Z", re.S)


class BodyView(NamedTuple):
    """A body ready to show: its kind, its lines, and a note for the reader (or "")."""

    kind: str
    lines: list[str]
    note: str


def byte_size(text: str) -> int:
    """The size of `text` in UTF-8 bytes, without encoding it when it is ASCII (most bodies)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def is_empty_body(text: str) -> bool:
    """True for a body as logged that means no body: only whitespace, or the hook's `none`."""
    stripped = text.strip()
    return not stripped or stripped == EMPTY_BODY_WORD


def is_empty_body_span(chunk: bytes, start: int, end: int) -> bool:
    """`is_empty_body` of `chunk[start:end]`, read in place (a search reads raw ASCII bytes)."""
    first = _NON_SPACE.search(chunk, start, end)
    if first is None:
        return True
    word = first.start()
    size = len(_EMPTY_BODY_BYTES)
    return (
        chunk.startswith(_EMPTY_BODY_BYTES, word)
        and _NON_SPACE.search(chunk, word + size, end) is None
    )


def classify(text: str, content_type: str = "") -> str:
    """The kind of a body: empty, json, binary (a truncated bytes literal), html or text."""
    stripped = text.strip()
    if not stripped:
        return EMPTY
    if stripped.startswith(("b'", 'b"')) and _BINARY_LITERAL.match(stripped):
        return BINARY
    if stripped[0] in "[{" or "json" in content_type.lower():
        return JSON
    if stripped.startswith("<") or "html" in content_type.lower():
        return HTML
    return TEXT


def describe(text: str, content_type: str = "") -> BodyView:
    """Turn a raw body into lines to display, never raising on hostile input."""
    kind = classify(text, content_type)
    if kind == EMPTY:
        return BodyView(EMPTY, [], "no body")
    if kind == BINARY:
        truncated = text.rstrip().endswith("...")
        note = "binary body, logged as a Python bytes literal"
        return BodyView(
            BINARY, [text.strip()], note + (" (truncated by the hook)" if truncated else "")
        )
    if kind == JSON:
        return _describe_json(text)
    return BodyView(kind, text.split("\n"), "")


def _describe_json(text: str) -> BodyView:
    if len(text) > MAX_REFORMAT_BYTES:
        return BodyView(JSON, text.split("\n"), "large body: shown as logged")
    duplicates: list[str] = []

    def pairs_to_dict(pairs: list[tuple[str, object]]) -> dict[str, object]:
        result = dict(pairs)
        if len(result) != len(pairs):
            duplicates.append(pairs[0][0])
        return result

    try:
        value = parse_json(text, object_pairs_hook=pairs_to_dict)
    except JSONTooDeep:
        # Shown raw: pretty-printed, it would be unreadable anyway.
        return BodyView(TEXT, text.split("\n"), f"JSON nested deeper than {MAX_DEPTH}: raw")
    except ValueError as error:
        # Covers invalid JSON and integers past Python's 4,300-digit conversion limit.
        return BodyView(TEXT, text.split("\n"), f"not valid JSON ({str(error)[:80]}): shown raw")
    if duplicates:
        return BodyView(JSON, text.split("\n"), "JSON has duplicate keys: shown as logged")
    if "\n" in text.strip():
        # Already pretty-printed by the hook: keep its exact text (number formats, key order).
        return BodyView(JSON, text.split("\n"), "")
    try:
        pretty = json.dumps(value, indent=2, ensure_ascii=False)
    except (RecursionError, ValueError):
        return BodyView(TEXT, text.split("\n"), "JSON could not be re-printed: shown raw")
    return BodyView(JSON, pretty.split("\n"), "")
