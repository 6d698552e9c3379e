"""From a trace to a documentation page (issue 19): `--placeholders` and `--format mkdocs`,
built by the real mkdocs-material in strict mode."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mermaid_grammar import parse
from tui.cli import main
from tui.readers import read_trace
from tui.text.placeholders import COLLECTION_PARAMETERS

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
TRACES = sorted(
    [str(path) for path in SAMPLES.glob("*.md") if path.name != "README.md"]
    + [str(SAMPLES / "image-show.log")]
)
# A UUID, a 32-hex id, or a Swift account: what a published diagram must not show.
RUN_IDS = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-|[0-9a-fA-F]{32}|AUTH_(?!\{)")
KNOWN = set(COLLECTION_PARAMETERS.values()) | {"id", "account", "container", "object"}
MKDOCS_YML = """\
site_name: trace
docs_dir: page
strict: true
theme:
  name: material
markdown_extensions:
  - admonition
  - pymdownx.details
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.tabbed:
      alternate_style: true
"""


def export(capsys, *args: str) -> str:
    assert main(["export", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", TRACES, ids=lambda p: Path(p).name)
def test_a_diagram_with_placeholders_shows_no_run_id(capsys, path):
    diagram = parse(export(capsys, path, "--format", "mermaid", "--placeholders"))
    assert diagram.messages
    for message in diagram.messages:
        assert not RUN_IDS.search(message.text), message.text
        for name in re.findall(r"\{([^}]+)\}", message.text):
            assert re.sub(r"_\d+$", "", name) in KNOWN, message.text


def test_placeholders_all_names_ids_in_bodies_and_redacts_tokens(capsys):
    path = str(SAMPLES / "server-create.md")
    text = export(capsys, path, "--format", "markdown", "--placeholders", "all")
    assert not re.search(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-", text)
    assert "gAAAAA" not in text  # Fernet tokens
    assert "<token-1>" in text
    assert '"id": "{server_id}"' in text


def test_the_same_value_has_the_same_name_on_the_page(capsys):
    path = str(SAMPLES / "image-create.md")
    diagram = parse(export(capsys, path, "--format", "mermaid", "--placeholders"))
    texts = [m.text for m in diagram.messages]
    assert "PUT /v2/images/{image_id}/file" in texts
    assert any(t.startswith("PUT /v1/AUTH_{account}/glance/{image_id}") for t in texts)


def test_the_page_builds_with_mkdocs_material_strict(tmp_path, capsys):
    path = str(SAMPLES / "image-create-annotated.md")
    page = tmp_path / "page"
    assert main(["export", path, "--format", "mkdocs", "--placeholders", "-o", str(page)]) == 0
    assert "wrote 2 files" in capsys.readouterr().err
    assert sorted(p.name for p in page.iterdir()) == ["body.md", "diagram.md"]
    diagram = (page / "diagram.md").read_text()
    assert diagram.startswith("``` mermaid\nsequenceDiagram\n") and diagram.endswith("```\n")
    parse(diagram.split("\n", 1)[1].rsplit("```", 1)[0])
    body = (page / "body.md").read_text()
    assert "### (1) GET /identity/" in body
    assert re.search(r"### \(\d+\) PUT /v2/images/\{image_id\}/file", body)
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    done = subprocess.run(
        [mkdocs, "build", "--strict", "-q", "-f", str(tmp_path / "mkdocs.yml"), "-d", "site"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "site" / "diagram" / "index.html").read_text()
    assert '<pre class="mermaid"><code>sequenceDiagram' in html
    built = (tmp_path / "site" / "body" / "index.html").read_text()
    assert "tabbed-set" in built


def test_the_page_body_loads_back_as_the_exported_exchanges(tmp_path, capsys):
    path = str(SAMPLES / "server-create.md")
    page = tmp_path / "page"
    assert main(["export", path, "--format", "mkdocs", "-o", str(page)]) == 0
    capsys.readouterr()
    original, back = read_trace(path), read_trace(str(page / "body.md"))
    assert [
        (e.request.method, e.request.target, e.request.src, e.request.dst, e.status)
        for e in back.exchanges
    ] == [
        (e.request.method, e.request.target, e.request.src, e.request.dst, e.status)
        for e in original.exchanges
    ]
    for a, b in zip(original.exchanges, back.exchanges):
        assert back.source.body(b.request) == original.source.body(a.request)
        assert back.source.headers(b.response) == original.source.headers(a.response)
    assert not back.warnings


def test_a_page_is_not_written_over_without_force(tmp_path, capsys):
    path = str(SAMPLES / "image-show.md")
    page = tmp_path / "page"
    assert main(["export", path, "--format", "mkdocs", "-o", str(page)]) == 0
    assert main(["export", path, "--format", "mkdocs", "-o", str(page)]) == 2
    assert "diagram.md: exists; give --force" in capsys.readouterr().err
    assert main(["export", path, "--format", "mkdocs", "-o", str(page), "--force"]) == 0
