"""The trace model: plain data that every other part reads and no part but the readers builds."""
