"""tracetui's own JSON export (`tracetui export FILE --format json`), read back.

The export is one document, written by `json.dumps(indent=N)`:

    {
      "exporter": {"name": "tracetui", ...},
      "source": ..., "format": ..., "services": [...], "warnings": [...],
      "exchanges": [
        {"index": 0, "parent": null, "src": ..., "dst": ...,
         "request": {"line": 2, "method": ..., "target": ..., "request_id": ...,
                     "headers": [[name, value], ...], "body_kind": ..., "body": ...},
         "response": {... "status": 300, "reason": ...} or null},
        ...
      ],
      "orphan_responses": [{"src": ..., "dst": ..., "line": ..., "status": ...}, ...]
    }

JSON keeps a newline out of every string, so in an indented document each member of an
object sits on a line of its own, indented by exactly the object's depth: the reader finds the
members with `bytes.find` and never parses a body or a header list to index the file. A
record's headers and body stay spans of the file, decoded when shown. A body exported as
parsed JSON is shown as the export wrote it, dedented: `json.dumps(value, indent=N)`.

The records come back in the order of their lines in the traced file (the export keeps each
record's `line`), so the call tree and the services' order are those of the original, and
each record keeps that line. The export names each exchange's parent, so no tree is inferred.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from typing import Any

from tui.model.trace import REQUEST, RESPONSE, Buffer, Headers, Record, Span, Timings
from tui.readers.parsed import Cursor, Warn, field, header_lines, new_tuple

NAME = "tracetui-json"

_DETECT = re.compile(rb'\s*\{\s*"exporter"\s*:\s*\{\s*"name"\s*:\s*"tracetui"')
# The second line of an indented export: its indent is the document's unit.
_SECOND_LINE = re.compile(rb'\s*\{\r?\n( +)"exporter"')
DETECT_BYTES = 512


class ExportError(ValueError):
    """The document is not laid out as an indented tracetui export."""


def count_newlines(buffer: Buffer, start: int, end: int) -> int:
    """The newlines in `buffer[start:end]`, counted a piece at a time (a mapping has no
    `count`, and one copy of a big file would double its memory)."""
    total = 0
    while start < end:
        stop = min(end, start + (8 << 20))
        total += bytes(buffer[start:stop]).count(b"\n")
        start = stop
    return total


def _members(
    buffer: Buffer, start: int, end: int, pad: int, closed: bool = True
) -> dict[str, tuple[int, int]]:
    """The members of the object `buffer[start:end]` (from `{` to `}`; only its first
    members when not `closed`) whose member lines are indented by `pad` spaces: name ->
    (start, end) of the value's text, without the comma after it."""
    if closed:
        # The object's closing brace is alone on its last line.
        closing = buffer.rfind(b"\n", start, end)
        if closing > start:
            end = closing
    needle = b"\n" + b" " * pad + b'"'
    members: dict[str, tuple[int, int]] = {}
    at = buffer.find(needle, start, end)
    while at >= 0:
        name_start = at + len(needle)
        name_end = buffer.find(b'": ', name_start, end)
        if name_end < 0:
            break
        following = buffer.find(needle, name_end, end)
        value_end = end if following < 0 else following
        value_end = _before_comma(buffer, name_end, value_end)
        name = bytes(buffer[name_start:name_end]).decode("utf-8", "replace")
        members[name] = (name_end + 3, value_end)
        at = following
    return members


def _before_comma(buffer: Buffer, start: int, end: int) -> int:
    """`end`, moved before the "," (and any CR or space) that ends a member's last line."""
    last = buffer[end - 1 : end]
    if last == b",":
        return end - 1
    while end > start and buffer[end - 1 : end] in (b",", b"\r", b" "):
        end -= 1
    return end


def _elements(buffer: Buffer, start: int, end: int, pad: int) -> Iterator[tuple[int, int]]:
    """The (start, end) of each object of the array in `buffer[start:end]`, whose elements
    open and close on lines indented by `pad` spaces; end -1 for one the file cuts off."""
    opening = b"\n" + b" " * pad + b"{"
    closing = b"\n" + b" " * pad + b"}"
    at = buffer.find(opening, start, end)
    while at >= 0:
        close = buffer.find(closing, at + len(opening), end)
        if close < 0:
            yield at + 1 + pad, -1
            return
        after = close + len(closing)
        yield at + 1 + pad, after
        # The next element follows its comma at once; anything else ends the array.
        at = after + 1
        if buffer[at : at + 1] == b"\r":
            at += 1
        if buffer[after : after + 1] != b"," or buffer.find(opening, at, at + len(opening)) < 0:
            return


