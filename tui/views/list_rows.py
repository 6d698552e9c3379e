"""Rows of the exchange list for each grouping: by caller -> callee, by call tree, flat, by
global request id.

Plain Python, no Textual: the list widget only draws the rows this module lays out.

A trace can hold 200k exchanges, and the list must follow every `g`, filter and batch read
without a pause: the layouts are virtual (a row is computed when asked for, from a few arrays)
and grow in place when the reader appends, in time proportional to what was appended.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import NamedTuple, overload

from tui.model.trace import REQUEST, Exchange, Trace
from tui.query.request_ids import RequestIds
from tui.views.lanes import LaneLayout, lane_layout

BY_PAIR = "pair"
BY_TREE = "tree"
FLAT = "flat"
BY_REQUEST = "reqid"
GROUPINGS = (BY_PAIR, BY_TREE, FLAT, BY_REQUEST)
GROUPING_NAMES = {
    BY_PAIR: "source → destination",
    BY_TREE: "call tree",
    FLAT: "trace order",
    BY_REQUEST: "request id",
}
# The groupings that need every exchange's request id: laid out when first asked for, since
# looking the ids up decodes every header block (see `RequestIds`).
NEED_REQUEST_IDS = frozenset((BY_TREE, BY_REQUEST))
NO_REQUEST_ID = "(no request id)"


class ListRow(NamedTuple):
    """One row of the list: a group header (`exchange` -1) or an exchange at `depth`."""

    exchange: int
    group: int
    depth: int


class Group:
    """Exchanges from one caller to one callee, in trace order; `failed` of them 4xx/5xx."""

    __slots__ = ("dst", "failed", "members", "src")

    def __init__(self, src: str, dst: str, members: list[int], failed: int = 0) -> None:
        self.src = src
        self.dst = dst
        self.members = members
        self.failed = failed

    def __repr__(self) -> str:
        return f"Group({self.src!r}, {self.dst!r}, {len(self.members)} members, {self.failed})"


class Columns:
    """What the layouts need of each exchange, in compact arrays: whether it failed (4xx/5xx),
    its caller -> callee pair, its parent call. Building a layout from these does not touch
    200k scattered records again.

    `catch_up` looks only at what the reader appended since the last call: new exchanges, and
    the older exchanges whose response is among the new records.
    """

    def __init__(self) -> None:
        self.failed = bytearray()
        self.failed_count = 0
        self.pair: array[int] = array("l")
        self.pairs: list[tuple[str, str]] = []
        self._pair_number: dict[tuple[str, str], int] = {}
        self.parent: array[int] = array("l")
        self.records = 0
        # Built when a layout that needs them is first asked for (see `request_ids`).
        self._request_ids: RequestIds | None = None
        # Exchanges already covered when a `catch_up` read their response (their rows show a
        # status now), kept until `take_answered`: a catch-up made while laying out anew (a
        # filter set) must not swallow them before the explorer has looked.
        self._answered: list[int] = []

    @property
    def count(self) -> int:
        """How many exchanges are covered."""
        return len(self.failed)

    def add(self, exchanges: Sequence[Exchange]) -> None:
        """Take in the exchanges past those covered, as they are now."""
        failed_flags, pairs, numbers = self.failed, self.pairs, self._pair_number
        add_failed, add_pair, add_parent = failed_flags.append, self.pair.append, self.parent.append
        failed_count = self.failed_count
        for _, request, response, parent, _, _ in exchanges[len(failed_flags) :]:
            failed = response is not None and response[4] >= 400
            add_failed(failed)
            failed_count += failed
            key = (request[1], request[2])
            number = numbers.get(key)
            if number is None:
                number = numbers[key] = len(pairs)
                pairs.append(key)
            add_pair(number)
            add_parent(-1 if parent is None else parent)
        self.failed_count = failed_count

    def catch_up(self, trace: Trace) -> list[int]:
        """Take in what was read since the last call; return the exchanges that were already
        covered and have now failed (their response came in)."""
        exchanges, records = trace.exchanges, trace.records
        # The reader appends a record's exchange before `exchange_of_record`, so every
        # exchange a record counted here refers to is in `exchanges`.
        of_record = trace.exchange_of_record
        stop = len(of_record)
        start = self.count
        self.add(exchanges)
        flags = self.failed
        newly: list[int] = []
        answered: list[int] = []
        number = self.records
        while number < stop:
            index = of_record[number]
            if index >= 0 and records[number][0] != REQUEST:
                response = exchanges[index][2]
                if response is None:
                    # The reader stores the answered exchange right after the record: look
                    # again from here next time.
                    break
                if index < start:
                    answered.append(index)
                if not flags[index] and response[4] >= 400:
                    flags[index] = 1
                    self.failed_count += 1
                    if index < start:
                        newly.append(index)
            number += 1
        self.records = number
        self._answered += answered
        return newly

    def request_ids(self, trace: Trace) -> RequestIds:
        """The request ids of the exchanges covered (looked up the first time asked)."""
        if self._request_ids is None:
            self._request_ids = RequestIds()
            self._request_ids.catch_up(trace, self.count)
        return self._request_ids

    def catch_up_request_ids(self, trace: Trace) -> bool:
        """Bring the request ids, if looked up, to the exchanges covered; True when one seen
        before changed (its id, or the call it is attached under)."""
        ids = self._request_ids
        return ids is not None and ids.catch_up(trace, self.count)

    def take_answered(self) -> list[int]:
        """The exchanges answered since the last call (see `_answered`)."""
        answered, self._answered = self._answered, []
        return answered

    def failed_indices(self) -> Iterator[int]:
        """The failed exchanges, in trace order."""
        flags = self.failed
        found = flags.find(1)
        while found >= 0:
            yield found
            found = flags.find(1, found + 1)


class ListLayout:
    """The rows to draw for one grouping, the groups they refer to, and where each exchange's
    row is. Rows are computed when asked for; `rows` is a sequence view of them.

    A layout covers the first `count` exchanges of its `columns` (those of them in `visible`,
    ascending, when filtered) and grows with `extend`. Subclasses lay out one grouping each.
    """

    mode: str

    def __init__(self, columns: Columns, visible: Sequence[int] | None) -> None:
        self.columns = columns
        self.visible = visible
        self.count = columns.count
        self.groups: list[Group] = []
        self._failed_rows: array[int] | None = None
        # The first row `extend` may have changed (rows before it are as they were): a view
        # redraws from there, not the whole list.
        self.changed_from = 0

    @property
    def rows(self) -> Rows:
        """The rows, as a sequence computed on access."""
        return Rows(self)

    def __len__(self) -> int:
        """How many rows there are."""
        raise NotImplementedError

    def row(self, number: int) -> ListRow:
        """Row `number` (0 <= number < len(self))."""
        raise NotImplementedError

    def row_of(self, index: int) -> int | None:
        """The row of exchange `index`, or None when it is not listed (filtered, collapsed)."""
        raise NotImplementedError

    def nearest_row(self, index: int) -> int | None:
        """The row of exchange `index`, else the row standing for it (its collapsed group)."""
        return self.row_of(index)

    def extend(self, newly_failed: Sequence[int]) -> bool:
        """Take in the exchanges the columns now cover and `newly_failed` (covered exchanges
        whose response failed); False when the layout cannot grow in place (build anew).
        Sets `changed_from`: here, the rows added after the old last one."""
        self.changed_from = len(self)
        self.count = self.columns.count
        self._failed_rows = None
        return True

    def rows_showing(self, indices: Sequence[int]) -> list[int]:
        """The rows whose look depends on exchanges `indices` (their own rows)."""
        rows = map(self.row_of, indices)
        return [row for row in rows if row is not None]

    def failed_row(self, start: int | None, step: int) -> int | None:
        """The next (`step` > 0) or previous row after row `start` holding a failed exchange,
        wrapping around (to `start` itself when it is the only one); None when there is none.
        With no `start` the search starts from the top (forward) or the bottom (backward)."""
        rows = self._failed_rows
        if rows is None:
            found = [row for row in map(self.row_of, self._failed_exchanges()) if row is not None]
            rows = self._failed_rows = array("l", sorted(found))
        if not rows:
            return None
        if start is None:
            return rows[0] if step > 0 else rows[-1]
        if step > 0:
            return rows[bisect_right(rows, start) % len(rows)]
        return rows[bisect_left(rows, start) - 1]

    def _failed_exchanges(self) -> Iterator[int]:
        count = self.count
        for index in self.columns.failed_indices():
            if index >= count:
                return
            yield index

    def _shown(self, start: int) -> Sequence[int]:
        """The listed exchanges among those from `start` on."""
        if self.visible is None:
            return range(start, self.count)
        return self.visible if start == 0 else []


class Rows(Sequence[ListRow]):
    """A layout's rows as a read-only sequence: each computed when asked for."""

    def __init__(self, owner: ListLayout) -> None:
        self._owner = owner

    def __len__(self) -> int:
        return len(self._owner)

    @overload
    def __getitem__(self, number: int) -> ListRow: ...

    @overload
    def __getitem__(self, number: slice) -> list[ListRow]: ...

    def __getitem__(self, number: int | slice) -> ListRow | list[ListRow]:
        size = len(self._owner)
        if isinstance(number, slice):
            return [self._owner.row(row) for row in range(*number.indices(size))]
        if number < 0:
            number += size
        if not 0 <= number < size:
            raise IndexError(number)
        return self._owner.row(number)


