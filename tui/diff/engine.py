"""Compare two runs of the same operation: align their exchanges, then list what really changed.

Each exchange gets a signature: caller, callee, method and the path with its ids as
placeholders (`tui.diff.masking.path_signature`). The two signature sequences are aligned with
Myers' algorithm, first on (signature, parent's signature) so a nested call lines up under a
matching parent, then on signatures alone inside the gaps that leaves (a call the call tree
placed differently in the other run). Runs too far apart for Myers (one stopped half way) are
anchored on the k-th call of each kind instead. Where one run repeats a call (a retry, a poll)
more often than the other, the copies are paired by content, most alike first. Calls that
merely swapped places with a neighbour (concurrency) are paired across the swap.

Paired exchanges are compared part by part with volatile values masked (`tui.diff.masking`): the
status, the headers by name, the bodies by JSON path (`server.networks[0].uuid`) or by line.
Masking does not hide everything: the diff learns which id of run 1 is which id of run 2 (the
server each run created, the token each was issued) and reports a value that breaks that
one-to-one correspondence, such as a reused token or the wrong network. `raw=True` masks
nothing and shows every byte that differs.

Plain Python, no Textual.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import chain, repeat, zip_longest
from typing import Any, Callable, NamedTuple

from tui.diff.masking import (
    CONTENT_LENGTH,
    JSON_KEY_RULES,
    RULES,
    Masked,
    header_rule,
    mask_header_line,
    mask_keyed,
    mask_shaped,
    mask_text,
    mask_whole,
    path_signature,
    url_path,
)
from tui.model.trace import Exchange, Record, Trace

SAME = "same"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"
KINDS = (SAME, CHANGED, ADDED, REMOVED)

REQUEST_PATH = "request.path"
REQUEST_HEADERS = "request.headers"
REQUEST_BODY = "request.body"
RESPONSE_STATUS = "response.status"
RESPONSE_HEADERS = "response.headers"
RESPONSE_BODY = "response.body"

# Past this many insertions + deletions Myers' algorithm (quadratic in them) gives way to
# anchoring on calls both runs make the same number of times.
MAX_EDITS = 500
# A repeated call is re-paired by content only while (copies in run 1) x (copies in run 2)
# stays below this: the pairing is a dynamic programme over that many cells.
MAX_REPEAT_CELLS = 10_000
# How far apart, in aligned entries, a call may be in the two runs and still be paired as the
# same call that concurrency moved.
MOVE_WINDOW = 8
# A differing masked part outweighs any number of differing raw parts when pairing repeats.
_MASKED_WEIGHT = 8

_IDENTIFIER_KEY = re.compile(r"[A-Za-z0-9_:@$-]+")
_NOT_JSON = object()
_TRACKED = {name: rule.tracked for name, rule in RULES.items()}

Values = tuple[tuple[str, str], ...]


class _Absent:
    """The type of `ABSENT`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


# The value on the side of a change that lacks the thing: a header, a JSON key or item, a line,
# a response. Distinct from None, which is a JSON null.
ABSENT = _Absent()


class _MaskedLines(NamedTuple):
    """A text masked line by line: each masked line, and the (rule, value) pairs of all
    lines in order."""

    texts: tuple[str, ...]
    values: Values


class Change(NamedTuple):
    """One difference in a changed exchange.

    `part` is where (`response.status`, `request.headers`, `response.body`, ...), `key` the
    header name, JSON path (`server.networks[0].uuid`) or `line N` (None for the status and
    the path), `a`/`b` the run 1 / run 2 values: strings, JSON values from bodies, `ABSENT`
    where one run lacks the thing. `note` says why values that look alike differ: an id that
    breaks the correspondence learned between the runs.
    """

    part: str
    key: str | None
    a: Any
    b: Any
    note: str = ""


class DiffEntry(NamedTuple):
    """One aligned exchange: in both runs (`same`/`changed`) or in one (`added`/`removed`)."""

    kind: str
    a_index: int | None
    b_index: int | None
    src: str
    dst: str
    method: str
    path: str
    changes: tuple[Change, ...]