def _value(buffer: Buffer, span: tuple[int, int] | None) -> Any:
    """The JSON value of a small member (a string, a number, null)."""
    if span is None:
        return None
    raw = bytes(buffer[span[0] : span[1]])
    if raw.isdigit():
        return int(raw)
    if raw == b"null":
        return None
    if raw.startswith(b'"') and raw.endswith(b'"') and b"\\" not in raw:
        return raw[1:-1].decode("utf-8", "replace")
    return json.loads(raw)


def _text(buffer: Buffer, span: tuple[int, int] | None) -> str:
    """A small member as text to show ("" for null or none)."""
    if span is None:
        return ""
    raw = bytes(buffer[span[0] : span[1]])
    if raw.startswith(b'"') and raw.endswith(b'"') and b"\\" not in raw:
        return field(raw[1:-1])
    value = json.loads(raw)
    return "" if value is None else field(str(value).encode())


class _Reader:
    """Reads one export into records (the whole document is one batch)."""

    def __init__(self, buffer: Buffer, warn: Warn) -> None:
        self.buffer = buffer
        self.warn = warn
        match = _SECOND_LINE.match(buffer, 0, DETECT_BYTES)
        if match is None:
            raise ExportError(
                "JSON export is not indented (re-indent it: python3 -m json.tool FILE)"
            )
        self.unit = len(match.group(1))
        self.ids: set[str] = set()
        # Where lines were last counted to, and the line there: problems come in file order.
        self._counted = (0, 1)

    def problem(self, offset: int, message: str) -> None:
        counted, line = self._counted
        if offset < counted:
            counted, line = 0, 1
        line += count_newlines(self.buffer, counted, offset)
        self._counted = (offset, line)
        self.warn(line, message)

    def records(self) -> list[Record]:
        buffer, unit = self.buffer, self.unit
        end = buffer.rfind(b"\n}")
        if end < 0:
            self.problem(len(buffer), "the JSON document is cut off (no closing brace)")
            end = len(buffer)
        top = self.top_members(end)
        found: list[tuple[int, int, Record]] = []
        exchanges = top.get("exchanges")
        if exchanges is None:
            self.problem(0, 'the export has no "exchanges"')
            return []
        released = 0
        # Per exchange of the export: its index, its request and the index of its parent.
        tree: list[tuple[Any, Record, int | None]] = []
        for number, (start, stop) in enumerate(_elements(buffer, *exchanges, 2 * unit)):
            path = f"exchanges[{number}]"
            if stop < 0:
                self.problem(start, f"{path} is cut off")
                break
            try:
                index, request, response, parent = self.exchange(start, stop, path)
            except (ValueError, KeyError, TypeError) as error:
                self.problem(start, f"{path} is not a tracetui exchange ({error}); skipped")
                continue
            tree.append((index, request, parent))
            found.append((request.line, len(found), request))
            if response is not None:
                found.append((response.line, len(found), response))
            released = _release(buffer, released, stop)
        _release(buffer, released, len(buffer), force=True)
        parented = _parent_ids(tree)
        orphans = top.get("orphan_responses")
        if orphans is not None:
            for number, (start, stop) in enumerate(_elements(buffer, *orphans, 2 * unit)):
                path = f"orphan_responses[{number}]"
                if stop < 0:
                    self.problem(start, f"{path} is cut off")
                    break
                try:
                    members = _members(buffer, start, stop, 3 * unit)
                    src, dst = _text(buffer, members["src"]), _text(buffer, members["dst"])
                    record = self.record(members, 3 * unit, RESPONSE, src, dst, start, stop)
                except (ValueError, KeyError, TypeError) as error:
                    self.problem(start, f"{path} is not a tracetui record ({error}); skipped")
                    continue
                found.append((record.line, len(found), record))
        found.sort(key=lambda item: (item[0], item[1]))
        records = [parented.get(id(record), record) for _, _, record in found]
        self.carry_warnings(top, records)
        return records

    def top_members(self, end: int) -> dict[str, tuple[int, int]]:
        """The document's members; found without reading the exchanges, which the caller
        reads once (`orphan_responses` comes after them, at the end)."""
        buffer, pad = self.buffer, b" " * self.unit
        key = b"\n" + pad + b'"exchanges": '
        exchanges = buffer.find(key, 0, end)
        top = _members(buffer, 0, exchanges if exchanges >= 0 else end, self.unit, closed=False)
        if exchanges < 0:
            return top
        orphan_key = b"\n" + pad + b'"orphan_responses": '
        orphans = buffer.rfind(orphan_key, exchanges, end)
        stop = end if orphans < 0 else orphans
        top["exchanges"] = (exchanges + len(key), _before_comma(buffer, exchanges, stop))
        if orphans >= 0:
            top["orphan_responses"] = (orphans + len(orphan_key), _before_comma(buffer, 0, end))
        return top

    def exchange(
        self, start: int, stop: int, path: str
    ) -> tuple[Any, Record, Record | None, int | None]:
        """The index, request, response and parent index of one exchange object."""
        buffer, pad = self.buffer, 3 * self.unit
        members = _members(buffer, start, stop, pad)
        src, dst = _text(buffer, members["src"]), _text(buffer, members["dst"])
        request_span = members["request"]
        request = self.record(
            _members(buffer, *request_span, pad + self.unit),
            pad + self.unit,
            REQUEST,
            src,
            dst,
            *request_span,
        )
        response = None
        response_span = members.get("response")
        if response_span is not None and _value_is_object(buffer, response_span):
            response = self.record(
                _members(buffer, *response_span, pad + self.unit),
                pad + self.unit,
                RESPONSE,
                src,
                dst,
                *response_span,
                request_id=request.request_id,
            )
        parent = _value(buffer, members.get("parent"))
        if parent is not None and not isinstance(parent, int):
            raise ValueError(f"{path}.parent is not an index")
        return _value(buffer, members.get("index")), request, response, parent

    def record(
        self,
        members: dict[str, tuple[int, int]],
        pad: int,
        kind: str,
        src: str,
        dst: str,
        start: int,
        stop: int,
        request_id: str | None = None,
    ) -> Record:
        """The record of one request or response object."""
        buffer = self.buffer
        line = _value(buffer, members.get("line"))
        if not isinstance(line, int):
            raise ValueError("no line")
        headers = members.get("headers")
        body = members.get("body")
        body_kind = _value(buffer, members.get("body_kind"))
        body_span = None
        if body is not None and body_kind != "empty" and buffer[body[0] : body[0] + 4] != b"null":
            body_span = new_tuple(Span, (body[0], body[1], pad))
        status = 0
        method = reason = ""
        if kind == REQUEST:
            method = _text(buffer, members.get("method"))
            rid = self.unique(_text(buffer, members.get("request_id")) or f"json-{start}")
        else:
            status = _value(buffer, members.get("status"))
            if not isinstance(status, int):
                raise ValueError("status is not a number")
            reason = _text(buffer, members.get("reason"))
            rid = request_id or _text(buffer, members.get("request_id"))
        time = _value(buffer, members.get("time"))
        return new_tuple(
            Record,
            (
                kind,
                src or "unknown",
                dst or "unknown",
                method,
                status,
                reason,
                _text(buffer, members.get("target")),
                rid,
                line,
                line,
                new_tuple(Span, (start, stop, 0)),
                None if headers is None else new_tuple(Span, (headers[0], headers[1], 0)),
                body_span,
                float(time) if isinstance(time, (int, float)) else None,
                "",
            ),
        )

    def unique(self, rid: str) -> str:
        """`rid`, or a variant of it when an earlier request of the export has it: the
        export already paired each request, and ids must not pair them anew."""
        candidate, number = rid, 1
        while candidate in self.ids:
            number += 1
            candidate = f"{rid}#{number}"
        self.ids.add(candidate)
        return candidate

    def carry_warnings(self, top: dict[str, tuple[int, int]], records: list[Record]) -> None:
        """Report the warnings the export lists, but for those the reader gives again: a
        request with no response, a response with no request (at that record's line)."""
        span = top.get("warnings")
        if span is None:
            return
        try:
            listed = json.loads(bytes(self.buffer[span[0] : span[1]]))
        except ValueError:
            self.problem(span[0], '"warnings" is not a JSON list')
            return
        again = {record.line for record in records if record.kind == RESPONSE}
        answered = {record.request_id for record in records if record.kind == RESPONSE}
        again |= {
            record.line
            for record in records
            if record.kind == REQUEST and record.request_id not in answered
        }
        for item in listed if isinstance(listed, list) else []:
            if not isinstance(item, dict):
                continue
            line, message = item.get("line"), item.get("message")
            if isinstance(line, int) and isinstance(message, str):
                if line in again and ("no response" in message or "response" in message):
                    continue
                self.warn(line, message)


