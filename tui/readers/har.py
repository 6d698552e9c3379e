"""HAR 1.2 (HTTP Archive), as browsers, mitmproxy's `hardump`, Insomnia and Charles save it.

    {"log": {"version": "1.2", "creator": {...}, "pages": [...], "entries": [
        {"pageref": "page_1", "startedDateTime": "2025-05-20T08:13:46.120Z", "time": 50.1,
         "request": {"method", "url", "headers": [{"name", "value"}], "postData": {"text"}},
         "response": {"status", "statusText", "headers", "content": {"mimeType", "text",
                      "encoding"}},
         "timings": {"blocked", "dns", "connect", "send", "wait", "receive"}}, ...]}}

Each entry becomes a request record and a response record (paired by a synthesized id, the
entry's offset). The document is never parsed whole: `tui.readers.jsonscan` steps over each
entry's keys and decodes only method, URL, status and times; the header arrays, bodies and
timings stay byte spans that `decode_headers` / `decode_body` / `decode_timings` read when
something shows them. A pretty-printed HAR (every tool writes one) is cut into batches at entry
lines, so the first screen of a big file comes before the rest is read; a minified one is read
in one batch.

The clock: a request's time is `startedDateTime`, its response's that plus `time` (ms). The
caller is `openstack` when the User-Agent is an OpenStack client, `browser` for a browser, else
the User-Agent's product (`curl`); the callee is the OpenStack service of the URL's path prefix
or port, else the URL's host. The entry's page (`pageref`, with the title from `log.pages`) is
shown as a `:page` pseudo-header of the request, HTTP/2-style like Chrome's `:authority`, so
`header:":page=Login*"` filters by page.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from tui.model.trace import REQUEST, RESPONSE, Headers, Record, Span, Timings
from tui.readers.jsonscan import (
    Buffer,
    JSONShapeError,
    find_member,
    load,
    members,
    skip_space,
    value_end,
)
from tui.readers.parsed import Cursor, Warn, header_lines, new_tuple, shown
from tui.readers.services import service_for_url

NAME = "har"
EXPECTED = 'a HAR 1.2 document (`{"log": {"entries": [...]}}`)'
PAGE_HEADER = ":page"
# Bodies that do not decode as UTF-8 are shown as a Python bytes literal of this many bytes at
# most, which the body view labels as binary (as it does requestshook's binary bodies).
BINARY_SHOWN = 4096

_DOCUMENT = re.compile(rb'\A(?:\xef\xbb\xbf)?[ \t\r\n]*\{[ \t\r\n]*"log"[ \t\r\n]*:[ \t\r\n]*\{')
_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d(?:\.\d+)?)[ ]?(Z|[+-]\d\d:?\d\d)?\Z", re.I
)
_USER_AGENT = re.compile(
    rb'"name"[ \t\r\n]*:[ \t\r\n]*"(?i:user-agent)"[ \t\r\n]*,[ \t\r\n]*"value"[ \t\r\n]*:'
    rb'[ \t\r\n]*"([^"\\]*(?:\\.[^"\\]*)*)"'
)
_OPENSTACK_AGENTS = (b"openstacksdk", b"keystoneauth", b"python-openstackclient", b"osc-lib")
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_OBJECT, _ARRAY, _ARRAY_END, _NEWLINE = ord("{"), ord("["), ord("]"), ord("\n")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_REQUEST_KEYS = (b"method", b"url", b"headers", b"postData")
_RESPONSE_KEYS = (b"status", b"statusText", b"headers", b"content")
_FIELDS = frozenset((b"method", b"url", b"status", b"statusText"))
# Member of `request` / `response` -> the `_Entry` slot of its span, in each of the two.
_SPANS = {
    b"headers": ("request_headers", "response_headers"),
    b"postData": ("post", "post"),
    b"content": ("content", "content"),
}


@lru_cache(maxsize=1024)
def _day_seconds(year: int, month: int, day: int) -> int:
    return (date(year, month, day).toordinal() - _EPOCH_DAY) * 86400


def epoch(text: object) -> float | None:
    """Seconds since the epoch of an ISO 8601 time (`2025-05-20T08:13:46.120+02:00`), or None."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        seconds: float = _day_seconds(int(year), int(month), int(day))
    except ValueError:
        return None
    seconds += int(hour) * 3600 + int(minute) * 60 + float(second)
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "+" else 1
        digits = zone[1:].replace(":", "")
        seconds += sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds


