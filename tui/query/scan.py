"""Answer a query from the bytes of a trace file without indexing it (`tracetui grep`).

The full index costs a `Record` per record of the file: at 1 GB, seconds and about a gigabyte.
A query with a positive text, `body:` or `header:` term needs much less: every exchange it
matches holds that term's text somewhere in the raw bytes of its request or response. So the
file is read a chunk at a time (`os.pread`, so its pages never count in this process's memory)
and searched with one compiled pattern (a `bytes.find` for a plain word); the record headings
are found with one regex a chunk, for the exchange numbers. Only the records around a hit are
parsed, by the reader's own parser, and each candidate exchange is then checked against the
whole query on its decoded text, exactly as the full index would (`search.matches`).

Pairing a request with its response takes the request id: a second pass looks for the request
id lines of the hit exchanges only. Anything the reader would read differently from this
simple picture raises `Unsupported` before a result is returned, and the caller reads the file
whole instead: a file that is not body.md, a record the hook did not lay out, a request id
that is missing, reused or not plain, a record without exactly one request id line, and,
for a pattern that ignores case or is a regex, any byte that is not ASCII (decoded text can
match where raw bytes do not: the Kelvin sign is a `k`). A query whose every term needs the
pairing or the decoded fields (`status:`, `svc:`, a negated word) has no term to scan for.
"""

from __future__ import annotations

import mmap
import os
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import compress
from operator import attrgetter
from typing import NamedTuple

from tui.model.trace import FORMAT_MARKDOWN, REQUEST, Exchange, Record, Trace
from tui.query.language import TEXT, Query, Term
from tui.query.match import matches
from tui.query.plan import FIND, REGEX, header_needle, plan_for
from tui.readers import TraceReader, markdown
from tui.readers.parsed import Cursor
from tui.readers.tally import PARALLEL_TALLY, Forked

CHUNK_BYTES = 4 << 20
# Parsing a hit and its partner costs about as much as indexing 40 records: past one record
# in 20 holding the text, reading the file whole is faster.
MAX_HIT_SHARE = 0.05
# Hits paired between two `_File.release` calls: about 4 MB of pages on the generated trace.
_RELEASE_EVERY = 32
_SCANNED_FIELDS = (TEXT, "body", "header")
# Every record heading, at a line start, and the direction line after it; group 1 is set on
# a response (a status). Only printable ASCII counts on both lines: a field with a control
# character or a tab is shown escaped (`\x1b`), which a word may match where the raw bytes do
# not, so such a record is not counted here and the count check in `_Scanner.scan` fails.
_HEADING = re.compile(rb"\n### (?:\(\d+\) )?(?:[A-Z]+ +\S|(\d{3})\b)[ -~]*\n[ -~]*\n")
# The request id lines as the hook writes them. The reader also takes other spellings and
# decodes odd ids (`field()`), so two different lines could be one id to it: a chunk holding
# any other spelling, or an id that is not plain, is left to the reader.
_ID_NAME = b"X-Requestshook-Request-Id:"
_ID_LINE = re.compile(re.escape(_ID_NAME) + rb" (\S+)")
_PLAIN_IDS = re.compile(rb"[A-Za-z0-9_.:-]*")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
_MAX_ID = 200
_START = re.Match.start
_LASTINDEX = attrgetter("lastindex")


# What one part of a scan finds, as plain values: the problem that stops it (or ""), record
# starts and response starts (`array("q")` bytes), request id counts and lines, hits.
_Part = tuple[str, bytes, bytes, dict[bytes, int], int, list[tuple[int, int]]]


class Unsupported(Exception):
    """The scan cannot give the full index's answer for this file or query; read it whole."""


class _Hit(NamedTuple):
    """A record holding the scanned text: its number in the file and where it starts."""

    number: int
    start: int


def scan_driver(query: Query) -> Term | None:
    """The term a scan searches the bytes for: the first positive text, `body:` or `header:`
    term whose pattern runs over raw bytes; None when the query has none."""
    for term in query.terms:
        if term.negated or term.field not in _SCANNED_FIELDS:
            continue
        pattern = header_needle(term) if term.field == "header" else term.pattern
        if pattern is not None and plan_for(pattern).kind in (FIND, REGEX):
            return term
    return None


