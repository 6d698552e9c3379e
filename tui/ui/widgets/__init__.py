"""Textual widgets; they know nothing of file formats, only of the trace model."""
