"""Run a `Query` over a trace: scan the mapped bytes with compiled patterns, not Python objects.

Text is searched in each record's header block and body as the detail pane shows them
(dedented, CRLF as LF, a `none` body empty), plus the short fields of the exchange: method,
path, status, reason and services. Decoding every record would be far too slow on a big trace,
so a text pattern runs over raw bytes a chunk at a time (`bytes.find` for a literal, on a
lower-cased copy when case is ignored; a bytes regex otherwise) and each hit maps to its record
by bisecting the sorted span offsets in a `SearchIndex`. A hit counts only when it starts
inside a header block or body and not in the indentation that decoding removes.

Raw bytes read the same as decoded text only for plain ASCII records and for patterns that
cannot reach across a line (no newline, anchor or lookaround). Records with other bytes (UTF-8,
or the \\x1c-\\x1f separators that Python counts as spaces) and patterns that span lines are
matched on decoded text instead, record by record: exact, and only as slow as they are rare.

`iter_matches()` yields matching exchange indices in order, in batches, and takes a cancel
check and a progress callback, so a UI can run it in a thread worker and stream the results.
"""

from __future__ import annotations

import heapq
import re
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Callable, NamedTuple

from tui.model.trace import Exchange, Record, Trace
from tui.query.language import TEXT, Query, Term, TextPattern, literal_query, text_pattern
from tui.readers.source import decode_span
from tui.text.bodies import is_empty_body_span

try:
    from re import _parser as _sre  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

BATCH_BYTES = 1 << 19
EXCHANGE_BATCH = 4096

# How a text pattern runs over raw bytes: see `_plan`.
FIND, REGEX, NEVER, DECODED = "find", "regex", "never", "decoded"
# Which spans of a record a scan looks in.
ALL_SPANS, HEADER_SPANS, BODY_SPANS = 0, 1, 2

_RECORD_FIELDS = frozenset((TEXT, "body", "header"))
_CONTROL_SPACES = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")
_NEWLINE_CODES = (10, 13)
_REPEATS = tuple(
    getattr(_sre, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_sre, name)
)
_ATOMIC_GROUP = getattr(_sre, "ATOMIC_GROUP", None)
_LINE_CATEGORIES = (_sre.CATEGORY_DIGIT, _sre.CATEGORY_WORD, _sre.CATEGORY_NOT_SPACE)
_BOUNDARIES = (_sre.AT_BOUNDARY, _sre.AT_NON_BOUNDARY)

Cancelled = Callable[[], bool]
Progress = Callable[[float], None]


def _class_stays_on_line(items: list[tuple[object, object]]) -> bool:
    for op, arg in items:
        if op == _sre.LITERAL:
            if arg in _NEWLINE_CODES:
                return False
        elif op == _sre.RANGE:
            low, high = arg  # type: ignore[misc]
            if low <= 13 and high >= 10:
                return False
        elif op == _sre.CATEGORY:
            if arg not in _LINE_CATEGORIES:
                return False
        else:  # NEGATE: a negated class matches a newline
            return False
    return True


def _stays_on_line(items: object, dotall: bool) -> bool:
    """True when nothing in a parsed regex can match or look across a line break."""
    for op, arg in items:  # type: ignore[attr-defined]
        if op == _sre.LITERAL:
            if arg in _NEWLINE_CODES:
                return False
        elif op == _sre.ANY:
            if dotall:
                return False
        elif op == _sre.IN:
            if not _class_stays_on_line(arg):
                return False
        elif op in _REPEATS:
            if not _stays_on_line(arg[2], dotall):
                return False
        elif op == _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            inner = (dotall or bool(add_flags & re.DOTALL)) and not del_flags & re.DOTALL
            if not _stays_on_line(sub, inner):
                return False
        elif op == _sre.BRANCH:
            if not all(_stays_on_line(branch, dotall) for branch in arg[1]):
                return False
        elif op == _sre.AT:
            if arg not in _BOUNDARIES:
                return False
        elif op == _sre.GROUPREF_EXISTS:
            _group, yes, no = arg
            if not all(_stays_on_line(branch, dotall) for branch in (yes, no) if branch):
                return False
        elif _ATOMIC_GROUP is not None and op == _ATOMIC_GROUP:
            if not _stays_on_line(arg, dotall):
                return False
        elif op != _sre.GROUPREF:
            return False  # lookarounds, and anything this check does not know
    return True


