"""keystoneauth's debug output: `openstack --debug`, `--log-file`, or a service's oslo.log.

keystoneauth1's `Session` logs each call it makes, one log message per part (see its
`_http_log_request` / `_http_log_response`), and urllib3 logs the status line between them:

    REQ: curl -g -i -X POST http://h/compute/v2.1/servers -H "Accept: application/json" -d '{..}'
    http://h:80 "POST /compute/v2.1/servers HTTP/1.1" 202 1234
    RESP: [202] Content-Length: 1234 Content-Type: application/json Date: Tue, 20 May 2025 ...
    RESP BODY: {"server": {...}}
    POST call to compute for http://h/compute/v2.1/servers used request id req-1a2b...

`openstack --debug` prints the bare messages on stderr; `--log-file` and oslo.log put a prefix
before each (`2025-05-20 08:13:46.123 4242 DEBUG keystoneauth.session [...] `), which gives
the records a clock. A message that spans lines (a pretty-printed body) has no prefix on its
later lines. Everything else (help, tables, tracebacks, other loggers) belongs to no record.

There is no request id to pair by: a response is the one logged after its request and before
the next request (a client makes one call at a time), so each request's pairing key is made
from its offset in the file, and batches are cut only before a `REQ:` line. Header values are
kept as logged: tokens stay `{SHA256}...` as keystoneauth masked them.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator

from tui.model.trace import REQUEST, RESPONSE, Buffer, Headers, Record, Span, Timings
from tui.readers.parsed import Cursor, Warn, field, header_lines, new_tuple, shown
from tui.readers.services import PATH_PREFIXES, service_for_url

NAME = "keystoneauth-debug"

_REQ = b"REQ: curl -g -i"
# keystoneauth's identity plugins log a token request this way, not as a curl line.
_AUTH = b"Making authentication request to "
_RESP = b"RESP: ["
_BODY = b"RESP BODY: "
_CALL_TO = b" used request id "
_STATUS_LINE = b" HTTP/1."
# What follows `curl -g -i`: keystoneauth's TLS options, the method and the URL (quoted when
# it has a query string).
_CURL = re.compile(rb'(?: --insecure| --cacert "[^"\n]*")? -X (\S+) ("[^"\n]*"|\S+)')
# A log prefix's clock: `2025-05-20 08:13:46.123` (osc's --log-file, oslo.log) or ISO 8601.
_STAMP = re.compile(rb"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)")
# The start of a prefixed log line, from the newline before it: where a multi-line message
# that began on a prefixed line ends.
_NEXT_STAMPED = re.compile(rb"\n\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
_FRACTION = re.compile(rb"\d{1,6}")
# A URL's scheme, host and first path segment: what names the service behind it.
_URL_ROOT = re.compile(rb'"?([a-z][a-z0-9+.-]*://[^/\s"]*(?:/[^/?\s"]*)?)')
# oslo.log appends `funcName pathname:lineno` to a DEBUG message.
_OSLO_SUFFIX = re.compile(rb" [A-Za-z_]\w* \S+\.py:\d+\r?$")
# A header name (an RFC 9110 token) followed by `: `, after a space: where the next header of
# a `RESP:` line may start.
_HEADER_START = re.compile(r" ([!#$%&'*+.^_`|~0-9A-Za-z-]+): ")
_USER_AGENT = b'-H "User-Agent: '
# The caller is named by its User-Agent's first product, as a service sets it (`nova-api/29.0.0
# keystoneauth1/...`); these products are the client's libraries, which name the client.
_CLIENT = "openstack"
CLIENT_PRODUCTS = frozenset(
    ("openstacksdk", "python-openstackclient", "osc-lib", "keystoneauth1", "python-requests")
)

# The "call to" line names the service by its catalog type; the names are the hook's.
SERVICE_TYPES: dict[str, str] = {
    **PATH_PREFIXES,
    "network": "neutron-server",
    "block-storage": "cinder-api",
    "volumev3": "cinder-api",
    "volumev2": "cinder-api",
    "shared-file-system": "manila-api",
}


def _line_start(buffer: Buffer, pos: int) -> int:
    return buffer.rfind(b"\n", 0, pos) + 1


def _is_request_line(buffer: Buffer, marker: int) -> bool:
    """Whether the `REQ: curl -g -i` at `marker` is keystoneauth's (a method follows)."""
    return _CURL.match(buffer, marker + len(_REQ)) is not None


