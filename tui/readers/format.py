"""The interface every input format implements, and what the reader gives it.

Adding a format is one new module and one registry line, and touches nothing else: write a
class that satisfies `Format` in `tui/readers/NAME.py`, make one instance of it, and add that
instance to `FORMATS` in `tui/readers/registry.py`. The reader (`TraceReader`), every command,
the explorer, search, diff and the exports then read it, and `--format NAME` picks it.

How the reader drives a format:

1. Detection. The registry hands each format the first `DETECT_WINDOW` bytes of the file
   (the whole file when none of them answers there) and asks `detect()` where its first record
   starts; the format whose first record comes first wins. Decide from the content, never the
   file name, and cheaply: `detect()` runs on every file opened.
2. Indexing, a batch at a time. The reader asks `cut()` where a batch of about N bytes should
   end (a record start, so no record is split), copies those bytes (plus `lookahead` more) into
   a `chunk` and calls `records()` on it, which yields one `Record` per record whose start lies
   before `limit`. A record holds only short fields and byte `Span`s of its header block and
   body, in file offsets (`base + chunk offset`). `records()` runs once per record of a 1 GB
   file: keep its per-record work to a few C-level calls (see markdown.py). A whole-document
   format (`whole_document = True`: HAR, a JSON export) gets one batch: the whole mapped file,
   `base` 0, and may keep its own offsets into it.
3. Pairing and the call tree belong to the reader: a response is paired with the pending
   request of the same `request_id` (synthesize one where the format has none, e.g. `ka-17`
   for a request and the response that follows it). A request's parent in the call tree is
   inferred from record order (`readers/calltree.py`), unless the format sets
   `explicit_parents`: then each request's `parent_id` is the `request_id` of its parent's
   request ("" for a root), which may come later in the file. `time` (seconds since the epoch:
   a request's start, a response's end) is optional: None where the format has no clock.
4. Decoding. Headers and bodies are decoded only when something shows or searches them:
   `TraceSource` asks the trace's format (`decode_headers`, `decode_body`, `header_text`,
   `decode_timings`), with the mapped file and the record's span. So a span may hold whatever
   the format stores there (a JSON array of headers, an escaped or base64 string): the format
   turns it into text.
5. Following. With `--follow`, a format that can grow (`can_follow`) is read again as the file
   grows; `incomplete_tail()` says where a half-written last record starts, so it is held back.

Bad input never raises: report each problem through `warn(line, message)` (one line, what and
where) and index what can be read. Every field shown to a user goes through
`parsed.field`/`parsed.shown`, which cut it to size and make it safe for a terminal.

Help at hand: `heading.HeadingFormat` implements detection, cutting, the held-back tail and
text decoding for a format whose records each start with a line a regex matches (markdown.py
and log.py build on it); `parsed` has the field decoding, `Cursor`, and `indexed()`, which
turns a record parsed in chunk offsets into a `Record` with its lines numbered and problems
reported. A whole-document format's `records()` is called once with the mapping as `chunk`
(`limit` and `file_end` the file's size, `base` 0) and `cut()` is never asked. Set `raw_text`
False unless the spans hold the text as shown: the search then reads decoded text. The toy
format in tests/test_format_plugin.py is a whole implementation in 80 lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from tui.model.trace import Buffer, Headers, Record, Span, Timings
from tui.readers.parsed import Cursor, Warn

__all__ = ["Buffer", "Cursor", "Format", "Headers", "Timings", "Warn"]


class Format(Protocol):
    """One input format: detect it, index a batch of it, decode a record of it.

    Implementations are stateless (one instance serves every open file); what must carry
    from one batch to the next goes through the `Cursor`.
    """

    # The name `--format` takes and `Trace.format` holds, e.g. "requestshook-markdown".
    name: str
    # What a record looks like, for the error on a file no format recognises.
    expected: str
    # How the pairing key is called in warnings ("X-Requestshook-Request-Id").
    request_id_name: str
    # How many bytes past the last record of a batch `records()` may need to look.
    lookahead: int
    # True when the file can grow by appending records (a log); False for one document.
    can_follow: bool
    # True when each request names its parent (`Record.parent_id`), False to infer it.
    explicit_parents: bool
    # True to be indexed in one batch over the whole mapped file (see the module docstring).
    whole_document: bool
    # True when header and body spans hold their text as shown (at most indented), so a search
    # may scan the raw bytes; False when only `decode_*` gives the text (escaped JSON).
    raw_text: bool

    def detect(self, head: Buffer, end: int) -> int:
        """The offset of this format's first record in `head[:end]`, or -1 for none."""
        ...

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        """Where a batch that starts at record start `start` should end, near `end`
        (`end < len(buffer)`): the start of the last record in `(start, end]`, else (one
        record longer than a batch) the start of the first record after it, else
        `len(buffer)`."""
        ...

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        """Yield the records that start in `chunk[:limit]`, in file order.

        `chunk` starts at a record start (or the file's start), which is `base` in the file;
        `file_end` is where the file ends in chunk offsets (it may be past `len(chunk)`).
        Number lines from `cursor.line`, which is the line at chunk offset `cursor.counted`,
        and leave both at the last record's end; set `cursor.resume` to where the next batch
        starts (`limit`, or past it when a record claimed what follows). Report problems
        through `warn(line, message)`.
        """
        ...

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        """In a followed file whose bytes `[start, end)` end on a line end: where its last
        record starts if that record is still being written, else -1."""
        ...

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        """The headers in `span` as ordered (name, value) pairs, safe to show raw or not:
        callers sanitize at the screen and at stdout."""
        ...

    def header_text(self, buffer: Buffer, span: Span) -> str:
        """The header block in `span` as text, a `Name: value` line each, for searching."""
        ...

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        """The body in `span` as text; "" for an empty body."""
        ...

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        """The timed phases of the exchange of the record whose whole span is `span` (HAR's
        `timings`), in order; () where the format has none."""
        ...
