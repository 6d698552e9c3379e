"""`--placeholders`: an export that reads as the operation, not as one run.

A layer over the redactor (`Redact`): each id in a path becomes the name the API reference
gives it (`/v2/images/{image_id}`, see tui/text/placeholders.py), the same name everywhere on
the page; with scope "all" the ids in headers and bodies are named too, and tokens, which have
no place on a published page, are redacted whatever `--redact` says.
"""

from __future__ import annotations

from tui.export.base import Redact, Selection, selected_records, shown
from tui.model.trace import Record, Trace
from tui.redact import Redactor
from tui.text.placeholders import PlaceholderNames

PATHS = "paths"
ALL = "all"
SCOPES = (PATHS, ALL)


def with_placeholders(
    trace: Trace, selection: Selection, redact: Redact | None, scope: str
) -> Redact:
    """A `Redact` that names the ids of the selection's records; `redact` runs first."""
    if scope == ALL and redact is None:
        redactor = Redactor()
        redactor.learn(trace)
        redact = redactor.record
    records = selected_records(trace, selection)
    names = PlaceholderNames(shown(trace, record, redact)[0] for record in records)

    def present(trace: Trace, record: Record) -> tuple[str, tuple[tuple[str, str], ...], str]:
        target, headers, body = shown(trace, record, redact)
        if scope == ALL:
            headers = tuple((name, names.text(value)) for name, value in headers)
            body = names.text(body)
        return names.path(target), headers, body

    return present