class FlatLayout(ListLayout):
    """One row per exchange, in trace order."""

    mode = FLAT

    def __len__(self) -> int:
        return self.count if self.visible is None else len(self.visible)

    def row(self, number: int) -> ListRow:
        return ListRow(number if self.visible is None else self.visible[number], -1, 0)

    def row_of(self, index: int) -> int | None:
        visible = self.visible
        if visible is None:
            return index if 0 <= index < self.count else None
        row = bisect_left(visible, index)
        return row if row < len(visible) and visible[row] == index else None


class PairLayout(ListLayout):
    """A header row per caller -> callee pair, in first-seen order, then its exchanges
    (unless the group is collapsed). A row is found by bisecting the groups' first rows."""

    mode = BY_PAIR

    def __init__(
        self, columns: Columns, visible: Sequence[int] | None, collapsed: frozenset[tuple[str, str]]
    ) -> None:
        super().__init__(columns, visible)
        self.collapsed = collapsed
        # Each exchange's key number and each key's (src, dst): the columns' pairs here.
        self._key: Sequence[int] = columns.pair
        self._names: Sequence[tuple[str, str]] = columns.pairs
        self._set_keys()
        # Group number of each of the keys (the same numbers when unfiltered).
        self._group_of: dict[int, int] = {}
        self._starts: list[int] = []
        self._size = 0
        self._add(self._shown(0))
        groups, group_of, pair = self.groups, self._group_of, self._key
        for index in self._failed_exchanges():
            group = group_of.get(pair[index])
            if group is not None and self._member(groups[group], index):
                groups[group].failed += 1
        self._place()

    def _add(self, indices: Sequence[int]) -> None:
        """Append exchanges `indices` (ascending, past those added) to their groups."""
        pair, pairs, group_of, groups = self._key, self._names, self._group_of, self.groups
        appenders = [groups[number].members.append for number in range(len(groups))]
        for index in indices:
            number = pair[index]
            group = group_of.get(number)
            if group is None:
                group = group_of[number] = len(groups)
                src, dst = pairs[number]
                groups.append(Group(src, dst, []))
                appenders.append(groups[group].members.append)
            appenders[group](index)

    def _place(self) -> None:
        """Work out each group's first row (groups are few: a loop over them is cheap)."""
        starts = []
        row = 0
        collapsed = self.collapsed
        for group in self.groups:
            starts.append(row)
            row += 1 if (group.src, group.dst) in collapsed else 1 + len(group.members)
        self._starts = starts
        self._size = row
        self._failed_rows = None

    def _set_keys(self) -> None:
        """Take in the keys of the exchanges covered (the columns' pairs are kept there)."""

    def set_collapsed(self, collapsed: frozenset[tuple[str, str]]) -> None:
        """Hide the members of the `collapsed` groups, show the others'."""
        self.collapsed = collapsed
        self._place()

    def extend(self, newly_failed: Sequence[int]) -> bool:
        old = self.count
        super().extend(newly_failed)
        self._set_keys()
        added = self._shown(old)
        self._add(added)
        groups, group_of, pair = self.groups, self._group_of, self._key
        flags = self.columns.failed
        for index in added:
            if flags[index]:
                groups[group_of[pair[index]]].failed += 1
        for index in newly_failed:
            group = group_of.get(pair[index])
            if index < old and group is not None and self._member(groups[group], index):
                groups[group].failed += 1
        self._place()
        grown = {group_of[pair[index]] for index in added}
        if grown:
            # A group's new members push down every row after it, and its count changes.
            self.changed_from = min(self._starts[group] for group in grown)
        return True

    def rows_showing(self, indices: Sequence[int]) -> list[int]:
        """Their own rows, and their groups' rows (which count the failures)."""
        rows = set(super().rows_showing(indices))
        for index in indices:
            number = self._group_number(index)
            if number is not None:
                rows.add(self._starts[number])
        return sorted(rows)

    @staticmethod
    def _member(group: Group, index: int) -> bool:
        members = group.members
        at = bisect_left(members, index)
        return at < len(members) and members[at] == index

    def __len__(self) -> int:
        return self._size

    def row(self, number: int) -> ListRow:
        group = bisect_right(self._starts, number) - 1
        offset = number - self._starts[group]
        if offset == 0:
            return ListRow(-1, group, 0)
        return ListRow(self.groups[group].members[offset - 1], group, 1)

    def _group_number(self, index: int) -> int | None:
        """The group exchange `index` belongs to, listed or not."""
        if not 0 <= index < self.count:
            return None
        number = self._group_of.get(self._key[index])
        if number is None or not self._member(self.groups[number], index):
            return None
        return number

    def row_of(self, index: int) -> int | None:
        number = self._group_number(index)
        if number is None:
            return None
        group = self.groups[number]
        if (group.src, group.dst) in self.collapsed:
            return None
        return self._starts[number] + 1 + bisect_left(group.members, index)

    def nearest_row(self, index: int) -> int | None:
        row = self.row_of(index)
        if row is None:
            number = self._group_number(index)
            return None if number is None else self._starts[number]
        return row