@dataclass
class TraceDiff:
    """The aligned exchanges of two runs, what masking hid and the ids learned to correspond.

    `masked` counts, per rule, the distinct (run 1, run 2) value pairs that differed and were
    masked, and `examples` gives the first such pair of each rule; `mapping` is run 1's id ->
    run 2's id, as learned.
    """

    a: Trace
    b: Trace
    raw: bool
    entries: list[DiffEntry]
    masked: dict[str, int]
    mapping: dict[str, str]
    examples: dict[str, tuple[str, str]] = field(default_factory=dict)
    a_position: dict[int, int] = field(init=False, repr=False)
    b_position: dict[int, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.a_position = {}
        self.b_position = {}
        for position, entry in enumerate(self.entries):
            if entry.a_index is not None:
                self.a_position[entry.a_index] = position
            if entry.b_index is not None:
                self.b_position[entry.b_index] = position

    @property
    def summary(self) -> dict[str, int]:
        """How many entries of each kind, in the order same, changed, added, removed."""
        counts = Counter(entry.kind for entry in self.entries)
        return {kind: counts[kind] for kind in KINDS}

    @property
    def differences(self) -> list[int]:
        """Positions in `entries` of every entry that is not `same`."""
        return [pos for pos, entry in enumerate(self.entries) if entry.kind != SAME]

    @property
    def has_differences(self) -> bool:
        """True when any entry is not `same`."""
        return any(entry.kind != SAME for entry in self.entries)


def exchange_signature(exchange: Exchange) -> tuple[str, str, str, str]:
    """What identifies a call across runs: (src, dst, method, path with ids as placeholders)."""
    request = exchange.request
    return (request.src, request.dst, request.method, path_signature(request.target))


def status_text(record: Record | None) -> str | None:
    """`200 OK` for a response record, None for a missing one."""
    if record is None:
        return None
    return f"{record.status} {record.reason}".strip()


def value_text(value: Any) -> str:
    """A change's value on one line: strings as they are, JSON values compact."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _status(record: Record | None) -> Any:
    return ABSENT if record is None else status_text(record)


def _short(value: str) -> str:
    return value if len(value) <= 40 else f"{value[:24]}…{value[-8:]}"


def _join(path: str, key: str) -> str:
    if _IDENTIFIER_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _parse_json(text: str) -> Any:
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "[{":
        return _NOT_JSON
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _NOT_JSON


# --- alignment --------------------------------------------------------------------------------


def _myers(a: Sequence[int], b: Sequence[int], max_edits: int) -> list[tuple[int, int]] | None:
    """The matched (i, j) pairs of a shortest edit script, or None past `max_edits` edits."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return []
    offset = n + m + 1
    v = [0] * (2 * offset + 1)
    # trace[d] holds v[-d-1 .. d+1] as it was before round d, enough to walk back.
    trace: list[list[int]] = []
    for d in range(min(max_edits, n + m) + 1):
        trace.append(v[offset - d - 1 : offset + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]
            else:
                x = v[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            v[offset + k] = x
            if x >= n and y >= m:
                return _myers_path(trace, n, m)
    return None


def _myers_path(trace: list[list[int]], n: int, m: int) -> list[tuple[int, int]]:
    pairs = []
    x, y = n, m
    for d in range(len(trace) - 1, -1, -1):
        before = trace[d]

        def v(k: int, before: list[int] = before, d: int = d) -> int:
            return before[k + d + 1]

        k = x - y
        previous_k = k + 1 if k == -d or (k != d and v(k - 1) < v(k + 1)) else k - 1
        previous_x = v(previous_k) if d else 0
        previous_y = previous_x - previous_k if d else 0
        while x > previous_x and y > previous_y:
            x -= 1
            y -= 1
            pairs.append((x, y))
        x, y = previous_x, previous_y
    pairs.reverse()
    return pairs


def _matches(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Matched (i, j) pairs of a longest common subsequence of `a` and `b` (or close to one)."""
    n, m = len(a), len(b)
    # A common head is matched as is. A common tail is not: when one run stopped early, its
    # last calls belong with the same calls of the other run, not with that run's last ones.
    head = 0
    while head < n and head < m and a[head] == b[head]:
        head += 1
    rest_a, rest_b = a[head:], b[head:]
    rest = _myers(rest_a, rest_b, MAX_EDITS)
    if rest is None:
        rest = _anchored(rest_a, rest_b)
    return [(i, i) for i in range(head)] + [(i + head, j + head) for i, j in rest]


def _anchored(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Matches for runs too far apart for Myers (a run that stopped half way, a long retry
    loop): the k-th call of a kind in one run anchors to the k-th of that kind in the other,
    the longest chain of anchors in order is kept, and Myers fills the gaps between them."""
    seen: Counter[int] = Counter()
    position_in_a = {}
    for i, key in enumerate(a):
        seen[key] += 1
        position_in_a[(key, seen[key])] = i
    seen.clear()
    candidates = []
    for j, key in enumerate(b):
        seen[key] += 1
        i = position_in_a.get((key, seen[key]))
        if i is not None:
            candidates.append((i, j))
    candidates.sort()
    anchors = _increasing_chain(candidates)
    pairs = []
    previous_i = previous_j = -1
    for i, j in [*anchors, (len(a), len(b))]:
        start_i, start_j = previous_i + 1, previous_j + 1
        gap = _myers(a[start_i:i], b[start_j:j], MAX_EDITS) or []
        pairs += [(start_i + x, start_j + y) for x, y in gap]
        if i < len(a):
            pairs.append((i, j))
        previous_i, previous_j = i, j
    return pairs


def _increasing_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of `pairs` (sorted by i) whose j increase too (patience sorting)."""
    tails: list[int] = []  # tails[n]: least j ending a chain of n + 1 pairs
    ends: list[int] = []  # ends[n]: index in `pairs` of that pair
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        length = bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            ends.append(index)
        else:
            tails[length] = j
            ends[length] = index
        previous[index] = ends[length - 1] if length else -1
    chain_ = []
    index = ends[-1] if ends else -1
    while index >= 0:
        chain_.append(pairs[index])
        index = previous[index]
    return chain_[::-1]


def _fill_gaps(
    pairs: list[tuple[int, int]], a: Sequence[int], b: Sequence[int]
) -> list[tuple[int, int]]:
    """Add matches on `a`/`b` keys inside the unmatched stretches between `pairs`."""
    filled = []
    previous_i = previous_j = -1
    for i, j in [*pairs, (len(a), len(b))]:
        if i - previous_i > 1 and j - previous_j > 1:
            start_i, start_j = previous_i + 1, previous_j + 1
            filled += [(start_i + x, start_j + y) for x, y in _matches(a[start_i:i], b[start_j:j])]
        if i < len(a):
            filled.append((i, j))
        previous_i, previous_j = i, j
    return filled


def _merge(pairs: list[tuple[int, int]], n: int, m: int) -> list[tuple[int | None, int | None]]:
    """The alignment: each pair, preceded by the run 1 then run 2 items left unmatched."""
    merged: list[tuple[int | None, int | None]] = []
    i = j = 0
    for pair_i, pair_j in [*pairs, (n, m)]:
        merged += [(x, None) for x in range(i, pair_i)]
        merged += [(None, y) for y in range(j, pair_j)]
        if pair_i < n:
            merged.append((pair_i, pair_j))
        i, j = pair_i + 1, pair_j + 1
    return merged


def _pair_repeats(
    a_items: list[int], b_items: list[int], cost: Callable[[int, int], int]
) -> list[tuple[int, int]]:
    """Pair min(len) copies of one repeated call, in order, at the least total cost.

    Ties go to the earliest copies, so the extra copies of a poll are the last ones.
    """
    swap = len(a_items) > len(b_items)
    short, long = (b_items, a_items) if swap else (a_items, b_items)

    def cell(i: int, j: int) -> int:
        return cost(long[j], short[i]) if swap else cost(short[i], long[j])

    count, length = len(short), len(long)
    # best[i][j]: least cost of pairing short[i:] within long[j:].
    infinity = float("inf")
    best = [[infinity] * (length + 1) for _ in range(count + 1)]
    best[count] = [0] * (length + 1)
    costs = [[cell(i, j) for j in range(length)] for i in range(count)]
    for i in range(count - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(length - (count - i), -1, -1):
            row[j] = min(costs[i][j] + below[j + 1], row[j + 1])
    pairs = []
    j = 0
    for i in range(count):
        while costs[i][j] + best[i + 1][j + 1] != best[i][j]:
            j += 1
        pairs.append((long[j], short[i]) if swap else (short[i], long[j]))
        j += 1
    return pairs


def _refine_repeats(
    alignment: list[tuple[int | None, int | None]],
    key_a: Sequence[int],
    key_b: Sequence[int],
    cost: Callable[[int, int], int],
) -> list[tuple[int | None, int | None]]:
    """Re-pair each run of one repeated call by content where some copies went unpaired
    (the runs repeat it unequally, or the signature alignment paired the wrong copies)."""
    refined: list[tuple[int | None, int | None]] = []
    start = 0
    while start < len(alignment):
        end = start + 1
        key = _key_of(alignment[start], key_a, key_b)
        while end < len(alignment) and _key_of(alignment[end], key_a, key_b) == key:
            end += 1
        group = alignment[start:end]
        a_items = [i for i, _ in group if i is not None]
        b_items = [j for _, j in group if j is not None]
        unpaired = any(i is None or j is None for i, j in group)
        if a_items and b_items and unpaired and len(a_items) * len(b_items) <= MAX_REPEAT_CELLS:
            pairs = _pair_repeats(a_items, b_items, cost)
            refined += _merge_items(pairs, a_items, b_items)
        else:
            refined += group
        start = end
    return refined


def _key_of(item: tuple[int | None, int | None], key_a: Sequence[int], key_b: Sequence[int]) -> int:
    i, j = item
    if i is not None:
        return key_a[i]
    assert j is not None, "an alignment item has at least one side"
    return key_b[j]


def _merge_items(
    pairs: list[tuple[int, int]], a_items: list[int], b_items: list[int]
) -> list[tuple[int | None, int | None]]:
    paired_a = {i for i, _ in pairs}
    paired_b = {j for _, j in pairs}
    merged: list[tuple[int | None, int | None]] = []
    rest_a = iter(i for i in a_items if i not in paired_a)
    rest_b = iter(j for j in b_items if j not in paired_b)
    pending_a = next(rest_a, None)
    pending_b = next(rest_b, None)
    for i, j in pairs:
        while pending_a is not None and pending_a < i:
            merged.append((pending_a, None))
            pending_a = next(rest_a, None)
        while pending_b is not None and pending_b < j:
            merged.append((None, pending_b))
            pending_b = next(rest_b, None)
        merged.append((i, j))
    while pending_a is not None:
        merged.append((pending_a, None))
        pending_a = next(rest_a, None)
    while pending_b is not None:
        merged.append((None, pending_b))
        pending_b = next(rest_b, None)
    return merged


def _pair_moved(
    alignment: list[tuple[int | None, int | None]], key_a: Sequence[int], key_b: Sequence[int]
) -> list[tuple[int | None, int | None]]:
    """Pair a removed and an added call with one signature a few entries apart (a swap)."""
    added: dict[int, list[int]] = {}
    for position, (i, j) in enumerate(alignment):
        if i is None and j is not None:
            added.setdefault(key_b[j], []).append(position)
    if not added:
        return alignment
    moved = list(alignment)
    dropped = set()
    for position, (i, j) in enumerate(alignment):
        if j is not None or i is None:
            continue
        candidates = [
            other
            for other in added.get(key_a[i], ())
            if other not in dropped and abs(other - position) <= MOVE_WINDOW
        ]
        if candidates:
            nearest = min(candidates, key=lambda other: abs(other - position))
            dropped.add(nearest)
            moved[position] = (i, alignment[nearest][1])
    return [item for position, item in enumerate(moved) if position not in dropped]


def align_runs(
    a: Trace,
    b: Trace,
    cost: Callable[[int, int], int] | None = None,
    signature: Callable[[Exchange], Any] = exchange_signature,
) -> list[tuple[int | None, int | None]]:
    """Align the exchanges of two runs: (a index, b index) pairs, None where one run lacks it.

    `cost(i, j)` (lower is more alike) decides which copies of a repeated call pair up; with
    None the earliest copies pair. `signature` may be a caching `exchange_signature`.
    """
    codes: dict[Any, int] = {}
    signatures_a = [signature(exchange) for exchange in a.exchanges]
    signatures_b = [signature(exchange) for exchange in b.exchanges]
    base_a = [codes.setdefault(signature, len(codes)) for signature in signatures_a]
    base_b = [codes.setdefault(signature, len(codes)) for signature in signatures_b]

    def tree_keys(exchanges: Sequence[Exchange], base: list[int]) -> list[int]:
        keys = []
        for exchange in exchanges:
            parent = -1 if exchange.parent is None else base[exchange.parent]
            keys.append(codes.setdefault((base[exchange.index], parent), len(codes)))
        return keys

    pairs = _matches(tree_keys(a.exchanges, base_a), tree_keys(b.exchanges, base_b))
    pairs = _fill_gaps(pairs, base_a, base_b)
    alignment = _merge(pairs, len(base_a), len(base_b))
    alignment = _refine_repeats(alignment, base_a, base_b, cost or (lambda i, j: 0))
    return _pair_moved(alignment, base_a, base_b)


# --- comparison -------------------------------------------------------------------------------


class _Comparer:
    """Compares paired exchanges, learning the id correspondence in the order it meets them."""

    def __init__(self, a: Trace, b: Trace, raw: bool) -> None:
        self.a = a
        self.b = b
        self.raw = raw
        self.same_format = a.format == b.format
        self.a_to_b: dict[str, str] = {}
        self.b_to_a: dict[str, str] = {}
        self.masked: Counter[str] = Counter()
        self.examples: dict[str, tuple[str, str]] = {}
        # Value pairs already counted and found consistent: most recur many times.
        self._seen: set[tuple[tuple[str, str], tuple[str, str]]] = set()
        self._texts: dict[str, Masked] = {}
        # Line -> masked line and line -> its values (lines with none are left out), for
        # header blocks [1] and bodies [0]: most lines recur (a service catalog in every
        # header block), so each distinct line is masked once.
        self._line_texts: tuple[dict[str, str], dict[str, str]] = ({}, {})
        self._line_values: tuple[dict[str, Values], dict[str, Values]] = ({}, {})
        self._bodies: dict[str, _MaskedLines] = {}
        self._rules: dict[str, str | None] = {}
        self._content: dict[tuple[int, int], tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

    # Masking, cached: the same value recurs across records and across runs.

    def mask(self, text: str) -> Masked:
        return Masked(text, ()) if self.raw else self._masked(text)

    def _masked(self, text: str) -> Masked:
        found = self._texts.get(text)
        if found is None:
            found = self._texts[text] = mask_text(text)
        return found

    def signature(self, exchange: Exchange) -> tuple[str, str, str, str]:
        """`exchange_signature`, sharing this diff's cache: each path is masked once."""
        request = exchange.request
        path = path_signature(request.target, self._masked)
        return (request.src, request.dst, request.method, path)

    def mask_lines(self, text: str, header: bool) -> _MaskedLines:
        """`text` masked line by line (a header block's lines by header name too)."""
        if self.raw:
            return _MaskedLines((text,), ())
        if not header:
            # A body often recurs whole (`none`, the same listing); a header block never
            # does, it carries a request id.
            found = self._bodies.get(text)
            if found is not None:
                return found
        original = text
        keyed: Values = ()
        if not header:
            # Keyed values span lines (`"audit_ids": [` then the ids): mask them first.
            text, keyed = mask_keyed(text)
        texts_cache, values_cache = self._line_texts[header], self._line_values[header]
        lines = text.split("\n")
        mask = mask_header_line if header else mask_shaped
        for line in set(lines).difference(texts_cache):
            masked = mask(line)
            texts_cache[line] = masked.text
            if masked.values:
                values_cache[line] = masked.values
        # Tuples, not lists: tuples of strings drop out of the garbage collector's sight.
        texts = tuple(map(texts_cache.__getitem__, lines))
        # Only lines with values are in values_cache: C-level passes keep this cheap.
        empty = repeat((), len(lines))
        values = keyed + tuple(chain.from_iterable(map(values_cache.get, lines, empty)))
        masked_lines = _MaskedLines(texts, values)
        if not header:
            self._bodies[original] = masked_lines
        return masked_lines

    def header_rule(self, lowered: str) -> str | None:
        if self.raw:
            return None
        if lowered not in self._rules:
            self._rules[lowered] = header_rule(lowered)
        return self._rules[lowered]

    # The id correspondence.

    def _correspond(self, x: str, y: str) -> str:
        known = self.a_to_b.get(x)
        if known is None:
            other = self.b_to_a.get(y)
            if other is None:
                self.a_to_b[x] = y
                self.b_to_a[y] = x
                return ""
            return f"{_short(y)} in run 2 was {_short(other)} in run 1 elsewhere"
        if known == y:
            return ""
        return f"{_short(x)} in run 1 was {_short(known)} in run 2 elsewhere"

    def pair(self, xs: Values, ys: Values) -> str:
        """Count and learn the volatile values of two texts that mask equal; the first
        correspondence broken, as a note ("" when none is)."""
        if not xs:
            return ""
        fresh = set(zip(xs, ys)) - self._seen
        if not fresh:
            return ""
        note = ""
        # filter() tests membership as it goes: a pair met twice here is handled once.
        for pair in filter(fresh.__contains__, zip(xs, ys)):
            fresh.discard(pair)
            (rule, x), (_, y) = pair
            broken = self._correspond(x, y) if _TRACKED[rule] else ""
            if broken:
                note = note or broken
                continue
            self._seen.add(pair)
            if x != y:
                self.masked[rule] += 1
                self.examples.setdefault(rule, (x, y))
        return note

    # Values, headers, bodies.

    def value(
        self, out: list[Change], part: str, key: str | None, x: str, y: str, rule: str | None
    ) -> None:
        if rule is not None and not self.raw:
            masked_x, masked_y = mask_whole(rule, x), mask_whole(rule, y)
        else:
            masked_x, masked_y = self.mask(x), self.mask(y)
        if masked_x.text != masked_y.text:
            out.append(Change(part, key, x, y))
            return
        note = self.pair(masked_x.values, masked_y.values)
        if note:
            out.append(Change(part, key, x, y, note))

    def headers(
        self,
        part: str,
        xs: tuple[tuple[str, str], ...],
        ys: tuple[tuple[str, str], ...],
        body_same: bool,
    ) -> list[Change]:
        out: list[Change] = []
        names: dict[str, str] = {}
        values_a: dict[str, list[str]] = {}
        values_b: dict[str, list[str]] = {}
        for pairs, values in ((xs, values_a), (ys, values_b)):
            for name, value in pairs:
                lowered = name.lower()
                names.setdefault(lowered, name)
                values.setdefault(lowered, []).append(value)
        for lowered, name in names.items():
            rule = self.header_rule(lowered)
            found_a, found_b = values_a.get(lowered, []), values_b.get(lowered, [])
            if rule == CONTENT_LENGTH:
                if body_same:
                    self.pair(
                        tuple((rule, value) for value in found_a),
                        tuple((rule, value) for value in found_b),
                    )
                    continue
                rule = None
            for x, y in zip_longest(found_a, found_b, fillvalue=ABSENT):
                if x is ABSENT or y is ABSENT:
                    out.append(Change(part, name, x, y))
                else:
                    self.value(out, part, name, x, y, rule)
        return out

    def body(self, part: str, x: str, y: str) -> list[Change]:
        masked_x, masked_y = self.mask(x), self.mask(y)
        if masked_x.text == masked_y.text and not self.pair(masked_x.values, masked_y.values):
            return []
        # The bodies differ, or an id in them breaks the correspondence: say where.
        return self.structured(part, x, y)

    def structured(self, part: str, x: str, y: str) -> list[Change]:
        data_x, data_y = _parse_json(x), _parse_json(y)
        if data_x is not _NOT_JSON and data_y is not _NOT_JSON:
            out: list[Change] = []
            try:
                self.json(out, part, data_x, data_y, "", None)
                return out
            except RecursionError:
                pass
        return self.lines(part, x, y)

    def json(
        self, out: list[Change], part: str, x: Any, y: Any, path: str, rule: str | None
    ) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            self.json_object(out, part, x, y, path)
        elif isinstance(x, list) and isinstance(y, list):
            self.json_array(out, part, x, y, path, rule)
        elif isinstance(x, str) and isinstance(y, str):
            self.value(out, part, path or None, x, y, rule)
        elif type(x) is not type(y) or x != y:
            out.append(Change(part, path or None, x, y))

    def json_object(
        self, out: list[Change], part: str, x: dict[str, Any], y: dict[str, Any], path: str
    ) -> None:
        # Keys of y absent from x, by masked key: where a key is an id, the ids differ.
        by_mask: dict[str, list[str]] | None = None
        used = set()
        for key_x, value_x in x.items():
            key_y: str | None = key_x if key_x in y else None
            if key_y is None and not self.raw:
                if by_mask is None:
                    by_mask = {}
                    for key in y:
                        if key not in x:
                            by_mask.setdefault(self.mask(key).text, []).append(key)
                candidates = [k for k in by_mask.get(self.mask(key_x).text, ()) if k not in used]
                learned = self.a_to_b.get(key_x)
                key_y = learned if learned in candidates else next(iter(candidates), None)
            key_path = _join(path, key_x)
            if key_y is None:
                out.append(Change(part, key_path, value_x, ABSENT))
                continue
            used.add(key_y)
            masked_x = self.mask(key_x)
            if masked_x.values:
                note = self.pair(masked_x.values, self.mask(key_y).values)
                if note:
                    out.append(Change(part, key_path, key_x, key_y, note))
            rule = None if self.raw else JSON_KEY_RULES.get(key_x)
            self.json(out, part, value_x, y[key_y], key_path, rule)
        out += [
            Change(part, _join(path, key), ABSENT, value)
            for key, value in y.items()
            if key not in used
        ]

    def json_array(
        self, out: list[Change], part: str, x: list[Any], y: list[Any], path: str, rule: str | None
    ) -> None:
        if len(x) == len(y):
            order = (None if rule else self.lookalike_order(x, y)) or range(len(y))
            for index, other in enumerate(order):
                self.json(out, part, x[index], y[other], f"{path}[{index}]", rule)
            return
        shapes_x = [self.shape(item) for item in x]
        shapes_y = [self.shape(item) for item in y]
        matcher = SequenceMatcher(None, shapes_x, shapes_y, autojunk=False)
        for _, i1, i2, j1, j2 in matcher.get_opcodes():
            common = min(i2 - i1, j2 - j1)
            for offset in range(common):
                index = i1 + offset
                self.json(out, part, x[index], y[j1 + offset], f"{path}[{index}]", rule)
            out += [Change(part, f"{path}[{i}]", x[i], ABSENT) for i in range(i1 + common, i2)]
            out += [Change(part, f"{path}[{j}]", ABSENT, y[j]) for j in range(j1 + common, j2)]

    def lookalike_order(self, x: list[Any], y: list[Any]) -> list[int] | None:
        """Where each item of `x` sits in `y` when `y` holds the same items (ids aside) in
        another order, else None. Keystone, for one, lists a token's roles in any order."""
        shapes_x = [self.shape(item) for item in x]
        shapes_y = [self.shape(item) for item in y]
        if shapes_x == shapes_y or sorted(shapes_x) != sorted(shapes_y):
            return None
        positions: dict[str, list[int]] = {}
        for index, shape in enumerate(shapes_y):
            positions.setdefault(shape, []).append(index)
        return [positions[shape].pop(0) for shape in shapes_x]

    def shape(self, item: Any) -> str:
        """A JSON item as masked canonical text: equal for items that differ only in ids."""
        return self.mask(json.dumps(item, sort_keys=True)).text

    def lines(self, part: str, x: str, y: str) -> list[Change]:
        lines_x, lines_y = x.split("\n"), y.split("\n")
        masked_x = [self.mask(line) for line in lines_x]
        masked_y = [self.mask(line) for line in lines_y]
        matcher = SequenceMatcher(
            None, [m.text for m in masked_x], [m.text for m in masked_y], autojunk=False
        )
        out = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for offset in range(i2 - i1):
                    i, j = i1 + offset, j1 + offset
                    note = self.pair(masked_x[i].values, masked_y[j].values)
                    if note:
                        out.append(Change(part, f"line {i + 1}", lines_x[i], lines_y[j], note))
                continue
            common = min(i2 - i1, j2 - j1)
            out += [
                Change(part, f"line {i1 + k + 1}", lines_x[i1 + k], lines_y[j1 + k])
                for k in range(common)
            ]
            out += [
                Change(part, f"line {i + 1}", lines_x[i], ABSENT) for i in range(i1 + common, i2)
            ]
            out += [
                Change(part, f"line {j + 1}", ABSENT, lines_y[j]) for j in range(j1 + common, j2)
            ]
        return out

    # Whole exchanges.

    def _path(self, record: Record) -> str:
        path = url_path(record.target)
        # body.md never keeps the query string: compare it only between two logs.
        return path if self.same_format else path.split("?", 1)[0]

    def _masked_record(self, trace: Trace, record: Record) -> tuple[_MaskedLines, _MaskedLines]:
        """The record's header block and body as in the file (indented, undecoded), masked
        line by line: equal for two records whenever nothing but volatile values differ, and
        much cheaper than decoding each header."""
        source = trace.source
        headers = source.raw(record.headers).decode("utf-8", "replace") if record.headers else ""
        body = source.raw(record.body).decode("utf-8", "replace") if record.body else ""
        return self.mask_lines(headers, header=True), self.mask_lines(body, header=False)

    def record(self, parts: tuple[str, str], record_a: Record, record_b: Record) -> list[Change]:
        """The differences between two records; `parts` names their headers and body."""
        headers_a, body_a = self._masked_record(self.a, record_a)
        headers_b, body_b = self._masked_record(self.b, record_b)
        if (
            headers_a.texts == headers_b.texts
            and body_a.texts == body_b.texts
            and not self.pair(headers_a.values + body_a.values, headers_b.values + body_b.values)
        ):
            return []
        source_a, source_b = self.a.source, self.b.source
        headers_part, body_part = parts
        body_changes = self.body(body_part, source_a.body(record_a), source_b.body(record_b))
        header_changes = self.headers(
            headers_part,
            source_a.headers(record_a),
            source_b.headers(record_b),
            body_same=not body_changes,
        )
        return header_changes + body_changes

    def compare(self, x: Exchange, y: Exchange) -> list[Change]:
        """Every difference between exchange `x` of run 1 and exchange `y` of run 2."""
        out: list[Change] = []
        self.value(out, REQUEST_PATH, None, self._path(x.request), self._path(y.request), None)
        out += self.record((REQUEST_HEADERS, REQUEST_BODY), x.request, y.request)
        if x.response is None or y.response is None:
            if x.response is not y.response:
                out.append(Change(RESPONSE_STATUS, None, _status(x.response), _status(y.response)))
            return out
        if x.response.status != y.response.status:
            out.append(Change(RESPONSE_STATUS, None, _status(x.response), _status(y.response)))
        out += self.record((RESPONSE_HEADERS, RESPONSE_BODY), x.response, y.response)
        return out

    # How alike two exchanges are, to pair the copies of a repeated call.

    def content(self, side: int, index: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Exchange `index` of run 1 (side 0) or run 2 as (masked parts, raw parts)."""
        key = (side, index)
        found = self._content.get(key)
        if found is None:
            trace = self.a if side == 0 else self.b
            exchange = trace.exchanges[index]
            path = self._path(exchange.request)
            masked: list[Any] = [self.mask(path).text]
            raw: list[Any] = [path]
            for record in (exchange.request, exchange.response):
                if record is None:
                    masked += (None, None, None)
                    raw += (None, None, None)
                    continue
                headers, body = self._masked_record(trace, record)
                masked += (record.status, headers.texts, body.texts)
                raw += (record.status, headers.values, body.values)
            found = self._content[key] = (tuple(masked), tuple(raw))
        return found

    def cost(self, i: int, j: int) -> int:
        """How unlike exchange `i` of run 1 and `j` of run 2 are: 0 when identical."""
        masked_a, raw_a = self.content(0, i)
        masked_b, raw_b = self.content(1, j)
        masked = sum(1 for p, q in zip(masked_a, masked_b) if p != q)
        return masked * _MASKED_WEIGHT + sum(1 for p, q in zip(raw_a, raw_b) if p != q)


def _entry(
    kind: str, exchange: Exchange, i: int | None, j: int | None, changes: list[Change]
) -> DiffEntry:
    request = exchange.request
    return DiffEntry(
        kind,
        i,
        j,
        request.src,
        request.dst,
        request.method,
        url_path(request.target),
        tuple(changes),
    )


def diff_traces(a: Trace, b: Trace, raw: bool = False) -> TraceDiff:
    """Align and compare two runs; `raw` masks nothing (alignment still ignores ids in paths)."""
    comparer = _Comparer(a, b, raw)
    entries = []
    for i, j in align_runs(a, b, comparer.cost, comparer.signature):
        if i is None:
            assert j is not None, "an alignment item has at least one side"
            entries.append(_entry(ADDED, b.exchanges[j], None, j, []))
        elif j is None:
            entries.append(_entry(REMOVED, a.exchanges[i], i, None, []))
        else:
            changes = comparer.compare(a.exchanges[i], b.exchanges[j])
            entries.append(_entry(CHANGED if changes else SAME, a.exchanges[i], i, j, changes))
    return TraceDiff(a, b, raw, entries, dict(comparer.masked), comparer.a_to_b, comparer.examples)


def _json_value(value: Any) -> Any:
    return None if value is ABSENT else value


def to_json(diff: TraceDiff, a_path: str, b_path: str) -> dict[str, Any]:
    """The `tracetui diff --json` document (`ABSENT` becomes null there)."""
    return {
        "a": a_path,
        "b": b_path,
        "summary": diff.summary,
        "entries": [
            {
                "kind": entry.kind,
                "a_index": entry.a_index,
                "b_index": entry.b_index,
                "src": entry.src,
                "dst": entry.dst,
                "method": entry.method,
                "path": entry.path,
                "changes": [
                    {"part": c.part, "key": c.key, "a": _json_value(c.a), "b": _json_value(c.b)}
                    for c in entry.changes
                ],
            }
            for entry in diff.entries
        ],
    }