def _caller(agent: bytes | None) -> str:
    """Who made a request, from its User-Agent."""
    if not agent:
        return "client"
    lowered = agent.lower()
    if any(lowered.find(name) >= 0 for name in _OPENSTACK_AGENTS):
        return "openstack"
    if lowered.startswith(b"mozilla/"):
        return "browser"
    return shown(agent.split(b"/", 1)[0].split(b" ", 1)[0]) or "client"


def _path(url: bytes) -> bytes:
    """The path and query of a URL (the URL itself when it has no scheme)."""
    scheme = url.find(b"://")
    if scheme < 0:
        return url
    slash = url.find(b"/", scheme + 3)
    return b"/" if slash < 0 else url[slash:]


class _Entry:
    """The short fields of one entry (as UTF-8 bytes), and the spans of what is decoded later."""

    __slots__ = (
        "content",
        "method",
        "post",
        "reason",
        "request",
        "request_headers",
        "response",
        "response_headers",
        "started",
        "status",
        "time",
        "url",
    )

    def __init__(self) -> None:
        self.started: float | None = None
        self.time: float | None = None
        self.method = self.url = self.reason = b""
        self.status = 0
        self.request = self.response = -1
        self.request_headers: tuple[int, int] | None = None
        self.response_headers: tuple[int, int] | None = None
        self.post: tuple[int, int] | None = None
        self.content: tuple[int, int] | None = None

    def split(self, stop: int) -> int:
        """Where the request's part of the entry ends and the response's starts: at the later
        of the two objects (the entry ends at `stop`)."""
        return self.response if self.response > self.request else stop


def _read_entry(chunk: Buffer, start: int, end: int) -> _Entry:
    """Step over the entry object at `start` (ending at `end`), reading its short fields."""
    entry = _Entry()
    for key, value, stop in members(chunk, start, end):
        if key == b"request" or key == b"response":
            if key == b"request":
                entry.request = value
            else:
                entry.response = value
            for name, inner, inner_end in members(chunk, value, stop):
                if name in _SPANS:
                    setattr(entry, _SPANS[name][key == b"response"], (inner, inner_end))
                elif name in _FIELDS:
                    _entry_field(entry, name, load(chunk, inner, inner_end))
        elif key == b"startedDateTime" or key == b"time":
            _entry_field(entry, key, load(chunk, value, stop))
    return entry


class _Layout:
    """The exact lines of a pretty-printed HAR's entries, from its first entry: the entry
    `{`/`}` lines and each kept key at its depth, as literals that `bytes.find` (memchr speed)
    jumps to. A raw newline never occurs inside a JSON string, so `\n` plus an exact indentation
    and a key is that key at that depth, never text inside a body."""

    __slots__ = (
        "close",
        "entry_keys",
        "request_keys",
        "response_keys",
        "section_close",
        "sections",
    )

    def __init__(self, entry: bytes, inner: bytes) -> None:
        nested = b"\n" + inner + inner[len(entry) :]
        self.close = b"\n" + entry + b"}"
        self.sections = (b"\n" + inner + b'"request": {', b"\n" + inner + b'"response": {')
        self.entry_keys = tuple(
            (key, b"\n" + inner + b'"' + key + b'": ') for key in (b"startedDateTime", b"time")
        )
        self.request_keys = tuple((key, nested + b'"' + key + b'": ') for key in _REQUEST_KEYS)
        self.response_keys = tuple((key, nested + b'"' + key + b'": ') for key in _RESPONSE_KEYS)
        self.section_close = nested


