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
from collections.abc import Iterator
from typing import Callable

from tui.model.trace import Trace
from tui.query.byte_scan import BATCH_BYTES, Scan
from tui.query.language import Query
from tui.query.match import RECORD_FIELDS, query_check

# Exchanges decided per batch when no term needs the bytes.
EXCHANGE_BATCH = 4096

Cancelled = Callable[[], bool]
Progress = Callable[[float], None]


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
    scan = Scan(trace, query.terms, exchanges, records)
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
        (n for n, t in enumerate(query.terms) if not t.negated and t.field in RECORD_FIELDS),
        None,
    )
    candidates: list[int] = []
    if driver is not None:
        others = query_check(query.terms, scan.hit_of, scan.fields_of, skip=driver)
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
