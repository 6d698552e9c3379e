"""The export registry: a toy export from the test suite plugs in without touching tui/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

import pytest

from tests.conftest import SAMPLES, press, settle
from tests.hostile import CASES, write_case
from tui.cli import main
from tui.export import registry
from tui.export.base import Export, ExportOptions, Selection, selected_exchanges, shown
from tui.model.trace import Trace
from tui.readers import read_trace


@dataclass(frozen=True)
class ToyExport:
    """One line per exchange, written as it goes: the shape a streaming writer has."""

    name: str = "toy"
    suffix: str = "toy"

    def write(
        self, trace: Trace, selection: Selection, out: TextIO, options: ExportOptions
    ) -> None:
        for exchange in selected_exchanges(trace, selection):
            target = shown(trace, exchange.request, options.redact)[0]
            out.write(f"toy {exchange.index} {exchange.request.method} {target}\n")


@pytest.fixture
def toy() -> Iterator[Export]:
    export = ToyExport()
    registry.register(export)
    yield export
    registry.unregister(export.name)


def _expected(path: str, indices: list[int] | None = None) -> str:
    trace = read_trace(path)
    chosen = trace.exchanges if indices is None else [trace.exchanges[i] for i in indices]
    return "".join(f"toy {e.index} {e.request.method} {e.request.target}\n" for e in chosen)


def test_builtin_exports_are_offered_in_order():
    assert registry.names() == (
        "mermaid",
        "json",
        "har",
        "markdown",
        "curl",
        "otlp",
        "parquet",
        "mkdocs",
    )
    assert [registry.get(name).suffix for name in registry.names()] == [
        "mmd",
        "json",
        "har",
        "md",
        "sh",
        "jsonl",
        "",
        "",
    ]


def test_a_registered_export_comes_after_the_builtin_ones_and_leaves_again(toy):
    assert registry.names()[-1] == "toy"
    assert registry.get("toy") is toy
    with pytest.raises(ValueError, match="registered already"):
        registry.register(ToyExport())
    registry.unregister("toy")
    assert "toy" not in registry.names()
    with pytest.raises(ValueError, match=r"unknown export format 'toy' \(choose from mermaid,"):
        registry.get("toy")
    registry.register(toy)


def test_cli_exports_with_a_registered_format(toy, capsys, tmp_path):
    path = str(SAMPLES / "image-show.md")
    assert main(["export", path, "--format", "toy"]) == 0
    assert capsys.readouterr().out == _expected(path)
    out = tmp_path / "cut.toy"
    assert main(["export", path, "--format", "toy", "--filter", "method:GET", "-o", str(out)]) == 0
    trace = read_trace(path)
    gets = [e.index for e in trace.exchanges if e.request.method == "GET"]
    assert gets and out.read_text(encoding="utf-8") == _expected(path, gets)


def test_cli_redacts_a_registered_format(toy, capsys):
    path = str(SAMPLES / "server-create.md")
    trace = read_trace(path)
    assert main(["export", path, "--format", "toy", "--redact"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == len(trace.exchanges)
    assert out.startswith("toy 0 ")


async def test_the_ui_exports_with_a_registered_format(toy, tmp_path, monkeypatch):
    from tui.ui.app import make_app
    from tui.ui.screens.explorer import ExplorerScreen
    from tui.ui.screens.export import ExportModal

    monkeypatch.chdir(tmp_path)
    path = str(SAMPLES / "server-create.md")
    app = make_app([path])
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "e")
        assert isinstance(app.screen, ExportModal)
        await press(app, pilot, "end")  # format: the last one offered, the toy
        proposed = app.screen.query_one("#export-path").value
        assert proposed == "server-create-export.toy"
        await press(app, pilot, "tab", "tab", "enter")  # scope: the whole trace
        assert isinstance(app.screen, ExplorerScreen)
        await app.workers.wait_for_complete()
    assert (tmp_path / proposed).read_text(encoding="utf-8") == _expected(path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_export_of_every_hostile_trace_writes_without_a_crash(case, tmp_path):
    trace = read_trace(str(write_case(case, tmp_path)))
    for name in registry.names(folders=False):
        out = io.StringIO()
        registry.write(trace, name, None, out)
        assert out.getvalue() or not trace.exchanges