def _lowercase_only(items: object) -> bool:
    """True when a parsed regex names no upper-case ASCII letter and never turns case
    sensitivity back on, so ignoring case is the same as running it over lower-cased text."""
    for op, arg in items:  # type: ignore[attr-defined]
        if op == _sre.LITERAL:
            if 65 <= arg <= 90:
                return False
        elif op == _sre.IN:
            for item, value in arg:
                if item == _sre.LITERAL and 65 <= value <= 90:
                    return False
                if item == _sre.RANGE and value[0] <= 90 and value[1] >= 65:
                    return False
        elif op in _REPEATS:
            if not _lowercase_only(arg[2]):
                return False
        elif op == _sre.SUBPATTERN:
            if arg[2] & re.IGNORECASE or not _lowercase_only(arg[3]):
                return False
        elif op == _sre.BRANCH:
            if not all(_lowercase_only(branch) for branch in arg[1]):
                return False
        elif op == _sre.GROUPREF_EXISTS:
            if not all(_lowercase_only(branch) for branch in arg[1:] if branch):
                return False
        elif _ATOMIC_GROUP is not None and op == _ATOMIC_GROUP and not _lowercase_only(arg):
            return False
    return True


class _Plan(NamedTuple):
    """How to run a text pattern over the raw bytes of plain ASCII records: `kind` FIND
    (`needle`), REGEX (`regex`), NEVER (cannot occur in them) or DECODED (decode every
    record); `lowered` runs it over the lower-cased chunk. `line_local`: no match spans lines."""

    kind: str
    needle: bytes = b""
    regex: re.Pattern[bytes] | None = None
    lowered: bool = False
    line_local: bool = True


@cache
def _ascii_equivalents(char: str) -> tuple[str, ...]:
    """The ASCII characters a case-insensitive `char` matches (Kelvin sign: k and K)."""
    pattern = re.compile(re.escape(char), re.IGNORECASE)
    return tuple(ascii for ascii in map(chr, range(128)) if pattern.fullmatch(ascii))


def _literal_plan(pattern: TextPattern) -> _Plan:
    if "\n" in pattern.text or "\r" in pattern.text:
        return _Plan(DECODED, line_local=False)
    if not pattern.ignore_case:
        return _Plan(FIND, pattern.text.encode()) if pattern.text.isascii() else _Plan(NEVER)
    folded = []
    for char in pattern.text:
        lowered = {ascii.lower() for ascii in _ascii_equivalents(char)}
        if not lowered:
            return _Plan(NEVER)
        if len(lowered) > 1:
            return _Plan(DECODED)
        folded.append(lowered.pop())
    return _Plan(FIND, "".join(folded).encode(), lowered=True)


@lru_cache(maxsize=256)
def _plan(pattern: TextPattern) -> _Plan:
    """Choose how `pattern` runs over raw bytes (see the module docstring)."""
    if not pattern.is_regex:
        return _literal_plan(pattern)
    parsed = _sre.parse(pattern.text, pattern.regex.flags)
    if not _stays_on_line(parsed, bool(parsed.state.flags & re.DOTALL)):
        return _Plan(DECODED, line_local=False)
    if not pattern.text.isascii():
        return _Plan(DECODED)
    source = pattern.text.encode()
    try:
        if pattern.ignore_case and _lowercase_only(parsed):
            # sre skips ahead to a literal prefix only when case counts: much faster.
            return _Plan(REGEX, regex=re.compile(source), lowered=True)
        return _Plan(REGEX, regex=re.compile(source, re.IGNORECASE if pattern.ignore_case else 0))
    except re.error:  # e.g. `(?u)` or `\\N{...}`, which bytes patterns do not take
        return _Plan(DECODED)


_HEADER_SPACE = rb"[ \t\r\x0b\x0c]*"


def _header_needle(term: Term) -> TextPattern | None:
    """Text every record with a matching header holds: the longest plain run of the name."""
    plain = term.name.split("[", 1)[0]
    longest = max(re.split(r"[*?]", plain), key=len)
    return text_pattern(longest, ignore_case=True) if longest else None