def _layout(chunk: Buffer, start: int, end: int) -> _Layout | None:
    """The layout of the entry that opens at `start`, or None when it is not pretty-printed."""
    if chunk[start + 1 : start + 2] != b"\n":
        return None
    line = chunk.rfind(b"\n", 0, start) + 1
    entry = bytes(chunk[line:start])
    inner = bytes(chunk[start + 2 : skip_space(chunk, start + 2, end)])
    if entry.strip(b" \t") or inner.strip(b" \t") or not inner.startswith(entry):
        return None
    return _Layout(entry, inner) if len(inner) > len(entry) else None


def _read_pretty(chunk: Buffer, start: int, end: int, layout: _Layout) -> _Entry | None:
    """`_read_entry` for an entry laid out as `layout` says: a `bytes.find` jumps to each key's
    line, in the order tools write them, and over each header array and body; header lines and
    bodies are never looked at. None when a key is not where the layout puts it."""
    find = chunk.find
    request_key, response_key = layout.sections
    request = find(request_key, start, end)
    if request < 0:
        return None
    response = find(response_key, request, end)
    if response < 0:
        response = find(response_key, start, request)
    entry = _Entry()
    entry.request = request + len(request_key) - 1
    if response >= 0:
        entry.response = response + len(response_key) - 1
    for key, literal in layout.entry_keys:
        found = find(literal, start, end)
        if found >= 0:
            _set(entry, key, chunk, found + len(literal), end)
    high = response if response > request else end
    if not _read_section(chunk, entry, entry.request, high, layout, layout.request_keys, 0):
        return None
    if response >= 0:
        high = end if response > request else request
        if not _read_section(chunk, entry, entry.response, high, layout, layout.response_keys, 1):
            return None
    return entry if entry.method else None


def _read_section(
    chunk: Buffer,
    entry: _Entry,
    low: int,
    high: int,
    layout: _Layout,
    keys: tuple[tuple[bytes, bytes], ...],
    which: int,
) -> bool:
    """Read the kept keys of the `request` (`which` 0) or `response` object at `low`."""
    find, pos = chunk.find, low
    for key, literal in keys:
        found = find(literal, pos, high)
        if found < 0:
            # Not after the previous key: this tool writes them in another order.
            found = find(literal, low, pos)
            if found < 0:
                continue
        value = found + len(literal)
        if key in _SPANS:
            opener = chunk[value]
            closer = layout.section_close + (b"]" if opener == _ARRAY else b"}")
            if chunk[value + 1] == _NEWLINE:
                stop = find(closer, value, high)
                stop = stop + len(closer) if stop >= 0 else -1
            else:
                stop = value_end(chunk, value, high)  # `[]`, `{}` or a one-line value
            if stop < 0:
                return False
            setattr(entry, _SPANS[key][which], (value, stop))
            pos = stop
        else:
            pos = _set(entry, key, chunk, value, high)
    return True


def _set(entry: _Entry, key: bytes, chunk: Buffer, value: int, high: int) -> int:
    """Set field `key` from the value at `value`; return where the value ends."""
    if chunk[value] == _QUOTE:
        close = chunk.find(b'"', value + 1, high)
        if close > 0 and chunk[close - 1] != _BACKSLASH:
            raw = bytes(chunk[value + 1 : close])
            if key == b"startedDateTime":
                entry.started = epoch(raw.decode("ascii", "replace"))
            elif key == b"url":
                entry.url = raw
            elif key == b"method":
                entry.method = raw
            elif key == b"statusText":
                entry.reason = raw
            return close + 1
    else:
        line_end = chunk.find(b"\n", value, high)
        raw = bytes(chunk[value : line_end if line_end > 0 else high]).rstrip(b", \t\r}]")
        if key == b"status" and raw.isdigit():
            entry.status = int(raw)
            return value + len(raw)
        if key == b"time":
            entry.time = _number(raw)
            return value + len(raw)
    stop = value_end(chunk, value, high)
    _entry_field(entry, key, load(chunk, value, stop))
    return max(stop, value)


