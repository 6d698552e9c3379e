"""Drive the installed `tracetui` in a real terminal (tmux) for end-to-end tests."""

from __future__ import annotations

import subprocess
import time


def tmux(*args: str) -> str:
    """Run one tmux command and return what it printed."""
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=20
    ).stdout


def wait_for(session: str, text: str, timeout: float = 40.0) -> str:
    """The pane's text once `text` shows on it; fails with the last screen seen."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-t", session, "-p")
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")