def _header_line(term: Term) -> re.Pattern[bytes] | None:
    """A bytes regex that finds a header line matching `term` in the raw header block of a
    plain ASCII record exactly as the parsed headers would; None when the term is not that
    simple (a glob name, a regex value, a value with spaces at its ends)."""
    name = term.name
    if not name.isascii() or name != name.strip() or any(char in name for char in "*?[:\n\r"):
        return None
    head = rb"(?m)^" + _HEADER_SPACE + rb"(?i:" + re.escape(name.encode()) + rb")" + _HEADER_SPACE
    value = term.pattern
    if value is None:
        return re.compile(head + rb"(?::|$)")
    text = value.text
    if value.is_regex or not text.isascii() or not text or text[0].isspace() or text[-1].isspace():
        return None
    if "\n" in text or "\r" in text:
        return None
    literal = re.escape(text.encode())
    if value.ignore_case:
        literal = rb"(?i:" + literal + rb")"
    # Between colon and text only same-line bytes: the value is the rest of the line, and
    # text with no spaces at its ends is in the stripped value exactly when it is in the raw.
    return re.compile(head + rb":[^\n]*?" + literal)


class _FieldsText(NamedTuple):
    """The short fields of a run of exchanges in one string, a line per exchange (fields
    separated by newlines too); `starts[i]` is where exchange `first + i` begins."""

    text: str
    starts: array[int]
    first: int


def _fields_text(exchanges: list[Exchange], first: int, stop: int) -> _FieldsText:
    """The short fields of exchanges `first` to `stop - 1` as one text."""
    lines = []
    starts = array("q")
    offset = 0
    for exchange in exchanges[first:stop]:
        fields = _request_fields(exchange.request)
        if exchange.response is not None:
            fields += _response_fields(exchange.response)
        line = "\n".join(fields)
        starts.append(offset)
        lines.append(line)
        offset += len(line) + 1
    return _FieldsText("\n".join(lines), starts, first)


class SearchIndex:
    """Where each record and its header block and body lie in the file, as sorted arrays, so
    an offset found by a pattern maps to its record with one bisect. Grows with the trace."""

    def __init__(self) -> None:
        self.records = 0
        self.record_start = array("q")
        self.record_end = array("q")
        self.span_start = array("q")
        self.span_end = array("q")
        self.span_record = array("q")
        self.span_indent = array("q")
        self.span_is_body = bytearray()
        self._lock = threading.Lock()
        self._fields: _FieldsText | None = None

    def fields_text(self, trace: Trace, exchanges: list[Exchange]) -> _FieldsText | None:
        """The short fields of all `exchanges` (a snapshot of the trace's) as one text, kept
        for the next search; None while the trace is still being read (they may change)."""
        if not trace.complete or len(exchanges) != len(trace.exchanges):
            return None
        fields = self._fields
        if fields is None or len(fields.starts) != len(exchanges):
            fields = self._fields = _fields_text(exchanges, 0, len(exchanges))
        return fields

    def update(self, records: list[Record], count: int) -> None:
        """Index records up to `count` (the ones a search is about to look at)."""
        with self._lock:
            for number in range(self.records, count):
                record = records[number]
                self.record_start.append(record.span.start)
                self.record_end.append(record.span.end)
                spans = [(record.headers, 0), (record.body, 1)]
                if record.headers and record.body and record.body.start < record.headers.start:
                    spans.reverse()  # a hand-edited file may put the Body tab first
                for span, is_body in spans:
                    if span is not None and span.end > span.start:
                        self.span_start.append(span.start)
                        self.span_end.append(span.end)
                        self.span_record.append(number)
                        self.span_indent.append(span.indent)
                        self.span_is_body.append(is_body)
            self.records = max(self.records, count)