def _next_request(buffer: Buffer, pos: int, end: int) -> int:
    """The offset of the next request marker in `[pos, end)`, or -1."""
    while True:
        marker = buffer.find(_REQ, pos, end)
        if marker < 0 or _is_request_line(buffer, marker):
            return marker
        pos = marker + 1


def _is_stamped(buffer: Buffer, start: int) -> bool:
    """Whether the line at `start` begins with a `YYYY-MM-DD` log prefix."""
    return buffer[start + 4 : start + 5] == b"-" and buffer[start : start + 4].isdigit()


def _message_end(buffer: Buffer, start: int, stop: int, stamped: bool) -> int:
    """Where the log message whose text starts at `start` ends (at its last newline).

    On prefixed lines a message runs to the next prefixed line. Bare messages (stderr) are
    one line, but for a body pretty-printed from `{` or `[` alone on its line, which runs to
    the matching bracket alone at the start of a line.
    """
    end = buffer.find(b"\n", start, stop)
    if end < 0:
        return stop
    if stamped:
        if _is_stamped(buffer, end + 1) or end + 1 >= stop:
            return end
        following = _NEXT_STAMPED.search(buffer, end, stop)
        return stop if following is None else following.start()
    first = buffer[start:end].strip()
    if first in (b"{", b"["):
        close = buffer.find(b"\n}" if first == b"{" else b"\n]", end, stop)
        if close < 0:
            return stop
        close_end = buffer.find(b"\n", close + 2, stop)
        return stop if close_end < 0 else close_end
    return end


def _strip_suffix(buffer: Buffer, start: int, end: int) -> int:
    """`end`, moved before oslo.log's `funcName path.py:N` suffix when the message has one."""
    if buffer.rfind(b".py:", max(start, end - 12), end) < 0:
        return end
    match = _OSLO_SUFFIX.search(buffer, max(start, end - 512), end)
    return match.start() if match is not None else end


# `YYYY-MM-DD HH:MM:SS` -> seconds since the epoch; log lines share few distinct seconds.
_SECONDS: dict[bytes, float] = {}


def _stamp(buffer: bytes, start: int) -> float | None:
    """The time of the prefixed log line at `start`, in seconds since the epoch (the log's
    zone taken as UTC: the log does not say it, and durations do not depend on it)."""
    seconds = _SECONDS.get(buffer[start : start + 19])
    if seconds is None:
        match = _STAMP.match(buffer, start)
        if match is None:
            return None
        fields = [int(part) for part in match.groups()]
        try:
            seconds = float(calendar.timegm((*fields, 0, 0, 0)))
        except (ValueError, OverflowError):
            return None
        if len(_SECONDS) > 100_000:
            _SECONDS.clear()
        _SECONDS[buffer[start : start + 19]] = seconds
    fraction_end = start + 23
    if buffer[fraction_end : fraction_end + 1] == b" ":
        # `.123 `: the milliseconds osc and oslo.log write.
        milliseconds = buffer[start + 20 : fraction_end]
        if milliseconds.isdigit():
            return seconds + int(milliseconds) / 1000
    separator = buffer[start + 19 : start + 20]
    if separator == b"." or separator == b",":
        fraction = _FRACTION.match(buffer, start + 20, start + 26)
        if fraction is not None:
            digits = fraction.group()
            seconds += int(digits) / 10 ** len(digits)
    return seconds


def caller(user_agent: bytes) -> str:
    """The caller a User-Agent names: its first product, or the client for a library's."""
    product = user_agent.split(b"/", 1)[0].split(b" ", 1)[0]
    name = shown(product)
    if not name or name in CLIENT_PRODUCTS or name.endswith(".py"):
        return _CLIENT
    return name


def _service_name(name: bytes) -> str:
    """The hook's name for a service named by its catalog type in a "call to" line."""
    text = shown(name)
    return SERVICE_TYPES.get(text.lower(), text)


