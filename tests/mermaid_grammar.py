"""A structural parser of mermaid's `sequenceDiagram` grammar, for the statements our exports
write: `participant ID [as ALIAS]` and messages `A->>B: text` / `A-->>B: text`.

After mermaid's own grammar (sequenceDiagram.jison): an actor id is a run of characters other
than `-`-arrow starts, `:`, `;`, `#`, `,` and newlines; a message's text runs to the end of the
line, where `;` would end the statement and `#` start a comment (both are written as `#NN;`
entities). Anything else on a line is a syntax error here, as it would be in mermaid.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_PARTICIPANT = re.compile(
    r"participant (?P<id>[^\s:;#,>+-][^\s:;#,>+]*)(?: as (?P<alias>[^;#\n]+))?\Z"
)
_MESSAGE = re.compile(
    r"(?P<src>[^\s:;#,>+-][^\s:;#,>+]*?)(?P<arrow>-->>|->>)(?P<dst>[^\s:;#,>+-][^\s:;#,>+]*): "
    r"(?P<text>[^;#]*(?:#\d+;[^;#]*)*)\Z"
)


class Message(NamedTuple):
    src: str
    dst: str
    dashed: bool
    text: str


class Diagram(NamedTuple):
    participants: dict[str, str]
    messages: list[Message]


class MermaidSyntaxError(ValueError):
    pass


def parse(text: str) -> Diagram:
    lines = [line.strip() for line in text.strip("\n").split("\n")]
    if not lines or lines[0] != "sequenceDiagram":
        raise MermaidSyntaxError("does not start with sequenceDiagram")
    participants: dict[str, str] = {}
    messages: list[Message] = []
    for number, line in enumerate(lines[1:], 2):
        if not line:
            continue
        participant = _PARTICIPANT.match(line)
        if participant:
            if messages:
                raise MermaidSyntaxError(f"line {number}: participant after a message")
            participants[participant["id"]] = participant["alias"] or participant["id"]
            continue
        message = _MESSAGE.match(line)
        if not message:
            raise MermaidSyntaxError(f"line {number}: not a statement: {line!r}")
        for end in (message["src"], message["dst"]):
            if end not in participants:
                raise MermaidSyntaxError(f"line {number}: undeclared participant {end!r}")
        if not message["text"].strip():
            raise MermaidSyntaxError(f"line {number}: a message without text")
        messages.append(
            Message(message["src"], message["dst"], message["arrow"] == "-->>", message["text"])
        )
    return Diagram(participants, messages)