class RequestLayout(PairLayout):
    """A header row per global request id, in first-seen order (exchanges with none under
    one last-seen group of their own), then its exchanges: one API call and everything done on
    its behalf. Groups are keyed (id, "") so they collapse as pair groups do."""

    mode = BY_REQUEST

    def __init__(
        self,
        columns: Columns,
        visible: Sequence[int] | None,
        collapsed: frozenset[tuple[str, str]],
        request_ids: RequestIds,
    ) -> None:
        self._ids = request_ids
        self._numbers: dict[str, int] = {}
        self._own_key: array[int] = array("l")
        self._own_names: list[tuple[str, str]] = []
        super().__init__(columns, visible, collapsed)

    def _set_keys(self) -> None:
        ids, numbers, keys, names = self._ids.ids, self._numbers, self._own_key, self._own_names
        for index in range(len(keys), self.count):
            rid = ids[index] or NO_REQUEST_ID
            number = numbers.get(rid)
            if number is None:
                number = numbers[rid] = len(names)
                names.append((rid, ""))
            keys.append(number)
        self._key, self._names = keys, names


class TreeLayout(ListLayout):
    """Exchanges depth-first: each call under the one whose handling made it.

    Laid out from per-exchange arrays (subtree size, first row, depth), not by walking
    children lists. A new call lands at the end of its parent's subtree: an append while
    that subtree is the last one, otherwise the rows after it move down one (few, while a
    trace is written: open calls are recent); past a budget the layout is built anew.
    """

    mode = BY_TREE

    def __init__(
        self, columns: Columns, visible: Sequence[int] | None, attached: dict[int, int]
    ) -> None:
        super().__init__(columns, visible)
        count = self.count
        # RPC roots go under the API call whose request id they carry (`RequestIds`).
        self.attached = attached
        parents = array("l", columns.parent)
        for child, owner in attached.items():
            if child < count:
                parents[child] = owner
        size = [1] * count
        for index in range(count - 1, -1, -1):
            parent = parents[index]
            if parent >= 0:
                size[parent] += size[index]
        # `end[i]`: the row after the last one of exchange i's subtree placed so far.
        first = [0] * count
        end = [0] * count
        depth = [0] * count
        roots_end = 0
        for index, parent in enumerate(parents):
            if parent < 0:
                row = roots_end
                roots_end += size[index]
            else:
                row = end[parent]
                end[parent] = row + size[index]
                depth[index] = depth[parent] + 1
            first[index] = row
            end[index] = row + 1
        order = [0] * count
        for index, row in enumerate(first):
            order[row] = index
        self._depth = depth
        self._end = end
        if visible is None:
            self._order = order
            self._row = first
        else:
            shown = bytearray(count)
            for index in visible:
                shown[index] = 1
            self._order = [index for index in order if shown[index]]
            self._row = [-1] * count
            for row, index in enumerate(self._order):
                self._row[index] = row

    def extend(self, newly_failed: Sequence[int]) -> bool:
        old = self.count
        super().extend(newly_failed)
        if self.visible is not None:
            return True
        parents, depth, end = self.columns.parent, self._depth, self._end
        order, first, attached = self._order, self._row, self.attached
        # Moving rows costs about what building anew does once they are as many as the calls.
        budget = self.count
        for index in range(old, self.count):
            parent = attached.get(index, parents[index])
            depth.append(0 if parent < 0 else depth[parent] + 1)
            row = len(order) if parent < 0 else end[parent]
            first.append(row)
            end.append(row + 1)
            if row == len(order):
                order.append(index)
            else:
                budget -= len(order) - row
                if budget < 0:
                    return False
                order.insert(row, index)
                self.changed_from = min(self.changed_from, row)
                for later in order[row + 1 :]:
                    first[later] += 1
                    end[later] += 1
            while parent >= 0:
                end[parent] += 1
                parent = parents[parent]
        return True

    def __len__(self) -> int:
        return len(self._order)

    def row(self, number: int) -> ListRow:
        index = self._order[number]
        return ListRow(index, -1, self._depth[index])

    def row_of(self, index: int) -> int | None:
        if not 0 <= index < len(self._row):
            return None
        row = self._row[index]
        return row if row >= 0 else None


