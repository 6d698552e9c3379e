"""The export formats by name, in the order `--format` and the export dialog list them.

Adding an export is one new module and one registry line, and touches nothing else: the module
defines `EXPORT`, an object with the `tui.export.base.Export` interface (`StreamExport` when the
document is written a piece at a time, `TextExport` when it is built as one string), and its
dotted name goes in `BUILTIN` below.
"""

from __future__ import annotations

import io
from importlib import import_module
from typing import TextIO

from tui.export.base import Export, ExportOptions, FolderExport, Redact, Selection
from tui.model.trace import Trace

# One line per export, in the order they are offered.
BUILTIN = (
    "tui.export.mermaid",
    "tui.export.json",
    "tui.export.har",
    "tui.export.markdown",
    "tui.export.curl",
    "tui.export.otlp",
    "tui.export.parquet",
    "tui.export.mkdocs",
)

_EXPORTS: dict[str, Export] = {}


def _exports() -> dict[str, Export]:
    if not _EXPORTS:
        for module in BUILTIN:
            _add(import_module(module).EXPORT)
    return _EXPORTS


def _add(export: Export) -> None:
    if export.name in _EXPORTS:
        raise ValueError(f"export format {export.name!r} is registered already")
    _EXPORTS[export.name] = export


def register(export: Export) -> None:
    """Offer `export` under its name, after the built-in ones; ValueError if it is taken."""
    _exports()
    _add(export)


def unregister(name: str) -> None:
    """Stop offering the export called `name` (a test's toy export, say)."""
    _exports().pop(name, None)


def names(folders: bool = True) -> tuple[str, ...]:
    """The export formats' names, in the order they are offered; without `folders`, only
    those that write one file (what the explorer's export dialog offers)."""
    return tuple(
        name
        for name, export in _exports().items()
        if folders or not isinstance(export, FolderExport)
    )


def folder_export(name: str) -> FolderExport | None:
    """The export called `name` when it writes a folder, else None."""
    export = get(name)
    return export if isinstance(export, FolderExport) else None


def get(name: str) -> Export:
    """The export called `name`; ValueError, naming the choices, for an unknown one."""
    exports = _exports()
    if name not in exports:
        choices = ", ".join(exports)
        raise ValueError(f"unknown export format {name!r} (choose from {choices})")
    return exports[name]


def write(
    trace: Trace, fmt: str, selection: Selection, out: TextIO, redact: Redact | None = None
) -> None:
    """Write the selection in format `fmt` to `out`, as it is made (a streaming export never
    holds the whole document)."""
    get(fmt).write(trace, selection, out, ExportOptions(redact=redact))


def export(
    trace: Trace, fmt: str, selection: Selection = None, redact: Redact | None = None
) -> str:
    """The selection rendered in format `fmt`, as one string."""
    buffer = io.StringIO()
    write(trace, fmt, selection, buffer, redact)
    return buffer.getvalue()
