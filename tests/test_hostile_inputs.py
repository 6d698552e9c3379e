"""Issue 14, points 9, 11, 13: pathological records stay within memory, a byte order mark
loses no record, a followed file truncated to nothing is noticed at once."""

from __future__ import annotations

import pytest

from tests import hostile
from tui.cli import main
from tui.query.stats import file_stats
from tui.readers import read_trace


@pytest.mark.parametrize("name", [hostile.MD_SAMPLE, hostile.LOG_SAMPLE])
def test_a_byte_order_mark_loses_no_record(name, tmp_path, capsys):
    plain = tmp_path / f"plain.{name.rsplit('.', 1)[1]}"
    plain.write_bytes(hostile.sample(name).lstrip(b"\n"))
    marked = tmp_path / f"bom.{name.rsplit('.', 1)[1]}"
    marked.write_bytes(hostile.CASES[f"bom-{name.rsplit('.', 1)[1]}"]().data)
    expected, got = read_trace(str(plain)), read_trace(str(marked))
    assert len(got.exchanges) == len(expected.exchanges) > 0
    assert [r.target for r in got.records] == [r.target for r in expected.records]
    assert [r.line for r in got.records] == [r.line for r in expected.records]
    assert got.warnings == expected.warnings
    # The fast count of `stats` (body.md) and the full read agree.
    stats = file_stats(str(marked))
    assert stats["exchanges"] == len(expected.exchanges)
    assert not stats["warnings"]
    assert main(["stats", str(marked)]) == 0
    assert "response without a request" not in capsys.readouterr().out
