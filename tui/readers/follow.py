"""Read a trace to its end and, when following, keep reading what is appended (`tail -f`).

No Textual here: a UI runs `follow()` in a worker thread and hears about it through a
`FollowListener` (the explorer posts a message per call). Truncation and rotation
(logrotate) are the reader's `poll()` saying REPLACED: the file is opened anew here, and while
it cannot be read (gone, empty) the listener hears why every `REOPEN_SECONDS`.
"""

from __future__ import annotations

import time
from typing import Callable, Protocol

from tui.readers import GROWN, REPLACED, TraceError, TraceReader

# While a big file is indexed, laying out every pane after each batch would cost more than
# the indexing; the listener hears of progress at most this often.
RELAYOUT_SECONDS = 1.0
# How often a followed file is checked for growth: new records show within a second.
FOLLOW_POLL_SECONDS = 0.25
# A followed file that grows all the time is laid out again at most this often.
FOLLOW_RELAYOUT_SECONDS = 0.5
# A replaced file that cannot be read yet (removed, or truncated to nothing) is tried again
# this often; each failed try is told, so the notice comes at once and stays while it lasts.
REOPEN_SECONDS = 1.0
RELOADED_NOTICE = "The file was truncated or rotated: reloaded from the start."


def waiting_notice(error: TraceError) -> str:
    """What to tell the user while a replaced file cannot be read."""
    return f"{error}; waiting for the file to come back"


class FollowListener(Protocol):
    """What `follow()` tells; called from the thread that runs it."""

    def read(self, reader: TraceReader, caught_up: bool) -> None:
        """More of `reader`'s trace is indexed; `caught_up`: all that is written so far."""

    def reopened(self, reader: TraceReader) -> None:
        """The file was replaced and opened anew as `reader` (nothing of it read yet)."""

    def missing(self, notice: str) -> None:
        """The file was replaced and cannot be read now (`notice` says why)."""


def follow(
    reader: TraceReader,
    listener: FollowListener,
    cancelled: Callable[[], bool],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Index the rest of `reader`'s file in batches, telling `listener` now and then; while
    `reader.follow` holds, poll the file for more and keep going, until `cancelled()`."""
    told_at = 0.0
    shown = -1
    while not cancelled():
        while not cancelled() and not reader.read_batch():
            if time.monotonic() - told_at > RELAYOUT_SECONDS:
                told_at = time.monotonic()
                listener.read(reader, caught_up=False)
        count = len(reader.trace.records)
        recent = time.monotonic() - told_at < FOLLOW_RELAYOUT_SECONDS
        if count != shown and not (reader.follow and recent):
            shown = count
            told_at = time.monotonic()
            listener.read(reader, caught_up=True)
        if not reader.follow:
            return
        while not cancelled():
            sleep(FOLLOW_POLL_SECONDS)
            change = reader.poll()
            if change == REPLACED:
                replaced = reopen(reader.path, listener, cancelled, sleep)
                if replaced is None:
                    return
                reader, shown = replaced, -1
                break
            if change == GROWN or reader.holding_tail or count != shown:
                break


def reopen(
    path: str,
    listener: FollowListener,
    cancelled: Callable[[], bool],
    sleep: Callable[[float], None] = time.sleep,
) -> TraceReader | None:
    """Open the replaced file `path` again as a followed trace, trying every REOPEN_SECONDS
    while it cannot be read; None if cancelled first."""
    while not cancelled():
        try:
            reader = TraceReader(path, follow=True)
        except TraceError as error:
            listener.missing(waiting_notice(error))
            sleep(REOPEN_SECONDS)
            continue
        listener.reopened(reader)
        return reader
    return None
