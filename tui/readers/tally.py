"""Count what `tracetui stats` prints without indexing the trace.

`tracetui stats` on a big trace needs counts, services, pairs, statuses and call-tree roots,
not a `Record` per record. A file the reader would read without a single warning is counted
here in two steps: `record_events` reads each record's heading, direction line and request
id into a small tuple, and `pair` pairs them in file order, keeping only what is still open
(pending requests, each service's open calls). Either stops at the first thing the reader
would warn about, and the caller reads the file in full instead, so the figures are always
the reader's.

Reading the records is most of the work and does not depend on what came before, so a big
file's second part is read by a forked copy of the process while this one reads the first
(`Forked`): the machine this is measured on has two cores, and so does CI's.
"""

from __future__ import annotations

import marshal
import os
import signal
import threading
from collections import Counter
from typing import Callable, Generic, Optional, TypeVar

from tui.model.trace import ParseWarning
from tui.readers.calltree import OpenCalls
from tui.readers.markdown import check_tail, layouts
from tui.readers.opening import TraceFile
from tui.readers.parsed import MAX_FIELD, REQUEST_ID, field, shown
from tui.readers.problems import MAX_WARNINGS

# A file is read in pieces this big: a piece stays in the CPU cache across the passes over it.
TALLY_BATCH = 1 << 20
# From this size on, part of the file is read in a forked process.
PARALLEL_TALLY = 16 << 20
# Statuses are three digits, so their bytes compare as the numbers do.
_FAILED = b"400"

# One record as `pair` needs it: method and path (a request) or None and status (a response),
# caller, callee, request id (bytes when it decodes to itself), offset in the file.
Event = tuple[Optional[bytes], Optional[bytes], Optional[bytes], str, str, "bytes | str", int]
T = TypeVar("T")


class Tally:
    """The figures of a trace paired so far, as `pair` counts them."""

    def __init__(self) -> None:
        self.exchanges = 0
        self.failed = 0
        self.services: list[str] = []
        self.calls = OpenCalls()
        # Request id -> (exchange index, caller, callee, offset, method, path) of a request
        # that has no response yet; the ids of every request so far.
        self.pending: dict[bytes | str, tuple[int, str, str, int, bytes, bytes]] = {}
        self.seen: set[bytes | str] = set()
        # Each request's (caller, callee); each response's status.
        self.requests: list[tuple[str, str]] = []
        self.statuses: list[bytes] = []
        # (exchange index, caller, callee, method, path) of each call-tree root.
        self.roots: list[tuple[int, str, str, bytes, bytes]] = []

    @property
    def records(self) -> int:
        """Records counted: every one is a request or the response to one."""
        return self.exchanges + len(self.statuses)

    def pairs(self) -> Counter[tuple[str, str]]:
        """Calls per (caller, callee), in the order first seen."""
        return Counter(self.requests)

    def status_counts(self) -> Counter[str]:
        """Responses per status, keyed as `str(status)`."""
        return Counter({str(int(status)): n for status, n in Counter(self.statuses).items()})

    def root_calls(self) -> list[tuple[int, str, str, str, str]]:
        """(exchange index, caller, callee, method, path) of each call-tree root."""
        # Methods and paths repeat: each is decoded once.
        text: dict[bytes, str] = {}
        return [
            (
                i,
                src,
                dst,
                text.get(m) or text.setdefault(m, shown(m)),
                text.get(p) or text.setdefault(p, shown(p)),
            )
            for i, src, dst, m, p in self.roots
        ]


def record_events(
    chunk: bytes, limit: int, file_end: int, base: int, names: dict[bytes, str]
) -> list[Event] | None:
    """The `Event` of each record of `chunk[:limit]` (a body.md chunk at `base` in the file,
    which ends at chunk offset `file_end`); None if one would make the reader warn. `names`
    keeps raw names already shown."""
    events: list[Event] = []
    append, search = events.append, REQUEST_ID.search
    for start, end, fields, header_start, header_end, _, body_end in layouts(chunk, limit):
        if fields is None or (end == file_end and check_tail(chunk, body_end + 7, end)):
            return None
        method, path, status, _, src, dst = fields
        match = search(chunk, header_start - 1, header_end)
        if match is None:
            return None
        raw: bytes = match.group(1)
        # Ids pair as the reader decodes them; a plain one decodes to itself.
        rid: bytes | str = raw if len(raw) <= MAX_FIELD and raw.isalnum() else field(raw)
        caller = names.get(src) or names.setdefault(src, shown(src) or "unknown")
        callee = names.get(dst) or names.setdefault(dst, shown(dst) or "unknown")
        append((method, path, status, caller, callee, rid, base + start))
    return events


