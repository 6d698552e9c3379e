"""Giving back the pages of a mapped trace file that a pass over every body has read."""

from __future__ import annotations

import mmap

from tui.model.trace import Trace


def release_pages(trace: Trace) -> None:
    """Drop the pages of the trace's mapped file from this process's memory; they stay in
    the page cache and come back when read again (a no-op for a file read into memory).
    A pass that reads every body (an export, a diff) otherwise ends with the whole file
    counted as the process's memory."""
    buffer = trace.source.buffer
    if isinstance(buffer, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        buffer.madvise(mmap.MADV_DONTNEED)
