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
