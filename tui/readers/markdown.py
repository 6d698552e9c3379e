"""The `body.md` format: mkdocs-flavoured markdown, one `### ` heading per record.

(Over 400 lines on purpose: the hook's exact layout, read fast, and the general parser that
takes any other share the heading, direction and fence rules; apart, each would import the
other's internals.)

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
from collections.abc import Iterator
from typing import Optional

from tui.model.trace import FORMAT_MARKDOWN, REQUEST, RESPONSE, Buffer, Record, Span
from tui.readers.heading import HeadingFormat
from tui.readers.parsed import (
    MAX_FIELD,
    REQUEST_ID,
    Cursor,
    ParsedRecord,
    Warn,
    field,
    indexed,
    new_tuple,
    shown,
    text,
)

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
# The exact layout the hook writes, from the heading to the line that opens the header block,
# tried before the plain heading, so one match at a heading reads the fields of nearly every
# record: method and path, or status and the rest of the line; then caller and callee.
_HOOK_OR_HEADING = (
    rb"### (?:\(\d+\) )?(?:"
    rb"(?:([A-Z]+) (\S+)\n`([^`]*)` --> `([^`]*)`"
    rb"|(\d{3})\b([^\n]*)\n`([^`]*)` <-- `([^`]*)`)"
    rb'\n\n=== "Header"\n    ```(?!`)[^\n]*\n'
    rb"|[A-Z]+ +\S|\d{3}\b)"
)
_HOOK_AT = re.compile(_HOOK_OR_HEADING)
_HOOK_NEXT = re.compile(rb"\n" + _HOOK_OR_HEADING)
# After the header block, whose first backtick starts its closing fence: the start of the
# body's opening fence line (the rest of that line must not start with another backtick).
_HOOK_BODY_OPEN = b'\n    ```\n\n=== "Body"\n    ```'
# How the hook closes a body block, from the newline before the fence.
_HOOK_CLOSE = b"\n    ```\n"
# A byte value: `in` looks an integer up directly, where a bytes operand is first tried as an
# integer, which fails at a cost.
_NEWLINE = ord("\n")
# What `layouts` yields for a record the hook's layout does not fit.
_NO_LAYOUT = (None, 0, 0, 0, 0)

HookFields = tuple[Optional[bytes], Optional[bytes], Optional[bytes], Optional[bytes], bytes, bytes]
Layout = tuple[int, int, Optional[HookFields], int, int, int, int]


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


def _response_fields(rest: bytes) -> tuple[str, str]:
    """(reason, target) from what follows the status on a response heading.

    "201 Created /v2/images", "204 No Content", "200 /x", "300 Multiple Choices None": the
    path, when there, comes last and starts with "/" (or is a URL); whatever sits between is
    the reason.
    """
    rest = rest.strip()
    reason, _, last = rest.rpartition(b" ")
    # `bytes.find`, not `in`: `in` first tries its operand as an integer, and failing costs
    # more than the search.
    if last.startswith(b"/") or last.find(b"://") >= 0:
        return shown(reason), shown(last)
    if last == b"None":
        # The hook formats a response it has no path for with Python's None.
        return shown(reason), ""
    return shown(rest), ""


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
    reason, target = _response_fields(response.group(2))
    return RESPONSE, "", int(response.group(1)), reason, target


def _next_heading(chunk: bytes, pos: int, limit: int) -> tuple[int, re.Match[bytes] | None]:
    """The first record heading that starts a line after `pos` and before `limit`, with its
    `_HOOK_NEXT` match; (`limit`, None) when there is none."""
    head = _HOOK_NEXT.search(chunk, pos, limit)
    return (limit, None) if head is None else (head.start() + 1, head)


def layouts(chunk: bytes, limit: int) -> Iterator[Layout]:
    """For each record heading in `chunk[:limit]` (`chunk` starts at a line start), yield
    (start, end, fields, header start, header end, body start, body end).

    `end` is the next heading (or `limit`). `fields` are (method, path, status, rest of the
    status line, caller, callee) as bytes, method and path None on a response, status and rest
    None on a request; None when the record is not laid out exactly as the hook writes it, and
    must be read by `parse_record`.

    A regex reads the heading and direction; `bytes.find` jumps to the first backtick after
    the header block and after the body, which must be their closing fences, so the bulk of
    the text never goes through a regex. A `#` in a record is rare enough that a regex may
    look for a heading in it then.
    """
    find, startswith, following = chunk.find, chunk.startswith, _HOOK_NEXT.search
    start, head = 0, _HOOK_AT.match(chunk, 0, limit)
    if head is None:
        start, head = _next_heading(chunk, 0, limit)
    while head is not None:
        method, path, src, dst, status, rest, response_src, response_dst = head.groups()
        if method is None:
            src, dst = response_src, response_dst
        close = -1
        # The names are read up to a backtick: one that spans lines is not the hook's layout.
        if src is not None and _NEWLINE not in src and _NEWLINE not in dst:
            header_start = head.end()
            fence = find(b"`", header_start, limit)
            info = fence - 5 + len(_HOOK_BODY_OPEN)
            if (
                fence > header_start + 4
                and header_start - start <= MAX_HEADING
                and startswith(_HOOK_BODY_OPEN, fence - 5)
                and not startswith(b"`", info)
            ):
                body_start = find(b"\n", info, limit) + 1
                close = find(b"`", body_start, limit) if body_start else -1
                if (
                    close > 0
                    and startswith(_HOOK_CLOSE, close - 5)
                    and (
                        find(b"#", header_start, close) < 0
                        or NEXT_HEADING.search(chunk, header_start - 1, close) is None
                    )
                ):
                    head = following(chunk, close + 3, limit)
                    end = limit if head is None else head.start() + 1
                    fields = (method, path, status, rest, src, dst)
                    yield start, end, fields, header_start, fence - 4, body_start, close - 4
                    start = end
                    continue
        end, head = _next_heading(chunk, start, limit)
        yield (start, end, *_NO_LAYOUT)
        start = end


def records(
    chunk: bytes, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
) -> Iterator[Record]:
    """Yield the records whose headings start in `chunk[:limit]`; `chunk` starts at a line
    start, `base` in the file, and `file_end` is where the file ends in chunk offsets. Lines
    are numbered from `cursor`, problems reported through `warn` (see `parsed.indexed`).

    This runs once per record of the file, so the hook's layout is turned into a `Record`
    right here; any other goes through `parse_record` and `parsed.indexed`.
    """
    count = chunk.count
    rid_search = REQUEST_ID.search
    # Raw field -> shown text, for this chunk: names, methods and response lines repeat.
    names: dict[bytes, str] = {}
    responses: dict[bytes, tuple[str, str]] = {}
    # A response shares its request's id string: one copy in memory.
    ids: dict[str, str] = {}
    line, counted = cursor.line, cursor.counted
    for start, end, fields, header_start, header_end, body_start, body_end in layouts(chunk, limit):
        if fields is None:
            cursor.line, cursor.counted = line, counted
            yield indexed(
                parse_record(chunk, start, end, file_end), chunk, start, base, cursor, warn
            )
            line, counted = cursor.line, cursor.counted
            continue
        # The hook's layout sets method and path, or status and the rest of its line: the
        # branches below read the ones set (unchecked: this runs once per record).
        method, path, status, rest, src, dst = fields
        match = rid_search(chunk, header_start - 1, header_end)
        if match is None:
            rid = ""
        else:
            raw = match.group(1)
            # What `field()` gives, without the call for a plain id.
            rid = raw.decode() if raw.isalnum() and len(raw) <= MAX_FIELD else field(raw)
        if method is not None:
            kind, status_code, reason, target = REQUEST, 0, "", shown(path)  # type: ignore[arg-type]
            method_text = names.get(method) or names.setdefault(method, shown(method))
            ids[rid] = rid
        else:
            kind, method_text, status_code = RESPONSE, "", int(status)  # type: ignore[arg-type]
            pair = responses.get(rest)  # type: ignore[arg-type]
            if pair is None:
                pair = responses[rest] = _response_fields(rest)  # type: ignore[index,arg-type]
            reason, target = pair
            rid = ids.get(rid, rid)
        record_end = body_end + 7
        line += count(b"\n", counted, start)
        if end == file_end:
            for offset, message in check_tail(chunk, record_end, end):
                warn(line + count(b"\n", start, offset), message)
        counted = record_end - 1
        end_line = line + count(b"\n", start, counted)
        yield new_tuple(
            Record,
            (
                kind,
                names.get(src) or names.setdefault(src, shown(src) or "unknown"),
                names.get(dst) or names.setdefault(dst, shown(dst) or "unknown"),
                method_text,
                status_code,
                reason,
                target,
                rid,
                line,
                end_line,
                new_tuple(Span, (base + start, base + record_end, 0)),
                new_tuple(Span, (base + header_start, base + header_end, 4)),
                new_tuple(Span, (base + body_start, base + body_end, 4)),
                None,
                "",
            ),
        )
        line = end_line
    cursor.line, cursor.counted, cursor.resume = line, counted, limit


def parse_record(chunk: bytes, start: int, end: int, file_end: int) -> ParsedRecord:
    """Parse the record whose heading starts at `start`, however it is laid out, reporting
    what is missing or malformed; it ends before `end` at the latest.

    `file_end` is where the file ends, in chunk offsets: when it is `end`, this is the last
    record and a partial line after it is reported as a cut-off heading.
    """
    parsed = _parse_any(chunk, start, end)
    if end == file_end:
        parsed.problems.extend(check_tail(chunk, parsed.end, end))
    return parsed


def _parse_any(chunk: bytes, start: int, end: int) -> ParsedRecord:
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


def check_tail(chunk: bytes, record_end: int, end: int) -> list[tuple[int, str]]:
    """The problem with a file that stops in the middle of what looks like the next record's
    heading, after the last record ends at `record_end`; [] when there is none.

    A heading cut before its path is no heading, so it would otherwise pass for prose.
    """
    if end <= record_end or chunk[end - 1 : end] == b"\n":
        return []
    line_start = chunk.rfind(b"\n", record_end, end) + 1 or record_end
    if chunk.startswith(b"#", line_start):
        return [(line_start, "the file ends in a partial line that looks like a cut-off heading")]
    return []


_BODY_TAB = re.compile(rb'(?mi)^=== +"Body"')
_FENCE_LINE = re.compile(rb"(?m)^[ \t]*(?:`{3,}|~{3,})")


def record_complete(buffer: Buffer, start: int, end: int) -> bool:
    """Whether the record at `start` is whole: its Body block has opened and closed."""
    tab = _BODY_TAB.search(buffer, start, end)
    if tab is None:
        return False
    fences = _FENCE_LINE.finditer(buffer, tab.end(), end)
    return next(fences, None) is not None and next(fences, None) is not None


FORMAT = HeadingFormat(NAME, "`### METHOD /path`", HEADING, NEXT_HEADING, records, record_complete)
