"""The raw `requestshook.log` format.

    ### (openstack) REQ >>> (keystone) : POST http://host/identity/v3/auth/tokens
    ### (openstack) RESP <<< (keystone) : 201 CREATED POST http://host/identity/v3/auth/tokens

Header lines follow the heading until a blank line, then the body runs to the next record.
The log keeps the full URL (host and query string); body.md keeps only the path.

The hook writes each record as `\\n### heading\\nheaders\\n\\nbody\\n\\n`, and the body as it
came: JSON pretty-printed with `indent=2`, other text verbatim, undecodable bytes as a
truncated `b'...'...` literal. Pretty-printed JSON never has a line that starts with `###`,
but a text body can hold a line that reads exactly like a record heading. Content-Length
tells which: when a heading shows up before the declared end of the body, and the declared end
falls exactly on the blank lines before a real heading (or the end of the file), the line
belongs to the body. Content-Length counts the bytes on the wire, which differ from the logged
text for JSON (re-indented) and binary bodies, so it is only trusted where it lands exactly;
for a verbatim text body it must match, and a mismatch is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tui.model.trace import FORMAT_LOG, REQUEST, RESPONSE, Buffer, Record, Span
from tui.readers.heading import HeadingFormat
from tui.readers.parsed import Cursor, ParsedRecord, Warn, indexed, shown, text

NAME = FORMAT_LOG
# How far past its last record a chunk must reach: a body whose Content-Length runs past a
# heading is checked against what follows, up to this far beyond the chunk's records.
LOOKAHEAD = 1 << 20

_HEADING = rb"### \([^)\n]*\) (?:REQ >>>|RESP <<<) \([^)\n]*\) : "
HEADING = re.compile(rb"(?m)^" + _HEADING)
NEXT_HEADING = re.compile(rb"\n" + _HEADING)
MAX_HEADING = 16384

_PREFIX = re.compile(rb"### \(([^)\n]*)\) (REQ >>>|RESP <<<) \(([^)\n]*)\) : ")
_REQUEST_LINE = re.compile(rb"([A-Z]+) +(\S+)[ \t]*\r?$")
_RESPONSE_STATUS = re.compile(rb"(\d{3})(?![^ \t])")
# The heading and header lines exactly as the hook writes them; a header line starts with a
# non-blank character, so the first empty line ends the block just as `_BLANK_LINE` would.
_HOOK_HEAD = re.compile(
    rb"### \(([^)\n]*)\) (?:REQ >>> \(([^)\n]*)\) : ([A-Z]+) (\S+)"
    rb"|RESP <<< \(([^)\n]*)\) : (\d{3}) (?:([^\n]*) )?([A-Z]+) (\S+))\n"
    rb"((?:[^ \t\r\n][^\r\n]*\n)*)\n"
)
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?(?:\n|\Z)")
# Searched from the newline before the header span, so the name must start a line.
_CONTENT_LENGTH = re.compile(rb"\n[ \t]*Content-Length:[ \t]*(\d{1,15})[ \t]*\r?(?=\n|\Z)", re.I)
# Between a body and the next heading the hook leaves two empty lines; ask for at least one.
_RECORD_GAP = re.compile(rb"[ \t]*\r?\n(?:[ \t]*\r?\n)+")
_ONLY_WHITESPACE = re.compile(rb"[ \t\r\n]*\Z")
_JSON_CLOSERS = {ord("{"): ord("}"), ord("["): ord("]")}
_BYTES_LITERALS = (b"b'", b'b"')


def _rstrip_end(chunk: bytes, start: int, end: int) -> int:
    """Where `chunk[start:end]` ends once trailing whitespace is dropped.

    Looks at a window at a time, so a body of a million spaces costs a few slices, not a
    Python step per byte.
    """
    while end > start:
        window = max(start, end - 256)
        kept = len(chunk[window:end].rstrip())
        if kept:
            return window + kept
        end = window
    return start


def _heading(
    chunk: bytes, after_prefix: int, stop: int, kind: str, problems: list[tuple[int, str]]
) -> tuple[str, int, str, str]:
    """(method, status, reason, target) from the part of the heading after ` : `."""
    if kind == REQUEST:
        line = _REQUEST_LINE.match(chunk, after_prefix, stop)
        if line is not None:
            return text(chunk, *line.span(1)), 0, "", text(chunk, *line.span(2))
        problems.append((after_prefix, "heading does not end in `METHOD URL`"))
        return "?", 0, "", text(chunk, after_prefix, stop)
    # STATUS REASON METHOD URL: the reason has spaces, so split the last two words off.
    words = chunk[after_prefix:stop].rsplit(None, 2)
    status = _RESPONSE_STATUS.match(words[0]) if len(words) == 3 else None
    if status is None or not words[1].isalpha() or not words[1].isupper():
        problems.append((after_prefix, "heading does not end in `STATUS REASON METHOD URL`"))
        return "", 0, "", text(chunk, after_prefix, stop)
    method, status_and_reason, url = words[1], words[0], words[2]
    return (
        text(method, 0, len(method)),
        int(status.group(1)),
        text(status_and_reason, 3, len(status_and_reason)),
        text(url, 0, len(url)),
    )


HookHeading = tuple[str, str, str, str, int, str, str, Span, int]


def _hook_heading(chunk: bytes, start: int, end: int) -> HookHeading | None:
    """The heading and header block as the hook writes them, read with one regex.

    Returns (src, dst, kind, method, status, reason, target, headers, body_start), or None
    for anything else, which `parse_record` reads piece by piece into the same fields.
    """
    match = _HOOK_HEAD.match(chunk, start, end)
    if match is None or match.start(10) - start > MAX_HEADING:
        return None
    src, dst, method, url, resp_dst, status, reason, resp_method, resp_url, _ = match.groups()
    if method is not None:
        kind, method_text, status_code, reason_text = REQUEST, shown(method), 0, ""
        target = shown(url)
    else:
        kind, method_text, status_code, dst = RESPONSE, shown(resp_method), int(status), resp_dst
        reason_text, target = ("" if reason is None else shown(reason)), shown(resp_url)
    return (
        shown(src) or "unknown",
        shown(dst) or "unknown",
        kind,
        method_text,
        status_code,
        reason_text,
        target,
        Span(match.start(10), match.end(10)),
        match.end(),
    )


def _boundary(chunk: bytes, offset: int, final: bool) -> int:
    """Where the next record starts if a record ends exactly at `offset`, else -1.

    A chunk ends at a record heading or at the end of the file (`final`), so blank lines
    that run to its end are followed by one or the other.
    """
    if offset >= len(chunk):
        return offset if final and offset == len(chunk) else -1
    gap = _RECORD_GAP.match(chunk, offset)
    if gap is not None and (gap.end() == len(chunk) or HEADING.match(chunk, gap.end())):
        return gap.end()
    if final and _ONLY_WHITESPACE.match(chunk, offset):
        return len(chunk)
    return -1


def _placeholder(chunk: bytes, start: int, end: int) -> bool:
    """True for a body the hook wrote in place of the real one: `none` for an empty body, a
    one-line `b'...'...` for bytes that are not text. Content-Length says nothing about it."""
    if chunk.startswith(_BYTES_LITERALS, start):
        return chunk.find(b"\n", start, end) < 0
    return end - start == 4 and chunk.startswith(b"none", start)


def _content_length(chunk: bytes, headers: Span) -> int | None:
    match = _CONTENT_LENGTH.search(chunk, headers.start - 1, headers.end)
    return int(match.group(1)) if match else None


def records(
    chunk: bytes, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
) -> Iterator[Record]:
    """Yield the records whose headings start in `chunk[:limit]`; `chunk` starts at a line
    start, `base` in the file, and `file_end` is where the file ends in chunk offsets. A
    record may claim text past `limit` (see the module docstring). Lines are numbered from
    `cursor`, problems reported through `warn` (see `parsed.indexed`)."""
    starts = [match.start() + 1 for match in NEXT_HEADING.finditer(chunk, 0, limit)]
    if HEADING.match(chunk):
        starts.insert(0, 0)
    last = len(starts) - 1
    for number, start in enumerate(starts):
        # A body that claimed the text past a heading made that heading text.
        if start < cursor.resume:
            continue
        end = starts[number + 1] if number < last else limit
        yield indexed(parse_record(chunk, start, end, file_end), chunk, start, base, cursor, warn)


def parse_record(chunk: bytes, start: int, end: int, file_end: int) -> ParsedRecord:
    """Parse the record whose heading starts at `start`; it ends before `end` at the latest.

    `end` is the next heading found; the record may claim what follows it as body (see the
    module docstring), as far as the chunk reaches. `file_end` is where the file ends, in
    chunk offsets.
    """
    problems: list[tuple[int, str]] = []
    fast = _hook_heading(chunk, start, end)
    if fast is not None:
        src, dst, kind, method, status, reason, target, headers, body_start = fast
    else:
        prefix = _PREFIX.match(chunk, start, end)
        assert prefix is not None, "HEADING guarantees the prefix"
        line_end = chunk.find(b"\n", start, end)
        if line_end < 0:
            line_end = end
        stop = line_end
        if line_end - start > MAX_HEADING:
            stop = start + MAX_HEADING
            problems.append((start, f"heading line is {line_end - start} bytes; read its start"))
        src = text(chunk, *prefix.span(1)) or "unknown"
        dst = text(chunk, *prefix.span(3)) or "unknown"
        kind = REQUEST if prefix.group(2) == b"REQ >>>" else RESPONSE
        method, status, reason, target = _heading(chunk, prefix.end(), stop, kind, problems)
        header_start = min(line_end + 1, end)
        blank = _BLANK_LINE.search(chunk, line_end, end)
        if blank is None:
            problems.append((header_start, "no blank line after the headers (record cut off?)"))
            headers, body_start = Span(header_start, end), -1
        else:
            headers = Span(header_start, max(header_start, blank.start() + 1))
            body_start = blank.end()
    body: Span | None = None
    if body_start < 0:
        record_end, resume = _rstrip_end(chunk, headers.start, end), end
    else:
        body_end = _rstrip_end(chunk, body_start, end)
        resume = end
        length = _content_length(chunk, headers)
        if (
            length is not None
            and body_start + length > body_end
            and not _placeholder(chunk, body_start, body_end)
        ):
            # The body is shorter than declared: a heading inside it may have cut it short.
            declared = body_start + length
            following = _boundary(chunk, declared, file_end == len(chunk)) if end < file_end else -1
            if following > end:
                problems.append(
                    (
                        end,
                        "a line in this body looks like a record heading; Content-Length "
                        "says it belongs to the body",
                    )
                )
                body_end = _rstrip_end(chunk, body_start, declared)
                resume = following
        if body_end == body_start:
            problems.append((body_start, "record has no body (the hook writes `none`; cut off?)"))
        else:
            _check_body(chunk, body_start, body_end, resume, length, problems)
        body = Span(body_start, body_end)
        record_end = body_end
    if resume == file_end and not chunk.endswith(b"\n", 0, file_end):
        problems.append((record_end, "the file ends in the middle of a line (record cut off?)"))
    return ParsedRecord(
        kind,
        src,
        dst,
        method,
        status,
        reason,
        target,
        headers,
        body,
        record_end,
        problems,
        resume,
    )


def _check_body(
    chunk: bytes,
    start: int,
    end: int,
    region_end: int,
    length: int | None,
    problems: list[tuple[int, str]],
) -> None:
    """Report a body that is visibly incomplete: JSON that stops before its closing bracket,
    or verbatim text whose size disagrees with its Content-Length. The body is
    `chunk[start:end]`, trailing whitespace dropped; the blank lines up to `region_end`
    follow it."""
    closer = _JSON_CLOSERS.get(chunk[start])
    if closer is not None:
        # json.dumps(indent=2) puts the last bracket alone at the start of the last line;
        # a one-line body ({} or a text that only looks like JSON) just has to end in it.
        multi_line = chunk.find(b"\n", start, end) >= 0
        if chunk[end - 1] != closer or (multi_line and chunk[end - 2] != ord("\n")):
            problems.append((end - 1, "JSON body stops before its closing bracket (cut off?)"))
    elif length is not None and not _placeholder(chunk, start, end):
        # Verbatim text has exactly its Content-Length (counted before any CRLF conversion),
        # give or take the trailing whitespace it shares with the blank lines after it.
        size = end - start - chunk.count(b"\r\n", start, end)
        if not size <= length <= region_end - start:
            problems.append((start, f"body is {size} bytes but Content-Length says {length}"))


def record_complete(buffer: Buffer, start: int, end: int) -> bool:
    """Whether the record at `start` is whole: headers, a body, and the blank line the hook
    writes after it."""
    record = bytes(buffer[start:end]).replace(b"\r\n", b"\n")
    headers_end = record.find(b"\n\n")
    if headers_end < 0:
        return False
    return bool(record[headers_end:].strip()) and record.endswith(b"\n\n")


FORMAT = HeadingFormat(
    NAME,
    "`### (src) REQ >>> (dst)`",
    HEADING,
    NEXT_HEADING,
    records,
    record_complete,
    lookahead=LOOKAHEAD,
)
