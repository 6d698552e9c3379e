"""The mkdocs export: a documentation page, whole, in requestshook's layout.

`tracetui export FILE --format mkdocs -o DIR` writes `DIR/diagram.md` (the mermaid sequence
diagram in a ``` mermaid fence, as mkdocs-material renders it) and `DIR/body.md` (the records
as the hook writes them, headings numbered `### (5) POST …` as people number them by hand).
With `--placeholders` the page reads as the operation rather than one run. body.md loads back
into tracetui as the same exchanges. The page needs mkdocs-material with the `admonition`,
`pymdownx.superfences` (a `mermaid` custom fence) and `pymdownx.tabbed` extensions; the
README shows the mkdocs.yml.
"""

from __future__ import annotations

from pathlib import Path

from tui.export.base import ExportOptions, FolderExport, Selection, selected_records
from tui.export.markdown import markdown_record
from tui.export.mermaid import mermaid
from tui.model.trace import Trace
from tui.text.files import write_file

FILES = ("diagram.md", "body.md")


def page(trace: Trace, selection: Selection, options: ExportOptions) -> dict[str, str]:
    """The page's files by name."""
    records = selected_records(trace, selection)
    body = "".join(
        markdown_record(trace, record, options.redact, number)
        for number, record in enumerate(records, 1)
    )
    diagram = "``` mermaid\n" + mermaid(trace, selection, options.redact) + "```\n"
    return {"diagram.md": diagram, "body.md": body}


def write_mkdocs(
    trace: Trace, selection: Selection, folder: Path, options: ExportOptions
) -> list[Path]:
    """Write the page's files into `folder`; FileExistsError for one there already unless
    `options.overwrite`."""
    targets = [folder / name for name in FILES]
    for target in targets:
        if target.exists() and not options.overwrite:
            raise FileExistsError(str(target))
    files = page(trace, selection, options)
    folder.mkdir(parents=True, exist_ok=True)
    for target in targets:
        write_file(target, files[target.name], overwrite=options.overwrite)
    return targets


EXPORT = FolderExport("mkdocs", "", write_mkdocs)
