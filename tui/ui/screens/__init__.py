"""Textual screens: the explorer, the diff, and the modal lists (help, warnings)."""
