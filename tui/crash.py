"""The app boundary: an unexpected error becomes one line for the user and a log file.

Textual's own crash screen prints a traceback with local variables, and a local can hold a
token from the trace; we print neither on the terminal.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path


def crash_log_dir() -> Path:
    """Where crash logs go: $XDG_STATE_HOME/tracetui, else ~/.local/state/tracetui."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "tracetui"


def write_crash_log(error: BaseException) -> str:
    """Write the traceback (no local variables) to a new log file and return its path."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    name = time.strftime("crash-%Y%m%d-%H%M%S.log")
    for folder in (crash_log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return str(path)
        except OSError:
            continue
    return "(could not write a crash log)"