def _request_parts(
    chunk: bytes, marker: int, auth: bool, stop: int, stamped: bool, base: int
) -> tuple[bytes, bytes, int, Span | None, Span | None, bool]:
    """(method, URL, end of the message, header span, body span, whether the body is cut
    off) of the request logged at `marker`."""
    if auth:
        # keystoneauth logs no headers or body of a token request (they hold the password).
        end = chunk.find(b"\n", marker, stop)
        end = stop if end < 0 else end
        url = chunk[marker + len(_AUTH) : _strip_suffix(chunk, marker, end)].strip()
        return b"POST", url, end, None, None, False
    curl = _CURL.match(chunk, marker + len(_REQ))
    assert curl is not None  # `_next_request` checked it
    end = _message_end(chunk, marker, stop, stamped)
    text_end = _strip_suffix(chunk, marker, end)
    after_url = curl.end()
    data = chunk.find(b" -d '", after_url, text_end)
    headers_end = text_end if data < 0 else data
    headers = None
    if headers_end > after_url:
        headers = new_tuple(Span, (base + after_url, base + headers_end, 0))
    body, cut_off = None, False
    if data >= 0:
        body_end = text_end - 1 if chunk[text_end - 1 : text_end] == b"'" else text_end
        cut_off = body_end == text_end
        body = new_tuple(Span, (base + data + 5, base + body_end, 0))
    return curl.group(1), curl.group(2).strip(b'"'), end, headers, body, cut_off


def _auth_body(chunk: bytes, status_at: int, stop: int) -> tuple[int, int]:
    """The token a token request's response carried, which keystoneauth logs as JSON on the
    message after urllib3's status line: its (start, end), or (-1, -1)."""
    line_end = chunk.find(b"\n", status_at, stop)
    if line_end < 0:
        return -1, -1
    next_end = chunk.find(b"\n", line_end + 1, stop)
    next_end = stop if next_end < 0 else next_end
    for opening in (b'{"token": ', b'{"access": '):
        found = chunk.find(opening, line_end + 1, min(next_end, line_end + 512))
        if found >= 0:
            return found, next_end
    return -1, -1


def _user_agent_caller(chunk: bytes, at: int, stop: int, callers: dict[bytes, str]) -> str:
    """The caller named by the `-H "User-Agent: ..."` at `at` (the client for none)."""
    if at < 0:
        return _CLIENT
    start = at + len(_USER_AGENT)
    end = chunk.find(b'"', start, min(stop, start + 1024))
    agent = chunk[start : end if end >= 0 else start]
    name = callers.get(agent)
    if name is None:
        name = callers[agent] = caller(agent)
    return name


