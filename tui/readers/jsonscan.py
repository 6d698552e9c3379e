"""Walk JSON bytes without parsing them: find where values end, read the few that matter.

For the JSON formats (HAR, OTLP) whose files run to hundreds of MB: a reader steps over an
object's keys and skips every value it does not need with C-level searches, so a 5 MB body
string costs one `bytes.find` and nothing is built in Python but the short fields kept. Only
small values (a method, a URL, a status) are decoded, with `json.loads` of their bytes, which
is the project's one JSON parser.

Pretty-printed JSON (as browsers, mitmproxy and the OpenTelemetry SDK write it) has a fast
path: a raw newline never occurs inside a JSON string, so an object or array that opens at the
end of a line closes at the first line that starts with the same indentation and its closing
bracket, which one `bytes.find` locates.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from typing import Union

Buffer = Union[bytes, bytearray, mmap.mmap]

_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
# From a position: everything up to the next bracket outside a string, and that bracket. Each
# part starts with a character the other cannot, so a failed match is linear, never quadratic.
_NEXT_BRACKET = re.compile(rb'[^"{}\[\]]*(?:' + _STRING + rb'[^"{}\[\]]*)*([{}\[\]])', re.S)
_KEY = re.compile(rb"[ \t\r\n]*(" + _STRING + rb")[ \t\r\n]*:[ \t\r\n]*", re.S)
_SCALAR = re.compile(rb"-?[0-9][0-9.eE+\-]*|true|false|null")
_SPACE = re.compile(rb"[ \t\r\n]*")
_OPEN, _CLOSE = frozenset(b"{["), frozenset(b"}]")
_QUOTE, _BACKSLASH, _NEWLINE, _COMMA = ord('"'), ord("\\"), ord("\n"), ord(",")
_CLOSER = {ord("{"): b"}", ord("["): b"]"}


class JSONShapeError(ValueError):
    """The bytes are not the JSON expected there; `offset` is where that shows."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def skip_space(buffer: Buffer, pos: int, end: int) -> int:
    """The first offset at or after `pos` that is not JSON whitespace (or `end`)."""
    match = _SPACE.match(buffer, pos, end)
    return match.end() if match else pos


def string_end(buffer: Buffer, pos: int, end: int) -> int:
    """The offset after the string that opens at `pos` (a quote); -1 when it is not closed."""
    find = buffer.find
    quote = find(b'"', pos + 1, end)
    while quote > 0 and buffer[quote - 1] == _BACKSLASH:
        # Escaped unless the backslashes before it pair up (`"a\\"` ends at its last quote).
        back = quote - 1
        while buffer[back - 1] == _BACKSLASH:
            back -= 1
        if (quote - back) % 2 == 0:
            break
        quote = find(b'"', quote + 1, end)
    return quote + 1 if quote > 0 else -1


def _pretty_end(buffer: Buffer, pos: int, end: int) -> int:
    """Where the container opening at `pos` closes, when it opens at the end of a line of a
    pretty-printed document; -1 when it does not, or the layout does not fit."""
    if buffer[pos + 1 : pos + 2] != b"\n":
        return -1
    line = buffer.rfind(b"\n", 0, pos) + 1
    indent = bytes(buffer[line : skip_space(buffer, line, pos)])
    if indent.strip(b" \t"):
        return -1
    closing = b"\n" + indent + _CLOSER[buffer[pos]]
    found = buffer.find(closing, pos + 1, end)
    return -1 if found < 0 else found + len(closing)


def container_end(buffer: Buffer, pos: int, end: int) -> int:
    """The offset after the object or array that opens at `pos`; -1 when it is not closed."""
    fast = _pretty_end(buffer, pos, end)
    if fast > 0:
        return fast
    depth, match = 0, _NEXT_BRACKET.match
    while True:
        found = match(buffer, pos, end)
        if found is None:
            return -1
        pos = found.end()
        if buffer[pos - 1] in _OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos


