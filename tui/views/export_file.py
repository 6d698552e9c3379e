"""Writing an export the explorer was asked for (`e`) to a file, without Textual."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

# The process's umask, read once at import (reading it means setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


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


def write_file(target: Path, text: str, overwrite: bool = False) -> None:
    """Write `text` to `target` through a temporary file in the same folder and a rename, so
    an export that is interrupted (a full disk, ^C) never leaves half a file, and a file that
    exists is replaced only with `overwrite` (FileExistsError otherwise)."""
    folder = target.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        # mkstemp makes the file private; give it the mode open() would have (or the mode of
        # the file it replaces).
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode = 0o666 & ~_UMASK
        os.chmod(temporary, mode)
        if overwrite:
            os.replace(temporary, target)
        else:
            # A hard link fails if the name exists, with no window between check and write.
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise
            except OSError:
                if target.exists():
                    raise FileExistsError(str(target)) from None
                os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
