"""The ids of run 1 and run 2 that are one another, learned in the order a diff meets them.

Masking hides volatile values; it must not hide a value that breaks the one-to-one
correspondence between the runs (a reused token, the wrong network). Each (rule, value) pair
of two texts that mask equal is learned here, counted when it differs, and reported when it
contradicts what was learned before.

Plain Python, no Textual.
"""

from __future__ import annotations

from collections import Counter

from tui.diff.mask_cache import Values
from tui.diff.masking import RULES

_TRACKED = {name: rule.tracked for name, rule in RULES.items()}


def _short(value: str) -> str:
    return value if len(value) <= 40 else f"{value[:24]}…{value[-8:]}"


class Correspondence:
    """Run 1's id -> run 2's id and back, with the masked value pairs counted per rule."""

    def __init__(self) -> None:
        self.a_to_b: dict[str, str] = {}
        self.b_to_a: dict[str, str] = {}
        self.masked: Counter[str] = Counter()
        self.examples: dict[str, tuple[str, str]] = {}
        # Value pairs already counted and found consistent: most recur many times.
        self._seen: set[tuple[tuple[str, str], tuple[str, str]]] = set()

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
