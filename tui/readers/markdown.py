"""The `body.md` format: mkdocs-flavoured markdown, one `### ` heading per record.

    ### (12) POST /compute/v2.1/servers        <- optional `(n)` from hand-numbered documents
    `openstack` --> `nova-api`                 <- `<--` on a response, caller on the left
    === "Header"
        ``` http title="..." linenums="1"      <- info string may carry anything
        Name: value
        ```
    === "Body"
        ``` json ...
        none                                   <- empty body
        ```

Prose, admonitions and extra fenced blocks between records belong to no record.
"""

from __future__ import annotations

import re

from tui.model import FORMAT_MARKDOWN, REQUEST, RESPONSE, Span
from tui.readers.parsed import ParsedRecord, text

NAME = FORMAT_MARKDOWN

HEADING = re.compile(rb"(?m)^### (?:\(\d+\) )?(?:[A-Z]+ +\S|\d{3}\b)[^\n]*")

_HEADING_FIELDS = re.compile(
    rb"### (?:\(\d+\) )?(?:(?P<method>[A-Z]+) +(?P<target>\S+)"
    rb"|(?P<status>\d{3})(?: +(?P<reason>[^\r\n]*?))?(?: +(?P<rtarget>/\S*|[a-z]+://\S*))?)"
    rb"[ \t]*\r?$",
    re.M,
)
_DIRECTION = re.compile(rb"(?m)^[ \t]*`([^`\n]*)`[ \t]*(-->|<--)[ \t]*`([^`\n]*)`")
_TAB = re.compile(rb'(?mi)^=== +"(Header|Body)"[^\n]*\n')
_FENCE_OPEN = re.compile(rb"(?m)^([ \t]*)(`{3,}|~{3,})[^\n]*\n")
_FENCE_CLOSE = re.compile(rb"(?m)^[ \t]*(`{3,}|~{3,})[ \t]*\r?$")
_BLANK = re.compile(rb"[ \t]*\r?\n")


def _fenced_block(
    chunk: bytes, pos: int, end: int, problems: list[tuple[int, str]], what: str
) -> tuple[Span | None, int]:
    """Read the fenced block that follows a tab line at `pos`; return its content span and
    the offset after the closing fence."""
    while True:
        blank = _BLANK.match(chunk, pos, end)
        if not blank or blank.end() == pos:
            break
        pos = blank.end()
    opening = _FENCE_OPEN.match(chunk, pos, end)
    if opening is None:
        problems.append((pos, f"{what} tab has no fenced block"))
        return None, pos
    indent = len(opening.group(1).replace(b"\t", b"    "))
    content_start = opening.end()
    closing = _FENCE_CLOSE.search(chunk, content_start, end)
    if closing is None:
        problems.append((opening.start(), f"{what} block is not closed (record cut off?)"))
        return Span(content_start, end, indent), end
    return Span(content_start, closing.start(), indent), closing.end()


def parse_record(chunk: bytes, start: int, end: int) -> ParsedRecord:
    """Parse the record whose heading starts at `start`; it ends before `end` at the latest."""
    problems: list[tuple[int, str]] = []
    heading = _HEADING_FIELDS.match(chunk, start, end)
    if heading is None:
        line_end = chunk.find(b"\n", start, end)
        problems.append((start, "heading is neither `METHOD /path` nor `STATUS REASON /path`"))
        kind, method, status, reason = REQUEST, "?", 0, ""
        target = text(chunk, start + 4, line_end if line_end >= 0 else end)
        pos = line_end + 1 if line_end >= 0 else end
    elif heading.group("method"):
        kind, method, status, reason = REQUEST, text(chunk, *heading.span("method")), 0, ""
        target = text(chunk, *heading.span("target"))
        pos = heading.end()
    else:
        kind, method = RESPONSE, ""
        status = int(heading.group("status"))
        reason = text(chunk, *heading.span("reason")) if heading.group("reason") else ""
        target = text(chunk, *heading.span("rtarget")) if heading.group("rtarget") else ""
        pos = heading.end()

    direction = _DIRECTION.search(chunk, pos, end)
    if direction is None:
        problems.append((pos, "no direction line (`src` --> `dst`)"))
        src = dst = "unknown"
    else:
        left, arrow, right = (text(chunk, *direction.span(g)) for g in (1, 2, 3))
        src, dst = left or "unknown", right or "unknown"
        if (arrow == "-->") != (kind == REQUEST):
            problems.append((direction.start(), f"arrow {arrow} does not fit a {kind} heading"))
        pos = direction.end()

    spans: dict[str, Span | None] = {"header": None, "body": None}
    record_end = pos
    for tab in _TAB.finditer(chunk, pos, end):
        if tab.start() < record_end:
            continue
        which = tab.group(1).decode().lower()
        if spans[which] is not None:
            continue
        spans[which], record_end = _fenced_block(chunk, tab.end(), end, problems, which)
        if spans["header"] is not None and spans["body"] is not None:
            break
    if spans["header"] is None:
        problems.append((start, "record has no Header block"))
    return ParsedRecord(
        kind,
        src,
        dst,
        method,
        status,
        reason,
        target,
        spans["header"],
        spans["body"],
        max(record_end, pos),
        problems,
    )
