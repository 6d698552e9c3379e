"""Read trace files: one module per format (see `format.py` and `registry.py`), the format
taken from the content unless named."""

from __future__ import annotations

from tui.readers.errors import TraceError
from tui.readers.opening import GROWN, REPLACED, SAME, detect_format
from tui.readers.reader import TraceReader, read_trace

__all__ = [
    "GROWN",
    "REPLACED",
    "SAME",
    "TraceError",
    "TraceReader",
    "detect_format",
    "read_trace",
]
