"""Compare two runs of the same operation: align their exchanges, then list what really changed.

The steps, each in its own module: `align` pairs the calls of the two runs, `compare` lists the
changes of each pair with volatile values masked (`masking` holds the rules, `mask_cache`
applies them once per distinct value, `correspondence` learns which id of run 1 is which id of
run 2), and `changes` holds what comes out. `raw=True` masks nothing and shows every byte that
differs. `to_json` is the document `tracetui diff --json` prints.

Plain Python, no Textual.
"""

from __future__ import annotations

from typing import Any

from tui.diff.align import align_runs
from tui.diff.changes import ABSENT, Change, DiffEntry, Kind, TraceDiff
from tui.diff.compare import Comparer, Likeness
from tui.diff.mask_cache import MaskCache
from tui.diff.masking import url_path
from tui.model.trace import Exchange, Trace


def _entry(
    kind: Kind, exchange: Exchange, i: int | None, j: int | None, changes: list[Change]
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
    masks = MaskCache(raw)
    comparer = Comparer(a, b, masks)
    entries = []
    for i, j in align_runs(a, b, Likeness(a, b, masks).cost, masks.signature):
        if i is None:
            assert j is not None, "an alignment item has at least one side"
            entries.append(_entry(Kind.ADDED, b.exchanges[j], None, j, []))
        elif j is None:
            entries.append(_entry(Kind.REMOVED, a.exchanges[i], i, None, []))
        else:
            changes = comparer.compare(a.exchanges[i], b.exchanges[j])
            kind = Kind.CHANGED if changes else Kind.SAME
            entries.append(_entry(kind, a.exchanges[i], i, j, changes))
    ids = comparer.ids
    return TraceDiff(a, b, raw, entries, dict(ids.masked), ids.a_to_b, ids.examples)


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
                "kind": entry.kind.value,
                "a_index": entry.a_index,
                "b_index": entry.b_index,
                "src": entry.src,
                "dst": entry.dst,
                "method": entry.method,
                "path": entry.path,
                "changes": [
                    {
                        "part": c.part.value,
                        "key": c.key,
                        "a": _json_value(c.a),
                        "b": _json_value(c.b),
                    }
                    for c in entry.changes
                ],
            }
            for entry in diff.entries
        ],
    }
