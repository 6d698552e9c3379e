"""The private Textual API tui/ui/textual_private.py relies on, by name: when a Textual
upgrade renames or reshapes one of these, this fails here first, saying which."""

from __future__ import annotations

import inspect

import pytest
import textual
from textual.app import App
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from tui.ui import textual_private
from tui.ui.textual_private import QuietCrashApp, set_virtual_size_quietly


def test_the_pinned_textual_is_the_one_checked():
    # The checks below were written against this release; on another, read them again.
    assert textual.__version__ == "8.2.8"


def test_app_fatal_error_is_what_handle_exception_calls():
    """`App._fatal_error`: the override point for an unhandled error without `__rich__`."""
    assert callable(App.__dict__.get("_fatal_error"))
    source = inspect.getsource(App._handle_exception)
    assert "self._fatal_error()" in source
    assert "self._exception = error" in source, "`App._exception` holds the error"
    assert QuietCrashApp._fatal_error is not App._fatal_error


def test_app_exception_is_set_before_fatal_error():
    app = App()
    assert app._exception is None  # the attribute `_fatal_error` reads


def test_widget_scroll_update_takes_the_virtual_size():
    """`Widget._scroll_update(virtual_size)`: updates scroll limits and scrollbars."""
    parameters = list(inspect.signature(Widget._scroll_update).parameters)
    assert parameters == ["self", "virtual_size"]


async def test_set_virtual_size_quietly_moves_the_scroll_limit():
    class Tall(App[None]):
        def compose(self):
            yield Static("x", id="view")

    app = Tall()
    async with app.run_test(size=(20, 10)) as pilot:
        view = app.query_one("#view", Static)
        view.styles.overflow_y = "scroll"
        await pilot.pause()
        set_virtual_size_quietly(view, Size(10, 500))
        assert view.virtual_size == Size(10, 500)
        assert view.max_scroll_y > 400


async def test_an_unhandled_error_ends_the_app_with_the_crash_message(capsys):
    class Boom(QuietCrashApp):
        def crash_message(self, error):
            return f"crashed: {type(error).__name__}"

    app = Boom()
    with pytest.raises(ZeroDivisionError):
        async with app.run_test() as pilot:
            app.call_later(lambda: 1 / 0)
            await pilot.pause()
    # Printed on the way out, instead of a traceback.
    printed = capsys.readouterr().err
    assert printed.strip() == "crashed: ZeroDivisionError"


def test_no_other_module_reaches_into_textual_privates():
    """Only the adapter names these; the rest of tui/ui goes through it."""
    from pathlib import Path

    names = ("_fatal_error", "_exception", "_scroll_update", "_exit_renderables")
    root = Path(textual_private.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {name}"
        for path in root.rglob("*.py")
        if path.name != "textual_private.py"
        for name in names
        if name in path.read_text(encoding="utf-8")
    ]
    assert not offenders