# Pages read this far behind are handed back to the kernel (see `_release`).
_RELEASE_STEP = 16 << 20


def _release(buffer: Buffer, released: int, upto: int, force: bool = False) -> int:
    """Drop the mapped pages of `buffer[released:upto]` from this process's memory once that is
    `_RELEASE_STEP` long: they were only scanned, and a decode reads them again from the page
    cache, so a 1 GB export does not keep 1 GB resident. Returns the new `released`."""
    if (upto - released < _RELEASE_STEP and not force) or not isinstance(buffer, mmap.mmap):
        return released
    start = released - released % mmap.PAGESIZE
    stop = upto if force else upto - upto % mmap.PAGESIZE
    if stop <= start:
        return released
    try:
        buffer.madvise(mmap.MADV_DONTNEED, start, stop - start)
    except (AttributeError, OSError, ValueError):
        return upto  # no madvise here: nothing to do, and no need to try again
    return stop


def _parent_ids(tree: list[tuple[Any, Record, int | None]]) -> dict[int, Record]:
    """Each request whose exchange has a parent in the export, with `parent_id` set to that
    parent's request id, by `id()` of the record. The export numbers exchanges as the trace
    did, and a partial export keeps the numbers: a parent left out makes a root."""
    by_index = {index: request for index, request, _ in tree if isinstance(index, int)}
    changed: dict[int, Record] = {}
    for _, request, parent in tree:
        parent_request = None if parent is None else by_index.get(parent)
        if parent_request is not None:
            changed[id(request)] = request._replace(parent_id=parent_request.request_id)
    return changed


