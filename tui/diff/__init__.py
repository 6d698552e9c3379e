"""Comparing two runs: alignment, field-level changes, and the masking of run-volatile values."""