def value_end(buffer: Buffer, pos: int, end: int) -> int:
    """The offset after the JSON value that starts at `pos`; -1 when there is none."""
    if pos >= end:
        return -1
    first = buffer[pos]
    if first == _QUOTE:
        return string_end(buffer, pos, end)
    if first in _OPEN:
        return container_end(buffer, pos, end)
    scalar = _SCALAR.match(buffer, pos, end)
    return scalar.end() if scalar else -1


def members(
    buffer: Buffer, pos: int, end: int, inside: bool = False
) -> Iterator[tuple[bytes, int, int]]:
    """(key, value start, value end) for each member of the object that opens at `pos`; with
    `inside`, of the object whose member ends at `pos` (its remaining members).

    Raises `JSONShapeError` where the bytes stop being an object.
    """
    if inside:
        pos = skip_space(buffer, pos, end)
        if buffer[pos : pos + 1] != b",":
            return
    elif buffer[pos : pos + 1] != b"{":
        raise JSONShapeError("expected an object", pos)
    pos += 1
    while True:
        key = _KEY.match(buffer, pos, end)
        if key is None:
            pos = skip_space(buffer, pos, end)
            if buffer[pos : pos + 1] == b"}":
                return
            raise JSONShapeError("expected a key or `}`", pos)
        start = key.end()
        stop = value_end(buffer, start, end)
        if stop < 0:
            raise JSONShapeError("value is cut off or not JSON", start)
        yield bytes(key.group(1)[1:-1]), start, stop
        pos = skip_space(buffer, stop, end)
        if pos < end and buffer[pos] == _COMMA:
            pos += 1
        elif buffer[pos : pos + 1] == b"}":
            return
        else:
            raise JSONShapeError("expected `,` or `}` after a value", pos)


def find_member(buffer: Buffer, pos: int, end: int, wanted: bytes, before: bytes = b"") -> int:
    """Where the value of member `wanted` of the object at `pos` starts, without reading that
    value; -1 when the object has no such member before member `before`.

    Raises `JSONShapeError` where the bytes stop being an object.
    """
    if buffer[pos : pos + 1] != b"{":
        raise JSONShapeError("expected an object", pos)
    pos += 1
    while True:
        key = _KEY.match(buffer, pos, end)
        if key is None:
            pos = skip_space(buffer, pos, end)
            if buffer[pos : pos + 1] == b"}":
                return -1
            raise JSONShapeError("expected a key or `}`", pos)
        name = key.group(1)[1:-1]
        if name == wanted:
            return key.end()
        if name == before:
            return -1
        stop = value_end(buffer, key.end(), end)
        if stop < 0:
            raise JSONShapeError("value is cut off or not JSON", key.end())
        pos = skip_space(buffer, stop, end)
        if pos < end and buffer[pos] == _COMMA:
            pos += 1
        elif buffer[pos : pos + 1] != b"}":
            raise JSONShapeError("expected `,` or `}` after a value", pos)


def elements(buffer: Buffer, pos: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each element of the array that opens at `pos`.

    Raises `JSONShapeError` where the bytes stop being an array.
    """
    if buffer[pos : pos + 1] != b"[":
        raise JSONShapeError("expected an array", pos)
    pos = skip_space(buffer, pos + 1, end)
    if buffer[pos : pos + 1] == b"]":
        return
    while True:
        stop = value_end(buffer, pos, end)
        if stop < 0:
            raise JSONShapeError("array element is cut off or not JSON", pos)
        yield pos, stop
        pos = skip_space(buffer, stop, end)
        if pos < end and buffer[pos] == _COMMA:
            pos = skip_space(buffer, pos + 1, end)
        elif buffer[pos : pos + 1] == b"]":
            return
        else:
            raise JSONShapeError("expected `,` or `]` after an element", pos)


def load(buffer: Buffer, start: int, end: int) -> object:
    """The value in `buffer[start:end]`, decoded; None when it is not valid JSON."""
    raw = bytes(buffer[start:end])
    if raw[:1] == b'"' and raw.find(b"\\") < 0:
        # Most short strings have no escape: skip the parser.
        try:
            return raw[1:-1].decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
