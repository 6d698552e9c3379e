"""Text rules shared by every part: sanitizing untrusted text, bodies, JSON tokens."""
