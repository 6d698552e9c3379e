"""OpenStack's request ids: the id one API call and everything done on its behalf carry.

A caller that acts for an API call sends that call's global id as `X-OpenStack-Request-ID`;
a service answers with the id it gave the request (`x-openstack-request-id`, nova's
`x-compute-request-id`). So the id an exchange belongs to is the one its caller sent, else the
one its callee answered: a client's call to nova-api carries the id nova answered, and every
call nova makes for it sends that id on.
"""

from __future__ import annotations

from tui.model.trace import Exchange, Trace

SENT = "x-openstack-request-id"
ANSWERED = ("x-openstack-request-id", "x-compute-request-id")


def request_id(trace: Trace, exchange: Exchange) -> str:
    """The global request id `exchange` of `trace` belongs to, or "" when it carries none."""
    source = trace.source
    sent = source.header(exchange.request, SENT)
    if sent:
        return sent.strip()
    for name in ANSWERED:
        answered = source.header(exchange.response, name)
        if answered:
            return answered.strip()
    return ""


def _answered(trace: Trace, exchange: Exchange) -> str:
    """The id the callee gave `exchange` ("" when it answered none, or has not answered)."""
    response = exchange.response
    if response is None:
        return ""
    for name in ANSWERED:
        answered = trace.source.header(response, name)
        if answered:
            return answered.strip()
    return ""


class RequestIds:
    """Per exchange, the global request id it belongs to (as `request_id`); the API call each
    id names; the calls with no HTTP parent attached under the API call whose id they carry.

    An id's API call is the earliest exchange it names: a callee's answered id names that
    exchange itself; an id sent by a caller that was handling a call names the call it was
    handling (its parent); a callee that echoes the id it was sent names nothing new.

    A root call made by a service other than the one that started the run (an RPC root, see
    `tui.readers.calltree.is_rpc_root`) that sends an id goes under the id's API call when that
    call came first: the call tree of a boot is one tree, and no cycle can form.

    `catch_up` looks at the exchanges read since the last call and at those then unanswered;
    the answer does not depend on how the trace was cut into batches. Looking a request id up
    decodes header blocks (tens of microseconds an exchange), so views build this on demand.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.owners: dict[str, int] = {}
        self.attached: dict[int, int] = {}
        self._sent: list[str] = []
        self._unanswered: list[int] = []
        self._roots: dict[str, list[int]] = {}

    def catch_up(self, trace: Trace, stop: int | None = None) -> bool:
        """Take in the exchanges of `trace` up to `stop` (all when None) past those seen, and
        the answers that came for those seen; True when an exchange seen before changed its
        id or its place (a layout of them is to be built anew)."""
        exchanges = trace.exchanges
        stop = len(exchanges) if stop is None else stop
        source, root_service = trace.source, trace.root_service
        changed_ids: set[str] = set()
        moved = False
        waiting, self._unanswered = self._unanswered, []
        for index in waiting:
            answered = _answered(trace, exchanges[index])
            if exchanges[index].response is None:
                self._unanswered.append(index)
            elif answered:
                if not self.ids[index]:
                    self.ids[index] = answered
                    moved = True
                if self._name(answered, index, self._sent[index]):
                    changed_ids.add(answered)
        seen = len(self.ids)
        for exchange in exchanges[seen:stop]:
            index, parent = exchange.index, exchange.parent
            sent = (source.header(exchange.request, SENT) or "").strip()
            answered = _answered(trace, exchange)
            self.ids.append(sent or answered)
            self._sent.append(sent)
            if exchange.response is None:
                self._unanswered.append(index)
            if parent is None and sent and exchange.request.src != root_service:
                self._roots.setdefault(sent, []).append(index)
                changed_ids.add(sent)
            if self._name(answered, index, sent):
                changed_ids.add(answered)
            if sent and parent is not None and self._name(sent, parent, ""):
                changed_ids.add(sent)
        for rid in changed_ids:
            owner = self.owners.get(rid)
            for root in self._roots.get(rid, ()):
                if owner is not None and owner < root and self.attached.get(root) != owner:
                    moved = moved or root < seen
                    self.attached[root] = owner
        return moved

    def _name(self, rid: str, owner: int, echoed: str) -> bool:
        """`rid` names call `owner` unless it only echoes `echoed` or names an earlier one;
        True when that changed the id's API call."""
        if not rid or rid == echoed:
            return False
        known = self.owners.get(rid)
        if known is not None and known <= owner:
            return False
        self.owners[rid] = owner
        return True


def rpc_parents(trace: Trace) -> dict[int, int]:
    """The RPC roots of `trace` that carry a known API call's global request id, each mapped
    to that API call (see `RequestIds`)."""
    ids = RequestIds()
    ids.catch_up(trace)
    return ids.attached