def layout(
    exchanges: Sequence[Exchange],
    mode: str,
    visible: Sequence[int] | None = None,
    collapsed: frozenset[tuple[str, str]] = frozenset(),
    columns: Columns | None = None,
    request_ids: RequestIds | None = None,
) -> ListLayout:
    """Lay out the list for `mode`, showing only `visible` exchanges (ascending; all when None).

    `collapsed` holds the (src, dst) groups (by request id: (id, "")) whose members are
    hidden. The layout covers the exchanges `columns` covers; without `columns`, all of
    `exchanges`. The call tree and the request-id groups use `request_ids` (without them, the
    tree leaves RPC roots where they are and the groups put every exchange under "no id").
    """
    if columns is None:
        columns = Columns()
        columns.add(exchanges)
    if mode == BY_PAIR:
        return PairLayout(columns, visible, collapsed)
    if mode == BY_TREE:
        return TreeLayout(columns, visible, {} if request_ids is None else request_ids.attached)
    if mode == BY_REQUEST:
        if request_ids is None:
            request_ids = RequestIds()
            request_ids.ids = [""] * columns.count
        return RequestLayout(columns, visible, collapsed, request_ids)
    return FlatLayout(columns, visible)


class Layouts:
    """The panes' layouts of one trace under one filter: the list's for every grouping, the
    lanes', and the failure count, all brought up to date with what the reader appended by
    `catch_up`.

    The groupings that need no request id are laid out from the start and kept growing, so
    `g` never builds them: at 200k exchanges a build costs 30 to 60 ms, growing by 1,000
    exchanges 0.2 ms. The call tree and the request-id groups are laid out when first asked
    for, and from then on kept growing too.
    """

    def __init__(
        self,
        trace: Trace,
        visible: Sequence[int] | None = None,
        collapsed: frozenset[tuple[str, str]] = frozenset(),
        columns: Columns | None = None,
    ) -> None:
        self.trace = trace
        self.visible = visible
        self.collapsed = collapsed
        self.columns = Columns() if columns is None else columns
        self.columns.catch_up(trace)
        self.lanes: LaneLayout = lane_layout(trace, visible)
        self._lists: dict[str, ListLayout] = {}
        for mode in GROUPINGS:
            if mode not in NEED_REQUEST_IDS:
                self.list_layout(mode)

    def list_layout(self, mode: str) -> ListLayout:
        """The list's layout for grouping `mode`, over the exchanges caught up with (built
        here only after `catch_up` dropped it)."""
        found = self._lists.get(mode)
        if found is None:
            ids = self.columns.request_ids(self.trace) if mode in NEED_REQUEST_IDS else None
            found = self._lists[mode] = layout(
                self.trace.exchanges, mode, self.visible, self.collapsed, self.columns, ids
            )
        return found

    def set_collapsed(self, collapsed: frozenset[tuple[str, str]]) -> None:
        """Hide the members of the `collapsed` caller -> callee groups."""
        self.collapsed = collapsed
        for mode in (BY_PAIR, BY_REQUEST):
            groups = self._lists.get(mode)
            if isinstance(groups, PairLayout):
                groups.set_collapsed(collapsed)

    def catch_up(self, shown: str) -> None:
        """Take in what the reader appended: extend every layout in place; one that cannot
        grow so (a call tree whose rows would move too much) is built anew if grouping `shown`
        uses it, else dropped until asked for."""
        newly_failed = self.columns.catch_up(self.trace)
        if self.columns.catch_up_request_ids(self.trace):
            # An exchange seen before changed its id or its place: lay those out anew (built
            # over what is caught up, so not extended below).
            for mode in NEED_REQUEST_IDS:
                self._lists.pop(mode, None)
        for mode, kept in list(self._lists.items()):
            if not kept.extend(newly_failed):
                del self._lists[mode]
        if shown not in self._lists:
            self.list_layout(shown)
        self.lanes = self.lanes.extend(self.trace)