class _File:
    """The trace file, read in chunks, and mapped for the few records that get parsed."""

    def __init__(self, path: str, format_name: str | None) -> None:
        self.reader = TraceReader(path, format_name=format_name)
        trace = self.reader.trace
        if trace.format != FORMAT_MARKDOWN or trace.warnings:
            self.reader.close()
            raise Unsupported("not a plain body.md file")
        self.trace = Trace(path, FORMAT_MARKDOWN, trace.source)
        self.buffer = trace.source.buffer
        self.size = self.reader.size
        self._fd = os.open(path, os.O_RDONLY)

    def release(self) -> None:
        """Drop the mapped pages read so far from this process's memory (they stay in the
        page cache): pairing a hit reads the file up to its response, which at 1 GB adds up
        to hundreds of MB of pages that would otherwise count as the process's."""
        if isinstance(self.buffer, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            self.buffer.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        """Close the file handles (the mapping lives on in the records' source)."""
        os.close(self._fd)
        self.reader.close()

    def chunks(self) -> list[tuple[int, int]]:
        """(start, end) of each chunk: each but the last ends where a line starting with
        `### ` does, so a heading and the line after it are always in one chunk."""
        spans = []
        start = 0
        while start < self.size:
            end = min(start + CHUNK_BYTES, self.size)
            if end < self.size:
                cut = self.buffer.rfind(b"\n### ", start, end)
                if cut < 0:
                    cut = self.buffer.find(b"\n### ", end)
                end = self.size if cut < 0 else cut + 1
            spans.append((start, end))
            start = end
        return spans

    def read(self, start: int, end: int) -> bytes:
        """The bytes `[start, end)` with the newline before them (or one, at the start), so a
        heading at `start` is found like any other."""
        if start == 0:
            return b"\n" + os.pread(self._fd, end, 0)
        return os.pread(self._fd, end - start + 1, start - 1)


class _Scanner:
    """One query over one file: the hits, the headings, then the exchanges."""

    def __init__(self, file: _File, query: Query, driver: Term, max_hit_share: float) -> None:
        self.file = file
        self.driver = driver
        self.max_hit_share = max_hit_share
        self.query = query
        pattern = header_needle(driver) if driver.field == "header" else driver.pattern
        assert pattern is not None
        self.plan = plan_for(pattern)
        self.needs_ascii = self.plan.lowered or self.plan.kind != FIND
        # Where every record starts, and every response (in file order); how often each
        # request id occurs, in how many lines.
        self.starts = array("q")
        self.responses = array("q")
        self.ids: Counter[bytes] = Counter()
        self.id_lines = 0
        self.hits: list[_Hit] = []

    def scan(self) -> None:
        """Find the hits, every record heading and every request id line.

        From `PARALLEL_TALLY` bytes on, a forked copy of the process scans the second half
        of the file meanwhile (as `tracetui stats` does; see `tally.Forked`).
        """
        chunks = self.file.chunks()
        split = len(chunks) // 2 if self.file.size >= PARALLEL_TALLY else len(chunks)
        later: Forked[_Part] = Forked(lambda: self._part(chunks[split:]), fork=split < len(chunks))
        try:
            first = self._part(chunks[:split])
        except Unsupported:
            later.cancel()
            raise
        self._merge(first)
        self._merge(later.result())
        if self.id_lines != len(self.starts):
            raise Unsupported("records without exactly one request id line")
        if len(self.hits) > len(self.starts) * self.max_hit_share:
            raise Unsupported("the text is in so many records that the index is cheaper")

    def _merge(self, part: _Part) -> None:
        problem, starts, responses, ids, id_lines, hits = part
        if problem:
            raise Unsupported(problem)
        before = len(self.starts)
        self.starts.frombytes(starts)
        self.responses.frombytes(responses)
        self.ids.update(ids)
        self.id_lines += id_lines
        self.hits.extend(_Hit(number + before, start) for number, start in hits)

    def _part(self, chunks: list[tuple[int, int]]) -> _Part:
        """Scan `chunks` into plain values (a forked process sends them back marshalled);
        record numbers count from the first chunk."""
        scanner = _Scanner(self.file, self.query, self.driver, self.max_hit_share)
        try:
            scanner._scan(chunks)
        except Unsupported as problem:
            return (str(problem), b"", b"", {}, 0, [])
        return (
            "",
            scanner.starts.tobytes(),
            scanner.responses.tobytes(),
            dict(scanner.ids),
            scanner.id_lines,
            [(hit.number, hit.start) for hit in scanner.hits],
        )

    def _scan(self, chunks: list[tuple[int, int]]) -> None:
        starts, responses, ids = self.starts, self.responses, self.ids
        for start, end in chunks:
            data = self.file.read(start, end)
            if self.needs_ascii and not data.isascii():
                raise Unsupported("bytes that are not ASCII, for a pattern ignoring case")
            # Per match only C code runs: a Python loop over 400k headings costs a fifth of
            # the scan.
            headings = list(_HEADING.finditer(data))
            offsets = list(map((start - 1).__add__, map(_START, headings)))
            starts.extend(offsets)
            responses.extend(compress(offsets, map(_LASTINDEX, headings)))
            values = _ID_LINE.findall(data)
            if len(values) != data.count(_ID_NAME):
                raise Unsupported("a request id line not written as the hook writes it")
            if values and (
                max(map(len, values)) > _MAX_ID or not _PLAIN_IDS.fullmatch(b"".join(values))
            ):
                raise Unsupported("a request id that is not plain")
            self.id_lines += len(values)
            ids.update(values)
            hay = data.lower() if self.plan.lowered else data
            self._hits(hay, start - 1)

    def _hits(self, hay: bytes, base: int) -> None:
        """Note each record of this chunk holding the text (its headings are in `starts`)."""
        starts = self.starts
        needle, regex = self.plan.needle, self.plan.regex
        pos = 0
        while True:
            if regex is None:
                found = hay.find(needle, pos)
            else:
                match = regex.search(hay, pos)
                found = -1 if match is None else match.start()
            if found < 0:
                return
            number = bisect_right(starts, base + found) - 1
            if number >= 0 and (not self.hits or self.hits[-1].number != number):
                self.hits.append(_Hit(number, starts[number]))
            # One hit makes a record a candidate: go on from the next one.
            if number + 1 >= len(starts):
                return
            pos = max(found + 1, starts[number + 1] - base)

    def record(self, number: int) -> Record:
        """Parse record `number` with the reader's parser; Unsupported if it would warn."""
        start = self.starts[number]
        end = self.starts[number + 1] if number + 1 < len(self.starts) else self.file.size
        chunk = bytes(self.file.buffer[start:end])
        problems: list[str] = []
        cursor = Cursor(1)
        records = list(
            markdown.records(
                chunk,
                len(chunk),
                self.file.size - start,
                start,
                cursor,
                lambda _line, message: problems.append(message),
            )
        )
        if problems or len(records) != 1 or cursor.resume > len(chunk):
            raise Unsupported("a record the reader would warn about")
        # Lines are not counted here: nothing that prints a match shows them.
        record = records[0]._replace(line=0, end_line=0)
        if not _PLAIN_ID.fullmatch(record.request_id):
            raise Unsupported("a request id that is missing or not plain")
        return record

    def exchanges(self) -> list[Exchange]:
        """The candidate exchanges, paired, numbered and checked against the whole query."""
        found: dict[int, Exchange] = {}
        trace = self.file.trace
        for number, hit in enumerate(self.hits):
            if number % _RELEASE_EVERY == _RELEASE_EVERY - 1:
                self.file.release()
            exchange = self._exchange(hit.number)
            if (
                exchange is not None
                and exchange.index not in found
                and matches(trace, self.query, exchange)
            ):
                found[exchange.index] = exchange
        return [found[index] for index in sorted(found)]

    def _exchange(self, number: int) -> Exchange | None:
        """The exchange record `number` is part of, paired as the reader pairs it; None for
        a response to no request."""
        record = self.record(number)
        rid = record.request_id.encode()
        uses = self.ids[rid]
        line = _ID_NAME + b" " + rid
        if uses > 2 or self._id_line(line, record.span.start, record.span.end) < 0:
            raise Unsupported("a request id used more than twice, or not in its record")
        if uses == 1:
            if record.kind != REQUEST:
                return None  # a response to no request: in no exchange
            return self._paired(number, record, None, None)
        if record.kind == REQUEST:
            at = self._id_line(line, record.span.end, self.file.size)
        else:
            at = self._id_line(line, 0, record.span.start, backwards=True)
        other = bisect_right(self.starts, at) - 1
        partner = self.record(other)
        if (
            other == number
            or partner.request_id != record.request_id
            or partner.kind == (record.kind)
        ):
            raise Unsupported("a request id shared the way the reader pairs otherwise")
        request, response = (record, partner) if record.kind == REQUEST else (partner, record)
        if (response.src, response.dst) != (request.src, request.dst):
            raise Unsupported("a response between other services than its request")
        if response.span.start < request.span.start:
            raise Unsupported("a response before its request")
        numbers = (number, other) if record.kind == REQUEST else (other, number)
        return self._paired(numbers[0], request, response, numbers[1])

    def _paired(
        self, number: int, request: Record, response: Record | None, response_number: int | None
    ) -> Exchange:
        # Every record is a request or a response: the requests before it number it.
        index = number - bisect_left(self.responses, request.span.start)
        return Exchange(index, request, response, None, number, response_number)

    def _id_line(self, line: bytes, start: int, end: int, backwards: bool = False) -> int:
        """Where the request id line `line` (name and value) is in `[start, end)`, the value
        ending there; the last one with `backwards`; -1 when there is none."""
        buffer = self.file.buffer
        while True:
            at = buffer.rfind(line, start, end) if backwards else buffer.find(line, start, end)
            if at < 0:
                return -1
            after = buffer[at + len(line) : at + len(line) + 1]
            if not after or after.isspace():
                return at
            if backwards:
                end = at + len(line) - 1
            else:
                start = at + 1


def scan_matches(
    path: str,
    query: Query,
    format_name: str | None = None,
    max_hit_share: float = MAX_HIT_SHARE,
) -> list[Exchange]:
    """The exchanges of the trace at `path` matching `query`, in order, with their records'
    spans in the file, as `search.all_matches` on the full index would find them.

    Raises `Unsupported` when the query has no term to scan for or the file is not simple
    enough to answer exactly without the full index; `TraceError` for a file that is not a
    trace at all. `format_name` forces a format, as `TraceReader` takes it; past
    `max_hit_share` of the records holding the scanned text, the scan gives up too.
    """
    driver = scan_driver(query)
    if driver is None:
        raise Unsupported("no positive text, body: or header: term to scan for")
    file = _File(path, format_name)
    try:
        scanner = _Scanner(file, query, driver, max_hit_share)
        scanner.scan()
        return scanner.exchanges()
    finally:
        file.close()
