"""`tracetui diff --json` stays byte for byte what it was before the diff's changes were typed.

The files in tests/golden/ were written by the untyped diff (commit 10c04a0) on every pair of
samples: two documents whole, so a failure shows where, and a digest of every pair.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
DIGESTS: dict[str, str] = json.loads((GOLDEN / "diff-json.sha256.json").read_text())


def _diff_json(capsys: pytest.CaptureFixture[str], *args: str) -> bytes:
    main(["diff", *args])
    return capsys.readouterr().out.encode()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("server-create.md", "server-create-run2.md"),
        ("image-create.md", "image-create-annotated.md"),
    ],
)
def test_diff_json_is_byte_identical_to_the_golden_document(monkeypatch, capsys, a, b):
    monkeypatch.chdir(ROOT)
    out = _diff_json(capsys, f"sample_traces/{a}", f"sample_traces/{b}", "--json")
    golden = (GOLDEN / f"diff-{b.removesuffix('.md')}.json").read_bytes()
    assert out.decode() == golden.decode()


@pytest.mark.parametrize("case", sorted(DIGESTS))
def test_diff_json_of_every_sample_pair_has_the_golden_digest(monkeypatch, capsys, case):
    monkeypatch.chdir(ROOT)
    a, b, *flags = case.split()
    out = _diff_json(capsys, f"sample_traces/{a}", f"sample_traces/{b}", *flags)
    assert hashlib.sha256(out).hexdigest() == DIGESTS[case]
