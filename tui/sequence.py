"""The sequence-lane layout: which lanes to show and which records become rows.

Plain Python, no Textual. A trace has no timestamps, so the only clock is record order; a
service is "busy" (an activation bar on its lane) from the request it receives until its
response, which makes nesting visible.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

from tui.model import REQUEST, Trace


class LaneLayout(NamedTuple):
    """Lanes (services) left to right, the records shown as rows, and per row the bitmask of
    lanes busy handling a request at that point."""

    services: list[str]
    records: array[int]
    busy: list[int]

    def row_of(self, record: int) -> int | None:
        """The row showing record `record`, or None when it is filtered out."""
        row = bisect_left(self.records, record)
        return row if row < len(self.records) and self.records[row] == record else None


def lane_layout(trace: Trace, visible: Sequence[int] | None = None) -> LaneLayout:
    """Lay out lanes for the `visible` exchanges (all when None).

    Lanes of services that no visible exchange involves are left out.
    """
    exchange_of = trace.exchange_of_record
    wanted = None if visible is None else set(visible)
    if wanted is None:
        services = list(trace.services)
    else:
        involved = set()
        for index in wanted:
            request = trace.exchanges[index].request
            involved.update((request.src, request.dst))
        services = [service for service in trace.services if service in involved]
    lane = {service: number for number, service in enumerate(services)}
    records: array[int] = array("l")
    busy: list[int] = []
    depth = [0] * len(services)
    mask = 0
    for number, record in enumerate(trace.records):
        exchange = exchange_of[number]
        if wanted is not None and exchange not in wanted:
            continue
        position = lane.get(record.dst)
        if record.kind == REQUEST and position is not None:
            depth[position] += 1
            mask |= 1 << position
        records.append(number)
        busy.append(mask)
        answered = record.kind != REQUEST and exchange >= 0
        if answered and position is not None and depth[position] > 0:
            depth[position] -= 1
            if depth[position] == 0:
                mask &= ~(1 << position)
    return LaneLayout(services, records, busy)


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
