"""Trace text reaches the screen through one function: `tui.ui.screen_text`."""

from __future__ import annotations

from pathlib import Path

from tui.ui.screen_text import screen_text

UI = Path(__file__).resolve().parent.parent / "tui" / "ui"


def test_only_the_boundary_module_calls_the_sanitizer():
    callers = [
        str(path.relative_to(UI))
        for path in UI.rglob("*.py")
        if path.name != "screen_text.py" and "tui.text.sanitize" in path.read_text("utf-8")
    ]
    assert callers == []


def test_screen_text_escapes_controls_and_keeps_markup_as_text():
    text = screen_text("a\x1b[2Jb\u202e[@click=app.quit]x[/]\nc", style="bold")
    assert text.plain == "a\\x1b[2Jb\\u202e[@click=app.quit]x[/]\\nc"
    assert text.style == "bold" and not text.spans
