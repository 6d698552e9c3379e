"""Swift's epoch timestamps are run-volatile: runs differing only there diff clean (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import SAMPLES
from tui.diff.changes import Kind
from tui.diff.engine import diff_traces
from tui.diff.masking import EPOCH_TIMESTAMP, header_rule, mask_text
from tui.readers import read_trace

SAME = Kind.SAME

_EPOCH = re.compile(rb"(?<![\d.])[1-9]\d{9}\.\d{5}(?![\d.])")


def _second_run(tmp_path: Path) -> Path:
    """image-create.md (whose Swift calls create, head and delete the image data) with every
    epoch timestamp an hour and a bit later, as a second run would have them."""
    data = (SAMPLES / "image-create.md").read_bytes()
    shifted = _EPOCH.sub(lambda m: b"%.5f" % (float(m.group()) + 3600.12345), data)
    assert shifted != data
    path = tmp_path / "image-create-later.md"
    path.write_bytes(shifted)
    return path


def test_epoch_timestamps_are_masked_in_headers_and_bodies():
    for name in (
        "X-Timestamp",
        "X-Put-Timestamp",
        "X-Backend-Timestamp",
        "X-Backend-Data-Timestamp",
        "X-Backend-Durable-Timestamp",
        "x-backend-put-timestamp",
    ):
        assert header_rule(name) == "date-header", name
    masked = mask_text('{"created": 1671683363.84851, "obj": "1671683363.83052_0000000000000001"}')
    assert masked.values == (
        (EPOCH_TIMESTAMP, "1671683363.84851"),
        (EPOCH_TIMESTAMP, "1671683363.83052_0000000000000001"),
    )
    # Not epochs: an integer, eleven digits, a version number, the zero Swift writes.
    for text in ("1671683363", "16716833631.5", "v2.1671683363", "0000000000.00000"):
        assert mask_text(text).values == (), text


def test_two_runs_differing_only_in_epoch_timestamps_diff_clean(tmp_path):
    run1 = read_trace(str(SAMPLES / "image-create.md"))
    run2 = read_trace(str(_second_run(tmp_path)))
    masked = diff_traces(run1, run2)
    assert [entry for entry in masked.entries if entry.kind != SAME] == []
    raw = diff_traces(run1, run2, raw=True)
    assert [entry for entry in raw.entries if entry.kind != SAME]
