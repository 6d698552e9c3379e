"""Index a trace file in batches: find records, pair them, infer the call tree.

The file is cut into chunks that end on a record heading; each chunk is one bytes copy
scanned with compiled regexes and `bytes.find`, so the work per record is a handful of
C-level searches. The file is also memory-mapped, for decoding a record's headers and body
when something shows them. A UI calls `read_batch()` from a worker and shows what is indexed
so far; `tally()` counts what `tracetui stats` needs without building the index.
"""

from __future__ import annotations

import gc
import mmap
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from tui.model.trace import REQUEST, Buffer, Exchange, ParseWarning, Record, Trace
from tui.readers import markdown, registry
from tui.readers.calltree import OpenCalls
from tui.readers.errors import TraceError
from tui.readers.format import Format
from tui.readers.parsed import Cursor, new_tuple, shown
from tui.readers.source import TraceSource
from tui.readers.tally import Event, Forked, Tally, pair, record_events
from tui.text.sanitize import visible_line

MAX_UTF8_WARNINGS = 20
# A hostile file can earn a warning per record; past this many the rest are only counted, so
# a million broken records cost a number, not a million lines in every view.
MAX_WARNINGS = 10_000
DEFAULT_BATCH = 8 << 20
# `tally()` reads in smaller pieces: a piece stays in the CPU cache across the passes over it.
TALLY_BATCH = 1 << 20
# From this size on, `tally()` reads part of the file in a forked process.
PARALLEL_TALLY = 16 << 20
# What `poll()` says of a followed file.
GROWN = "grown"
SAME = "same"
REPLACED = "replaced"
# A followed file's last record may be half written. It is held back until it looks complete,
# or until the file has not changed for this long (then it is read as it is, with warnings).
TAIL_SETTLE_SECONDS = 2.0
_UTF8_WINDOW = 1 << 16
_PREAD = hasattr(os, "pread")


def detect_format(buffer: Buffer) -> Format | None:
    """The format whose first record comes first in the content, or None (see `registry`)."""
    return registry.detect(buffer)


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
    return f"no requestshook records found (expected {registry.expected()})"


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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is indexed.

    A batch creates several tuples a record and frees none of them, so the collections it
    would trigger find nothing to free; on a big trace they took a sixth of the time.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _newlines(buffer: Buffer, start: int, end: int) -> int:
    """How many newlines `buffer[start:end]` holds (a mapping has no `count`)."""
    if not isinstance(buffer, mmap.mmap):
        return buffer.count(b"\n", start, end)
    count = 0
    for pos in range(start, end, DEFAULT_BATCH):
        count += buffer[pos : min(end, pos + DEFAULT_BATCH)].count(b"\n")
    return count


