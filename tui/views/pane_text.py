"""Every string of a trace on its way to a pane, masked when redaction is on.

The explorer and the diff screen hold one `PaneText` and hand it to their panes; each pane
passes the trace text it draws (targets, reasons, service names, header, notices) through it
before shortening it to fit, since a secret cut in half is no longer one the redactor knows.
The detail pane masks whole records with the same `Redactor`.
"""

from __future__ import annotations

from tui.model.trace import Trace
from tui.redact import Redactor

# Distinct strings remembered with their masked form: a page of rows is drawn on every
# scroll, and masking a target costs a few regular-expression passes.
_CACHE_SIZE = 8192


class PaneText:
    """Masks the strings bound for a pane with `redactor` (None: shown as they are)."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor
        self._cache: dict[str, str] = {}
        self._learned: dict[int, int] = {}

    @property
    def redacting(self) -> bool:
        """Whether secrets are shown as labels."""
        return self.redactor is not None

    def __call__(self, text: str) -> str:
        """`text` as a pane may show it."""
        if self.redactor is None or not text:
            return text
        masked = self._cache.get(text)
        if masked is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            masked = self._cache[text] = self.redactor.text(text)
        return masked

    def typed(self, text: str) -> str:
        """Text the user typed (a filter, a search), as a pane may repeat it."""
        return text if self.redactor is None else self.redactor.echo(text)

    def learn(self, trace: Trace) -> None:
        """Let the redactor see the records of `trace` read since the last call, so a secret
        is known before any text that repeats it is drawn."""
        if self.redactor is None:
            return
        start = self._learned.get(id(trace), 0)
        records = trace.records
        if start >= len(records):
            return
        before = len(self.redactor.labels)
        for record in records[start:]:
            self.redactor.record(trace, record)
        self._learned[id(trace)] = len(records)
        if len(self.redactor.labels) != before:
            self._cache.clear()
