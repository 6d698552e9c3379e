"""Opening a trace file: map it (or read a pipe whole), tell what it is, see it grow.

The reader scans copies made with `pread` (`TraceFile.read`) and decodes headers and bodies
from the mapping (`TraceFile.buffer`); see `TraceFile.read` for why.
"""

from __future__ import annotations

import mmap
import os
import stat
from typing import BinaryIO

from tui.model.trace import Buffer
from tui.readers import registry
from tui.readers.errors import TraceError
from tui.readers.format import Format

# What `TraceFile.poll()` says of a followed file.
GROWN = "grown"
SAME = "same"
REPLACED = "replaced"
# How much of the file's start tells a binary or non-UTF-8 file, or bare-CR line ends.
_HEAD = 1 << 16
_PREAD = hasattr(os, "pread")
_BOM = b"\xef\xbb\xbf"


def detect_format(buffer: Buffer) -> Format | None:
    """The format whose first record comes first in the content, or None (see `registry`)."""
    return registry.detect(buffer)


def format_of(buffer: Buffer, name: str | None) -> Format:
    """The format called `name`, or else the one detected; `TraceError` when there is none."""
    if name is None:
        fmt = detect_format(buffer)
        if fmt is None:
            raise TraceError(_describe_unreadable(buffer))
        return fmt
    fmt = registry.by_name(name)
    if fmt.detect(buffer, len(buffer)) < 0:
        raise TraceError(f"no {fmt.name} records found (expected {fmt.expected})")
    return fmt


def _describe_unreadable(buffer: Buffer) -> str:
    head = bytes(buffer[:_HEAD])
    if b"\0" in head:
        return "binary file, not a requestshook trace"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut by the end of the window is not an error of the file.
        if error.reason != "unexpected end of data" or len(head) < _HEAD:
            return f"not UTF-8 text (bad byte at offset {error.start}), not a requestshook trace"
    return f"no requestshook records found (expected {registry.expected()})"


def _open(path: str) -> BinaryIO:
    try:
        if os.path.isdir(path):
            raise TraceError("is a directory, not a trace file")
        return open(path, "rb")
    except FileNotFoundError:
        raise TraceError("no such file") from None
    except PermissionError:
        raise TraceError("permission denied") from None
    except OSError as error:
        raise TraceError(error.strerror or str(error)) from None


def _map_file(file: BinaryIO) -> Buffer:
    """Map the file; read it instead where the filesystem cannot map it."""
    try:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        file.seek(0)
        return file.read()


def _lone_cr(buffer: Buffer) -> bool:
    """True for a file whose lines end in a bare CR (classic Mac): it has no LF at all."""
    return buffer.find(b"\r", 0, _HEAD) >= 0 and buffer.find(b"\n") < 0


class TraceFile:
    """One trace file, open: its bytes (`buffer`, `size`) and where it came from.

    Raises `TraceError` (a one-line reason) when the file cannot be read or is empty.
    """

    def __init__(self, path: str) -> None:
        """Open and map `path`; a pipe is read whole, a file with bare-CR lines normalised."""
        self.path = path
        self._file: BinaryIO | None = None
        try:
            self._file = _open(path)
            status = os.fstat(self._file.fileno())
            self._identity = (status.st_dev, status.st_ino)
            if stat.S_ISFIFO(status.st_mode):
                # A pipe (`tracetui stats <(zcat trace.gz)`) cannot be mapped: read it whole.
                self.buffer: Buffer = self._file.read()
            elif status.st_size:
                self.buffer = _map_file(self._file)
            else:
                raise TraceError("file is empty")
            if not self.buffer:
                raise TraceError("file is empty")
            # True when every CR is read as a LF: same length, so offsets and spans still hold.
            self.lone_cr = _lone_cr(self.buffer)
            if self.lone_cr:
                self.buffer = bytes(self.buffer).replace(b"\r", b"\n")
        except TraceError:
            self.close()
            raise
        self.size = len(self.buffer)
        # Where the records may start: after a UTF-8 byte order mark (an editor's), which
        # would otherwise hide the first heading from every line-start match.
        self.start = len(_BOM) if self.buffer[: len(_BOM)] == _BOM else 0

    def close(self) -> None:
        """Release the file handle; the mapping stays alive while the trace uses it."""
        if self._file is not None:
            self._file.close()

    def read(self, start: int, end: int) -> bytes:
        """The bytes `[start, end)` of the file, as one copy to scan.

        Read with `pread` rather than sliced from the mapping: the kernel copies from the page
        cache with no page faults, and the pages never count in this process's memory. The
        mapping is only read where a header or body is decoded.
        """
        file = self._file
        if _PREAD and file is not None and not file.closed and isinstance(self.buffer, mmap.mmap):
            data = os.pread(file.fileno(), end - start, start)
            if len(data) == end - start:
                return data
        return bytes(self.buffer[start:end])

    def newlines(self, start: int, end: int) -> int:
        """How many newlines the bytes `[start, end)` hold, counted a piece at a time."""
        count, piece = 0, 8 << 20
        for pos in range(start, end, piece):
            count += self.read(pos, min(end, pos + piece)).count(b"\n")
        return count

    def poll(self) -> str:
        """Look at the file again: GROWN (the new bytes are mapped), SAME, or REPLACED
        (truncated or rotated: open it anew)."""
        try:
            status = os.stat(self.path)
        except OSError:
            return REPLACED
        if (status.st_dev, status.st_ino) != self._identity or status.st_size < self.size:
            return REPLACED
        if status.st_size == self.size or isinstance(self.buffer, bytes):
            return SAME
        try:
            with open(self.path, "rb") as file:
                grown = _map_file(file)
        except OSError:
            return SAME
        self.buffer = grown
        self.size = len(grown)
        return GROWN
