"""The sequence-lane layout: which lanes to show and which records become rows.

Plain Python, no Textual. A trace has no timestamps, so the only clock is record order; a
service is "busy" (an activation bar on its lane) from the request it receives until its
response, which makes nesting visible.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from tui.model.trace import REQUEST, Trace


class LaneLayout:
    """Lanes (services) left to right, the records shown as rows, and per row the bitmask of
    lanes busy handling a request at that point.

    Built by `lane_layout`, which also keeps where it stopped (`state`) so that `extend` goes
    on from the next record the reader appends.
    """

    __slots__ = ("busy", "records", "services", "state")

    def __init__(
        self,
        services: list[str],
        records: array[int],
        busy: list[int],
        state: LaneState | None = None,
    ) -> None:
        self.services = services
        self.records = records
        self.busy = busy
        self.state = state

    def row_of(self, record: int) -> int | None:
        """The row showing record `record`, or None when it is filtered out."""
        row = bisect_left(self.records, record)
        return row if row < len(self.records) and self.records[row] == record else None

    def extend(self, trace: Trace) -> LaneLayout:
        """This layout brought up to date with the records appended to `trace` since: itself,
        grown in place, or a new layout when the lanes changed (a new service appeared)."""
        state = self.state
        if state is None:
            return lane_layout(trace)
        orphans = bisect_left(trace.orphan_records, state.done)
        if (state.wanted is None and len(trace.services) != len(self.services)) or (
            orphans != state.orphans
        ):
            # A response read as an orphan was paired since (it changes who is busy).
            return lane_layout(trace, state.wanted)
        _advance(self, state, trace)
        return self


class LaneState:
    """Where a lane layout stopped: the next record, who is busy, how deep."""

    __slots__ = ("depth", "done", "lane", "mask", "orphans", "wanted")

    def __init__(self, wanted: set[int] | None, services: list[str]) -> None:
        self.wanted = wanted
        self.lane = {service: number for number, service in enumerate(services)}
        self.depth = [0] * len(services)
        self.mask = 0
        self.done = 0
        self.orphans = 0


def lane_layout(trace: Trace, visible: Iterable[int] | None = None) -> LaneLayout:
    """Lay out lanes for the `visible` exchanges (all when None).

    Lanes of services that no visible exchange involves are left out.
    """
    wanted = None if visible is None else set(visible)
    if wanted is None:
        services = list(trace.services)
    else:
        involved: set[str] = set()
        for index in wanted:
            request = trace.exchanges[index].request
            involved.update((request.src, request.dst))
        services = [service for service in trace.services if service in involved]
    state = LaneState(wanted, services)
    result = LaneLayout(services, array("l"), [], state)
    _advance(result, state, trace)
    return result


def _advance(result: LaneLayout, state: LaneState, trace: Trace) -> None:
    """Lay out the records from `state.done` to the last one read."""
    exchange_of = trace.exchange_of_record
    # `exchange_of_record` grows after `records`: its length is what is safe to read.
    stop = len(exchange_of)
    start = state.done
    wanted, lane, depth, mask = state.wanted, state.lane, state.depth, state.mask
    add_record, add_busy = result.records.append, result.busy.append
    number = start
    for record, exchange in zip(trace.records[start:stop], exchange_of[start:stop]):
        if wanted is None or exchange in wanted:
            position = lane.get(record[2])
            if record[0] == REQUEST:
                if position is not None:
                    depth[position] += 1
                    mask |= 1 << position
                add_record(number)
                add_busy(mask)
            else:
                add_record(number)
                add_busy(mask)
                if exchange >= 0 and position is not None and depth[position] > 0:
                    depth[position] -= 1
                    if depth[position] == 0:
                        mask &= ~(1 << position)
        number += 1
    state.mask = mask
    state.done = stop
    state.orphans = bisect_left(trace.orphan_records, stop)


def abbreviations(services: Sequence[str], width: int) -> list[str]:
    """Names that fit `width` cells and still tell the services apart.

    OpenStack names are `project-role`: where the project is unique (`neutron-server`) it is
    kept (`neutr`), where several roles share it (`nova-api`, `nova-compute`) the role is kept
    (`n-api`, `n-com`).
    """
    projects = [service.split("-", 1)[0] for service in services]
    names = []
    for service, project in zip(services, projects):
        if len(service) <= width:
            names.append(service)
        elif projects.count(project) == 1 or "-" not in service:
            names.append(service[:width])
        else:
            role = service.split("-", 1)[1]
            names.append((project[0] + "-" + role)[:width])
    return names
