"""What every export shares: the `Export` interface, the selection, and a record's fields.

Plain Python, no Textual. An export takes the trace and a selection of exchange indices (None:
the whole trace, including responses whose request is missing) and writes text to a stream.
Targets, headers and bodies pass through an optional `redact` callable on their way out
(`tui.redact.Redactor.record` is one), so `--redact` and the UI can plug a redactor in
without the exports knowing what it hides.

A trace has no timestamps, no timings, no HTTP version and, in body.md, no scheme, host or
query string. Where a target format requires one of those, the value used is a documented
placeholder and the document says so; nothing is made to look measured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional, Protocol, TextIO
from urllib.parse import SplitResult, urlsplit

from tui.model.trace import Exchange, Record, Trace
from tui.text.pages import release_pages

try:
    import orjson
except ImportError:  # a venv installed before orjson was a dependency: the same bytes, slower
    orjson = None  # type: ignore[assignment]

Headers = tuple[tuple[str, str], ...]
# Given a record, returns what may be shown of its target, headers and body.
Redact = Callable[[Trace, Record], tuple[str, Headers, str]]
# The exchange indices to export; None: the whole trace, orphan responses too.
Selection = Optional[Iterable[int]]
# A whole document from a trace, a selection and a redactor.
Render = Callable[[Trace, Selection, Optional[Redact]], str]
# The same document as pieces (an exchange, a record, a line), each made when asked for.
Pieces = Callable[[Trace, Selection, Optional[Redact]], Iterator[str]]
# How many pieces are written between two drops of the mapped file's pages (`release_pages`).
RELEASE_EVERY = 512

# requestshook logs a binary body as the repr of its first 32 bytes plus "...".
_TRUNCATED_BINARY = re.compile(r"""\Ab(['"]).*\1\.\.\.\Z""")


@dataclass(frozen=True)
class ExportOptions:
    """How to export, beyond the format and the selection. `overwrite` lets a folder export
    replace what it wrote before (`--force`)."""

    redact: Redact | None = None
    overwrite: bool = False


class Export(Protocol):
    """One export format, as the registry (`tui.export.registry`) holds it."""

    @property
    def name(self) -> str:
        """What `--format` and the export dialog call it."""

    @property
    def suffix(self) -> str:
        """The file name extension proposed for it, without the dot."""

    def write(
        self, trace: Trace, selection: Selection, out: TextIO, options: ExportOptions
    ) -> None:
        """Write the selected exchanges to `out`; ValueError for an index the trace lacks."""


@dataclass(frozen=True)
class TextExport:
    """An `Export` that builds its whole document as one string, then writes it."""

    name: str
    suffix: str
    render: Render

    def write(
        self, trace: Trace, selection: Selection, out: TextIO, options: ExportOptions
    ) -> None:
        """Render the document and write it to `out`."""
        out.write(self.render(trace, selection, options.redact))


@dataclass(frozen=True)
class FolderExport:
    """An `Export` that writes a folder of files (Parquet partitions, an mkdocs page) rather
    than one stream: `tracetui export -o DIR` calls `write_folder`; a stream gets an error."""

    name: str
    suffix: str
    write_folder: Callable[[Trace, Selection, Path, ExportOptions], list[Path]]

    def write(
        self, trace: Trace, selection: Selection, out: TextIO, options: ExportOptions
    ) -> None:
        """A folder export cannot go to a stream."""
        raise ValueError(f"--format {self.name} writes a folder: give -o DIR")


@dataclass(frozen=True)
class StreamExport:
    """An `Export` that writes its document a piece at a time (an exchange, a record, a
    line), each made as it is written, bodies read from the trace's file then: memory stays
    flat however big the trace is."""

    name: str
    suffix: str
    pieces: Pieces

    def write(
        self, trace: Trace, selection: Selection, out: TextIO, options: ExportOptions
    ) -> None:
        """Write the document to `out` piece by piece. Every `RELEASE_EVERY` pieces the
        pages of the mapped file read so far are dropped from this process's memory
        (`release_pages`): writing every body touches the whole file, which would otherwise
        count in full as the process's."""
        for number, piece in enumerate(self.pieces(trace, selection, options.redact), 1):
            out.write(piece)
            if number % RELEASE_EVERY == 0:
                release_pages(trace)


class JsonList(NamedTuple):
    """A JSON array whose items `json_pieces` encodes one at a time, as they come."""

    items: Iterable[Any]


def _holds_list(value: Any) -> bool:
    return isinstance(value, JsonList) or (
        isinstance(value, dict) and any(map(_holds_list, value.values()))
    )


def json_pieces(value: Any, level: int = 0) -> Iterator[str]:
    """`json.dumps(value, indent=2, ensure_ascii=False)` as pieces, byte for byte, where
    `value` may hold `JsonList`s (in dicts, at any depth; not in their items): each of their
    items is encoded alone, when its turn comes. Strings never hold a raw newline (`json`
    escapes it), so a piece is re-indented by replacing its newlines."""
    indent = "\n" + "  " * (level + 1)
    if isinstance(value, JsonList):
        empty = True
        for item in value.items:
            yield ("[" if empty else ",") + indent
            empty = False
            yield _indented(item).replace("\n", indent)
        yield "[]" if empty else "\n" + "  " * level + "]"
    elif isinstance(value, dict) and value and _holds_list(value):
        separator = "{"
        for key, item in value.items():
            yield separator + indent + json.dumps(key, ensure_ascii=False) + ": "
            separator = ","
            yield from json_pieces(item, level + 1)
        yield "\n" + "  " * level + "}"
    else:
        text = _indented(value)
        yield text.replace("\n", "\n" + "  " * level) if level else text


def _indented(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`. With an indent, `json` encodes in
    pure Python (most of an export's time); orjson's indented output is the same text
    whenever its compact output equals json's C encoder's (they differ only in how a number
    is written: `1e+16`, NaN, integers past 64 bits, and orjson refuses surrogates)."""
    if orjson is not None:
        try:
            compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            if orjson.dumps(value) == compact.encode("utf-8"):
                return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
        except (TypeError, UnicodeEncodeError):
            pass
    return json.dumps(value, indent=2, ensure_ascii=False)


def is_truncated_binary(body: str) -> bool:
    """True for a body requestshook logged as a truncated bytes literal (`b'QFI\\xfb'...`)."""
    return body.startswith(("b'", 'b"')) and _TRUNCATED_BINARY.match(body) is not None


def selected_exchanges(trace: Trace, selection: Selection = None) -> list[Exchange]:
    """The exchanges to export, in trace order; None selects them all.

    Raises ValueError for an index the trace does not have.
    """
    if selection is None:
        return list(trace.exchanges)
    wanted = sorted(set(selection))
    for index in wanted:
        if not 0 <= index < len(trace.exchanges):
            raise ValueError(f"no exchange {index} (the trace has {len(trace.exchanges)})")
    return [trace.exchanges[index] for index in wanted]


def selected_records(trace: Trace, selection: Selection = None) -> list[Record]:
    """The records of the selected exchanges in file order; None: every record, orphans too."""
    if selection is None:
        return list(trace.records)
    numbers = []
    for exchange in selected_exchanges(trace, selection):
        numbers.append(exchange.request_record)
        if exchange.response_record is not None:
            numbers.append(exchange.response_record)
    return [trace.records[number] for number in sorted(numbers)]


def shown(trace: Trace, record: Record, redact: Redact | None) -> tuple[str, Headers, str]:
    """A record's target, headers and body, through `redact` when there is one."""
    if redact is not None:
        target, headers, body = redact(trace, record)
        return target, headers, body
    return record.target, trace.source.headers(record), trace.source.body(record)


def absolute_url(target: str, headers: Headers, dst: str) -> str:
    """The absolute URL of a request from its target, headers and callee.

    requestshook.log keeps the URL; body.md keeps only the path, so the URL is rebuilt from
    the Host header (the callee's service name when there is none) with `http`, which is what
    devstack serves; the query string is lost for good.
    """
    if "://" in target:
        return target
    host = first_header(headers, "Host") or dst
    return f"http://{host}{target if target.startswith('/') else '/' + target}"


def split_url(url: str) -> SplitResult:
    """`urlsplit(url)`, which never raises: a URL it refuses (`http://h]/x`, a bracket in the
    host) is split by hand at `://`, `/`, `?` and `#`, so it is exported as logged."""
    try:
        return urlsplit(url)
    except ValueError:
        scheme, sep, rest = url.partition("://")
        if not sep:
            scheme, rest = "", url
        rest, _, fragment = rest.partition("#")
        rest, _, query = rest.partition("?")
        netloc, slash, path = rest.partition("/")
        return SplitResult(scheme, netloc, slash + path, query, fragment)


def url_problems(trace: Trace, selection: Selection = None) -> list[str]:
    """One line per exported request whose URL does not parse (it is exported as logged),
    naming its line in the trace; the lines quote trace text, to sanitize."""
    problems = []
    indices = range(len(trace.exchanges)) if selection is None else selection
    for index in indices:
        request = trace.exchanges[index].request
        url = absolute_url(request.target, trace.source.headers(request), request.dst)
        try:
            urlsplit(url)
        except ValueError as error:
            problems.append(f"line {request.line}: URL does not parse ({error}); exported as is")
    return problems


def header_values(headers: Headers, name: str) -> list[str]:
    """Every value of header `name`, in order, whatever its case."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def first_header(headers: Headers, name: str) -> str:
    """The first value of header `name`, or ""."""
    values = header_values(headers, name)
    return values[0] if values else ""


def status_line(record: Record) -> str:
    """A response's `200 OK`, with whichever of the two the record has."""
    return " ".join(str(part) for part in (record.status, record.reason) if part)
