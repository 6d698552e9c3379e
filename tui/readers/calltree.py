"""The call tree inferred from record order, since a trace has no timestamps or span ids.

A request sent by service S while S is still handling an inbound request R (R's request seen,
its response not yet) is a child of R; with several open, the most recent. Calls with no such
parent are roots: the client's own calls, or calls a service made on an RPC message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tui.model.trace import Exchange


class OpenCalls:
    """Tracks, per service, the inbound requests it has not answered yet, while reading.

    A reader calls these once per record, so they are kept to a few dictionary operations.
    """

    def __init__(self) -> None:
        self._open: dict[str, list[int]] = {}
        self._answered: set[int] = set()

    def on_request(self, index: int, src: str, dst: str) -> int | None:
        """Register request `index` from `src` to `dst`; return its parent exchange or None."""
        handling = self._open.get(src)
        parent = None
        if handling:
            # A call answered while a later one was open leaves the stack once it is on top:
            # each leaves once, so a response costs O(1) however many calls are open.
            answered = self._answered
            while handling and handling[-1] in answered:
                answered.discard(handling.pop())
            if handling:
                parent = handling[-1]
        calls = self._open.get(dst)
        if calls is None:
            self._open[dst] = [index]
        else:
            calls.append(index)
        return parent

    def on_response(self, index: int, dst: str) -> None:
        """Exchange `index` was answered by `dst`: `dst` is no longer handling it."""
        calls = self._open[dst]
        # Calls are usually answered last opened, first answered: then it leaves right away,
        # and a service that never calls out does not keep every call it ever answered.
        if calls[-1] == index:
            calls.pop()
        else:
            self._answered.add(index)


def is_rpc_root(exchange: Exchange, root_service: str | None) -> bool:
    """True for a root call made by a service other than the one that started the run.

    Such a call was not caused by any HTTP request in the trace, so it came from RPC (e.g.
    nova-compute acting on a message from nova-conductor).
    """
    return exchange.parent is None and exchange.request.src != root_service


def children_map(exchanges: Sequence[Exchange]) -> dict[int | None, list[int]]:
    """Map each exchange index (None for the roots) to its children, in trace order."""
    children: dict[int | None, list[int]] = {}
    for exchange in exchanges:
        children.setdefault(exchange.parent, []).append(exchange.index)
    return children


def walk(exchanges: Sequence[Exchange]) -> Iterator[tuple[int, int]]:
    """Yield (exchange index, depth) depth-first, roots and children in trace order."""
    children = children_map(exchanges)
    stack = [(index, 0) for index in reversed(children.get(None, []))]
    while stack:
        index, depth = stack.pop()
        yield index, depth
        stack.extend((child, depth + 1) for child in reversed(children.get(index, [])))
