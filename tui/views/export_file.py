"""Writing an export the explorer was asked for (`e`) to a file, without Textual."""

from __future__ import annotations

from pathlib import Path

from tui.model.trace import Trace
from tui.redact import Redactor
from tui.views.screen_text import shown


def export_target(path: str) -> Path | str:
    """The file to write for `path` as typed, or why not (a folder, a file that exists:
    nothing the user had is overwritten)."""
    target = Path(path).expanduser()
    if not path or target.is_dir():
        return "Export needs a file name, not a folder."
    if target.exists():
        return f"{shown(str(target))} exists: not overwritten."
    return target


def write_export(
    trace: Trace, fmt: str, scope: list[int] | None, target: Path, redactor: Redactor | None
) -> tuple[str, bool]:
    """Render `scope` of `trace` (None: all) in `fmt` and write it to `target`: the notice to
    show (sanitized: it quotes the path), and whether it failed."""
    from tui.export.registry import export

    redact = redactor.record if redactor is not None else None
    try:
        target.write_text(export(trace, fmt, scope, redact), "utf-8")
    except OSError as error:
        return shown(f"Export failed: {error.strerror or error}"), True
    return shown(f"Wrote {fmt} to {target}"), False
