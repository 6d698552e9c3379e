"""What the explorer's workers send back to it, one Message per kind of result.

Workers post these from their threads and the screen handles them with `@on`. A worker is
started with the screen's current generation for its kind (`Generations`); a result carrying
an older one comes from work that was superseded (a new search, a new filter, a reloaded
file) and is dropped, so no handler compares queries or texts to guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui.query.follow import FollowResult
from tui.query.language import Query
from tui.readers import TraceReader


class Generations:
    """A counter per kind of work: `next(kind)` when work starts, `current(kind)` to check a
    result."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def next(self, kind: str) -> int:
        """A new generation of `kind`: results of earlier ones are stale from now on."""
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return self._counts[kind]

    def current(self, kind: str, generation: int) -> bool:
        """True if `generation` is the latest of `kind`."""
        return self._counts.get(kind, 0) == generation


@dataclass
class TraceRead(Message):
    """More of the trace is indexed; `caught_up`: everything written so far."""

    generation: int
    caught_up: bool


@dataclass
class TraceReopened(Message):
    """The followed file was truncated or rotated and opened anew as `reader`."""

    generation: int
    reader: TraceReader


@dataclass
class TraceMissing(Message):
    """The followed file was replaced and cannot be read yet; `notice` says why."""

    generation: int
    notice: str


@dataclass
class MatchesFound(Message):
    """A batch of exchanges matching the search `query`."""

    generation: int
    query: Query
    batch: list[int]


@dataclass
class SearchFinished(Message):
    """The search for `query` has looked at the whole trace."""

    generation: int
    query: Query


@dataclass
class ValueFollowed(Message):
    """Where a value under the detail cursor was issued and used."""

    generation: int
    result: FollowResult


@dataclass
class FilterFound(Message):
    """The exchanges filter `query` (typed as `text`) keeps among the first `checked`."""

    generation: int
    text: str
    query: Query
    found: list[int]
    checked: int


@dataclass
class ExportWritten(Message):
    """An export was written, or failed: `notice` (sanitized) says which."""

    notice: str
    failed: bool


@dataclass
class QueryAnswered(Message):
    """The query screen's result, as lines of text (trace text: the screen sanitizes it)."""

    lines: list[str]
