"""Index a trace file in batches: find records, pair them, infer the call tree.

The file is memory-mapped and cut into chunks that end on a record heading; each chunk is one
bytes copy scanned with compiled regexes, so the work per record is a handful of C-level
searches. A UI calls `read_batch()` from a worker and shows what is indexed so far.
"""

from __future__ import annotations

import mmap
import os
from types import ModuleType
from typing import Callable

from tui.calltree import OpenCalls
from tui.model import REQUEST, Exchange, ParseWarning, Record, Span, Trace
from tui.readers import log, markdown
from tui.readers.parsed import ParsedRecord, request_id
from tui.sanitize import visible_line
from tui.source import TraceSource

FORMATS: tuple[ModuleType, ...] = (log, markdown)
MAX_UTF8_WARNINGS = 20
DEFAULT_BATCH = 8 << 20


class TraceError(Exception):
    """A file that cannot be read as a trace at all; the message is one line for the user."""


def _shift(span: Span | None, base: int) -> Span | None:
    return None if span is None else Span(span.start + base, span.end + base, span.indent)


def detect_format(buffer: bytes | mmap.mmap) -> ModuleType | None:
    """The format module whose record heading appears first in the content, or None."""
    found = []
    for fmt in FORMATS:
        match = fmt.HEADING.search(buffer)
        if match:
            found.append((match.start(), fmt))
    return min(found, key=lambda item: item[0])[1] if found else None


def _describe_unreadable(buffer: bytes | mmap.mmap) -> str:
    head = bytes(buffer[: 1 << 16])
    if b"\0" in head:
        return "binary file, not a requestshook trace"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.end < len(head) - 4:
            return f"not UTF-8 text (bad byte at offset {error.start}), not a requestshook trace"
    return (
        "no requestshook records found (expected `### METHOD /path` or `### (src) REQ >>> (dst)`)"
    )


class TraceReader:
    """Reads one trace file into a `Trace`, a batch at a time.

    Raises `TraceError` from the constructor when the file cannot be a trace at all.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._file = self._open(path)
            size = os.fstat(self._file.fileno()).st_size
            if size == 0:
                self._file.close()
                raise TraceError("file is empty")
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            fmt = detect_format(self._map)
            if fmt is None:
                message = _describe_unreadable(self._map)
                self.close()
                raise TraceError(message)
        except TraceError as error:
            raise TraceError(f"{visible_line(path)}: {error}") from None
        self._format = fmt
        self.size = size
        self.trace = Trace(path=path, format=fmt.NAME, source=TraceSource(self._map))
        self._pos = 0
        self._line = 1
        self._pending: dict[str, int] = {}
        self._early_responses: dict[str, int] = {}
        self._answered: set[str] = set()
        self._calls = OpenCalls()
        self._service_set: set[str] = set()
        self._names: dict[str, str] = {}
        self._utf8_warnings = 0

    @staticmethod
    def _open(path: str):  # type: ignore[no-untyped-def]
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
        following = end
        while True:
            newline = self._map.find(b"\n### ", following)
            if newline < 0:
                return self.size
            if heading.match(self._map, newline + 1):
                return newline + 1
            following = newline + 1

    def read_batch(self, max_bytes: int = DEFAULT_BATCH) -> bool:
        """Index the next chunk of about `max_bytes`; return True when the file is done."""
        if self.trace.complete:
            return True
        cut = self._cut(self._pos + max_bytes)
        base = self._pos
        chunk = self._map[base:cut]
        self._check_utf8(chunk, base)
        self._scan(chunk, base)
        self._line += chunk.count(b"\n")
        self._pos = cut
        if cut >= self.size:
            self._finish()
        return self.trace.complete

    def read_all(self) -> Trace:
        """Index the whole file and return the trace."""
        while not self.read_batch():
            pass
        return self.trace

    def _check_utf8(self, chunk: bytes, base: int) -> None:
        pos = 0
        while self._utf8_warnings < MAX_UTF8_WARNINGS:
            try:
                chunk[pos:].decode("utf-8") if pos else chunk.decode("utf-8")
                return
            except UnicodeDecodeError as error:
                offset = pos + error.start
                self._utf8_warnings += 1
                line = self._line + chunk.count(b"\n", 0, offset)
                message = f"invalid UTF-8 at byte offset {base + offset}; shown as \ufffd"
                if self._utf8_warnings == MAX_UTF8_WARNINGS:
                    message += " (further invalid bytes not reported)"
                self.trace.warnings.append(ParseWarning(line, message))
                pos = pos + error.end

    def _scan(self, chunk: bytes, base: int) -> None:
        starts = [match.start() for match in self._format.HEADING.finditer(chunk)]
        parse: Callable[[bytes, int, int], ParsedRecord] = self._format.parse_record
        line = self._line
        counted = 0
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(chunk)
            line += chunk.count(b"\n", counted, start)
            counted = start
            parsed = parse(chunk, start, end)
            end_line = line + chunk.count(b"\n", start, max(start, parsed.end - 1))
            for offset, message in parsed.problems:
                self._warn(line + chunk.count(b"\n", start, offset), message)
            self._add(parsed, request_id(chunk, parsed.headers), base + start, base, line, end_line)

    def _warn(self, line: int, message: str) -> None:
        self.trace.warnings.append(ParseWarning(line, message))

    def _intern(self, name: str) -> str:
        return self._names.setdefault(name, name)

    def _add(
        self, parsed: ParsedRecord, rid: str, start: int, base: int, line: int, end_line: int
    ) -> None:
        trace = self.trace
        src, dst = self._intern(parsed.src), self._intern(parsed.dst)
        for service in (src, dst):
            if service not in self._service_set:
                self._service_set.add(service)
                trace.services.append(service)
        record = Record(
            parsed.kind,
            src,
            dst,
            self._intern(parsed.method),
            parsed.status,
            self._intern(parsed.reason),
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
        if rid in self._pending or rid in self._answered:
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
        trace.exchanges[index] = exchange._replace(response=response, response_record=record_index)
        trace.exchange_of_record[record_index] = index
        self._answered.add(exchange.request.request_id)
        self._calls.on_response(index, exchange.request.dst)

    def _finish(self) -> None:
        trace = self.trace
        for _rid, index in self._pending.items():
            request = trace.exchanges[index].request
            self._warn(request.line, f"request {request.method} {request.target} got no response")
        trace.warnings.sort(key=lambda warning: warning.line)
        trace.complete = True
        self.close()


def read_trace(path: str) -> Trace:
    """Read a whole trace file. Raises `TraceError` for a file that is not a trace."""
    return TraceReader(path).read_all()
