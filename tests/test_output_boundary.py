"""The commands' one output boundary (tui/commands/output.py): what is escaped, and where."""

from __future__ import annotations

import io
import re
from pathlib import Path

from tui.commands import output

HOSTILE = "a\x1b]0;pwned\x07b\tc\nd\u202e"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_report_is_escaped_wherever_it_goes():
    for stream in (io.StringIO(), Terminal()):
        output.report(stream).line(HOSTILE)
        assert stream.getvalue() == "a\\x1b]0;pwned\\x07b\tc\nd\\u202e\n"


def test_a_document_is_escaped_only_on_a_terminal():
    pipe, terminal = io.StringIO(), Terminal()
    output.document(pipe).write(HOSTILE)
    output.document(terminal).write(HOSTILE)
    assert pipe.getvalue() == HOSTILE
    assert terminal.getvalue() == "a\\x1b]0;pwned\\x07b\tc\nd\\u202e"


def test_a_closed_or_odd_stream_is_no_terminal():
    closed = io.StringIO()
    closed.close()
    assert not output.is_terminal(closed)
    assert output.is_terminal(Terminal())


def test_a_message_is_one_escaped_line(capsys):
    output.say(f"export: {HOSTILE}: no such file")
    err = capsys.readouterr().err
    assert err == "tracetui: export: a\\x1b]0;pwned\\x07b\\tc\\nd\\u202e: no such file\n"


def test_json_is_printed_as_json_dumps_writes_it(capsys):
    output.print_json({"text": HOSTILE})
    out = capsys.readouterr().out
    assert out == '{\n  "text": "a\\u001b]0;pwned\\u0007b\\tc\\nd\\u202e"\n}\n'


def test_the_commands_write_only_through_the_boundary():
    folder = Path(output.__file__).parent
    offenders = [
        f"{path.name}: {match.group()}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "output.py"
        for match in re.finditer(r"\bprint\(|\.isatty\(|\bvisible\(", path.read_text())
    ]
    assert offenders == []