def _number(raw: bytes) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def _entry_field(entry: _Entry, key: bytes, found: object) -> None:
    """Set a field from its decoded JSON value, checking its type."""
    if isinstance(found, str):
        raw = found.encode("utf-8", "surrogatepass")
        if key == b"method":
            entry.method = raw
        elif key == b"url":
            entry.url = raw
        elif key == b"statusText":
            entry.reason = raw
        elif key == b"startedDateTime":
            entry.started = epoch(found)
    elif isinstance(found, (int, float)) and not isinstance(found, bool):
        if key == b"status":
            entry.status = int(found)
        elif key == b"time" and found >= 0:
            entry.time = float(found)


def _entries_start(buffer: Buffer, end: int) -> tuple[int, str]:
    """Where the `log.entries` array opens, or (-1, what is wrong)."""
    document = _DOCUMENT.match(buffer, 0, end)
    if document is None:
        return -1, "not a HAR document (no `log` object)"
    try:
        found = find_member(buffer, document.end() - 1, end, b"entries")
    except JSONShapeError as error:
        return -1, f"HAR `log` is not valid JSON at byte {error.offset} ({error})"
    if found < 0:
        return -1, "not a HAR document (`log` has no `entries`)"
    if buffer[found : found + 1] != b"[":
        return -1, "`log.entries` is not an array"
    return found, ""


def _pages(buffer: Buffer) -> dict[str, str]:
    """Page id -> title, from `log.pages` when it comes before the entries (as tools write)."""
    document = _DOCUMENT.match(buffer)
    pages: dict[str, str] = {}
    try:
        found = (
            -1
            if document is None
            else find_member(buffer, document.end() - 1, len(buffer), b"pages", before=b"entries")
        )
    except JSONShapeError:
        found = -1
    listed = load(buffer, found, value_end(buffer, found, len(buffer))) if found >= 0 else None
    for page in listed if isinstance(listed, list) else ():
        if isinstance(page, dict) and isinstance(page.get("id"), str):
            pages[page["id"]] = str(page.get("title") or page["id"])
    return pages


def _member(buffer: Buffer, start: int, wanted: bytes) -> tuple[int, int] | None:
    """The span of member `wanted` of the object at `start`, or None."""
    try:
        for key, value, stop in members(buffer, start, len(buffer)):
            if key == wanted:
                return value, stop
    except JSONShapeError:
        pass
    return None


def _headers(found: object) -> Headers:
    pairs = []
    for header in found if isinstance(found, list) else ():
        if isinstance(header, dict):
            pairs.append((str(header.get("name", "")), str(header.get("value", ""))))
    return tuple(pairs)


def _binary(data: bytes) -> str:
    literal = repr(data[:BINARY_SHOWN])
    return literal + "..." if len(data) > BINARY_SHOWN else literal


def _body_text(found: object) -> str:
    """The text of a `postData` or `content` object: base64 decoded, binary labelled."""
    if not isinstance(found, dict):
        return ""
    text = found.get("text")
    if not isinstance(text, str):
        params = found.get("params")
        if isinstance(params, list):
            return "&".join(
                f"{param.get('name', '')}={param.get('value', '')}"
                for param in params
                if isinstance(param, dict)
            )
        return ""
    if str(found.get("encoding", "")).lower() == "base64":
        try:
            data = base64.b64decode(text)
        except (binascii.Error, ValueError):
            return text
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return _binary(data)
    if "\0" in text:
        # mitmproxy keeps a binary body as text, its bytes read as Latin-1: label it binary.
        try:
            return _binary(text.encode("latin-1"))
        except UnicodeEncodeError:
            return _binary(text.encode("utf-8", "surrogateescape"))
    return text