def _records_in(
    chunk: bytes, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
) -> Iterator[Record]:
    """`Keystoneauth.records`: this runs once per exchange of the file, so the usual layout
    is read here with `bytes.find` and slices; only what is rare goes through a regex."""
    count, find, rfind = chunk.count, chunk.find, chunk.rfind
    line, counted = cursor.line, cursor.counted
    size = min(len(chunk), file_end)
    # Per chunk: URL root or service type -> the service's name; User-Agent -> the caller.
    callees: dict[bytes, str] = {}
    callers: dict[bytes, str] = {}
    # A token request logs no User-Agent: its caller is the last request's (the first's, at
    # the start of a chunk).
    src = _user_agent_caller(chunk, find(_USER_AGENT, 0, size), size, callers)
    marker, auth = _next_request(chunk, 0, size), find(_AUTH, 0, size)
    while True:
        is_auth = auth >= 0 and (marker < 0 or auth < marker)
        at = auth if is_auth else marker
        if at < 0 or at >= limit:
            break
        if is_auth:
            auth = find(_AUTH, at + 1, size)
        else:
            marker = _next_request(chunk, at + 1, size)
        following = auth if auth >= 0 and (marker < 0 or auth < marker) else marker
        start = rfind(b"\n", 0, at) + 1
        stop = size if following < 0 else rfind(b"\n", 0, following) + 1
        stamped = at > start and _is_stamped(chunk, start)
        raw_method, raw_url, request_end, headers, body, cut_off = _request_parts(
            chunk, at, is_auth, stop, stamped, base
        )
        line += count(b"\n", counted, start)
        if cut_off:
            warn(line + count(b"\n", start, request_end), "request data (-d '...') is cut off")
        url = field(raw_url)
        if headers is not None:
            agent = find(_USER_AGENT, headers.start - base, headers.end - base)
            if agent >= 0:
                src = _user_agent_caller(chunk, agent, size, callers)
        # The response: urllib3's status line, `RESP:`, `RESP BODY:`, the "call to" line.
        resp = find(_RESP, request_end, stop)
        status_at = find(_STATUS_LINE, request_end, stop if resp < 0 else resp)
        call = find(_CALL_TO, request_end, stop) if resp >= 0 else -1
        service = b""
        if call >= 0:
            call_start = rfind(b" call to ", request_end, call)
            after = call_start + 9
            space = find(b" ", after, call)
            if call_start >= 0 and chunk.startswith(b" for ", space):
                service = chunk[after:space]
        root = _URL_ROOT.match(raw_url)
        key = service or (root.group(1) if root is not None else raw_url)
        dst = callees.get(key)
        if dst is None:
            dst = callees[key] = _service_name(service) if service else service_for_url(url)
        request_last = max(start, request_end - 1)
        end_line = line + count(b"\n", start, request_last)
        rid = f"ka-{base + start}"
        method = shown(raw_method)
        yield new_tuple(
            Record,
            (
                REQUEST,
                src,
                dst,
                method,
                0,
                "",
                url,
                rid,
                line,
                end_line,
                new_tuple(Span, (base + start, base + request_end, 0)),
                headers,
                body,
                _stamp(chunk, start) if stamped else None,
                "",
            ),
        )
        counted, line = request_last, end_line
        if resp < 0 and status_at < 0:
            continue
        first = resp if status_at < 0 else status_at
        response_start = rfind(b"\n", 0, first) + 1
        headers = None
        if resp >= 0:
            status_end = find(b"] ", resp + 7, resp + 12)
            status_text = chunk[resp + 7 : status_end] if status_end >= 0 else b""
            response_end = find(b"\n", resp, stop)
            response_end = stop if response_end < 0 else response_end
            header_start = status_end + 2
            header_end = _strip_suffix(chunk, header_start, response_end)
            if status_end >= 0 and header_end > header_start:
                headers = new_tuple(Span, (base + header_start, base + header_end, 0))
            clock_at = rfind(b"\n", 0, resp) + 1
        else:
            status_text = chunk[status_at + 11 : status_at + 14]
            response_end = find(b"\n", status_at, stop)
            response_end = stop if response_end < 0 else response_end
            clock_at = response_start
        status = int(status_text) if status_text.isdigit() else 0
        line += count(b"\n", counted, response_start)
        if not status:
            warn(line, "response line has no [STATUS]")
        body = None
        if resp >= 0:
            body_at = find(_BODY, resp, stop)
            body_start = body_at + len(_BODY)
        else:
            body_at, body_end = _auth_body(chunk, status_at, stop) if is_auth else (-1, -1)
            body_start = body_at
        if body_at >= 0 and resp >= 0:
            if call > body_start:
                # keystoneauth logs the request id right after the body: the body ends there.
                body_end = max(body_start, rfind(b"\n", body_start, rfind(b"\n", 0, call) + 1))
            else:
                body_end = _message_end(chunk, body_start, stop, stamped)
        if body_at >= 0:
            body_text_end = _strip_suffix(chunk, body_start, body_end)
            response_end = max(response_end, body_end)
            body = new_tuple(Span, (base + body_start, base + body_text_end, 0))
            if not _body_whole(chunk, body_start, body_text_end):
                warn(line + count(b"\n", response_start, body_at), "response body is cut off")
        if call >= 0:
            call_end = find(b"\n", call, stop)
            response_end = max(response_end, stop if call_end < 0 else call_end)
        response_last = max(response_start, response_end - 1)
        end_line = line + count(b"\n", response_start, response_last)
        yield new_tuple(
            Record,
            (
                RESPONSE,
                src,
                dst,
                method,
                status,
                "",
                url,
                rid,
                line,
                end_line,
                new_tuple(Span, (base + response_start, base + response_end, 0)),
                headers,
                body,
                _stamp(chunk, clock_at) if stamped else None,
                "",
            ),
        )
        counted, line = response_last, end_line
    cursor.line, cursor.counted, cursor.resume = line, counted, limit


