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

Prose, admonitions and extra fenced blocks between records belong to no record. The hook
indents every body line by four spaces, so a body can never hold a line that reads as a
record heading; a fence that a heading cuts short is reported as not closed.
"""

from __future__ import annotations

import re

from tui.model import FORMAT_MARKDOWN, REQUEST, RESPONSE, Span
from tui.readers.parsed import ParsedRecord, shown, text

NAME = FORMAT_MARKDOWN
# A record never claims text past the next heading, so a chunk needs nothing beyond its last.
LOOKAHEAD = 0

_HEADING = rb"### (?:\(\d+\) )?(?:[A-Z]+ +\S|\d{3}\b)"
# HEADING matches at a line start; NEXT_HEADING finds the following one fast, because its
# literal "\n### " prefix lets the regex engine skip whole lines of body text.
HEADING = re.compile(rb"(?m)^" + _HEADING)
NEXT_HEADING = re.compile(rb"\n" + _HEADING)
# Longer heading lines are read only this far (a hostile 5 MB line stays cheap).
MAX_HEADING = 16384

# Every pattern below is linear: no two adjacent parts can match the same characters, so a
# line of a million spaces cannot make the engine backtrack quadratically.
_REQUEST_HEADING = re.compile(rb"### (?:\(\d+\) )?([A-Z]+) +(\S+)[ \t]*\r?$")
_RESPONSE_HEADING = re.compile(rb"### (?:\(\d+\) )?(\d{3})\b([^\n]*)$")
_DIRECTION = re.compile(rb"(?:[ \t]*\r?\n)+[ \t]*`([^`\n]*)`[ \t]*(-->|<--)[ \t]*`([^`\n]*)`[^\n]*")
_DIRECTION_ANYWHERE = re.compile(rb"\n[ \t]*`([^`\n]*)`[ \t]*(-->|<--)[ \t]*`([^`\n]*)`[^\n]*")
_TAB = re.compile(rb'\n=== +"(Header|Body)"[^\n]*', re.I)
_FENCE_OPEN = re.compile(rb"(?:[ \t]*\r?\n)+([ \t]*)(`{3,}|~{3,})[^\n]*\n")
_CLOSERS: dict[bytes, re.Pattern[bytes]] = {}
# The exact layout the hook writes, from the heading to the first line of the body block; the
# header block has no backtick, so its closing fence is the first one.
_HOOK_RECORD = re.compile(
    rb"### (?:\(\d+\) )?(?:([A-Z]+) (\S+)|(\d{3})\b([^\n]*))\n"
    rb"`([^`\n]*)` (-->|<--) `([^`\n]*)`\n"
    rb"\n"
    rb'=== "Header"\n'
    rb"    ```[^`\n]*\n"
    rb"([^`]*\n)    ```\n"
    rb"\n"
    rb'=== "Body"\n'
    rb"    ```[^`\n]*\n"
)


def _closer(fence: bytes) -> re.Pattern[bytes]:
    """A closing fence for `fence`: the same character, at least as many, alone on its line.

    The pattern starts with literal fence characters so the engine jumps from fence to fence;
    whether one starts its line is checked by `_fence_close`.
    """
    pattern = _CLOSERS.get(fence)
    if pattern is None:
        char = re.escape(fence[:1])
        pattern = _CLOSERS[fence] = re.compile(
            char * (len(fence) - 1) + char + rb"+[ \t]*\r?(?=\n|\Z)"
        )
    return pattern


def _fence_close(chunk: bytes, content_start: int, end: int, fence: bytes) -> tuple[int, int]:
    """Find the fence closing a block whose content starts at `content_start`.

    Returns (start of the closing line, end of the fence), or (-1, -1) when there is none.
    """
    closer = _closer(fence)
    pos = content_start
    while True:
        match = closer.search(chunk, pos, end)
        if match is None:
            return -1, -1
        line_start = chunk.rfind(b"\n", content_start - 1, match.start()) + 1
        if not chunk[line_start : match.start()].strip(b" \t"):
            return line_start, match.end()
        pos = match.end()


def _fenced_block(
    chunk: bytes, pos: int, end: int, problems: list[tuple[int, str]], what: str
) -> tuple[Span | None, int]:
    """Read the fenced block that follows a tab line ending at `pos`; return its content span
    and the offset after the closing fence."""
    opening = _FENCE_OPEN.match(chunk, pos, end)
    if opening is None:
        problems.append((min(pos + 1, end), f"{what} tab has no fenced block"))
        return None, pos
    indent = len(opening.group(1).replace(b"\t", b"    "))
    content_start = opening.end()
    line_start, fence_end = _fence_close(chunk, content_start, end, opening.group(2))
    if line_start < 0:
        problems.append((opening.start(1), f"{what} block is not closed (record cut off?)"))
        return Span(content_start, end, indent), end
    return Span(content_start, line_start, indent), fence_end


def _response_fields(chunk: bytes, start: int, end: int) -> tuple[str, str]:
    """(reason, target) from what follows the status in `chunk[start:end]`.

    "201 Created /v2/images", "204 No Content", "200 /x": the path, when there, comes last and
    starts with "/" (or is a URL); whatever sits between is the reason.
    """
    rest = chunk[start:end].strip()
    reason, _, last = rest.rpartition(b" ")
    if last.startswith(b"/") or b"://" in last:
        return text(reason, 0, len(reason)), text(last, 0, len(last))
    return text(rest, 0, len(rest)), ""


def _heading(
    chunk: bytes, start: int, stop: int, problems: list[tuple[int, str]]
) -> tuple[str, str, int, str, str]:
    """(kind, method, status, reason, target) from the heading line `chunk[start:stop]`."""
    request = _REQUEST_HEADING.match(chunk, start, stop)
    if request is not None:
        return REQUEST, text(chunk, *request.span(1)), 0, "", text(chunk, *request.span(2))
    response = _RESPONSE_HEADING.match(chunk, start, stop)
    if response is None:
        problems.append((start, "heading is neither `METHOD /path` nor `STATUS REASON /path`"))
        return REQUEST, "?", 0, "", text(chunk, start + 4, stop)
    reason, target = _response_fields(chunk, *response.span(2))
    return RESPONSE, "", int(response.group(1)), reason, target


def _hook_record(chunk: bytes, start: int, end: int) -> ParsedRecord | None:
    """Parse a record laid out exactly as the hook writes it, with one regex; None otherwise.

    Nearly every record of a real trace takes this path. Anything else (prose, CRLF, other
    indents, a problem to report) returns None and goes through `_parse_any`, which reads
    such records into the same fields.
    """
    match = _HOOK_RECORD.match(chunk, start, end)
    if match is None or match.start(5) - 2 - start > MAX_HEADING:
        return None
    method, path, status, _, src, arrow, dst, _ = match.groups()
    if (arrow == b"-->") != (method is not None):
        return None
    close, fence_end = _fence_close(chunk, match.end(), end, b"```")
    if close < 0:
        return None
    if method is not None:
        kind, status_code, reason, method_text, target = REQUEST, 0, "", shown(method), shown(path)
    else:
        kind, status_code, method_text = RESPONSE, int(status), ""
        reason, target = _response_fields(chunk, *match.span(4))
    return ParsedRecord(
        kind,
        shown(src) or "unknown",
        shown(dst) or "unknown",
        method_text,
        status_code,
        reason,
        target,
        Span(match.start(8), match.end(8), 4),
        Span(match.end(), close, 4),
        fence_end,
        [],
        end,
    )


def parse_record(chunk: bytes, start: int, end: int, file_end: int) -> ParsedRecord:
    """Parse the record whose heading starts at `start`; it ends before `end` at the latest.

    `file_end` is where the file ends, in chunk offsets: when it is `end`, this is the last
    record and a partial line after it is reported as a cut-off heading.
    """
    parsed = _hook_record(chunk, start, end) or _parse_any(chunk, start, end)
    if end == file_end:
        _check_tail(chunk, parsed.end, end, parsed.problems)
    return parsed


def _parse_any(chunk: bytes, start: int, end: int) -> ParsedRecord:
    """Parse a record however it is laid out, reporting what is missing or malformed."""
    problems: list[tuple[int, str]] = []
    line_end = chunk.find(b"\n", start, end)
    if line_end < 0:
        line_end = end
    stop = line_end
    if line_end - start > MAX_HEADING:
        stop = start + MAX_HEADING
        problems.append((start, f"heading line is {line_end - start} bytes; read its start"))
    kind, method, status, reason, target = _heading(chunk, start, stop, problems)

    cursor = line_end
    first_tab = _TAB.search(chunk, cursor, end)
    direction = _DIRECTION.match(chunk, cursor, end)
    if direction is None:
        # Hand-written documents may put prose first; the direction still precedes the tabs.
        direction = _DIRECTION_ANYWHERE.search(
            chunk, cursor, first_tab.start() if first_tab else end
        )
    if direction is None:
        problems.append((min(cursor + 1, end), "no direction line (`src` --> `dst`)"))
        src = dst = "unknown"
    else:
        src = text(chunk, *direction.span(1)) or "unknown"
        dst = text(chunk, *direction.span(3)) or "unknown"
        if (direction.group(2) == b"-->") != (kind == REQUEST):
            arrow = direction.group(2).decode()
            problems.append((direction.start(2), f"arrow {arrow} does not fit a {kind} heading"))
        cursor = max(cursor, direction.end())

    spans: dict[bytes, Span | None] = {b"header": None, b"body": None}
    record_end = cursor
    tab = first_tab if first_tab is not None and first_tab.start() >= cursor else None
    if tab is None:
        tab = _TAB.search(chunk, cursor, end)
    while tab is not None:
        which = tab.group(1).lower()
        if spans[which] is None:
            spans[which], record_end = _fenced_block(
                chunk, tab.end(), end, problems, which.decode()
            )
            record_end = max(record_end, tab.end())
            if spans[b"header"] is not None and spans[b"body"] is not None:
                break
        tab = _TAB.search(chunk, max(record_end, tab.end()), end)
    if spans[b"header"] is None:
        problems.append((start, "record has no Header block"))
    if spans[b"body"] is None:
        problems.append((start, "record has no Body block"))
    return ParsedRecord(
        kind,
        src,
        dst,
        method,
        status,
        reason,
        target,
        spans[b"header"],
        spans[b"body"],
        record_end,
        problems,
        end,
    )


def _check_tail(chunk: bytes, record_end: int, end: int, problems: list[tuple[int, str]]) -> None:
    """Report a file that stops in the middle of what looks like the next record's heading.

    A heading cut before its path is no heading, so it would otherwise pass for prose.
    """
    if end <= record_end or chunk[end - 1 : end] == b"\n":
        return
    line_start = chunk.rfind(b"\n", record_end, end) + 1 or record_end
    if chunk.startswith(b"#", line_start):
        problems.append(
            (line_start, "the file ends in a partial line that looks like a cut-off heading")
        )


_BODY_TAB = re.compile(rb'(?mi)^=== +"Body"')
_FENCE_LINE = re.compile(rb"(?m)^[ \t]*(?:`{3,}|~{3,})")


def record_complete(buffer: bytes, start: int, end: int) -> bool:
    """Whether the record at `start` is whole: its Body block has opened and closed."""
    tab = _BODY_TAB.search(buffer, start, end)
    if tab is None:
        return False
    fences = _FENCE_LINE.finditer(buffer, tab.end(), end)
    return next(fences, None) is not None and next(fences, None) is not None
