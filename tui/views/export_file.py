"""Writing an export the explorer was asked for (`e`) to a file, without Textual."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui.text.files import write_file


def export_target(path: str) -> Path | str:
    """The file to write for `path` as typed, or why not (a folder, a file that exists:
    nothing the user had is overwritten); the reason quotes the path, to sanitize."""
    target = Path(path).expanduser()
    if not path or target.is_dir():
        return "Export needs a file name, not a folder."
    if target.exists():
        return f"{target} exists: not overwritten."
    return target


def write_export(target: Path, fmt: str, render: Callable[[], str]) -> tuple[str, bool]:
    """Write what `render()` makes (the export in `fmt`) to `target`: the notice to show
    (it quotes the path: trace text to sanitize), and whether it failed. The export is the
    caller's (views do not import the exporters)."""
    try:
        write_file(target, render())
    except FileExistsError:
        return f"{target} exists: not overwritten.", True
    except OSError as error:
        return f"Export failed: {error.strerror or error}", True
    return f"Wrote {fmt} to {target}", False
