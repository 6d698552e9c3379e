"""The raw `requestshook.log` format.

    ### (openstack) REQ >>> (keystone) : POST http://host/identity/v3/auth/tokens
    ### (openstack) RESP <<< (keystone) : 201 CREATED POST http://host/identity/v3/auth/tokens

Header lines follow the heading until a blank line, then the body runs to the next record.
The log keeps the full URL (host and query string); body.md keeps only the path.
"""

from __future__ import annotations

import re

from tui.model import FORMAT_LOG, REQUEST, RESPONSE, Span
from tui.readers.parsed import ParsedRecord, text

NAME = FORMAT_LOG

HEADING = re.compile(rb"(?m)^### \([^)\n]*\) (?:REQ >>>|RESP <<<) \([^)\n]*\) : [^\n]*")

_PREFIX = re.compile(rb"### \(([^)\n]*)\) (REQ >>>|RESP <<<) \(([^)\n]*)\) : ")
_REQUEST_LINE = re.compile(rb"([A-Z]+) +(\S+)[ \t]*\r?$", re.M)
_RESPONSE_LINE = re.compile(rb"(\d{3}) +(?:([^\r\n]*?) +)?([A-Z]+) +(\S+)[ \t]*\r?$", re.M)
_BLANK_LINE = re.compile(rb"(?m)^[ \t]*\r?$")
_WHITESPACE = b" \t\r\n"


def parse_record(chunk: bytes, start: int, end: int) -> ParsedRecord:
    """Parse the record whose heading starts at `start`; it ends before `end` at the latest."""
    problems: list[tuple[int, str]] = []
    prefix = _PREFIX.match(chunk, start, end)
    line_end = chunk.find(b"\n", start, end)
    header_start = line_end + 1 if line_end >= 0 else end
    assert prefix is not None, "HEADING guarantees the prefix"
    src = text(chunk, *prefix.span(1)) or "unknown"
    dst = text(chunk, *prefix.span(3)) or "unknown"
    method, status, reason, target = "", 0, "", ""
    if prefix.group(2) == b"REQ >>>":
        kind = REQUEST
        line = _REQUEST_LINE.match(chunk, prefix.end(), header_start)
        if line:
            method, target = text(chunk, *line.span(1)), text(chunk, *line.span(2))
    else:
        kind = RESPONSE
        line = _RESPONSE_LINE.match(chunk, prefix.end(), header_start)
        if line:
            status = int(line.group(1))
            reason = text(chunk, *line.span(2)) if line.group(2) else ""
            method, target = text(chunk, *line.span(3)), text(chunk, *line.span(4))
    if line is None:
        expected = "METHOD URL" if kind == REQUEST else "STATUS REASON METHOD URL"
        problems.append((start, f"heading does not end in `{expected}`"))
        method = "?" if kind == REQUEST else ""
        target = text(chunk, prefix.end(), header_start)

    blank = _BLANK_LINE.search(chunk, header_start, end)
    headers_end = blank.start() if blank else end
    body_start = min(blank.end() + 1, end) if blank else end
    body_end = end
    while body_end > body_start and chunk[body_end - 1] in _WHITESPACE:
        body_end -= 1
    return ParsedRecord(
        kind,
        src,
        dst,
        method,
        status,
        reason,
        target,
        Span(header_start, headers_end),
        Span(body_start, body_end),
        end,
        problems,
    )