class TraceReader:
    """Reads one trace file into a `Trace`, a batch at a time.

    Raises `TraceError` from the constructor when the file cannot be a trace at all.
    """

    def __init__(self, path: str, follow: bool = False, format_name: str | None = None) -> None:
        """Open `path`; with `follow`, the file may still be growing (see `poll()`).

        `format_name` reads it in that format (see `registry.names()`) instead of the one
        detected from its content."""
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
            fmt = _format_of(self._map, format_name)
            if follow and not fmt.can_follow:
                raise TraceError(f"a {fmt.name} file is one document that cannot grow: no --follow")
        except TraceError as error:
            self.close()
            raise TraceError(f"{visible_line(path)}: {error}") from None
        self._format = fmt
        self.format_name = format_name
        self.size = size
        self._source = TraceSource(self._map, fmt)
        self.trace = Trace(path=path, format=fmt.name, source=self._source)
        self._pos = 0
        self._line = 1
        self._changed_at = time.monotonic()
        self._pending: dict[str, int] = {}
        self._early_responses: dict[str, int] = {}
        # The id of every request read: one answered, or in use by a pending request.
        self._seen: set[str] = set()
        self._calls = OpenCalls()
        # For a format that names each call's parent: request id -> exchange index, and the
        # calls whose parent has not been read yet (a span file lists children first).
        self._exchange_of_id: dict[str, int] = {}
        self._awaiting_parent: dict[str, list[int]] = {}
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

    def _cut(self, start: int, end: int) -> int:
        """Where to end a chunk that starts at `start`, near `end`: a record start."""
        if end >= self.size or self._format.whole_document:
            return self.size
        return self._format.cut(self._map, start, end)

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
        self._source.replace_buffer(grown)
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
        tail = self._format.incomplete_tail(self._map, self._pos, end)
        if tail >= 0:
            self.holding_tail = True
            return tail
        return max(end, self._pos)

    def read_batch(self, max_bytes: int = DEFAULT_BATCH) -> bool:
        """Index the next chunk of about `max_bytes`; return True when the file is done (when
        following: when everything written so far is indexed)."""
        if self.trace.complete:
            return True
        base, line = self._pos, self._line
        cut = self._hold_tail(self._cut(base, base + max_bytes))
        if cut <= base:
            return True
        # Records start before `cut`; the chunk reaches on so the last of them can be
        # checked against what follows (a log body's Content-Length, see readers/log.py).
        lookahead = self._format.lookahead
        reach = self._cut(base, cut + lookahead) if lookahead else cut
        if self._format.whole_document:
            # One pass over the mapping: no copy of a document that may be hundreds of MB.
            with _gc_paused():
                consumed = self._scan(self._map, base, cut - base)
            self._check_utf8_mapped(line)
        else:
            chunk = self._read(base, reach)
            with _gc_paused():
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

    def tally(self) -> Tally | None:
        """Count the figures `tracetui stats` prints without building the index.

        None when the file holds anything the reader would warn about but a request with no
        response, or is not body.md: then `read_all()` gives the figures. The reader is left
        as it was. A big file's last three fifths are read by a forked process meanwhile
        (see `tally.Forked`); the first two are read and paired here, then the rest paired.
        """
        if self._format is not markdown.FORMAT or self.trace.warnings:
            return None
        split = self._cut(0, self.size * 2 // 5)
        rest: Forked[list[Event] | None] = Forked(
            lambda: self._events(split, self.size), fork=self.size >= PARALLEL_TALLY
        )
        tally = Tally()
        first = self._events(0, split)
        if first is None or not pair(tally, first):
            rest.cancel()
            return None
        later = rest.result()
        if later is None or not pair(tally, later) or len(tally.pending) > MAX_WARNINGS:
            return None
        return tally

    def _events(self, start: int, stop: int) -> list[Event] | None:
        """The events of the records in `[start, stop)`, which start and stop at a record
        heading or the end of the file; None if one would make the reader warn."""
        names: dict[bytes, str] = {}
        events: list[Event] = []
        pos = start
        while pos < stop:
            cut = min(self._cut(pos, pos + TALLY_BATCH), stop)
            chunk = self._read(pos, cut)
            if not chunk.isascii():
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError:
                    return None
            part = record_events(chunk, len(chunk), self.size - pos, pos, names)
            if part is None:
                return None
            events += part
            pos = cut
        return events

    def unanswered(self, tally: Tally) -> list[ParseWarning]:
        """The warnings the reader gives for the requests `tally` saw no response to."""
        pending = sorted(tally.pending.values(), key=lambda request: request[3])
        lines = self._lines_at([request[3] for request in pending])
        warnings = [
            ParseWarning(line, f"request {shown(method)} {shown(path)} got no response")
            for line, (_, _, _, _, method, path) in zip(lines, pending)
        ]
        return sorted(warnings, key=lambda warning: (warning.line, warning.message))

    def _lines_at(self, offsets: list[int]) -> list[int]:
        """The line number at each of `offsets` (ascending), counting a batch at a time."""
        lines = []
        line, counted = 1, 0
        for offset in offsets:
            while counted < offset:
                stop = min(offset, counted + DEFAULT_BATCH)
                line += self._read(counted, stop).count(b"\n")
                counted = stop
            lines.append(line)
        return lines

    def _read(self, start: int, end: int) -> bytes:
        """The bytes `[start, end)` of the file, as one copy to scan.

        Read with `pread` rather than sliced from the mapping: the kernel copies from the page
        cache with no page faults, and the pages never count in this process's memory. The
        mapping is only read where a header or body is decoded.
        """
        file = self._file
        if _PREAD and file is not None and not file.closed and isinstance(self._map, mmap.mmap):
            data = os.pread(file.fileno(), end - start, start)
            if len(data) == end - start:
                return data
        return self._map[start:end]

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

    def _check_utf8_mapped(self, line: int) -> None:
        """`_check_utf8` over the whole mapped file, a batch at a time."""
        pos = 0
        while pos < self.size and self._utf8_warnings < MAX_UTF8_WARNINGS:
            end = min(pos + DEFAULT_BATCH, self.size)
            # End the piece before a character's continuation bytes, never inside it.
            while end < self.size and 0x80 <= self._map[end] < 0xC0 and end > pos + 1:
                end -= 1
            piece = self._read(pos, end)
            self._check_utf8(piece, pos, line)
            line += piece.count(b"\n")
            pos = end

    def _scan(self, chunk: Buffer, base: int, limit: int) -> int:
        """Index the records of `chunk` that start before `limit`; return where the next
        batch starts (past `limit` when a body was found to run on). Advances `_line` there.

        This loop runs once per record of the file, so the usual case is written out here:
        a request that opens a new id, a response that answers one. Anything else goes
        through the methods that warn.
        """
        trace = self.trace
        records, exchanges = trace.records, trace.exchanges
        exchange_of_record = trace.exchange_of_record
        pending, seen, services = self._pending, self._seen, self._service_set
        early = self._early_responses
        on_request, on_response = self._calls.on_request, self._calls.on_response
        infer = not self._format.explicit_parents
        cursor = Cursor(self._line)
        for record in self._format.records(
            chunk, limit, self.size - base, base, cursor, self._warn
        ):
            kind, src, dst, _, _, _, _, rid = record[:8]
            if src not in services or dst not in services:
                self._add_services(src, dst)
            record_index = len(records)
            records.append(record)
            if kind == REQUEST:
                index = len(exchanges)
                parent = on_request(index, src, dst) if infer else self._parent_of(index, record)
                exchanges.append(
                    new_tuple(Exchange, (index, record, None, parent, record_index, None))
                )
                exchange_of_record.append(index)
                fresh = False
                if rid and not early:
                    # One set operation tells a new id (the usual case) from a reused one.
                    known = len(seen)
                    seen.add(rid)
                    fresh = len(seen) > known
                if fresh:
                    pending[rid] = index
                else:
                    self._add_request(record, index)
                continue
            index = pending.pop(rid, -1) if rid else -1
            if index < 0:
                exchange_of_record.append(-1)
                self._add_response(record, record_index)
                continue
            exchange_of_record.append(index)
            _, request, _, parent, request_record, _ = exchanges[index]
            if src == request.src and dst == request.dst:
                exchanges[index] = new_tuple(
                    Exchange, (index, request, record, parent, request_record, record_index)
                )
                if infer:
                    on_response(index, dst)
            else:
                self._pair(index, record_index)
        consumed = max(limit, cursor.resume)
        self._line = cursor.line + _newlines(chunk, cursor.counted, consumed)
        return consumed

    def _warn(self, line: int, message: str) -> None:
        self._warning_count += 1
        if self._warning_count <= MAX_WARNINGS:
            self.trace.warnings.append(ParseWarning(line, message))

    def _add_services(self, src: str, dst: str) -> None:
        for service in (src, dst):
            if service not in self._service_set:
                self._service_set.add(service)
                self.trace.services.append(service)

    def _add_request(self, record: Record, index: int) -> None:
        """Pair, or warn about, a request whose id is missing, in use or already answered."""
        trace = self.trace
        rid = record.request_id
        if not rid:
            self._warn(
                record.line, f"request has no {self._format.request_id_name}; it stays unpaired"
            )
            return
        earlier = self._pending.get(rid)
        if earlier is not None:
            self._warn(
                record.line,
                f"request id {rid} is also used by the request on line "
                f"{trace.exchanges[earlier].request.line}, which stays unpaired",
            )
        elif rid in self._seen:
            # Not pending, so answered.
            self._warn(record.line, f"request id {rid} was already used by an earlier request")
        self._seen.add(rid)
        early = self._early_responses.pop(rid, None)
        if early is not None:
            self._warn(record.line, f"response for request id {rid} came before its request")
            trace.orphan_records.remove(early)
            self._pair(index, early)
            return
        self._pending[rid] = index

    def _add_response(self, record: Record, record_index: int) -> None:
        """Warn about a response that answers no pending request."""
        rid = record.request_id
        if not rid:
            why = f"response has no {self._format.request_id_name}"
        elif rid in self._seen:
            why = f"second response for request id {rid}"
        else:
            why = f"response without a request (request id {rid})"
            self._early_responses[rid] = record_index
        self._warn(record.line, why)
        self.trace.orphan_records.append(record_index)

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
        if not self._format.explicit_parents:
            self._calls.on_response(index, exchange.request.dst)

    def _parent_of(self, index: int, request: Record) -> int | None:
        """The parent of exchange `index` as its request names it, for a format that does;
        a call whose parent comes later in the file gets it then."""
        rid, exchanges = request.request_id, self.trace.exchanges
        if rid and rid not in self._exchange_of_id:
            self._exchange_of_id[rid] = index
            for child in self._awaiting_parent.pop(rid, ()):
                exchanges[child] = exchanges[child]._replace(parent=index)
        if not request.parent_id:
            return None
        parent = self._exchange_of_id.get(request.parent_id)
        if parent is None:
            self._awaiting_parent.setdefault(request.parent_id, []).append(index)
        return parent

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


def _format_of(buffer: Buffer, name: str | None) -> Format:
    """The format called `name`, or else the one detected; `TraceError` when there is none."""
    if name is None:
        fmt = detect_format(buffer)
        if fmt is None:
            raise TraceError(_describe_unreadable(buffer))
        return fmt
    fmt = registry.by_name(name)
    if fmt.detect(buffer, len(buffer)) < 0:
        raise TraceError(f"no {fmt.name} records found (expected {fmt.expected})")
    return fmt


def read_trace(path: str, format_name: str | None = None) -> Trace:
    """Read a whole trace file (in format `format_name`, else the one detected). Raises
    `TraceError` for a file that is not a trace."""
    return TraceReader(path, format_name=format_name).read_all()
