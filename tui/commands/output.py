"""The commands' output boundary: what they write to stdout, stderr or a stream passes here.

Trace text is untrusted, so what may reach a terminal is escaped (`tui.text.sanitize`), and the
rules for when are decided here, not at each call site:

- a report, text for reading (`stats`, `diff`, `grep` lines, `sql` tables), is escaped
  wherever it goes: piped into `less`, it still cannot drive the terminal;
- a document, data to keep (an export, `sql --json` / `--csv`), is written as it is to a file
  or a pipe and escaped only on a terminal (`is_terminal`);
- JSON a command prints (`--json`) is `json.dumps` output, ASCII with every control character
  as `\\uXXXX` (DEL aside, which terminals ignore), written as it is: escaping it again would
  break it;
- a message to stderr is one line, `tracetui: ...`, with tabs and newlines escaped too.

Formatters still escape a field with `visible_line` where the format needs it on one line
(a grep line, a shell comment); that is the format's rule, not the terminal's, and escaping
twice changes nothing, since escaped text holds no character to escape.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any, TextIO, cast

from tui.text.sanitize import visible, visible_line


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal: the one place the commands ask."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


class Output:
    """A text stream that escapes what it is given when `escape` is set."""

    def __init__(self, stream: TextIO, escape: bool) -> None:
        self.stream = stream
        self.escape = escape

    def text(self, text: str) -> str:
        """`text` as this output writes it."""
        return visible(text) if self.escape else text

    def write(self, text: str) -> None:
        """Write `text`, escaped if this output escapes."""
        self.stream.write(self.text(text))

    def line(self, text: str = "", *, flush: bool = False) -> None:
        """Write `text` and a newline (as `print` would)."""
        self.write(text + "\n")
        if flush:
            self.stream.flush()


def report(stream: TextIO | None = None) -> Output:
    """Where a report goes (stdout by default): always escaped."""
    return Output(sys.stdout if stream is None else stream, escape=True)


def document(stream: TextIO | None = None) -> Output:
    """Where a document goes (stdout by default): escaped only on a terminal."""
    target = sys.stdout if stream is None else stream
    return Output(target, escape=is_terminal(target))


class _Escaping(io.TextIOBase):
    """A text stream that escapes what it is written, then writes it to `stream`."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        # `visible` escapes character by character, so pieces escape as the whole would.
        self._stream.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def document_stream(stream: TextIO | None = None) -> TextIO:
    """`document(stream)` as a stream an export writes to a piece at a time: `stream` (stdout
    by default) itself, or on a terminal a stream that escapes each piece."""
    target = sys.stdout if stream is None else stream
    if not is_terminal(target):
        return target
    # TextIOBase is the text stream class, but typeshed's TextIO is a separate protocol-like
    # class it does not derive from.
    return cast(TextIO, _Escaping(target))


def print_json(value: Any) -> None:
    """Print `value` as indented JSON on stdout; ASCII, so it needs no escaping."""
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def say(text: str) -> None:
    """One line on stderr: `tracetui: ` and `text`, escaped to stay one line."""
    print(f"tracetui: {visible_line(text)}", file=sys.stderr)
