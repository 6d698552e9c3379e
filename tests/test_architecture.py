"""The arrows between the parts of `tui`, as ARCHITECTURE.md draws them.

Every module of the package is parsed (imports inside functions and under TYPE_CHECKING
count: they are arrows too) and each import of another part is checked against `ALLOWED`.
A failure names the offending arrow: module, what it imports, and the rule it breaks.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tui"

# Part -> the other parts it may import. A part is a folder of `tui/` or a top-level module;
# `tui` itself (the package's `__init__`) holds only the version, which anything may read.
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "text": {"model"},
    "readers": {"model", "text"},
    "redact": {"model", "text"},
    "diff": {"model", "text"},
    "query": {"model", "text", "readers"},
    "export": {"model", "text", "redact", "diff", "query"},
    "views": {"model", "text", "readers", "redact", "query", "diff"},
    "crash": {"text"},
    "commands": {"model", "text", "readers", "redact", "query", "diff", "export", "views"},
    "ui": {"model", "text", "readers", "redact", "query", "diff", "export", "views", "crash"},
    "cli": {"readers", "text", "crash", "ui", "commands"},
    "__main__": {"cli"},
    "tui": set(),
}
# Only the UI may import these: the core runs headless and starts fast without them.
TOOLKITS = {"textual"}
UI = "ui"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str:
    """`tui.readers.reader` -> `readers`; `tui.cli` -> `cli`; `tui` -> `tui`."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else pieces[0]


def modules() -> list[tuple[str, Path]]:
    """Every module of the package, by walking its folders (so none can be left out)."""
    found = [(_module_name(path), path) for path in sorted(PACKAGE.rglob("*.py"))]
    assert len(found) > 40, "the walk must see the whole package"
    return found


def imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for each import in the module, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            # `from tui import readers` imports the part `readers`, not only `tui`.
            if target == "tui":
                for alias in node.names:
                    if (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file():
                        yield f"tui.{alias.name}", node.lineno


def arrows() -> Iterator[tuple[str, str, str, str]]:
    """(from part, to part, importing module:line, imported module) between parts."""
    for module, path in modules():
        source = _part(module)
        for target, line in imports(module, path):
            if target == "tui" or target.startswith("tui."):
                destination = _part(target)
                if destination != source:
                    yield source, destination, f"{module}:{line}", target


def test_every_part_is_in_the_table() -> None:
    parts = {_part(module) for module, _ in modules()}
    assert parts <= set(ALLOWED), (
        f"new part(s) {sorted(parts - set(ALLOWED))}: add them to ALLOWED here and to "
        "ARCHITECTURE.md, saying what they may import"
    )


def test_parts_import_only_what_architecture_md_allows() -> None:
    def rule(source: str) -> str:
        allowed = sorted(ALLOWED[source])
        return f"may import only {', '.join(allowed)}" if allowed else "imports nothing of tui"

    wrong = [
        f"{where} imports {target}: `{source}` {rule(source)}"
        for source, destination, where, target in arrows()
        if destination != "tui" and destination not in ALLOWED.get(source, set())
    ]
    assert not wrong, "arrows that must not exist:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("toolkit", sorted(TOOLKITS))
def test_only_the_ui_imports_the_toolkit(toolkit: str) -> None:
    wrong = [
        f"{module}:{line} imports {target}"
        for module, path in modules()
        if _part(module) != UI
        for target, line in imports(module, path)
        if target.split(".")[0] == toolkit
    ]
    assert not wrong, f"only tui/{UI} may import {toolkit}:\n  " + "\n  ".join(wrong)


def test_no_import_cycles_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for source, destination, _, _ in arrows():
        if destination != "tui":
            graph.setdefault(source, set()).add(destination)

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for following in sorted(graph.get(node, ())):
                if following == start:
                    return [*trail, start]
                if following not in trail:
                    stack.append((following, [*trail, following]))
        return None

    cycles = {" -> ".join(cycle) for part in graph if (cycle := cycle_from(part)) is not None}
    assert not cycles, "import cycles between parts:\n  " + "\n  ".join(sorted(cycles))


def test_the_checker_sees_a_forbidden_arrow(tmp_path: Path) -> None:
    # The rules must be able to fail: a model module importing the readers is caught.
    path = tmp_path / "tui" / "model" / "bad.py"
    path.parent.mkdir(parents=True)
    path.write_text("from tui.readers.source import TraceSource\nfrom . import trace\n")
    found = list(imports("tui.model.bad", path))
    assert found == [("tui.readers.source", 1), ("tui.model", 2)]
    assert _part(found[0][0]) not in ALLOWED["model"]


def test_core_modules_do_not_load_the_toolkit() -> None:
    """What the AST cannot see (a dependency that imports Textual) a fresh interpreter can:
    every module outside tui/ui loads neither Textual nor Rich."""
    core = [module for module, _ in modules() if _part(module) not in (UI, "__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
