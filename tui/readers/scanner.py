"""Index a trace file in batches: find records, pair them, infer the call tree.

The file is memory-mapped and cut into chunks that end on a record heading; each chunk is one
bytes copy scanned with compiled regexes, so the work per record is a handful of C-level
searches. A UI calls `read_batch()` from a worker and shows what is indexed so far.
"""

from __future__ import annotations

import mmap
import os
import stat
import time
from types import ModuleType
from typing import BinaryIO, Callable, Union

from tui.calltree import OpenCalls
from tui.model import REQUEST, Exchange, ParseWarning, Record, Span, Trace
from tui.readers import log, markdown
from tui.readers.parsed import ParsedRecord, request_id
from tui.sanitize import visible_line
from tui.source import TraceSource

FORMATS: tuple[ModuleType, ...] = (log, markdown)
MAX_UTF8_WARNINGS = 20
# A hostile file can earn a warning per record; past this many the rest are only counted, so
# a million broken records cost a number, not a million lines in every view.
MAX_WARNINGS = 10_000
DEFAULT_BATCH = 8 << 20
# What `poll()` says of a followed file.
GROWN = "grown"
SAME = "same"
REPLACED = "replaced"
# A followed file's last record may be half written. It is held back until it looks complete,
# or until the file has not changed for this long (then it is read as it is, with warnings).
TAIL_SETTLE_SECONDS = 2.0
_UTF8_WINDOW = 1 << 16

Buffer = Union[bytes, mmap.mmap]


class TraceError(Exception):
    """A file that cannot be read as a trace at all; the message is one line for the user."""


def _shift(span: Span | None, base: int) -> Span | None:
    return None if span is None else Span(span.start + base, span.end + base, span.indent)


def _first_heading(fmt: ModuleType, buffer: Buffer, start: int = 0) -> int:
    """Offset of the first record heading of `fmt` at or after `start` (a line start), or -1."""
    if fmt.HEADING.match(buffer, start):
        return start
    match = fmt.NEXT_HEADING.search(buffer, start)
    return match.start() + 1 if match else -1


def _heading_starts(fmt: ModuleType, chunk: bytes, limit: int) -> list[int]:
    starts = [match.start() + 1 for match in fmt.NEXT_HEADING.finditer(chunk, 0, limit)]
    if fmt.HEADING.match(chunk):
        starts.insert(0, 0)
    return starts


def detect_format(buffer: Buffer) -> ModuleType | None:
    """The format module whose record heading appears first in the content, or None."""
    found = []
    for fmt in FORMATS:
        start = _first_heading(fmt, buffer)
        if start >= 0:
            found.append((start, fmt))
    return min(found, key=lambda item: item[0])[1] if found else None


def _describe_unreadable(buffer: Buffer) -> str:
    head = bytes(buffer[:_UTF8_WINDOW])
    if b"\0" in head:
        return "binary file, not a requestshook trace"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut by the end of the window is not an error of the file.
        if error.reason != "unexpected end of data" or len(head) < _UTF8_WINDOW:
            return f"not UTF-8 text (bad byte at offset {error.start}), not a requestshook trace"
    return (
        "no requestshook records found (expected `### METHOD /path` or `### (src) REQ >>> (dst)`)"
    )


def _open(path: str) -> BinaryIO:
    try:
        if os.path.isdir(path):
            raise TraceError("is a directory, not a trace file")
        return open(path, "rb")
    except FileNotFoundError:
        raise TraceError("no such file") from None
    except PermissionError:
        raise TraceError("permission denied") from None
    except OSError as error:
        raise TraceError(error.strerror or str(error)) from None


def _map_file(file: BinaryIO) -> Buffer:
    """Map the file; read it instead where the filesystem cannot map it."""
    try:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        file.seek(0)
        return file.read()


def _lone_cr(buffer: Buffer) -> bool:
    """True for a file whose lines end in a bare CR (classic Mac): it has no LF at all."""
    return buffer.find(b"\r", 0, _UTF8_WINDOW) >= 0 and buffer.find(b"\n") < 0