def _timings(buffer: Buffer, span: Span) -> Timings:
    """The `timings` of the entry whose request (the span starts at the entry) or response
    (the span starts at the response object, which the timings follow) spans `span`."""
    try:
        found = _member(buffer, span.start, b"timings")
        if found is None:
            after = value_end(buffer, span.start, span.end)
            found = next(
                (
                    (value, stop)
                    for key, value, stop in members(buffer, after, span.end, True)
                    if key == b"timings"
                ),
                None,
            )
    except JSONShapeError:
        return ()
    timings = load(buffer, *found) if found else None
    if not isinstance(timings, dict):
        return ()
    return tuple(
        (str(name), float(value))
        for name, value in timings.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    )


class HarFormat:
    """The HAR reader (see the module docstring); stateless, one instance serves every file."""

    name = NAME
    expected = EXPECTED
    request_id_name = "entry"
    lookahead = 0
    can_follow = False
    explicit_parents = False
    whole_document = False
    raw_text = False

    def detect(self, head: Buffer, end: int) -> int:
        """0 for a document whose top object opens with `"log": {`, else -1."""
        return 0 if _DOCUMENT.match(head, 0, end) else -1

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        """The start of the line of the last entry that opens in `(start, end]`; a minified
        HAR (no entry starts a line) is one batch."""
        size = len(buffer)
        if start == 0:
            first, _ = _entries_start(buffer, size)
            if first < 0:
                return size
            first = skip_space(buffer, first + 1, size)
            line = buffer.rfind(b"\n", 0, first) + 1
        else:
            first = line = start
        indent = bytes(buffer[line : skip_space(buffer, line, size)])
        if buffer[line + len(indent) : line + len(indent) + 2] not in (b"{\n", b"{\r"):
            return size
        opening = b"\n" + indent + b"{"
        found = buffer.rfind(opening, first, end)
        if found < first:
            found = buffer.find(opening, end)
        return size if found < 0 else found + 1

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        """Yield a request and a response record for each entry that starts before `limit`."""
        if not isinstance(chunk, bytes):
            chunk = bytes(chunk)  # the reader hands a copy; a mapping has no `count`
        line, counted = cursor.line, cursor.counted
        count = chunk.count
        end = len(chunk)
        cursor.resume = limit
        if base == 0:
            pos, problem = _entries_start(chunk, end)
            if pos < 0:
                warn(1, problem)
                return
            pos += 1
        else:
            pos = 0  # a later batch starts at the line of an entry
        callers: dict[bytes | None, str] = {}
        callees: dict[bytes, str] = {}
        closed, problem = False, ""
        layout = _layout(chunk, skip_space(chunk, pos, end), end)
        while True:
            pos = skip_space(chunk, pos, end)
            if pos >= min(limit, end):
                break
            first = chunk[pos]
            if first == _ARRAY_END:
                closed = True
                break
            stop = -1
            if layout is not None and chunk.startswith(b"{\n", pos):
                stop = chunk.find(layout.close, pos, end)
                stop = stop + len(layout.close) if stop >= 0 else -1
            if stop < 0 and first == _OBJECT:
                stop = value_end(chunk, pos, end)
            if stop < 0:
                problem = "HAR entry is cut off or not a JSON object; read up to it"
                break
            line += count(b"\n", counted, pos)
            counted = pos
            try:
                entry = None
                if layout is not None:
                    entry = _read_pretty(chunk, pos, stop, layout)
                entry = entry or _read_entry(chunk, pos, stop)
            except JSONShapeError as error:
                warn(line + count(b"\n", pos, error.offset), f"HAR entry is not valid: {error}")
                entry = None
            end_line = line + count(b"\n", pos, stop)
            if entry is not None and (entry.request < 0 or not entry.method):
                warn(line, "HAR entry has no request method; skipped")
            elif entry is not None:
                split = entry.split(stop)
                middle = line + count(b"\n", pos, split)
                lines = (line, middle, end_line)
                yield from self._pair(entry, chunk, pos, stop, base, lines, callers, callees)
            line = end_line
            counted = stop
            pos = skip_space(chunk, stop, end)
            if chunk[pos : pos + 1] == b",":
                pos += 1
            elif chunk[pos : pos + 1] == b"]":
                closed = True
                break
            elif pos < end:
                problem = "expected `,` or `]` after a HAR entry"
                break
        if problem or (not closed and end >= file_end):
            line += count(b"\n", counted, pos)
            counted = pos
            warn(line, problem or "HAR ends inside `log.entries` (file cut off?)")
        cursor.line, cursor.counted = line, counted

    def _pair(
        self,
        entry: _Entry,
        chunk: Buffer,
        start: int,
        stop: int,
        base: int,
        lines: tuple[int, int, int],
        callers: dict[bytes | None, str],
        callees: dict[bytes, str],
    ) -> tuple[Record, ...]:
        """The request and response records of one entry, whose request part ends on line
        `lines[1]` and which spans `lines[0]` to `lines[2]`."""
        agent = None
        if entry.request_headers is not None:
            found = _USER_AGENT.search(chunk, *entry.request_headers)
            agent = bytes(found.group(1)) if found else None
        src = callers.get(agent) or callers.setdefault(agent, _caller(agent))
        url = entry.url
        # The service depends only on the scheme, host and first path segment.
        host = url.find(b"/", url.find(b"://") + 3)
        segment_end = url.find(b"/", host + 1) if host >= 0 else -1
        key = url if segment_end < 0 else url[:segment_end]
        dst = callees.get(key)
        if dst is None:
            dst = callees[key] = service_for_url(shown(key))
        rid = f"har-{base + start}"
        split = entry.split(stop)
        headers_end = entry.request_headers[1] if entry.request_headers else entry.request
        request = new_tuple(
            Record,
            (
                REQUEST,
                src,
                dst,
                shown(entry.method),
                0,
                "",
                shown(_path(url)),
                rid,
                lines[0],
                lines[1],
                new_tuple(Span, (base + start, base + split, 0)),
                new_tuple(Span, (base + start, base + headers_end, 0)),
                _span(entry.post, base),
                entry.started,
                "",
            ),
        )
        if entry.response < 0:
            return (request,)
        finished = None
        if entry.started is not None and entry.time is not None:
            finished = entry.started + entry.time / 1000
        response = new_tuple(
            Record,
            (
                RESPONSE,
                src,
                dst,
                "",
                entry.status,
                shown(entry.reason),
                "",
                rid,
                lines[1],
                lines[2],
                new_tuple(Span, (base + split, base + stop, 0)),
                _span(entry.response_headers, base),
                _span(entry.content, base),
                finished,
                "",
            ),
        )
        return request, response

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        """A HAR is one document; it is never followed."""
        return -1

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        """A `headers` array; for a request (whose span starts at its entry), the entry's page
        as a `:page` pseudo-header after them."""
        if buffer[span.start : span.start + 1] == b"[":
            return _headers(load(buffer, span.start, span.end))
        request = _member(buffer, span.start, b"request")
        found = _member(buffer, request[0], b"headers") if request else None
        headers = _headers(load(buffer, *found)) if found else ()
        page = _member(buffer, span.start, b"pageref")
        ref = load(buffer, *page) if page else None
        if isinstance(ref, str) and ref:
            headers += ((PAGE_HEADER, _pages(buffer).get(ref, ref)),)
        return headers

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        """The entry's `timings` (ms, -1 where a phase does not apply), in the file's order."""
        return _timings(buffer, span)

    def header_text(self, buffer: Buffer, span: Span) -> str:
        """The headers as `Name: value` lines."""
        return header_lines(self.decode_headers(buffer, span))

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        """The text of a `postData` or `content` object."""
        return _body_text(load(buffer, span.start, span.end))


def _span(found: tuple[int, int] | None, base: int) -> Span | None:
    return None if found is None else new_tuple(Span, (base + found[0], base + found[1], 0))


FORMAT = HarFormat()