def pair(tally: Tally, events: list[Event]) -> bool:
    """Pair `events`, the records that follow those already in `tally`, into it; False as
    soon as one would make the reader warn (a request with no response aside)."""
    pending, seen, services = tally.pending, tally.seen, tally.services
    on_request, on_response = tally.calls.on_request, tally.calls.on_response
    requests, statuses, roots = tally.requests, tally.statuses, tally.roots
    exchanges, failed = tally.exchanges, tally.failed
    # A request's event carries method and path, a response's its status (unchecked: this
    # runs once per record).
    for method, path, status, caller, callee, rid, offset in events:
        if caller not in services:
            services.append(caller)
        if callee not in services:
            services.append(callee)
        if method is not None:
            known = len(seen)
            seen.add(rid)
            if len(seen) == known:
                return False
            parent = on_request(exchanges, caller, callee)
            pending[rid] = (exchanges, caller, callee, offset, method, path)  # type: ignore[assignment]
            requests.append((caller, callee))
            if parent is None:
                roots.append((exchanges, caller, callee, method, path))  # type: ignore[arg-type]
            exchanges += 1
        else:
            request = pending.pop(rid, None)
            if request is None or request[1] != caller or request[2] != callee:
                return False
            on_response(request[0], callee)
            statuses.append(status)  # type: ignore[arg-type]
            if status >= _FAILED:  # type: ignore[operator]
                failed += 1
    tally.exchanges, tally.failed = exchanges, failed
    return True


class Forked(Generic[T]):
    """`work()` run by a forked copy of this process, whose result `result()` waits for.

    Where there is no fork, or other threads run (a fork copies only the calling thread,
    and whatever locks the others held), or the child fails, `result()` runs it here, as it
    does when not asked to fork. The result travels through a pipe with `marshal`, so it
    must be made of plain values.
    """

    def __init__(self, work: Callable[[], T], fork: bool = True) -> None:
        """Start `work` in a child process where that is safe, unless not to `fork`."""
        self._work = work
        self._pid = 0
        if not fork or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        self._read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:
            status = 1
            try:
                os.close(self._read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    # `work()` returns plain values (see above), which `marshal` takes.
                    marshal.dump(work(), pipe)  # type: ignore[arg-type]
                status = 0
            finally:
                # Leave at once: no exit handlers, no flushing of the parent's buffers.
                os._exit(status)
        os.close(write_end)

    def result(self) -> T:
        """What `work()` returned."""
        if not self._pid:
            return self._work()
        with os.fdopen(self._read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return marshal.loads(data) if status == 0 and data else self._work()

    def cancel(self) -> None:
        """Stop the child: its result is not needed."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read_end)
            self._pid = 0


def tally_file(file: TraceFile, cut: Callable[[int, int], int]) -> Tally | None:
    """The figures of the body.md in `file`, whose records `cut(start, end)` finds; None as
    soon as something would make the reader warn (a request with no response aside).

    A big file's last three fifths are read by a forked process meanwhile (see `Forked`);
    the first two are read and paired here, then the rest paired.
    """
    split = cut(file.start, file.size * 2 // 5)
    rest: Forked[list[Event] | None] = Forked(
        lambda: _events(file, cut, split, file.size), fork=file.size >= PARALLEL_TALLY
    )
    tally = Tally()
    first = _events(file, cut, file.start, split)
    if first is None or not pair(tally, first):
        rest.cancel()
        return None
    later = rest.result()
    if later is None or not pair(tally, later) or len(tally.pending) > MAX_WARNINGS:
        return None
    return tally


def _events(
    file: TraceFile, cut: Callable[[int, int], int], start: int, stop: int
) -> list[Event] | None:
    """The events of the records in `[start, stop)`, which start and stop at a record
    heading or the end of the file; None if one would make the reader warn."""
    names: dict[bytes, str] = {}
    events: list[Event] = []
    pos = start
    while pos < stop:
        end = min(cut(pos, pos + TALLY_BATCH), stop)
        chunk = file.read(pos, end)
        if not chunk.isascii():
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError:
                return None
        part = record_events(chunk, len(chunk), file.size - pos, pos, names)
        if part is None:
            return None
        events += part
        pos = end
    return events


def unanswered(file: TraceFile, tally: Tally) -> list[ParseWarning]:
    """The warnings the reader gives for the requests `tally` saw no response to."""
    pending = sorted(tally.pending.values(), key=lambda request: request[3])
    lines, line, counted = [], 1, 0
    for _, _, _, offset, _, _ in pending:
        line += file.newlines(counted, offset)
        counted = offset
        lines.append(line)
    warnings = [
        ParseWarning(line, f"request {shown(method)} {shown(path)} got no response")
        for line, (_, _, _, _, method, path) in zip(lines, pending)
    ]
    return sorted(warnings, key=lambda warning: (warning.line, warning.message))
