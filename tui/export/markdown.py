"""The markdown export: requestshook's body.md layout, which reads back as the same trace."""

from __future__ import annotations

from collections.abc import Iterator

from tui.export.base import Redact, Selection, StreamExport, selected_records, shown, status_line
from tui.model.trace import Record, Trace
from tui.text.bodies import EMPTY_BODY_WORD


def _indented(text: str) -> str:
    # Every non-empty line, blank-looking ones too: the reader strips up to four spaces from
    # each line, so an unindented "  " would come back as "".
    return "\n".join("    " + line if line else line for line in text.split("\n"))


def markdown_record(
    trace: Trace, record: Record, redact: Redact | None = None, number: int | None = None
) -> str:
    """One record in requestshook's body.md layout, with the blank lines the hook writes.

    The heading carries the record's target as read: a path for a body.md trace, the full
    URL for a requestshook.log trace (body.md has nowhere else for the query string, and
    the reader takes both). With `number`, the heading is numbered as people number them on
    a documentation page (`### (5) POST /v2/images`); the reader takes both.
    """
    target, headers, body = shown(trace, record, redact)
    if record.is_request:
        heading = f"{record.method} {target}"
        direction = f"`{record.src}` --> `{record.dst}`"
    else:
        # The hook writes Python's None where it has no path; the reader takes it back so.
        heading = f"{status_line(record)} {target or 'None'}"
        direction = f"`{record.src}` <-- `{record.dst}`"
    header_lines = "".join(f"    {name}: {value}\n" for name, value in headers)
    numbered = heading if number is None else f"({number}) {heading}"
    return (
        f"\n### {numbered}\n{direction}\n\n"
        f'=== "Header"\n    ``` http title="{heading}" linenums="1"\n'
        f"{header_lines}    ```\n\n"
        f'=== "Body"\n    ``` json title="{heading}" linenums="1"\n'
        f"{_indented(body or EMPTY_BODY_WORD)}\n    ```\n\n"
    )


def markdown(trace: Trace, selection: Selection = None, redact: Redact | None = None) -> str:
    """A requestshook-style body.md of the selected exchanges' records, in file order.

    It reads back as the same exchanges. A body holding a line of only backticks or tildes
    cannot: body.md has no way to escape a fence.
    """
    return "".join(markdown_records(trace, selection, redact))


def markdown_records(
    trace: Trace, selection: Selection = None, redact: Redact | None = None
) -> Iterator[str]:
    """`markdown`, a record at a time."""
    for record in selected_records(trace, selection):
        yield markdown_record(trace, record, redact)


EXPORT = StreamExport(name="markdown", suffix="md", pieces=markdown_records)
