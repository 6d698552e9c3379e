"""The Textual application: the app, its screens and widgets, and their styles."""
