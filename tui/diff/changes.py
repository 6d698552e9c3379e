"""What a diff finds, as plain data: entry kinds, the parts of an exchange, changes, the diff.

A change says where it is with a `Part` (the request's headers, the response's status...) and a
`path` inside that part: a header's name, a JSON path (`("server", "networks", 0, "uuid")`) or
the line of a text body (`(Line(3),)`), empty for the status and the request path. `key` is
the path as `tracetui diff` prints it (`server.networks[0].uuid`, `line 3`); code that needs
to know which header or which JSON key reads `path`, never parses `key`.

Plain Python, no Textual.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple, Union

from tui.model.trace import Record, Trace


class _Named(str, Enum):
    """An enum whose members print as their value, as the diff's output always spelled them."""

    def __str__(self) -> str:
        return str(self.value)


class Kind(_Named):
    """How an aligned exchange fared: in both runs (same, changed) or in one (added, removed)."""

    SAME = "same"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


class Part(_Named):
    """Where in an exchange a change is."""

    REQUEST_PATH = "request.path"
    REQUEST_HEADERS = "request.headers"
    REQUEST_BODY = "request.body"
    RESPONSE_STATUS = "response.status"
    RESPONSE_HEADERS = "response.headers"
    RESPONSE_BODY = "response.body"

    @property
    def is_headers(self) -> bool:
        """True for a request's or a response's headers."""
        return self in (Part.REQUEST_HEADERS, Part.RESPONSE_HEADERS)

    @property
    def is_body(self) -> bool:
        """True for a request's or a response's body."""
        return self in (Part.REQUEST_BODY, Part.RESPONSE_BODY)


class Line(int):
    """A line number (from 1) of a body compared line by line, as a step of a change's path."""

    __slots__ = ()


# A step into a part: a header name or JSON object key, a JSON array index, a body's line.
Step = Union[str, int, Line]
Path = tuple[Step, ...]

_IDENTIFIER_KEY = re.compile(r"[A-Za-z0-9_:@$-]+")


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


def path_text(part: Part, path: Path) -> str | None:
    """A change's path as `tracetui diff` prints it; None for an empty path."""
    if not path:
        return None
    first = path[0]
    if part.is_headers:
        return str(first)
    if isinstance(first, Line):
        return f"line {int(first)}"
    text = ""
    for step in path:
        if isinstance(step, int):
            text = f"{text}[{step}]"
        elif _IDENTIFIER_KEY.fullmatch(step):
            text = f"{text}.{step}" if text else step
        else:
            text = f"{text}[{json.dumps(step, ensure_ascii=False)}]"
    return text


class Change(NamedTuple):
    """One difference in a changed exchange; make one with `Change.at`.

    `part` and `path` say where (see the module's docstring) and `key` spells `path` as
    printed. `a`/`b` are the run 1 / run 2 values: strings, JSON values from bodies, `ABSENT`
    where one run lacks the thing. `note` says why values that look alike differ: an id that
    breaks the correspondence learned between the runs.
    """

    part: Part
    key: str | None
    a: Any
    b: Any
    note: str = ""
    path: Path = ()

    @classmethod
    def at(cls, part: Part, path: Path, a: Any, b: Any, note: str = "") -> Change:
        """The change of `part` at `path` from `a` to `b`."""
        return cls(part, path_text(part, path), a, b, note, path)


class DiffEntry(NamedTuple):
    """One aligned exchange: in both runs (`same`/`changed`) or in one (`added`/`removed`)."""

    kind: Kind
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
        return {kind.value: counts[kind] for kind in Kind}

    @property
    def differences(self) -> list[int]:
        """Positions in `entries` of every entry that is not `same`."""
        return [pos for pos, entry in enumerate(self.entries) if entry.kind is not Kind.SAME]

    @property
    def has_differences(self) -> bool:
        """True when any entry is not `same`."""
        return any(entry.kind is not Kind.SAME for entry in self.entries)


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
