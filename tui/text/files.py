"""Writing a text file so that nothing the user had is lost: never half a file, never over a
file that exists unless asked. Every export to a file (the CLI's `-o`, the explorer's `e`, the
folder exports) writes through here."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

# The process's umask, read once at import (reading it means setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_file(target: Path, text: str, overwrite: bool = False) -> None:
    """Write `text` to `target` as `replacing` does."""
    with replacing(target, overwrite) as out:
        out.write(text)


@contextmanager
def replacing(target: Path, overwrite: bool = False) -> Iterator[TextIO]:
    """A stream to write `target` through: a temporary file in the same folder, renamed to
    `target` when the block ends without an error, so an export that is interrupted (a full
    disk, ^C) never leaves half a file, and a file that exists is replaced only with
    `overwrite` (FileExistsError otherwise). What is written goes to the disk as it comes."""
    folder = target.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            yield out
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
