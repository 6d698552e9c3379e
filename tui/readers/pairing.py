"""Pairing requests with responses, and the call tree, as records are read.

A response answers the pending request with its `request_id`; anything else (a missing or
reused id, a response before its request, a response whose direction does not match) is
paired as well as it can be and warned about. Each request's parent in the call tree is
inferred from record order (`calltree.OpenCalls`), or taken from the request where the
format names it (`Format.explicit_parents`).
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.model.trace import REQUEST, Exchange, Record, Trace
from tui.readers.calltree import OpenCalls
from tui.readers.format import Format, Warn
from tui.readers.parsed import new_tuple


class Pairing:
    """Adds the records of one trace, in file order, to its records and exchanges."""

    def __init__(self, trace: Trace, fmt: Format, warn: Warn) -> None:
        """Records of `trace`, which is in format `fmt`; problems go to `warn`."""
        self.trace = trace
        self._warn = warn
        self._id_name = fmt.request_id_name
        self._infer = not fmt.explicit_parents
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

    def add(self, records_read: Iterable[Record]) -> None:
        """Add `records_read` to the trace, pairing each response with its request.

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
        infer = self._infer
        for record in records_read:
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
            self._warn(record.line, f"request has no {self._id_name}; it stays unpaired")
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
            why = f"response has no {self._id_name}"
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
        if self._infer:
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

    def finish(self) -> None:
        """The file is read: warn about each request that got no response."""
        for index in self._pending.values():
            request = self.trace.exchanges[index].request
            self._warn(request.line, f"request {request.method} {request.target} got no response")
