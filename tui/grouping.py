"""Rows of the exchange list for each grouping: by caller -> callee, by call tree, flat.

Plain Python, no Textual: the list widget only draws the rows this module lays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from tui.calltree import walk
from tui.model import Exchange

BY_PAIR = "pair"
BY_TREE = "tree"
FLAT = "flat"
GROUPINGS = (BY_PAIR, BY_TREE, FLAT)
GROUPING_NAMES = {BY_PAIR: "source → destination", BY_TREE: "call tree", FLAT: "trace order"}


class Group(NamedTuple):
    """Exchanges from one caller to one callee, in trace order."""

    src: str
    dst: str
    members: list[int]
    failed: int


class ListRow(NamedTuple):
    """One row of the list: a group header (`exchange` -1) or an exchange at `depth`."""

    exchange: int
    group: int
    depth: int


class ListLayout(NamedTuple):
    """The rows to draw, the groups they refer to, and where each exchange's row is."""

    rows: list[ListRow]
    groups: list[Group]
    row_of_exchange: dict[int, int]


def _pair_groups(exchanges: Sequence[Exchange], visible: Sequence[int]) -> list[Group]:
    by_pair: dict[tuple[str, str], Group] = {}
    for index in visible:
        request = exchanges[index].request
        key = (request.src, request.dst)
        group = by_pair.get(key)
        if group is None:
            group = by_pair[key] = Group(request.src, request.dst, [], 0)
        group.members.append(index)
        if exchanges[index].failed:
            by_pair[key] = group._replace(failed=group.failed + 1)
    return list(by_pair.values())


def layout(
    exchanges: Sequence[Exchange],
    mode: str,
    visible: Sequence[int] | None = None,
    collapsed: frozenset[tuple[str, str]] = frozenset(),
) -> ListLayout:
    """Lay out the list for `mode`, showing only `visible` exchanges (all when None).

    `collapsed` holds the (src, dst) groups whose members are hidden in pair mode.
    """
    shown: Sequence[int] = range(len(exchanges)) if visible is None else visible
    rows: list[ListRow] = []
    groups: list[Group] = []
    if mode == BY_PAIR:
        groups = _pair_groups(exchanges, shown)
        for number, group in enumerate(groups):
            rows.append(ListRow(-1, number, 0))
            if (group.src, group.dst) not in collapsed:
                rows.extend(ListRow(index, number, 1) for index in group.members)
    elif mode == BY_TREE:
        wanted = None if visible is None else set(visible)
        rows = [
            ListRow(index, -1, depth)
            for index, depth in walk(exchanges)
            if wanted is None or index in wanted
        ]
    else:
        rows = [ListRow(index, -1, 0) for index in shown]
    row_of = {row.exchange: number for number, row in enumerate(rows) if row.exchange >= 0}
    return ListLayout(rows, groups, row_of)
