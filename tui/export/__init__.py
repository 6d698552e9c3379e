"""Writing a trace out in other formats (mermaid, JSON, HAR, markdown, curl)."""
