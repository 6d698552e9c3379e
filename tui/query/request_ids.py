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


def api_calls(trace: Trace) -> dict[str, int]:
    """Map each global request id to the exchange that is the API call it names.

    A callee's answered id names that exchange itself; an id sent by a caller that was
    handling a call names the call it was handling (its parent); a callee that echoes the id
    it was sent names nothing new. The first in trace order wins.
    """
    owners: dict[str, int] = {}
    source = trace.source
    for exchange in trace.exchanges:
        sent = (source.header(exchange.request, SENT) or "").strip()
        answered = _answered(trace, exchange)
        # A callee that echoes the id it was sent gave the call no id of its own.
        if answered and answered != sent:
            owners.setdefault(answered, exchange.index)
        if sent and exchange.parent is not None:
            owners.setdefault(sent, exchange.parent)
    return owners


def rpc_parents(trace: Trace) -> dict[int, int]:
    """The calls with no HTTP parent (RPC roots, see `tui.readers.calltree.is_rpc_root`) that
    carry a known API call's global request id, each mapped to that API call: attached under
    it, a boot reads as one tree. Only an earlier call is taken, so no cycle can form."""
    owners = api_calls(trace)
    source, root_service = trace.source, trace.root_service
    attached: dict[int, int] = {}
    for exchange in trace.exchanges:
        if exchange.parent is not None or exchange.request.src == root_service:
            continue
        sent = (source.header(exchange.request, SENT) or "").strip()
        owner = owners.get(sent) if sent else None
        if owner is not None and owner < exchange.index:
            attached[exchange.index] = owner
    return attached
