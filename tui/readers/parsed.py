"""What a format parser returns for one record, before pairing (offsets relative to a chunk)."""

from __future__ import annotations

import re
from typing import NamedTuple

from tui.model import Span
from tui.sanitize import visible_line

REQUEST_ID = re.compile(rb"(?im)^[ \t]*X-Requestshook-Request-Id:[ \t]*([^\s]+)")


class ParsedRecord(NamedTuple):
    """The fields of one record as a format parser read them.

    `end` is where the record's own text stops (prose after it belongs to no record);
    `problems` are (offset, message) pairs for the reader to turn into warnings.
    """

    kind: str
    src: str
    dst: str
    method: str
    status: int
    reason: str
    target: str
    headers: Span | None
    body: Span | None
    end: int
    problems: list[tuple[int, str]]


def text(chunk: bytes, start: int, end: int) -> str:
    """Decode a short field (heading part, service name), trim it and make it safe to show.

    These fields are shown everywhere, so they are sanitized once here, when read.
    """
    return visible_line(chunk[start:end].decode("utf-8", "replace").strip())


def request_id(chunk: bytes, headers: Span | None) -> str:
    """The X-Requestshook-Request-Id inside a header span, or ""."""
    if headers is None:
        return ""
    match = REQUEST_ID.search(chunk, headers.start, headers.end)
    return visible_line(match.group(1).decode("utf-8", "replace")) if match else ""
