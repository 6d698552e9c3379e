"""Index a trace file in batches: the loop that ties the parts of reading together.

The file is opened and mapped by `opening.TraceFile`, cut into batches that end on a record
start by its format (`format.Format`, picked by `registry`), each batch one bytes copy that
the format turns into records, which `pairing.Pairing` pairs into exchanges and a call tree;
`problems.Problems` keeps the warnings. A UI calls `read_batch()` from a worker and shows what
is indexed so far; `tally()` counts what `tracetui stats` needs without building the index.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tui.model.trace import Buffer, ParseWarning, Trace
from tui.readers import markdown
from tui.readers.errors import TraceError
from tui.readers.opening import GROWN, TraceFile, format_of
from tui.readers.pairing import Pairing
from tui.readers.parsed import Cursor
from tui.readers.problems import Problems
from tui.readers.source import TraceSource
from tui.readers.tally import Tally, tally_file, unanswered
from tui.text.sanitize import visible_line

DEFAULT_BATCH = 8 << 20
# A followed file's last record may be half written. It is held back until it looks complete,
# or until the file has not changed for this long (then it is read as it is, with warnings).
TAIL_SETTLE_SECONDS = 2.0


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
        self.format_name = format_name
        self.holding_tail = False
        file: TraceFile | None = None
        try:
            file = TraceFile(path)
            fmt = format_of(file.buffer, format_name)
            if follow and not fmt.can_follow:
                raise TraceError(f"a {fmt.name} file is one document that cannot grow: no --follow")
        except TraceError as error:
            if file is not None:
                file.close()
            raise TraceError(f"{visible_line(path)}: {error}") from None
        self._file = file
        self._format = fmt
        self._source = TraceSource(file.buffer, fmt)
        self.trace = Trace(path=path, format=fmt.name, source=self._source)
        self._problems = Problems(self.trace)
        self._pairing = Pairing(self.trace, fmt, self._problems.warn)
        self._pos = file.start
        self._line = 1
        self._changed_at = time.monotonic()
        if file.lone_cr:
            warning = "lines end in a bare CR (no LF anywhere); read CR as a line break"
            self._problems.warn(1, warning)

    @property
    def size(self) -> int:
        """The size of the file as last seen, in bytes."""
        return self._file.size

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

    def poll(self) -> str:
        """Look at a followed file again: GROWN (the new bytes are mapped, read them with
        `read_batch`), SAME, or REPLACED (truncated or rotated: open it anew)."""
        seen = self._file.poll()
        if seen == GROWN:
            self._source.replace_buffer(self._file.buffer)
            self.trace.complete = False
            self._changed_at = time.monotonic()
        return seen

    def read_batch(self, max_bytes: int = DEFAULT_BATCH) -> bool:
        """Index the next chunk of about `max_bytes`; return True when the file is done (when
        following: when everything written so far is indexed)."""
        if self.trace.complete:
            return True
        base, line = self._pos, self._line
        cut = self._hold_tail(self._cut(base, base + max_bytes))
        if cut <= base:
            return True
        if self._format.whole_document:
            # One pass over the mapping: no copy of a document that may be hundreds of MB.
            # It starts at the file's start, byte order mark and all: the format reads it.
            base = 0
            consumed = self._scan(self._file.buffer, base, self.size)
            self._problems.check_utf8_file(self._file)
        else:
            # Records start before `cut`; the chunk reaches on so the last of them can be
            # checked against what follows (a log body's Content-Length, see readers/log.py).
            lookahead = self._format.lookahead
            reach = self._cut(base, cut + lookahead) if lookahead else cut
            chunk = self._file.read(base, reach)
            consumed = self._scan(chunk, base, cut - base)
            self._problems.check_utf8(
                chunk if consumed == len(chunk) else chunk[:consumed], base, line
            )
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

    def tally(self) -> Tally | None:
        """Count the figures `tracetui stats` prints without building the index.

        None when the file holds anything the reader would warn about but a request with no
        response, or is not body.md: then `read_all()` gives the figures. The reader is left
        as it was.
        """
        if self._format is not markdown.FORMAT or self.trace.warnings:
            return None
        return tally_file(self._file, self._cut)

    def unanswered(self, tally: Tally) -> list[ParseWarning]:
        """The warnings the reader gives for the requests `tally` saw no response to."""
        return unanswered(self._file, tally)

    def _cut(self, start: int, end: int) -> int:
        """Where to end a chunk that starts at `start`, near `end`: a record start."""
        if end >= self.size or self._format.whole_document:
            return self.size
        return self._format.cut(self._file.buffer, start, end)

    def _hold_tail(self, cut: int) -> int:
        """In a followed file, end the batch before a last record that is still being written."""
        self.holding_tail = False
        if not self.follow or cut < self.size:
            return cut
        if time.monotonic() - self._changed_at >= TAIL_SETTLE_SECONDS:
            return cut
        # A line still being written (a heading cut at `(keysto`) is read once it ends.
        buffer = self._file.buffer
        end = buffer.rfind(b"\n", self._pos, self.size) + 1
        self.holding_tail = end < self.size
        tail = self._format.incomplete_tail(buffer, self._pos, end)
        if tail >= 0:
            self.holding_tail = True
            return tail
        return max(end, self._pos)

    def _scan(self, chunk: Buffer, base: int, limit: int) -> int:
        """Index the records of `chunk` that start before `limit`; return where the next
        batch starts (past `limit` when a body was found to run on). Advances `_line` there."""
        cursor = Cursor(self._line)
        records = self._format.records(
            chunk, limit, self.size - base, base, cursor, self._problems.warn
        )
        with _gc_paused():
            self._pairing.add(records)
        consumed = max(limit, cursor.resume)
        if isinstance(chunk, bytes):
            self._line = cursor.line + chunk.count(b"\n", cursor.counted, consumed)
        else:
            self._line = cursor.line + self._file.newlines(base + cursor.counted, base + consumed)
        return consumed

    def _finish(self) -> None:
        self._pairing.finish()
        self._problems.finish()
        self.trace.complete = True
        self.close()


def read_trace(path: str, format_name: str | None = None) -> Trace:
    """Read a whole trace file (in format `format_name`, else the one detected). Raises
    `TraceError` for a file that is not a trace."""
    return TraceReader(path, format_name=format_name).read_all()
