"""The screen boundary: every string that may hold trace text becomes widget text here.

A file name, a query, a warning or an error quoting a trace can carry ESC, bidi overrides or
Textual markup (`[@click=...]`). Widgets get it as `rich.text.Text` built by `screen_text()`:
sanitized to one visible line, never parsed as markup; notifications go through `shown()`
(`TraceApp.notify`), what `c` copies through `clipboard_text()`. The views hand over plain
strings; the detail's lines, many and long, are sanitized where they are built
(`views/detail_lines.py`).
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text

from tui.text.sanitize import visible, visible_line


def shown(text: str) -> str:
    """`text` as it may be shown: on one line, every control and bidi character escaped."""
    return visible_line(text)


def screen_text(text: str, style: StyleType = "") -> Text:
    """`text` as widget text: sanitized (`shown`), styled `style`, no markup."""
    return Text(visible_line(text), style=style)


def clipboard_text(text: str) -> str:
    """`text` to copy to the clipboard (OSC 52): its lines kept, every control character
    escaped (pasted into a shell, one would act)."""
    return visible(text)
