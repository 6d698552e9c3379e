"""Align the exchanges of two runs: which call of run 1 is which call of run 2.

Each exchange gets a signature: caller, callee, method and the path with its ids as
placeholders (`tui.diff.masking.path_signature`). The two signature sequences are aligned with
Myers' algorithm, first on (signature, parent's signature) so a nested call lines up under a
matching parent, then on signatures alone inside the gaps that leaves (a call the call tree
placed differently in the other run). Runs too far apart for Myers (one stopped half way) are
anchored on the k-th call of each kind instead. Where one run repeats a call (a retry, a poll)
more often than the other, the copies are paired by content, most alike first. Calls that
merely swapped places with a neighbour (concurrency) are paired across the swap.

Plain Python, no Textual.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from typing import Any, Callable

from tui.diff.masking import path_signature
from tui.model.trace import Exchange, Trace

# Past this many insertions + deletions Myers' algorithm (quadratic in them) gives way to
# anchoring on calls both runs make the same number of times.
MAX_EDITS = 500
# A repeated call is re-paired by content only while (copies in run 1) x (copies in run 2)
# stays below this: the pairing is a dynamic programme over that many cells.
MAX_REPEAT_CELLS = 10_000
# How far apart, in aligned entries, a call may be in the two runs and still be paired as the
# same call that concurrency moved.
MOVE_WINDOW = 8


def exchange_signature(exchange: Exchange) -> tuple[str, str, str, str]:
    """What identifies a call across runs: (src, dst, method, path with ids as placeholders)."""
    request = exchange.request
    return (request.src, request.dst, request.method, path_signature(request.target))


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
    position_in_a: dict[tuple[int, int], int] = {}
    for i, key in enumerate(a):
        seen[key] += 1
        position_in_a[(key, seen[key])] = i
    seen.clear()
    candidates = []
    for j, key in enumerate(b):
        seen[key] += 1
        found = position_in_a.get((key, seen[key]))
        if found is not None:
            candidates.append((found, j))
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
