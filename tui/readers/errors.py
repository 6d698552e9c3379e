"""The one error the readers raise."""

from __future__ import annotations


class TraceError(Exception):
    """A file that cannot be read as a trace at all; the message is one line for the user."""
