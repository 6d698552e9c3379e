"""Textual-free view models: the list's rows, the lanes' layout, the detail's lines."""
