"""The input formats tracetui reads, and how one is picked for a file.

Adding a format is one new module and one line in `FORMATS` (see `tui/readers/format.py`).
"""

from __future__ import annotations

from tui.model.trace import Buffer
from tui.readers import har, json_export, keystoneauth, log, markdown, otlp
from tui.readers.errors import TraceError
from tui.readers.format import Format

# Tried in this order; the first of several that find a record at the same offset wins.
FORMATS: list[Format] = [
    log.FORMAT,
    markdown.FORMAT,
    json_export.FORMAT,
    keystoneauth.FORMAT,
    har.FORMAT,
    otlp.FORMAT,
]
# Detection looks at this much of a file first, and at the rest only when nothing answers.
DETECT_WINDOW = 1 << 20


def names() -> list[str]:
    """The names `--format` takes, in registry order."""
    return [fmt.name for fmt in FORMATS]


def by_name(name: str) -> Format:
    """The format called `name`; `TraceError` naming the known ones when there is none."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    known = ", ".join(names())
    raise TraceError(f"unknown format {name!r} (formats: {known})")


def detect(buffer: Buffer) -> Format | None:
    """The format whose first record comes first in the content, or None.

    A trace is recognised from its first record, without reading the rest of the file.
    """
    window = min(len(buffer), DETECT_WINDOW)
    while True:
        best: Format | None = None
        best_offset = -1
        for fmt in FORMATS:
            offset = fmt.detect(buffer, window)
            if offset >= 0 and (best is None or offset < best_offset):
                best, best_offset = fmt, offset
        if best is not None or window == len(buffer):
            return best
        window = len(buffer)


def expected() -> str:
    """What the records of the formats look like, for the error on a file that has none."""
    return " or ".join(fmt.expected for fmt in FORMATS)
