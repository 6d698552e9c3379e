"""The Textual application: opens the explorer on one trace (the diff screen on two)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tui.crash import write_crash_log
from tui.readers import TraceReader
from tui.ui.screen_text import shown
from tui.ui.screens.explorer import ExplorerScreen
from tui.ui.textual_private import QuietCrashApp

FIRST_BATCH = 1 << 20


class TraceApp(QuietCrashApp):
    """tracetui's app; everything it shows lives in its screens."""

    CSS_PATH = "tracetui.tcss"
    TITLE = "tracetui"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, readers: list[TraceReader], redact: bool = False) -> None:
        super().__init__()
        self.readers = readers
        self.redact = redact
        self.crash_log: str | None = None

    def get_default_screen(self) -> Screen[Any]:
        """The screen for what was given on the command line, as the app's first screen: it is
        composed and styled with the app, so the first frame drawn is the trace, not a blank
        default screen replaced a moment later."""
        if len(self.readers) == 2:
            from tui.ui.screens.diff import DiffScreen

            return DiffScreen(self.readers[0], self.readers[1], redact=self.redact)
        return ExplorerScreen(self.readers[0], redact=self.redact)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification, never parsing it as markup: messages quote file names and
        trace text, and `[@click=...]` in them must stay text."""
        super().notify(
            shown(message),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette offers every key binding of the screen by its description."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, ExplorerScreen):
            yield SystemCommand(
                "SQL query",
                "SQL over this trace's exchanges and headers tables (DuckDB)",
                partial(self.call_later, self._open_query, screen),
            )
        seen = set()
        for binding in type(screen).BINDINGS:
            if not isinstance(binding, Binding) or binding.action.startswith("app."):
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or binding.key
            yield SystemCommand(
                binding.description,
                f"key {key}",
                partial(self.call_later, screen.run_action, binding.action),
            )

    def _open_query(self, screen: ExplorerScreen) -> None:
        from tui.ui.screens.query import QueryScreen

        self.push_screen(QueryScreen(screen.trace, screen.redactor))

    def crash_message(self, error: BaseException | None) -> Text:
        """An unexpected error: its traceback (without locals) goes to a log file, and one
        line naming the file to the terminal."""
        self.crash_log = write_crash_log(error) if error else "(no details)"
        summary = shown(type(error).__name__ if error else "unknown error")
        return Text(f"tracetui: internal error ({summary}); details in {self.crash_log}")


def make_app(
    paths: list[str], redact: bool = False, follow: bool = False, format_name: str | None = None
) -> TraceApp:
    """Build the app for one trace (explore) or two (diff), in format `format_name` or the
    detected one; reads the first batch now, so a file that is not a trace fails before the
    terminal is taken over."""
    readers = [TraceReader(path, follow=follow, format_name=format_name) for path in paths]
    for reader in readers:
        # A small first batch (hundreds of exchanges) fills the first screen in ~15 ms; the
        # explorer indexes the rest in a worker.
        reader.read_batch(FIRST_BATCH)
    return TraceApp(readers, redact)


def tune_collector() -> None:
    """Set the garbage collector up for a UI that draws all the time.

    What is loaded by now (modules, classes, the first batch) lives as long as the process:
    frozen, the collector does not walk it again on each full pass (30 ms of the first frame).
    Every line Textual draws leaves a few Strips whose caches refer back to them, garbage only
    the cyclic collector frees: at the default thresholds those that survived a young pass
    piled up and full passes of 60-80 ms landed on frames while a followed file grew. Young
    passes every 50,000 allocations instead of 700 let most of them die young, in passes of
    10 to 25 ms."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 10)


def run_app(
    paths: list[str], redact: bool = False, follow: bool = False, format_name: str | None = None
) -> int:
    """Run the UI and return the exit status."""
    if sys.stdout.isatty():
        # Textual sizes itself with shutil.get_terminal_size(), which prefers COLUMNS/LINES to
        # the terminal: a stale exported value (seen in tmux panes) pinned the app at 80x24,
        # even after a resize.
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)
    app = make_app(paths, redact, follow, format_name)
    tune_collector()
    app.run()
    return app.return_code or 0
