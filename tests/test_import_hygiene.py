"""The core knows nothing of Textual: parsing, model, layout and commands import without it."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "tui.model.trace",
    "tui.readers",
    "tui.readers.source",
    "tui.text.sanitize",
    "tui.readers.calltree",
    "tui.query.stats",
    "tui.text.bodies",
    "tui.views.detail_lines",
    "tui.views.list_rows",
    "tui.views.lanes",
    "tui.cli",
    "tui.commands.stats",
]


def test_core_modules_do_not_import_textual():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in CORE)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
