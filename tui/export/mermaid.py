"""The mermaid export: a `sequenceDiagram` in requestshook's `diagram.md` style."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tui.export.base import (
    Redact,
    Selection,
    StreamExport,
    selected_records,
    shown,
    split_url,
    status_line,
)
from tui.model.trace import Trace

_MERMAID_ID = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?\Z")
# Words the mermaid sequence lexer reads as keywords even when `-` or `.` follows (`opt-x`,
# `end.svc`): a service whose name starts with one is declared under an alias.
_MERMAID_WORD_END = re.compile(r"\W")
_MERMAID_KEYWORDS = frozenset(
    {
        "participant", "actor", "create", "destroy", "box", "end", "loop", "rect", "opt",
        "alt", "else", "par", "and", "critical", "option", "break", "autonumber", "activate",
        "deactivate", "title", "note", "left", "right", "over", "links", "link", "properties",
        "details", "as",
    }
)  # fmt: skip

_MERMAID_SPECIAL = re.compile("[#;]")


def _path(target: str) -> str:
    """The path of a target: body.md logs a path already, requestshook.log the full URL."""
    return (split_url(target).path or "/") if "://" in target else target


def _mermaid_text(text: str) -> str:
    # `;` ends a statement and `#` starts a comment; mermaid decodes `#NN;` entities.
    return _MERMAID_SPECIAL.sub(lambda match: f"#{ord(match.group())};", text)


def _mermaid_ids(services: list[str]) -> dict[str, str]:
    """The identifier of each service in the diagram: its name, or an alias when mermaid
    would misread the name (a keyword, `;`, `:`, `>`, spaces...)."""
    ids: dict[str, str] = {}
    taken = set(services)
    for service in services:
        leading_word = _MERMAID_WORD_END.split(service, 1)[0].lower()
        if _MERMAID_ID.match(service) and leading_word not in _MERMAID_KEYWORDS:
            ids[service] = service
            continue
        number = len(ids) + 1
        while f"service{number}" in taken:
            number += 1
        ids[service] = f"service{number}"
        taken.add(ids[service])
    return ids


def mermaid(trace: Trace, selection: Selection = None, redact: Redact | None = None) -> str:
    """A mermaid `sequenceDiagram` in requestshook's `diagram.md` style.

    One message per record in file order: `src->>dst: GET /path` for a request,
    `dst-->>src: 200 OK /path` for a response, after `participant` lines in first-seen
    order. A service whose name mermaid would misread is declared under an alias.
    """
    return "".join(mermaid_lines(trace, selection, redact))


def mermaid_lines(
    trace: Trace, selection: Selection = None, redact: Redact | None = None
) -> Iterator[str]:
    """`mermaid`, a line at a time."""
    records = selected_records(trace, selection)
    services = list(dict.fromkeys(name for r in records for name in (r.src, r.dst)))
    ids = _mermaid_ids(services)
    yield "sequenceDiagram\n"
    for service in services:
        alias = "" if ids[service] == service else f" as {_mermaid_text(service)}"
        yield f"    participant {ids[service]}{alias}\n"
    for record in records:
        src, dst = ids[record.src], ids[record.dst]
        # Only the target is shown, but a v2 token path or a query string can hold a secret.
        target = record.target if redact is None else shown(trace, record, redact)[0]
        if record.is_request:
            text = f"{record.method} {_path(target)}"
            yield f"    {src}->>{dst}: {_mermaid_text(text)}\n"
        else:
            parts = (status_line(record), _path(target) if target else "")
            text = " ".join(part for part in parts if part)
            yield f"    {dst}-->>{src}: {_mermaid_text(text)}\n"


EXPORT = StreamExport(name="mermaid", suffix="mmd", pieces=mermaid_lines)