def _value_is_object(buffer: Buffer, span: tuple[int, int]) -> bool:
    return buffer[span[0] : span[0] + 1] == b"{"


def _dedent(text: str, indent: int) -> str:
    """Remove `indent` spaces from every line but the first (the first follows `"body": `)."""
    if not indent or "\n" not in text:
        return text
    return text.replace("\n" + " " * indent, "\n")


class JsonExport:
    """The `Format` of tracetui's JSON export (see the module docstring)."""

    name = NAME
    expected = '`{"exporter": {"name": "tracetui", ...}` (tracetui export --format json)'
    request_id_name = "request_id"
    lookahead = 0
    can_follow = False
    explicit_parents = True
    whole_document = True
    # Header spans hold a JSON list, and text bodies a JSON string.
    raw_text = False

    def detect(self, head: Buffer, end: int) -> int:
        """0 when the document opens as a tracetui export does, else -1."""
        return 0 if _DETECT.match(head, 0, min(end, DETECT_BYTES)) else -1

    def cut(self, buffer: Buffer, start: int, end: int) -> int:
        """The whole document is one batch."""
        return len(buffer)

    def records(
        self, chunk: Buffer, limit: int, file_end: int, base: int, cursor: Cursor, warn: Warn
    ) -> Iterator[Record]:
        """See `Format.records`: every record of the export, in the traced file's order."""
        try:
            records = _Reader(chunk, warn).records()
        except ExportError as error:
            warn(1, str(error))
            records = []
        yield from records
        # No batch follows a whole document, so no line count is carried on (counting would
        # read every page of the mapping back into memory).
        cursor.counted = cursor.resume = limit

    def incomplete_tail(self, buffer: Buffer, start: int, end: int) -> int:
        """A document cannot be followed; nothing is held back."""
        return -1

    def decode_headers(self, buffer: Buffer, span: Span) -> Headers:
        """The `[[name, value], ...]` list as pairs."""
        try:
            pairs = json.loads(bytes(buffer[span.start : span.end]))
        except ValueError:
            return (("", bytes(buffer[span.start : span.end]).decode("utf-8", "replace")),)
        return tuple(
            (str(pair[0]), str(pair[1]))
            for pair in pairs
            if isinstance(pair, list) and len(pair) == 2
        )

    def header_text(self, buffer: Buffer, span: Span) -> str:
        """The headers as `Name: value` lines."""
        return header_lines(self.decode_headers(buffer, span))

    def decode_body(self, buffer: Buffer, span: Span) -> str:
        """A text body's string, or a JSON body as the export indented it."""
        text = bytes(buffer[span.start : span.end]).decode("utf-8", "replace")
        if text.startswith('"'):
            try:
                value = json.loads(text)
            except ValueError:
                return text
            return value if isinstance(value, str) else text
        return _dedent(text, span.indent)

    def decode_timings(self, buffer: Buffer, span: Span) -> Timings:
        """None: the export writes no phases of a call."""
        return ()


FORMAT = JsonExport()
