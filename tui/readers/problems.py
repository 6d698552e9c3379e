"""The warnings a reader gives: kept to a bounded number, and the UTF-8 checks that earn them."""

from __future__ import annotations

from tui.model.trace import ParseWarning, Trace
from tui.readers.opening import TraceFile

# A hostile file can earn a warning per record; past this many the rest are only counted, so
# a million broken records cost a number, not a million lines in every view.
MAX_WARNINGS = 10_000
MAX_UTF8_WARNINGS = 20
_UTF8_PIECE = 8 << 20


class Problems:
    """Collects the warnings of one trace into `trace.warnings`."""

    def __init__(self, trace: Trace) -> None:
        """Warnings go to `trace`."""
        self.trace = trace
        self.count = 0
        self._utf8 = 0

    def warn(self, line: int, message: str) -> None:
        """Record a problem at `line` (1-based; 0 for the whole file)."""
        self.count += 1
        if self.count <= MAX_WARNINGS:
            self.trace.warnings.append(ParseWarning(line, message))

    def check_utf8(self, chunk: bytes, base: int, line: int) -> None:
        """Warn, with its byte offset, about each invalid UTF-8 sequence of `chunk`, which is
        at `base` in the file and starts on line `line`."""
        if chunk.isascii():
            return
        pos = 0
        while self._utf8 < MAX_UTF8_WARNINGS:
            try:
                (chunk[pos:] if pos else chunk).decode("utf-8")
                return
            except UnicodeDecodeError as error:
                offset = pos + error.start
                self._utf8 += 1
                message = f"invalid UTF-8 at byte offset {base + offset}; shown as \ufffd"
                if self._utf8 == MAX_UTF8_WARNINGS:
                    message += " (further invalid bytes not reported)"
                self.warn(line + chunk.count(b"\n", 0, offset), message)
                pos += error.end

    def check_utf8_file(self, file: TraceFile) -> None:
        """`check_utf8` over the whole file, a piece at a time (a whole-document format)."""
        pos, line, buffer = 0, 1, file.buffer
        while pos < file.size and self._utf8 < MAX_UTF8_WARNINGS:
            end = min(pos + _UTF8_PIECE, file.size)
            # End the piece before a character's continuation bytes, never inside it.
            while end < file.size and 0x80 <= buffer[end] < 0xC0 and end > pos + 1:
                end -= 1
            piece = file.read(pos, end)
            self.check_utf8(piece, pos, line)
            line += piece.count(b"\n")
            pos = end

    def finish(self) -> None:
        """Sort the warnings by line, then by text: the order is the same however the file
        was batched; say how many were not kept."""
        warnings = self.trace.warnings
        warnings.sort(key=lambda warning: (warning.line, warning.message))
        hidden = self.count - len(warnings)
        if hidden > 0:
            warnings.append(ParseWarning(0, f"{hidden} more warnings not listed"))