def _body_whole(chunk: bytes, start: int, end: int) -> bool:
    """Cheaply, whether a JSON body was logged whole: it closes the bracket it opens."""
    first = chunk[start : start + 1]
    if first not in (b"{", b"["):
        return True
    last = chunk[max(start, end - 8) : end].rstrip()[-1:]
    return last == (b"}" if first == b"{" else b"]")


def split_response_headers(text: str) -> Headers:
    """Split a `RESP:` line's `Name: value Name: value ...` into pairs.

    keystoneauth writes the headers sorted by name, so a ` Name: ` inside a value (a `Date`'s
    `Tue, 20 May ...` has none, but a `Link` or a `Warning` may) is a boundary only where its
    name sorts after the previous header's: out of order, it is part of the value.
    """
    text = text.strip()
    if not text:
        return ()
    head = re.match(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?", text)
    if head is None:
        return (("", text),)
    pairs: list[tuple[str, str]] = []
    name, value_start = head.group(1), head.end()
    for match in _HEADER_START.finditer(text, value_start):
        following = match.group(1)
        if following > name:
            pairs.append((name, text[value_start : match.start()]))
            name, value_start = following, match.end()
    pairs.append((name, text[value_start:]))
    return tuple(pairs)


def split_request_headers(text: str) -> Headers:
    """Split a curl line's ` -H "Name: value" -H ...` into pairs (values may hold quotes)."""
    text = text.strip()
    if not text.startswith('-H "'):
        return ()
    pairs = []
    for part in text[4:].removesuffix('"').split('" -H "'):
        name, _, value = part.partition(": ")
        pairs.append((name, value))
    return tuple(pairs)


class Keystoneauth:
    """The `Format` of keystoneauth's debug log (see the module docstring)."""

    name = NAME
    expected = "`REQ: curl -g -i -X METHOD URL` (keystoneauth debug output)"
    request_id_name = "the order of REQ:/RESP: lines"
    lookahead = 0
    can_follow = True
    explicit_parents = False
    whole_document = False
    # Header spans hold a curl line or one `RESP:` line, not `Name: value` lines.
    raw_text = False

    def detect(self, head: Buffer, end: int) -> int:
        """The start of the first `REQ: curl` line in `head[:end]`, or -1."""
        marker = _next_request(head, 0, end)
        return -1 if marker < 0 else _line_start(head, marker)

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        """The start of the last `REQ:` line in `(start, end]`, else of the first after it."""
        probe = end
        while True:
            marker = buffer.rfind(_REQ, start + 1, probe)
            if marker < 0:
                break
            line_start = _line_start(buffer, marker)
            if line_start > start and _is_request_line(buffer, marker):
                return line_start
            probe = marker
        following = _next_request(buffer, end, len(buffer))
        return len(buffer) if following < 0 else _line_start(buffer, following)

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        """See `Format.records`: a request and the response logged after it, in turn."""
        # A line format's batch is a copy of its bytes (see `Format`).
        data = chunk if isinstance(chunk, bytes) else bytes(chunk)
        return _records_in(data, limit, file_end, base, cursor, warn)

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        """The last `REQ:` line's start while its response has not been logged whole."""
        marker = buffer.rfind(_REQ, start, end)
        if marker < 0:
            return -1
        line_start = _line_start(buffer, marker)
        if buffer.find(_CALL_TO, marker, end) >= 0:
            return -1
        return line_start

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        """A curl line's `-H` headers or a `RESP:` line's, as logged."""
        text = bytes(buffer[span.start : span.end]).decode("utf-8", "replace")
        if text.lstrip().startswith('-H "'):
            return split_request_headers(text)
        return split_response_headers(text)

    def header_text(self, buffer: Buffer, span: Span) -> str:
        """The headers as `Name: value` lines."""
        return header_lines(self.decode_headers(buffer, span))

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        """The body as logged (a request's `-d` data, a response's `RESP BODY:` text)."""
        text = bytes(buffer[span.start : span.end]).decode("utf-8", "replace")
        return text.replace("\r\n", "\n").strip("\n")

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        """None: keystoneauth logs no phases of a call."""
        return ()


FORMAT = Keystoneauth()
