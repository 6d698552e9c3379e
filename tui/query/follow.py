"""Follow a value (a token, a UUID): the exchange that issued it and every one that carried it.

Plain Python, no Textual.
"""

from __future__ import annotations

from typing import NamedTuple

from tui.model.trace import Exchange, Trace
from tui.query.byte_scan import BATCH_BYTES, Scan
from tui.query.index import request_fields, response_fields
from tui.query.language import literal_query
from tui.query.match import fields_hit
from tui.query.search import Cancelled


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
    scan = Scan(trace, query.terms, exchanges, records)
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
        in_request = bool(marks[exchange.request_record]) or fields_hit(
            pattern, request_fields(request)
        )
        in_response = response is not None and (
            bool(marks[exchange.response_record])  # type: ignore[index]
            or fields_hit(pattern, response_fields(response))
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