_INDEXES: dict[int, SearchIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(trace: Trace) -> SearchIndex:
    """The search index of a trace, built on first use and kept while the trace lives."""
    key = id(trace)
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = SearchIndex()
            weakref.finalize(trace, _INDEXES.pop, key, None)
    return index


def _path_part(target: str) -> str:
    """The path (and query) of a request target, without `scheme://host` of a full URL."""
    scheme = target.find("://")
    if scheme < 0:
        return target
    slash = target.find("/", scheme + 3)
    return target[slash:] if slash >= 0 else "/"


def _request_fields(request: Record) -> tuple[str, ...]:
    return (request.method, request.target, request.src, request.dst)


def _response_fields(response: Record) -> tuple[str, ...]:
    return (str(response.status), response.reason, response.target)


def _fields_hit(pattern: TextPattern, fields: tuple[str, ...]) -> bool:
    """True when `pattern` occurs in one of the short fields (empty ones are not searched)."""
    if _plan(pattern).line_local:
        # One search over the fields joined by newlines: a match cannot cross one.
        return pattern.regex.search("\n".join(fields)) is not None
    return any(field and pattern.regex.search(field) for field in fields)


def _exchange_fields_hit(pattern: TextPattern, exchange: Exchange) -> bool:
    fields = _request_fields(exchange.request)
    if exchange.response is not None:
        fields += _response_fields(exchange.response)
    return _fields_hit(pattern, fields)


def record_hit(trace: Trace, term: Term, record: Record) -> bool:
    """Whether a text, body or header term holds in one record, from its decoded text."""
    source = trace.source
    if term.field == "header":
        assert term.glob is not None
        for name, value in source.headers(record):
            if term.glob.match(name) and (term.pattern is None or term.pattern.search(value)):
                return True
        return False
    assert term.pattern is not None
    if term.field == TEXT and record.headers is not None:
        headers = decode_span(source.buffer, record.headers)
        if headers and term.pattern.search(headers):
            return True
    body = source.body(record)
    return bool(body) and term.pattern.search(body)


# (record index, record) -> whether a record term holds in that record.
RecordHit = Callable[[int, Record], bool]
ExchangeCheck = Callable[[Exchange], bool]


def _record_term_check(term: Term, hit: RecordHit, fields: ExchangeCheck | None) -> ExchangeCheck:
    def check(exchange: Exchange) -> bool:
        if hit(exchange.request_record, exchange.request):
            return True
        response = exchange.response
        if response is not None and hit(exchange.response_record, response):  # type: ignore[arg-type]
            return True
        return fields is not None and fields(exchange)

    return check


def _term_check(term: Term, hit: RecordHit, fields: ExchangeCheck | None) -> ExchangeCheck:
    """A function telling whether `term` holds for an exchange (ignoring its negation).

    For text, body and header terms `hit` tells whether the term holds in one record, and
    for text terms `fields` whether the text is in the exchange's short fields.
    """
    if term.field in _RECORD_FIELDS:
        return _record_term_check(term, hit, fields if term.field == TEXT else None)
    if term.field == "status":
        status = term.status
        assert status is not None
        return lambda exchange: status.accepts(exchange.status)
    pattern, glob = term.pattern, term.glob
    if term.field == "path" and pattern is not None:
        return lambda exchange: pattern.search(exchange.request.target)
    assert glob is not None
    match = glob.match
    if term.field == "path":
        return lambda exchange: match(_path_part(exchange.request.target)) is not None
    if term.field == "method":
        return lambda exchange: match(exchange.request.method) is not None
    if term.field == "src":
        return lambda exchange: match(exchange.request.src) is not None
    if term.field == "dst":
        return lambda exchange: match(exchange.request.dst) is not None
    return lambda exchange: bool(match(exchange.request.src) or match(exchange.request.dst))


def _query_check(
    terms: tuple[Term, ...],
    hit_of: Callable[[int], RecordHit],
    fields_of: Callable[[int], ExchangeCheck | None],
    skip: int | None = None,
) -> ExchangeCheck:
    """A function telling whether an exchange matches all terms but term `skip` (known to
    hold); `hit_of(n)` and `fields_of(n)` are the record and short-field tests of term `n`
    (see `_term_check`)."""
    checks = [
        (_term_check(term, hit_of(number), fields_of(number)), term.negated)
        for number, term in enumerate(terms)
        if number != skip
    ]

    def check(exchange: Exchange) -> bool:
        return all(holds(exchange) != negated for holds, negated in checks)

    return check


def matches(trace: Trace, query: Query, exchange: Exchange) -> bool:
    """Whether one exchange matches a query, worked out from decoded text (no scan)."""

    def hit_of(number: int) -> RecordHit:
        term = query.terms[number]
        return lambda _index, record: record_hit(trace, term, record)

    def fields_of(number: int) -> ExchangeCheck | None:
        pattern = query.terms[number].pattern
        if pattern is None:
            return None
        return lambda exchange: _exchange_fields_hit(pattern, exchange)

    return _query_check(query.terms, hit_of, fields_of)(exchange)


def _mark_fields(
    pattern: TextPattern,
    exchanges: list[Exchange],
    first: int,
    stop: int,
    text: _FieldsText | None,
    marks: bytearray,
) -> None:
    """Mark the exchanges `first` to `stop - 1` that have `pattern` in their short fields,
    with one search over their fields joined (`text`, when it covers them, else built)."""
    if not _plan(pattern).line_local:
        for exchange in exchanges[first:stop]:
            marks[exchange.index] = _exchange_fields_hit(pattern, exchange)
        return
    if text is None:
        text = _fields_text(exchanges, first, stop)
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


class _Scan:
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
        self.marks: list[bytearray | None] = []
        self.plans: list[_Plan | None] = []
        self.header_lines: list[re.Pattern[bytes] | None] = []
        for term in terms:
            marks = bytearray(records) if term.field in _RECORD_FIELDS else None
            pattern = _header_needle(term) if term.field == "header" else term.pattern
            self.marks.append(marks)
            self.plans.append(_plan(pattern) if marks is not None and pattern is not None else None)
            self.header_lines.append(_header_line(term) if term.field == "header" else None)
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
        self.matches = _query_check(terms, self.hit_of, self.fields_of)

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
                _mark_fields(term.pattern, self.exchanges, first, stop, self.fields_text, marks)

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
            if term.field == "header":
                # The name only narrowed down the candidates: check their header lines.
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
        ASCII, or a \\x1c-\\x1f separator (Python strips those as spaces)."""
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
        self, hay: bytes, chunk: bytes, base: int, plan: _Plan, scope: int, marks: bytearray
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


def iter_matches(
    trace: Trace,
    query: Query,
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
    batch_bytes: int = BATCH_BYTES,
) -> Iterator[list[int]]:
    """Yield the indices of the exchanges matching `query`, in order, in non-empty batches.

    Covers the exchanges the trace has when the scan starts (a trace still being read can be
    searched again later; the index grows). The file is scanned `batch_bytes` at a time;
    between chunks `cancelled()` is checked (True stops the scan) and `progress(fraction)`
    is called. Meant for a thread worker, e.g. in Textual:

        worker = get_current_worker()
        for batch in iter_matches(trace, query, cancelled=lambda: worker.is_cancelled):
            app.call_from_thread(results.extend, batch)
    """
    exchanges = list(trace.exchanges)
    # After the exchanges: every record they refer to is already in `trace.records`.
    records = len(trace.records)
    scan = _Scan(trace, query.terms, exchanges, records)
    if not scan.needs_bytes:
        for first in range(0, len(exchanges), EXCHANGE_BATCH):
            if cancelled is not None and cancelled():
                return
            batch = [
                exchange.index
                for exchange in exchanges[first : first + EXCHANGE_BATCH]
                if scan.matches(exchange)
            ]
            if progress is not None:
                progress(min(1.0, (first + EXCHANGE_BATCH) / len(exchanges)))
            if batch:
                yield batch
        return
    total = trace.records[records - 1].span.end if records else 0
    # Every match satisfies each positive text, body or header term: when there is one, only
    # the exchanges where it holds are candidates, and the rest need no Python work at all.
    driver = next(
        (n for n, t in enumerate(query.terms) if not t.negated and t.field in _RECORD_FIELDS),
        None,
    )
    candidates: list[int] = []
    if driver is not None:
        others = _query_check(query.terms, scan.hit_of, scan.fields_of, skip=driver)
    checked = -1
    decided = 0
    first = 0
    while first < records:
        if cancelled is not None and cancelled():
            return
        stop = scan.chunk_end(first, batch_bytes)
        scan.scan(first, stop)
        start = decided
        while decided < len(exchanges):
            exchange = exchanges[decided]
            last = exchange.request_record
            if exchange.response_record is not None:
                last = max(last, exchange.response_record)
            if last >= stop:
                break  # its other record is in a later chunk; keep the order
            decided += 1
        scan.mark_fields(start, decided)
        if driver is None:
            batch = [e.index for e in exchanges[start:decided] if scan.matches(e)]
        else:
            batch = []
            owners = trace.exchange_of_record
            for record_index in _set_positions(scan.marks[driver], first, stop):
                owner = owners[record_index]
                # The reader may pair a response after the snapshot: only its records count.
                if 0 <= owner < len(exchanges) and record_index in (
                    exchanges[owner].request_record,
                    exchanges[owner].response_record,
                ):
                    heapq.heappush(candidates, owner)
            for index in _set_positions(scan.field_marks[driver], start, decided):
                heapq.heappush(candidates, index)
            while candidates and candidates[0] < decided:
                index = heapq.heappop(candidates)
                if index != checked and others(exchanges[index]):
                    batch.append(index)
                checked = index  # both records of an exchange may have put it in
        if progress is not None:
            progress(scan.index.record_end[stop - 1] / total if total else 1.0)
        if batch:
            yield batch
        first = stop


def _set_positions(flags: bytearray | None, start: int, stop: int) -> list[int]:
    """The positions in `[start, stop)` where `flags` is non-zero (at C speed when sparse)."""
    if flags is None:
        return []
    found = []
    position = flags.find(1, start, stop)
    while position >= 0:
        found.append(position)
        position = flags.find(1, position + 1, stop)
    return found


def all_matches(trace: Trace, query: Query) -> list[int]:
    """The indices of every exchange matching `query`, in order."""
    return [index for batch in iter_matches(trace, query) for index in batch]


class FollowResult(NamedTuple):
    """Where an exact value (token, UUID) came from and who used it.

    `origin` is the first exchange whose response holds the value and whose request does not
    (the one that issued it), or None; `uses` is every other exchange holding it, in order.
    """

    value: str
    origin: int | None
    uses: tuple[int, ...]


def follow_value(
    trace: Trace, value: str, cancelled: Cancelled | None = None
) -> FollowResult | None:
    """Find where `value` was issued and every exchange that carries it (case-sensitive).

    Returns None when `cancelled()` turned True before the scan finished.
    """
    if not value:
        return FollowResult(value, None, ())
    query = literal_query(value)
    pattern = query.terms[0].pattern
    assert pattern is not None
    exchanges = list(trace.exchanges)
    records = len(trace.records)
    scan = _Scan(trace, query.terms, exchanges, records)
    first = 0
    while first < records:
        if cancelled is not None and cancelled():
            return None
        stop = scan.chunk_end(first, BATCH_BYTES)
        scan.scan(first, stop)
        first = stop
    marks = scan.marks[0]
    assert marks is not None
    origin = None
    holders = []
    for exchange in exchanges:
        request, response = exchange.request, exchange.response
        in_request = bool(marks[exchange.request_record]) or _fields_hit(
            pattern, _request_fields(request)
        )
        in_response = response is not None and (
            bool(marks[exchange.response_record])  # type: ignore[index]
            or _fields_hit(pattern, _response_fields(response))
        )
        if origin is None and in_response and not in_request:
            origin = exchange.index
        elif in_request or in_response:
            holders.append(exchange.index)
    return FollowResult(value, origin, tuple(holders))


def value_places(trace: Trace, exchange: Exchange, value: str) -> list[str]:
    """Where an exact value appears in one exchange, e.g. `request header X-Auth-Token`,
    `response body`, `request path`; for showing why an exchange matched."""
    places = []
    for side, record in (("request", exchange.request), ("response", exchange.response)):
        if record is None:
            continue
        if value in record.target:
            places.append(f"{side} path")
        for name, header_value in trace.source.headers(record):
            if value in header_value or value in name:
                places.append(f"{side} header {name}")
        if value in trace.source.body(record):
            places.append(f"{side} body")
    return places


def highlight_spans(query: Query, text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of `text` to highlight for a query: matches of its positive
    text patterns, sorted, overlaps merged, empty matches left out."""
    spans = sorted(
        match.span()
        for pattern in query.highlight_patterns
        for match in pattern.regex.finditer(text)
        if match.end() > match.start()
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
