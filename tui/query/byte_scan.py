"""The scan of raw bytes: per-record hits of a query's text, body and header terms, a chunk
of records at a time (see `tui.query.search` for when raw bytes read like decoded text).

Plain Python, no Textual.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from tui.model.trace import Exchange, Trace
from tui.query.index import FieldsText, fields_text_of, index_for
from tui.query.language import TEXT, Term, TextPattern
from tui.query.match import (
    RECORD_FIELDS,
    ExchangeCheck,
    RecordHit,
    exchange_fields_hit,
    query_check,
    record_hit,
)
from tui.query.plan import DECODED, NEVER, Plan, header_line, header_needle, plan_for
from tui.readers import registry
from tui.readers.errors import TraceError
from tui.text.bodies import is_empty_body_span

# How many bytes of the file a scan reads at once.
BATCH_BYTES = 1 << 19
# Which spans of a record a scan looks in.
ALL_SPANS, HEADER_SPANS, BODY_SPANS = 0, 1, 2

_CONTROL_SPACES = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def mark_fields(
    pattern: TextPattern,
    exchanges: list[Exchange],
    first: int,
    stop: int,
    text: FieldsText | None,
    marks: bytearray,
) -> None:
    """Mark the exchanges `first` to `stop - 1` that have `pattern` in their short fields,
    with one search over their fields joined (`text`, when it covers them, else built)."""
    if not plan_for(pattern).line_local:
        for exchange in exchanges[first:stop]:
            marks[exchange.index] = exchange_fields_hit(pattern, exchange)
        return
    if text is None:
        text = fields_text_of(exchanges, first, stop)
    starts = text.starts
    pos = starts[first - text.first]
    end = starts[stop - text.first] if stop - text.first < len(starts) else len(text.text)
    search = pattern.regex.search
    while True:
        match = search(text.text, pos, end)
        if match is None:
            break
        line = bisect_right(starts, match.start()) - 1
        marks[text.first + line] = 1
        if line + 1 >= len(starts):
            break
        pos = starts[line + 1]


def _raw_text(trace: Trace) -> bool:
    """Whether the trace's header and body spans hold their text as shown (see `Format`)."""
    try:
        return registry.by_name(trace.format).raw_text
    except TraceError:
        return True


