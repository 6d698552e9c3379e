"""Readers for the two formats the requestshook hook writes; the format is taken from content."""

from __future__ import annotations

from tui.readers.scanner import (
    GROWN,
    REPLACED,
    SAME,
    TraceError,
    TraceReader,
    detect_format,
    read_trace,
)

__all__ = [
    "GROWN",
    "REPLACED",
    "SAME",
    "TraceError",
    "TraceReader",
    "detect_format",
    "read_trace",
]
