"""Readers for the two formats the requestshook hook writes; the format is taken from content."""

from __future__ import annotations

from tui.readers.scanner import TraceError, TraceReader, detect_format, read_trace

__all__ = ["TraceError", "TraceReader", "detect_format", "read_trace"]