class TraceReader:
    """Reads one trace file into a `Trace`, a batch at a time.

    Raises `TraceError` from the constructor when the file cannot be a trace at all.
    """

    def __init__(self, path: str, follow: bool = False) -> None:
        """Open `path`; with `follow`, the file may still be growing (see `poll()`)."""
        self.path = path
        self.follow = follow
        self.holding_tail = False
        self._file: BinaryIO | None = None
        try:
            self._file = _open(path)
            status = os.fstat(self._file.fileno())
            self._identity = (status.st_dev, status.st_ino)
            if stat.S_ISFIFO(status.st_mode):
                # A pipe (`tracetui stats <(zcat trace.gz)`) cannot be mapped: read it whole.
                self._map: Buffer = self._file.read()
            elif status.st_size:
                self._map = _map_file(self._file)
            else:
                raise TraceError("file is empty")
            size = len(self._map)
            if size == 0:
                raise TraceError("file is empty")
            lone_cr = _lone_cr(self._map)
            if lone_cr:
                # Read as if every CR were a LF: same length, so offsets and spans still hold.
                self._map = bytes(self._map).replace(b"\r", b"\n")
            fmt = detect_format(self._map)
            if fmt is None:
                raise TraceError(_describe_unreadable(self._map))
        except TraceError as error:
            self.close()
            raise TraceError(f"{visible_line(path)}: {error}") from None
        self._format = fmt
        self.size = size
        self.trace = Trace(path=path, format=fmt.NAME, source=TraceSource(self._map))
        self._pos = 0
        self._line = 1
        self._changed_at = time.monotonic()
        self._pending: dict[str, int] = {}
        self._early_responses: dict[str, int] = {}
        self._answered: set[str] = set()
        self._calls = OpenCalls()
        self._service_set: set[str] = set()
        self._utf8_warnings = 0
        self._warning_count = 0
        if lone_cr:
            self._warn(1, "lines end in a bare CR (no LF anywhere); read CR as a line break")

    @property
    def done(self) -> bool:
        """True once the whole file is indexed."""
        return self.trace.complete

    @property
    def progress(self) -> float:
        """Fraction of the file indexed, 0.0 to 1.0."""
        return self._pos / self.size if self.size else 1.0

    def close(self) -> None:
        """Release the file handle; the mapping stays alive while the trace uses it."""
        if self._file is not None:
            self._file.close()

    def _cut(self, end: int) -> int:
        """Where to end a chunk at or before `end`: the start of the last record heading."""
        if end >= self.size:
            return self.size
        heading = self._format.HEADING
        probe = end
        while True:
            newline = self._map.rfind(b"\n### ", self._pos, probe)
            if newline < 0:
                break
            if heading.match(self._map, newline + 1):
                return newline + 1
            probe = newline
        # One record is larger than a batch: take it whole.
        following = _first_heading(self._format, self._map, end)
        return self.size if following < 0 else following

    def poll(self) -> str:
        """Look at a followed file again: GROWN (the new bytes are mapped, read them with
        `read_batch`), SAME, or REPLACED (truncated or rotated: open it anew)."""
        try:
            status = os.stat(self.path)
        except OSError:
            return REPLACED
        if (status.st_dev, status.st_ino) != self._identity or status.st_size < self.size:
            return REPLACED
        if status.st_size == self.size or isinstance(self._map, bytes):
            return SAME
        try:
            with open(self.path, "rb") as file:
                grown = _map_file(file)
        except OSError:
            return SAME
        self._map = grown
        self.size = len(grown)
        self.trace.source.replace_buffer(grown)
        self.trace.complete = False
        self._changed_at = time.monotonic()
        return GROWN

    def _hold_tail(self, cut: int) -> int:
        """In a followed file, end the batch before a last record that is still being written."""
        self.holding_tail = False
        if not self.follow or cut < self.size:
            return cut
        if time.monotonic() - self._changed_at >= TAIL_SETTLE_SECONDS:
            return cut
        # A line still being written (a heading cut at `(keysto`) is read once it ends.
        end = self._map.rfind(b"\n", self._pos, self.size) + 1
        self.holding_tail = end < self.size
        tail = self._map.rfind(b"\n### ", self._pos, end)
        tail = tail + 1 if tail >= 0 else self._pos
        heading = self._format.HEADING.match(self._map, tail)
        if heading and not self._format.record_complete(self._map, tail, end):
            self.holding_tail = True
            return tail
        return max(end, self._pos)

    def read_batch(self, max_bytes: int = DEFAULT_BATCH) -> bool:
        """Index the next chunk of about `max_bytes`; return True when the file is done (when
        following: when everything written so far is indexed)."""
        if self.trace.complete:
            return True
        base, line = self._pos, self._line
        cut = self._hold_tail(self._cut(base + max_bytes))
        if cut <= base:
            return True
        # Records start before `cut`; the chunk reaches on so the last of them can be
        # checked against what follows (a log body's Content-Length, see readers/log.py).
        reach = self._cut(cut + self._format.LOOKAHEAD) if self._format.LOOKAHEAD else cut
        chunk = self._map[base:reach]
        consumed = self._scan(chunk, base, cut - base)
        self._check_utf8(chunk if consumed == len(chunk) else chunk[:consumed], base, line)
        self._pos = base + consumed
        if self.holding_tail:
            return True
        if self._pos >= self.size:
            if self.follow:
                return True
            self._finish()
        return self.trace.complete

    def read_all(self) -> Trace:
        """Index the whole file and return the trace."""
        while not self.read_batch():
            pass
        return self.trace

    def _check_utf8(self, chunk: bytes, base: int, line: int) -> None:
        """Warn, with its byte offset, about each invalid UTF-8 sequence (line `line` at 0)."""
        if chunk.isascii():
            return
        pos = 0
        while self._utf8_warnings < MAX_UTF8_WARNINGS:
            try:
                (chunk[pos:] if pos else chunk).decode("utf-8")
                return
            except UnicodeDecodeError as error:
                offset = pos + error.start
                self._utf8_warnings += 1
                message = f"invalid UTF-8 at byte offset {base + offset}; shown as \ufffd"
                if self._utf8_warnings == MAX_UTF8_WARNINGS:
                    message += " (further invalid bytes not reported)"
                self._warn(line + chunk.count(b"\n", 0, offset), message)
                pos += error.end

    def _scan(self, chunk: bytes, base: int, limit: int) -> int:
        """Index the records of `chunk` that start before `limit`; return where the next
        batch starts (past `limit` when a body was found to run on). Advances `_line` there."""
        starts = _heading_starts(self._format, chunk, limit)
        parse: Callable[[bytes, int, int, int], ParsedRecord] = self._format.parse_record
        file_end = self.size - base
        # `line` is the line number at offset `counted`; newlines are counted once, in order.
        line = self._line
        counted = 0
        resume = 0
        last = len(starts) - 1
        for number, start in enumerate(starts):
            if start < resume:
                continue
            end = starts[number + 1] if number < last else limit
            parsed = parse(chunk, start, end, file_end)
            line += chunk.count(b"\n", counted, start)
            for offset, message in parsed.problems:
                self._warn(line + chunk.count(b"\n", start, offset), message)
            counted = max(start, parsed.end - 1)
            end_line = line + chunk.count(b"\n", start, counted)
            self._add(parsed, request_id(chunk, parsed.headers), base + start, base, line, end_line)
            line = end_line
            resume = parsed.resume
        consumed = max(limit, resume)
        self._line = line + chunk.count(b"\n", counted, consumed)
        return consumed

    def _warn(self, line: int, message: str) -> None:
        self._warning_count += 1
        if self._warning_count <= MAX_WARNINGS:
            self.trace.warnings.append(ParseWarning(line, message))

    def _add(
        self, parsed: ParsedRecord, rid: str, start: int, base: int, line: int, end_line: int
    ) -> None:
        trace = self.trace
        # Names come from a cache in the parsers, so equal names are already one object.
        src, dst = parsed.src, parsed.dst
        if src not in self._service_set or dst not in self._service_set:
            for service in (src, dst):
                if service not in self._service_set:
                    self._service_set.add(service)
                    trace.services.append(service)
        record = Record(
            parsed.kind,
            src,
            dst,
            parsed.method,
            parsed.status,
            parsed.reason,
            parsed.target,
            rid,
            line,
            end_line,
            Span(start, base + parsed.end),
            _shift(parsed.headers, base),
            _shift(parsed.body, base),
        )
        record_index = len(trace.records)
        trace.records.append(record)
        if record.kind == REQUEST:
            self._add_request(record, record_index)
        else:
            trace.exchange_of_record.append(-1)
            self._add_response(record, record_index)

    def _add_request(self, record: Record, record_index: int) -> None:
        trace = self.trace
        index = len(trace.exchanges)
        parent = self._calls.on_request(index, record.src, record.dst)
        trace.exchanges.append(Exchange(index, record, None, parent, record_index, None))
        trace.exchange_of_record.append(index)
        rid = record.request_id
        if not rid:
            self._warn(record.line, "request has no X-Requestshook-Request-Id; it stays unpaired")
            return
        earlier = self._pending.get(rid)
        if earlier is not None:
            self._warn(
                record.line,
                f"request id {rid} is also used by the request on line "
                f"{trace.exchanges[earlier].request.line}, which stays unpaired",
            )
        elif rid in self._answered:
            self._warn(record.line, f"request id {rid} was already used by an earlier request")
        early = self._early_responses.pop(rid, None)
        if early is not None:
            self._warn(record.line, f"response for request id {rid} came before its request")
            trace.orphan_records.remove(early)
            self._pair(index, early)
            return
        self._pending[rid] = index

    def _add_response(self, record: Record, record_index: int) -> None:
        rid = record.request_id
        index = self._pending.pop(rid, None) if rid else None
        if index is None:
            if not rid:
                why = "response has no X-Requestshook-Request-Id"
            elif rid in self._answered:
                why = f"second response for request id {rid}"
            else:
                why = f"response without a request (request id {rid})"
                self._early_responses[rid] = record_index
            self._warn(record.line, why)
            self.trace.orphan_records.append(record_index)
            return
        self._pair(index, record_index)

    def _pair(self, index: int, record_index: int) -> None:
        trace = self.trace
        exchange = trace.exchanges[index]
        response = trace.records[record_index]
        if (response.src, response.dst) != (exchange.request.src, exchange.request.dst):
            self._warn(
                response.line,
                f"response is `{response.src}` <-- `{response.dst}` but its request was "
                f"`{exchange.request.src}` --> `{exchange.request.dst}`",
            )
        trace.exchanges[index] = Exchange(
            index,
            exchange.request,
            response,
            exchange.parent,
            exchange.request_record,
            record_index,
        )
        trace.exchange_of_record[record_index] = index
        self._answered.add(exchange.request.request_id)
        self._calls.on_response(index, exchange.request.dst)

    def _finish(self) -> None:
        trace = self.trace
        for _rid, index in self._pending.items():
            request = trace.exchanges[index].request
            self._warn(request.line, f"request {request.method} {request.target} got no response")
        # By line, then by text: the order is the same however the file was batched.
        trace.warnings.sort(key=lambda warning: (warning.line, warning.message))
        hidden = self._warning_count - len(trace.warnings)
        if hidden > 0:
            trace.warnings.append(ParseWarning(0, f"{hidden} more warnings not listed"))
        trace.complete = True
        self.close()


def read_trace(path: str) -> Trace:
    """Read a whole trace file. Raises `TraceError` for a file that is not a trace."""
    return TraceReader(path).read_all()
