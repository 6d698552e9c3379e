"""The detail of one exchange as typed lines: request line, headers, body, then the response.

Plain Python, no Textual. Every line is sanitized here, so a view can draw it as it is; the
view only adds colour, token shortening and search highlights.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tui.model.trace import Record, Trace
from tui.query.request_ids import request_id
from tui.redact import Redactor
from tui.text import bodies
from tui.text.sanitize import visible

TITLE = "title"
SECTION = "section"
HEADER = "header"
BODY = "body"
JSON = "json"
NOTE = "note"
BLANK = "blank"

# One 5 MB line would cost seconds per frame to measure; nobody reads past this on screen.
MAX_LINE_CHARS = 4000

_TOKEN = re.compile(r"[A-Za-z0-9_\-+=]{48,}")
_JSON_VALUE = re.compile(r'^\s*(?:"(?:[^"\\]|\\.)*"\s*:\s*)?"?(.*?)"?,?\s*$')


class DetailLine(NamedTuple):
    """One line of the detail pane: what it is, its text, and the header name if any."""

    kind: str
    text: str
    name: str = ""


def _cap(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    return f"{line[:MAX_LINE_CHARS]}… {len(line) - MAX_LINE_CHARS} more characters"


def shorten_tokens(text: str) -> str:
    """Shorten long token-like runs (`gAAAAABj…(183 chars)`) so a header fits on screen."""
    return _TOKEN.sub(lambda m: f"{m.group()[:10]}…({len(m.group())} chars)", text)


def value_at(line: DetailLine) -> str:
    """The value a user means on this line: a header's value or a JSON scalar."""
    if line.kind == HEADER:
        return line.text.partition(": ")[2].strip()
    if line.kind == JSON:
        match = _JSON_VALUE.match(line.text)
        value = match.group(1) if match else line.text.strip()
        return "" if value in ("{", "}", "[", "]", "},", "],") else value
    return line.text.strip()


def _message_lines(
    trace: Trace, record: Record, title: str, redactor: Redactor | None
) -> list[DetailLine]:
    if redactor is None:
        headers, body = trace.source.headers(record), trace.source.body(record)
    else:
        _, headers, body = redactor.record(trace, record)
    lines = [DetailLine(SECTION, title)]
    lines += [
        DetailLine(HEADER, _cap(visible(f"{name}: {value}".expandtabs())), visible(name))
        for name, value in headers
    ]
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
    view = bodies.describe(body, content_type)
    lines.append(DetailLine(BLANK, ""))
    if view.note:
        lines.append(DetailLine(NOTE, f"[{view.note}]"))
    kind = JSON if view.kind == bodies.JSON else BODY
    # Tabs expanded: a terminal moves a tab to the next stop where Textual counted no cell,
    # which pushed the rest of the line over the next pane.
    lines += [DetailLine(kind, _cap(visible(line.expandtabs()))) for line in view.lines]
    return lines


def exchange_lines(
    trace: Trace, index: int, redactor: Redactor | None = None, waiting: bool = False
) -> list[DetailLine]:
    """All lines of exchange `index`: request first, then the response (or its absence).

    With a `redactor`, every secret is replaced by its stable label (`<token-1>`); `waiting`
    says the file is being followed, so a missing response may still come.
    """
    exchange = trace.exchanges[index]
    request, response = exchange.request, exchange.response
    target = request.target if redactor is None else redactor.url(request.target)
    lines = [
        DetailLine(TITLE, f"#{index} {request.method} {target}"),
        DetailLine(
            NOTE, f"{request.src} → {request.dst}   lines {request.line}-{request.end_line}"
        ),
    ]
    rid = request_id(trace, exchange)
    if rid:
        # A header-like line, so `*` on it follows the id: every exchange that carries it.
        label = "Request id"
        lines.append(DetailLine(HEADER, _cap(visible(f"{label}: {rid}")), label))
    lines += _message_lines(trace, request, "─ Request ", redactor)
    lines.append(DetailLine(BLANK, ""))
    if response is None:
        absent = "─ Waiting for the response… " if waiting else "─ No response in the trace "
        lines.append(DetailLine(SECTION, absent))
        return lines
    status = f"{response.status} {response.reason}".strip()
    lines += _message_lines(trace, response, f"─ Response {status} ", redactor)
    return lines