class Scan:
    """Per-record hits of the text, body and header terms of a query, filled in a chunk of
    records at a time."""

    def __init__(
        self, trace: Trace, terms: tuple[Term, ...], exchanges: list[Exchange], records: int
    ) -> None:
        self.trace = trace
        self.terms = terms
        self.records = trace.records
        self.buffer = trace.source.buffer
        self.index = index_for(trace)
        self.count = records
        self.special = bytearray(records)
        self.raw_text = _raw_text(trace)
        self.marks: list[bytearray | None] = []
        self.plans: list[Plan | None] = []
        self.header_lines: list[re.Pattern[bytes] | None] = []
        for term in terms:
            marks = bytearray(records) if term.field in RECORD_FIELDS else None
            pattern = header_needle(term) if term.field == "header" else term.pattern
            self.marks.append(marks)
            self.plans.append(
                plan_for(pattern) if marks is not None and pattern is not None else None
            )
            self.header_lines.append(header_line(term) if term.field == "header" else None)
        self.needs_bytes = any(marks is not None for marks in self.marks)
        self.exchanges = exchanges
        self.field_marks: list[bytearray | None] = [
            bytearray(len(exchanges)) if term.field == TEXT else None for term in terms
        ]
        self.fields_text = (
            self.index.fields_text(trace, exchanges)
            if any(marks is not None for marks in self.field_marks)
            else None
        )
        self.matches = query_check(terms, self.hit_of, self.fields_of)

    def hit_of(self, number: int) -> RecordHit:
        """The record test of term `number`: what the scan found (once its chunk is done)."""
        marks = self.marks[number]
        if marks is None:
            return lambda _index, _record: False
        return lambda index, _record: bool(marks[index])

    def fields_of(self, number: int) -> ExchangeCheck | None:
        """The short-field test of term `number`: what `mark_fields` found."""
        marks = self.field_marks[number]
        if marks is None:
            return None
        return lambda exchange: bool(marks[exchange.index])

    def mark_fields(self, first: int, stop: int) -> None:
        """Find the text terms in the short fields of exchanges `first` to `stop - 1`."""
        for term, marks in zip(self.terms, self.field_marks):
            if marks is not None and term.pattern is not None and stop > first:
                mark_fields(term.pattern, self.exchanges, first, stop, self.fields_text, marks)

    def chunk_end(self, first: int, max_bytes: int) -> int:
        """The record after the last one of the chunk starting at record `first`."""
        records = self.records
        limit = records[first].span.start + max_bytes
        stop = first + 1
        while stop < self.count and records[stop].span.start < limit:
            stop += 1
        return stop

    def scan(self, first: int, stop: int) -> None:
        """Find the text, body and header terms in records `first` to `stop - 1`."""
        index = self.index
        # Indexed as the scan goes, so the first matches come before all the file is indexed.
        index.update(self.records, stop)
        base = index.record_start[first]
        chunk = bytes(self.buffer[base : index.record_end[stop - 1]])
        special = self._special_records(chunk, base, first, stop)
        lowered: bytes | None = None
        for number, term in enumerate(self.terms):
            marks = self.marks[number]
            if marks is None:
                continue
            plan = self.plans[number]
            if plan is not None and plan.kind == DECODED:
                for record_index in range(first, stop):
                    marks[record_index] = record_hit(self.trace, term, self.records[record_index])
                continue
            scope = {TEXT: ALL_SPANS, "body": BODY_SPANS}.get(term.field, HEADER_SPANS)
            found: list[int] = []
            if plan is None:
                found = self._records_with_spans(first, stop, scope)
            elif plan.kind != NEVER:
                if plan.lowered and lowered is None:
                    lowered = chunk.lower()
                hay = lowered if plan.lowered and lowered is not None else chunk
                found = self._find(hay, chunk, base, plan, scope, marks)
            if term.field in ("header", "reqid"):
                # The name (the id) only narrowed down the candidates: check their header lines.
                for record_index in found:
                    marks[record_index] = self._header_hit(number, chunk, base, record_index)
            for record_index in special:
                marks[record_index] = record_hit(self.trace, term, self.records[record_index])

    def _header_hit(self, number: int, chunk: bytes, base: int, record_index: int) -> bool:
        record = self.records[record_index]
        line = self.header_lines[number]
        if line is None or record.headers is None:
            return record_hit(self.trace, self.terms[number], record)
        headers = record.headers
        return line.search(chunk, headers.start - base, headers.end - base) is not None

    def _special_records(self, chunk: bytes, base: int, first: int, stop: int) -> list[int]:
        """Records whose raw bytes do not read like their decoded text: any byte that is not
        ASCII, or a \\x1c-\\x1f separator (Python strips those as spaces); every record of a
        format whose spans only its decoder can read (escaped JSON, a curl line)."""
        if not self.raw_text:
            self.special[first:stop] = b"\x01" * (stop - first)
            return list(range(first, stop))
        if chunk.isascii() and not any(control in chunk for control in _CONTROL_SPACES):
            return []
        index = self.index
        special = []
        for record_index in range(first, stop):
            start = index.record_start[record_index] - base
            raw = chunk[start : index.record_end[record_index] - base]
            if not raw.isascii() or any(control in raw for control in _CONTROL_SPACES):
                special.append(record_index)
                self.special[record_index] = 1
        return special

    def _records_with_spans(self, first: int, stop: int, scope: int) -> list[int]:
        index = self.index
        low = bisect_left(index.span_record, first)
        high = bisect_left(index.span_record, stop)
        wanted = scope == BODY_SPANS
        found = {
            index.span_record[span]
            for span in range(low, high)
            if scope == ALL_SPANS or bool(index.span_is_body[span]) == wanted
        }
        return sorted(record for record in found if not self.special[record])

    def _find(
        self, hay: bytes, chunk: bytes, base: int, plan: Plan, scope: int, marks: bytearray
    ) -> list[int]:
        """Mark the plain records of the chunk where `plan` finds its pattern in a span of
        `scope`; return them. `hay` is the chunk, or the chunk lower-cased."""
        index = self.index
        starts, ends, owners = index.span_start, index.span_end, index.span_record
        indents, is_body = index.span_indent, index.span_is_body
        spans = len(starts)
        special = self.special
        want_body = scope == BODY_SPANS
        needle, size = plan.needle, len(plan.needle)
        search = plan.regex.search if plan.regex is not None else None
        found = []
        pos, limit = 0, len(hay)
        while pos < limit:
            if search is None:
                start = hay.find(needle, pos, limit)
                if start < 0:
                    break
                end = start + size
            else:
                match = search(hay, pos, limit)
                if match is None:
                    break
                start, end = match.span()
            span = bisect_right(starts, base + start) - 1
            if span < 0 or base + start >= ends[span]:
                # Markup between spans: the next possible hit is in the next span.
                if span + 1 >= spans:
                    break
                pos = starts[span + 1] - base
                continue
            record = owners[span]
            span_start, span_end = starts[span] - base, ends[span] - base
            if (
                special[record]
                or marks[record]
                or (scope != ALL_SPANS and bool(is_body[span]) != want_body)
                or (is_body[span] and is_empty_body_span(chunk, span_start, span_end))
            ):
                pos = span_end
                continue
            if end > span_end:
                # Only what lies inside the span counts: look again within it.
                if search is None:
                    start = hay.find(needle, start, span_end)
                    if start < 0:
                        pos = span_end
                        continue
                else:
                    match = search(hay, start, span_end)
                    if match is None:
                        pos = span_end
                        continue
                    start = match.start()
            indent = indents[span]
            if indent:
                # Decoding drops up to `indent` spaces at the start of each line: a hit that
                # starts among them is not in the decoded text.
                line = hay.rfind(b"\n", span_start, start) + 1 or span_start
                if start < line + indent:
                    text = line
                    while text < line + indent and hay[text] == 32:
                        text += 1
                    if start < text:
                        pos = start + 1
                        continue
            marks[record] = 1
            found.append(record)
            pos = span_end
            if span + 1 < spans and owners[span + 1] == record:
                pos = ends[span + 1] - base
        return found
