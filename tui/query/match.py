"""Whether an exchange matches a query, worked out from decoded text; what to highlight.

The byte scan (`tui.query.byte_scan`) answers the text terms for many records at once; the
checks here combine its answers (or, for one exchange, decoded text) with the other terms.

Plain Python, no Textual.
"""

from __future__ import annotations

from typing import Callable

from tui.model.trace import Exchange, Record, Trace
from tui.query.index import request_fields, response_fields
from tui.query.language import TEXT, Query, Term, TextPattern
from tui.query.plan import plan_for
from tui.query.request_ids import ANSWERED, SENT

# The fields whose terms are looked for in a record's header block and body.
RECORD_FIELDS = frozenset((TEXT, "body", "header", "reqid"))
# The headers a request id is in: sent by the caller, answered by the callee.
REQUEST_ID_HEADERS = frozenset((SENT, *ANSWERED))

# (record index, record) -> whether a record term holds in that record.
RecordHit = Callable[[int, Record], bool]
ExchangeCheck = Callable[[Exchange], bool]


def path_part(target: str) -> str:
    """The path (and query) of a request target, without `scheme://host` of a full URL."""
    scheme = target.find("://")
    if scheme < 0:
        return target
    slash = target.find("/", scheme + 3)
    return target[slash:] if slash >= 0 else "/"


def fields_hit(pattern: TextPattern, fields: tuple[str, ...]) -> bool:
    """True when `pattern` occurs in one of the short fields (empty ones are not searched)."""
    if plan_for(pattern).line_local:
        # One search over the fields joined by newlines: a match cannot cross one.
        return pattern.regex.search("\n".join(fields)) is not None
    return any(field and pattern.regex.search(field) for field in fields)


def exchange_fields_hit(pattern: TextPattern, exchange: Exchange) -> bool:
    """True when `pattern` occurs in one of the exchange's short fields."""
    fields = request_fields(exchange.request)
    if exchange.response is not None:
        fields += response_fields(exchange.response)
    return fields_hit(pattern, fields)


def record_hit(trace: Trace, term: Term, record: Record) -> bool:
    """Whether a text, body, header or reqid term holds in one record, from its decoded
    text."""
    source = trace.source
    if term.field == "reqid":
        assert term.pattern is not None
        return any(
            name.lower() in REQUEST_ID_HEADERS and term.pattern.search(value.strip())
            for name, value in source.headers(record)
        )
    if term.field == "header":
        assert term.glob is not None
        for name, value in source.headers(record):
            if term.glob.match(name) and (term.pattern is None or term.pattern.search(value)):
                return True
        return False
    assert term.pattern is not None
    if term.field == TEXT and record.headers is not None:
        headers = source.header_text(record)
        if headers and term.pattern.search(headers):
            return True
    body = source.body(record)
    return bool(body) and term.pattern.search(body)


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
    if term.field in RECORD_FIELDS:
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
        return lambda exchange: match(path_part(exchange.request.target)) is not None
    if term.field == "method":
        return lambda exchange: match(exchange.request.method) is not None
    if term.field == "src":
        return lambda exchange: match(exchange.request.src) is not None
    if term.field == "dst":
        return lambda exchange: match(exchange.request.dst) is not None
    return lambda exchange: bool(match(exchange.request.src) or match(exchange.request.dst))


def query_check(
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
        return lambda exchange: exchange_fields_hit(pattern, exchange)

    return query_check(query.terms, hit_of, fields_of)(exchange)


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
