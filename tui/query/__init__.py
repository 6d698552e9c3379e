"""Asking questions of a trace: the filter language, search, follow-a-value, figures."""
