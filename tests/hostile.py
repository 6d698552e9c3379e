"""A corpus of broken and hostile traces, generated from the sample traces.

Every case is built from the project's own samples (or from scratch) with plain byte surgery,
so it needs no reader to make. Other tests import it:

    from tests.hostile import CASES, write_case
    path = write_case("fake-heading-in-log-body", tmp_path)

`CASES` maps a name to a `Case`: the bytes of the file and what the reader must report about
it (`must_warn`: at least one warning; `lines`: lines that must each carry a warning). `cuts()`
yields the cut points of a sample: every record boundary and points inside each record.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Callable, NamedTuple

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
MD_SAMPLE = "image-show.md"
LOG_SAMPLE = "image-show.log"

# Record headings as plain text: a markdown record starts with "### " and a method or status,
# a log record with "### (src) REQ >>>" or "### (src) RESP <<<".
MD_HEADING = re.compile(rb"(?m)^### (?:\(\d+\) )?(?:[A-Z]+ +\S|\d{3}\b)")
LOG_HEADING = re.compile(rb"(?m)^### \([^)\n]*\) (?:REQ >>>|RESP <<<) \(")
REQUEST_ID_LINE = re.compile(rb"(?m)^([ \t]*)X-Requestshook-Request-Id:[ \t]*(\S+)")

# Characters a trace must never get onto a terminal: ESC sequences (clear screen, OSC 52
# clipboard write, OSC 0 title), 8-bit CSI, NUL, BEL, bidi override, zero-width space, BOM.
NASTY = "\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\x9b31m\x00\x08\u202e\u200b\ufeff\x7f"
NASTY_BYTES = NASTY.encode("utf-8")


class Case(NamedTuple):
    """A hostile file and what reading it must produce."""

    data: bytes
    must_warn: bool = True
    lines: tuple[int, ...] = ()


@cache
def sample(name: str) -> bytes:
    """The bytes of a sample trace."""
    return (SAMPLES / name).read_bytes()


def heading_pattern(data: bytes) -> re.Pattern[bytes]:
    """The heading pattern of the format `data` is in (the one that appears first)."""
    md, log = MD_HEADING.search(data), LOG_HEADING.search(data)
    if md is None or (log is not None and log.start() < md.start()):
        return LOG_HEADING
    return MD_HEADING


def split_records(data: bytes) -> tuple[bytes, list[bytes]]:
    """(text before the first record, the records), each record from its heading to the next."""
    starts = [match.start() for match in heading_pattern(data).finditer(data)]
    ends = [*starts[1:], len(data)]
    return data[: starts[0]], [data[start:end] for start, end in zip(starts, ends)]


def join(preamble: bytes, records: list[bytes]) -> bytes:
    """The inverse of `split_records`."""
    return preamble + b"".join(records)


def small_sample(name: str, records: int = 4) -> bytes:
    """The first `records` records of a sample (two exchanges: a JSON body, `none` bodies)."""
    preamble, all_records = split_records(sample(name))
    return join(preamble, all_records[:records])


def is_request(record: bytes) -> bool:
    """True for a request record of either format."""
    first = record.split(b"\n", 1)[0]
    if b" REQ >>> " in first:
        return True
    return b" RESP <<< " not in first and re.match(rb"### (?:\(\d+\) )?[A-Z]", first) is not None


def line_of(data: bytes, offset: int) -> int:
    """The 1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def record_end(data: bytes, start: int, end: int) -> int:
    """Where the record in `data[start:end]` ends: after the closing fence of its Body block
    (markdown, where prose may follow) or at its last non-blank byte (log)."""
    body_tab = data.find(b'=== "Body"', start, end)
    if body_tab >= 0:
        opening = data.index(b"\n", body_tab + 1)
        closing = data.find(b"```", data.index(b"\n", opening + 1), end)
        if closing >= 0:
            return closing + 3
    return start + len(data[start:end].rstrip())


def cuts(data: bytes) -> Iterator[tuple[str, int]]:
    """Cut points of a trace: each record boundary and points inside each record.

    Inside a record: the middle of the heading line, the end of the heading line, the middle
    of the record, and one byte short of the record's end.
    """
    starts = [match.start() for match in heading_pattern(data).finditer(data)]
    ends = [*starts[1:], len(data)]
    for number, (start, end) in enumerate(zip(starts, ends)):
        yield f"record {number} boundary", start
        line_end = data.index(b"\n", start)
        last = record_end(data, start, end)
        yield f"record {number} mid-heading", (start + line_end) // 2
        yield f"record {number} after heading", line_end
        yield f"record {number} middle", (start + last) // 2
        yield f"record {number} before its end", last - 1


def _records(name: str) -> tuple[bytes, list[bytes]]:
    return split_records(sample(name))


def _without_final_newline(name: str) -> Case:
    return Case(sample(name).rstrip(b"\n"), must_warn=name.endswith(".log"))


def _crlf(name: str) -> Case:
    return Case(sample(name).replace(b"\n", b"\r\n"), must_warn=False)


def _lone_cr(name: str) -> Case:
    return Case(sample(name).replace(b"\n", b"\r"))


def _cr_inside_lines(name: str) -> Case:
    # A CR in a header value or a service name, as a terminal would obey it: sanitized.
    data = sample(name).replace(b"Host: ", b"Host: \r", 3).replace(b"keystone", b"key\rstone", 1)
    return Case(data, must_warn=False)


def _bom(name: str) -> Case:
    """A UTF-8 byte order mark right before the first heading, as some editors save."""
    return Case(b"\xef\xbb\xbf" + sample(name).lstrip(b"\n"), must_warn=False)


def _duplicated_records(name: str) -> Case:
    preamble, records = _records(name)
    return Case(join(preamble, [record for record in records for _ in range(2)]))


def _file_twice(name: str) -> Case:
    return Case(sample(name) + sample(name))


def _lost_responses(name: str) -> Case:
    preamble, records = _records(name)
    data = join(preamble, [record for record in records if is_request(record)])
    lines = tuple(line_of(data, m.start()) for m in heading_pattern(data).finditer(data))
    return Case(data, lines=lines)


def _responses_first(name: str) -> Case:
    """Every response moved right before its request (the request keeps its id)."""
    preamble, records = _records(name)
    ids = [REQUEST_ID_LINE.search(record).group(2) for record in records]
    order = list(range(len(records)))
    for number, record in enumerate(records):
        if not is_request(record):
            request = ids.index(ids[number])
            order.remove(number)
            order.insert(order.index(request), number)
    return Case(join(preamble, [records[number] for number in order]))


def _missing_ids(name: str) -> Case:
    return Case(REQUEST_ID_LINE.sub(rb"\1X-Requestshook-Nothing: here", sample(name)))


def _duplicate_ids(name: str) -> Case:
    return Case(REQUEST_ID_LINE.sub(rb"\1X-Requestshook-Request-Id: same", sample(name)))


def _one_id_missing(name: str) -> Case:
    data = sample(name)
    match = list(REQUEST_ID_LINE.finditer(data))[2]
    data = data[: match.start(2)] + data[match.end(2) :]
    return Case(data)


def _nul_bytes(name: str) -> Case:
    data = sample(name).replace(b"keystone", b"key\0stone", 2).replace(b"Host: ", b"Host: \0")
    return Case(data.replace(b'"auth"', b'"au\0th"'), must_warn=False)


def _invalid_utf8(name: str) -> Case:
    """Three bad sequences at known offsets: a lone continuation byte, an 0xff, a cut char."""
    data = sample(name)
    first = data.index(b"Accept")
    second = data.index(b"Connection", first)
    third = data.rindex(b"none")
    data = (
        data[:first]
        + b"\x80"
        + data[first:second]
        + b"\xff\xfe"
        + data[second:third]
        + b"\xe2\x82"
        + data[third:]
    )
    return Case(data, lines=(line_of(data, first), line_of(data, second + 1)))


def _unterminated_fence(name: str) -> Case:
    data = sample(name)
    fence = data.index(b"\n    ```\n", data.index(b'=== "Body"', len(data) // 3))
    data = data[:fence] + data[fence + len(b"\n    ```") :]
    return Case(data, lines=(line_of(data, data.rindex(b"    ``` json", 0, fence)),))


def _long_line(name: str, size: int = 5 << 20) -> Case:
    """A single 5 MB line: a body that is one line, as an upload logged as text would be."""
    data = sample(name)
    at = data.index(b"none")
    line = b"x" * size
    return Case(data[:at] + line + data[at + 4 :], must_warn=False)


def _long_heading(name: str, size: int = 5 << 20) -> Case:
    data = sample(name)
    at = data.index(b"\n", data.index(b"### ")) - 1
    return Case(data[:at] + b"/" + b"y" * size + data[at:])


def _space_storm(name: str, size: int = 1 << 20) -> Case:
    """Heading and header lines of a million spaces: a backtracking regex would never end."""
    data = sample(name)
    at = data.index(b"\n", data.index(b"### ")) + 1
    if name.endswith(".log"):
        storm = b"### (a) RESP <<< (b) : 200" + b" " * size + b"x\n\n" + b" " * size + b"x\n\n"
    else:
        storm = b"### 200" + b" " * size + b"x\n`a`" + b" " * size + b"x\n\n"
    return Case(data[:at] + b"\n" + storm + data[at:])


def _deep_json(name: str, depth: int = 100_000) -> Case:
    """A JSON body nested 100,000 deep: a recursive parser hits RecursionError."""
    data = sample(name)
    at = data.index(b"none")
    indent = b"" if name.endswith(".log") else b"    "
    body = b"[" * depth + b"]" * depth
    return Case(
        data[:at] + body + b"\n" + indent + b'{"a": ' + body + b"}" + data[at + 4 :],
        must_warn=False,
    )


def _huge_integers(name: str, digits: int = 5000) -> Case:
    """Integers over 4,300 digits (int() refuses them) in a body and in Content-Length."""
    data = sample(name)
    at = data.index(b"none")
    data = data[:at] + b'{"size": ' + b"7" * digits + b"}" + data[at + 4 :]
    return Case(
        data.replace(b"Content-Length: 274", b"Content-Length: " + b"9" * digits), must_warn=False
    )


def _escapes_everywhere(name: str) -> Case:
    """Terminal escapes, bidi overrides and zero-width characters in every field."""
    data = sample(name)
    for word in (b"keystone", b"openstack", b"GET", b"/identity/", b"MULTIPLE", b"Host", b"none"):
        data = data.replace(word, word + NASTY_BYTES, 1)
    return Case(data)


def _markup_everywhere(name: str) -> Case:
    """Rich/Textual markup in every field: `[/bold]` crashes a markup parser, `[@click]` acts."""
    markup = b"[/bold][@click=app.screenshot('x.svg','/tmp')]x[/][link=file:///etc/passwd]y[/]"
    data = sample(name)
    for word in (b"keystone", b"/identity/", b"MULTIPLE", b"Host", b"none"):
        data = data.replace(word, word + markup, 1)
    return Case(data, must_warn=False)


def _fake_log_record(rid: bytes = b"injected-id") -> bytes:
    return (
        b"### (evil) REQ >>> (victim) : GET http://evil/x\n"
        b"X-Requestshook-Request-Id: " + rid + b"\n\nnone\n"
    )


def _log_with_text_body(body: bytes, length: int | None, at_end: bool = False) -> bytes:
    """image-show.log with one more exchange whose request carries a text body."""
    length_line = b"" if length is None else b"Content-Length: %d\n" % length
    request = (
        b"\n### (openstack) REQ >>> (glance-api) : POST http://127.0.0.1:60999/v2/notes\n"
        b"Content-Type: text/plain\n" + length_line + b"X-Requestshook-Request-Id: note-1\n"
        b"X-Requestshook-Request-From: openstack\n\n" + body + b"\n\n"
    )
    response = (
        b"\n### (openstack) RESP <<< (glance-api) : 204 NO CONTENT POST "
        b"http://127.0.0.1:60999/v2/notes\nX-Requestshook-Request-Id: note-1\n"
        b"X-Requestshook-Request-From: openstack\n\nnone\n\n"
    )
    data = sample(LOG_SAMPLE)
    if at_end:
        return data + request
    preamble, records = split_records(data)
    return join(preamble, [*records[:2], request[1:] + b"\n", response[1:] + b"\n", *records[2:]])


def fake_heading_body() -> bytes:
    """A text body with a line that reads exactly like a log record, blank lines around it."""
    return b"first line\n\n\n" + _fake_log_record() + b"\nlast line"


def _fake_heading_in_log_body() -> Case:
    body = fake_heading_body()
    data = _log_with_text_body(body, len(body))
    return Case(data, lines=(line_of(data, data.index(b"### (evil)")),))


def _fake_heading_without_length() -> Case:
    return Case(_log_with_text_body(fake_heading_body(), None))


def _fake_heading_wrong_length() -> Case:
    body = fake_heading_body()
    return Case(_log_with_text_body(body, len(body) - 5))


def _fake_heading_length_past_end() -> Case:
    return Case(_log_with_text_body(fake_heading_body(), 10**12))


def _fake_heading_in_last_record() -> Case:
    body = fake_heading_body()
    data = _log_with_text_body(body, len(body), at_end=True)
    return Case(data, lines=(line_of(data, data.index(b"### (evil)")),))


def _lengths_past_next_record(count: int = 2000) -> Case:
    """Text bodies whose Content-Length reaches far past the next record: each must be
    checked once, not make the reader read the file again from every such record."""
    records = []
    for number in range(count):
        records.append(
            b"### (a) REQ >>> (b) : POST http://h/x\nContent-Length: 300000\n"
            b"X-Requestshook-Request-Id: %d\n\nsome text\nmore text\n\n\n" % number
        )
        records.append(
            b"### (a) RESP <<< (b) : 204 NO CONTENT POST http://h/x\n"
            b"X-Requestshook-Request-Id: %d\n\nnone\n\n\n" % number
        )
    return Case(b"".join(records))


def open_then_answered(count: int) -> bytes:
    """`count` requests from one caller, then their responses, last first: as many calls
    open at once as there are requests."""
    requests = [
        b"### (a) REQ >>> (b) : GET http://h/%d\nX-Requestshook-Request-Id: %d\n\nnone\n\n\n"
        % (number, number)
        for number in range(count)
    ]
    responses = [
        b"### (a) RESP <<< (b) : 200 OK GET http://h/%d\nX-Requestshook-Request-Id: %d\n\n"
        b"none\n\n\n" % (number, number)
        for number in range(count)
    ]
    return b"".join(requests + responses[::-1])


def _fake_heading_in_md_body() -> Case:
    """In body.md every body line is indented, so a heading-like body line is just text."""
    data = sample(MD_SAMPLE)
    return Case(data.replace(b"    none", b"    ### GET /x\n    `a` --> `b`", 1), must_warn=False)


def _unindented_heading_in_md_fence() -> Case:
    """Hand-edited: an unindented heading inside a fence ends the fence, as in markdown."""
    data = sample(MD_SAMPLE)
    return Case(data.replace(b"    none", b"### GET /x", 1))


def _gap_headings_md() -> Case:
    """Prose headings between records are no records (an annotated document)."""
    preamble, records = _records(MD_SAMPLE)
    records[3] += b"### Notes\n\nSome prose about the call.\n\n"
    return Case(join(preamble, records), must_warn=False)


def _garbage_tail(name: str) -> Case:
    return Case(sample(name) + bytes(range(256)) * 4)


def _mixed_formats() -> Case:
    """A markdown trace with log records pasted in: they belong to the markdown records."""
    return Case(sample(MD_SAMPLE) + sample(LOG_SAMPLE), must_warn=False)


def _headings_only(count: int = 1000) -> Case:
    return Case(b"".join(b"### GET /x%d\n" % number for number in range(count)))


def _empty_blocks() -> Case:
    record = (
        b'### GET /x\n`a` --> `b`\n=== "Header"\n    ```\n    ```\n=== "Body"\n    ```\n    ```\n'
    )
    return Case(record * 3)


# Cases made from either sample: the name gets "-md" or "-log".
PER_SAMPLE: dict[str, Callable[[str], Case]] = {
    "crlf": _crlf,
    "bom": _bom,
    "lone-cr": _lone_cr,
    "cr-inside-lines": _cr_inside_lines,
    "no-final-newline": _without_final_newline,
    "duplicated-records": _duplicated_records,
    "file-twice": _file_twice,
    "lost-responses": _lost_responses,
    "responses-first": _responses_first,
    "missing-ids": _missing_ids,
    "duplicate-ids": _duplicate_ids,
    "one-id-missing": _one_id_missing,
    "nul-bytes": _nul_bytes,
    "invalid-utf8": _invalid_utf8,
    "5mb-line": _long_line,
    "5mb-heading": _long_heading,
    "space-storm": _space_storm,
    "deep-json": _deep_json,
    "huge-integers": _huge_integers,
    "escapes-everywhere": _escapes_everywhere,
    "markup-everywhere": _markup_everywhere,
    "garbage-tail": _garbage_tail,
}

CASES: dict[str, Callable[[], Case]] = {
    "unterminated-fence-md": lambda: _unterminated_fence(MD_SAMPLE),
    "fake-heading-in-log-body": _fake_heading_in_log_body,
    "fake-heading-without-length": _fake_heading_without_length,
    "fake-heading-wrong-length": _fake_heading_wrong_length,
    "fake-heading-length-past-end": _fake_heading_length_past_end,
    "fake-heading-in-last-record": _fake_heading_in_last_record,
    "lengths-past-next-record": _lengths_past_next_record,
    "all-open-then-answered": lambda: Case(open_then_answered(2000), must_warn=False),
    "fake-heading-in-md-body": _fake_heading_in_md_body,
    "unindented-heading-in-md-fence": _unindented_heading_in_md_fence,
    "prose-headings-md": _gap_headings_md,
    "mixed-formats": _mixed_formats,
    "headings-only": _headings_only,
    "empty-blocks": _empty_blocks,
}
for _kind, _make in PER_SAMPLE.items():
    for _sample in (MD_SAMPLE, LOG_SAMPLE):
        CASES[f"{_kind}-{_sample.rsplit('.', 1)[1]}"] = lambda make=_make, name=_sample: make(name)


def write_case(name: str, folder: Path) -> Path:
    """Write case `name` into `folder` and return its path (the suffix tells the format)."""
    data = CASES[name]().data
    suffix = ".log" if heading_pattern(data) is LOG_HEADING else ".md"
    path = folder / f"{name}{suffix}"
    path.write_bytes(data)
    return path


def tiny_records(count: int, fmt: str = "log") -> Iterator[bytes]:
    """`count` minimal records (request, response, request, ...), paired by their ids."""
    for number in range(count):
        rid = b"%d" % (number // 2)
        if fmt == "log":
            arrow = b"REQ >>>" if number % 2 == 0 else b"RESP <<<"
            status = b"" if number % 2 == 0 else b"200 OK "
            yield (
                b"### (a) " + arrow + b" (b) : " + status + b"GET http://h/x\n"
                b"X-Requestshook-Request-Id: " + rid + b"\n\nnone\n\n\n"
            )
        else:
            heading, arrow = (b"GET /x", b"-->") if number % 2 == 0 else (b"200 OK /x", b"<--")
            yield (
                b"### " + heading + b"\n`a` " + arrow + b' `b`\n\n=== "Header"\n    ```\n'
                b"    X-Requestshook-Request-Id: " + rid + b'\n    ```\n\n=== "Body"\n'
                b"    ```\n    none\n    ```\n\n\n"
            )


# ---------------------------------------------------------------------------------------------
# Planted secrets: traces built from scratch that carry secrets of every kind `--redact` must
# hide, each secret a random run of letters and digits, so a leak is found in any output
# however it escapes or quotes text. The test's own list of kinds, written from the issue.

PLANTED_PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9c\n"
    "fCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p\n"
    "VeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQA\n"
    "-----END RSA PRIVATE KEY-----\n"
)
PEM_LINES = tuple(line for line in PLANTED_PEM.splitlines() if "-----" not in line)


class Planted(NamedTuple):
    """One exchange carrying secrets: request and response parts, and the secret values."""

    method: str
    url: str
    request_headers: tuple[str, ...]
    request_body: str
    status: str
    response_headers: tuple[str, ...]
    response_body: str
    secrets: tuple[str, ...]


def _secret(rng: random.Random, length: int = 20, alphabet: str = "") -> str:
    letters = alphabet or "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(letters) for _ in range(length))


def _fernet(rng: random.Random) -> str:
    return "gAAAAAB" + _secret(
        rng, 93, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    )


def _jwt(rng: random.Random) -> str:
    return f"eyJhbGciOiJIUzI1NiJ9.eyJ{_secret(rng, 30)}.{_secret(rng, 30)}"


def _token_shape(rng: random.Random) -> str:
    return rng.choice((_fernet, _jwt, lambda r: _secret(r, 32, "0123456789abcdef")))(rng)


def _ex(url: str = "http://192.0.2.7:5000/v3/x", method: str = "GET", **parts: Any) -> Planted:
    fields = {
        "request_headers": (),
        "request_body": "none",
        "status": "200 OK",
        "response_headers": (),
        "response_body": "none",
        "secrets": (),
        **parts,
    }
    return Planted(method, url, **fields)


def _p_secret_header(rng: random.Random) -> Planted:
    name = rng.choice(
        ("X-Auth-Token", "x-auth-token", "X-Service-Token", "X-Storage-Token", "X-Auth-Key",
         "OpenStack-Auth-Receipt", "X-API-Key", "Api-Key", "X-Amz-Security-Token",
         "X-Storage-Pass", "X-Container-Meta-Temp-URL-Key")
    )  # fmt: skip
    value = _token_shape(rng)
    return _ex(request_headers=(f"{name}: {value}",), secrets=(value,))


def _p_issued_token(rng: random.Random) -> Planted:
    """Keystone issues a token in X-Subject-Token; it recurs in free text of the body."""
    value = _token_shape(rng) if rng.random() < 0.7 else _secret(rng, 5000, "0123456789abcdef")
    body = json.dumps({"token": {"id": value, "methods": ["password"], "expires_at": "2026"}})
    body = body if rng.random() < 0.5 else f"token {value} issued"
    return _ex(
        "http://192.0.2.7:5000/v3/auth/tokens",
        "POST",
        response_headers=(f"X-Subject-Token: {value}",),
        response_body=body,
        status="201 CREATED",
        secrets=(value,),
    )


def _p_authorization(rng: random.Random) -> Planted:
    secret, key_id, jwt = _secret(rng), _aws_key_id(rng), _jwt(rng)
    basic = base64.b64encode(f"admin:{secret}".encode()).decode()
    value, secrets = rng.choice(
        (
            (f"Bearer {jwt}", (jwt,)),
            (f"Basic {basic}", (basic,)),
            (
                f"AWS4-HMAC-SHA256 Credential={key_id}/20260101/RegionOne/s3/aws4_request,"
                f" SignedHeaders=host, Signature={secret}",
                (key_id, secret),
            ),
            (secret, (secret,)),
        )
    )
    name = rng.choice(("Authorization", "authorization", "Proxy-Authorization"))
    return _ex(request_headers=(f"{name}: {value}",), secrets=secrets)


def _p_cookie(rng: random.Random) -> Planted:
    one, two = _secret(rng), _secret(rng)
    return _ex(
        request_headers=(f"Cookie: theme=dark; session={one}",),
        response_headers=(f"Set-Cookie: sid={two}; Path=/; HttpOnly",),
        secrets=(one, two),
    )


def _p_folded_header(rng: random.Random) -> Planted:
    one, two = _secret(rng), _secret(rng)
    indent = rng.choice((" ", "  ", "\t"))
    return _ex(request_headers=(f"X-Auth-Token: {one}", f"{indent}{two}"), secrets=(one, two))


def _p_query(rng: random.Random) -> Planted:
    secret = _secret(rng)
    name = rng.choice(
        ("token", "Signature", "X-Amz-Signature", "X-Amz-Credential", "AWSAccessKeyId",
         "api_key", "apikey", "temp_url_sig", "access_token", "sig", "password", "secret")
    )  # fmt: skip
    url = f"http://192.0.2.9:8080/v1/AUTH_p/c/o?a=1&{name}={secret}&b=2"
    return _ex(url, response_headers=(f"Location: {url}",), secrets=(secret,))


def _p_userinfo(rng: random.Random) -> Planted:
    secret = _secret(rng)
    url = f"http://admin:{secret}@192.0.2.9:8080/v1/x"
    return _ex(url, response_body=json.dumps({"links": [{"href": url}]}), secrets=(secret,))


def _p_token_path(rng: random.Random) -> Planted:
    secret = _secret(rng, 32, "0123456789abcdef")
    return _ex(f"http://192.0.2.7:35357/v2.0/tokens/{secret}", secrets=(secret,))


def _p_console(rng: random.Random) -> Planted:
    secret = _secret(rng)
    inner = rng.choice((f"%3Ftoken%3D{secret}", f"%253Ftoken%253D{secret}%2526x%253D1"))
    url = f"http://192.0.2.5:6080/vnc_lite.html?path={inner}"
    body = json.dumps({"remote_console": {"protocol": "vnc", "type": "novnc", "url": url}})
    return _ex("http://192.0.2.5:8774/v2.1/servers/s1/remote-consoles", "POST",
               response_body=body, secrets=(secret,))  # fmt: skip


def _p_json_key(rng: random.Random) -> Planted:
    secret = _secret(rng)
    key = rng.choice(
        ("password", "adminPass", "admin_password", "pwd", "passcode", "secret",
         "client_secret", "blob", "payload", "signature", "private_key", "access", "api_key",
         "apiKey", "temp_url_key", "new_password", "passphrase")
    )  # fmt: skip
    value: Any = secret
    if rng.random() < 0.3:
        value = {"id": secret, "nested": [{"deeper": secret[::-1]}]}
    elif rng.random() < 0.2:
        value = [secret]
    document = {"outer": {"name": "n", key: value}}
    secrets = (
        (secret, secret[::-1])
        if isinstance(value, dict) and key_is_object_secret(key)
        else (secret,)
    )
    return _ex(method="POST", request_body=json.dumps(document, indent=rng.choice((None, 2))),
               secrets=secrets)  # fmt: skip


def key_is_object_secret(key: str) -> bool:
    """Whether every leaf of an object under `key` is secret. Password and token objects are
    walked by key (a Keystone auth body, a token with its catalog), and so is `access`, the
    root of a Keystone v2 token response."""
    lowered = key.lower()
    return lowered != "access" and not any(word in lowered for word in ("pass", "pwd", "token"))


def _p_token_object(rng: random.Random) -> Planted:
    secret = _secret(rng)
    body = json.dumps({"auth": {"identity": {"methods": ["token"], "token": {"id": secret}}}})
    return _ex("http://192.0.2.7:5000/v3/auth/tokens", "POST", request_body=body,
               secrets=(secret,))  # fmt: skip


def _p_pem(rng: random.Random) -> Planted:
    place = rng.choice(("json", "text", "cut"))
    if place == "json":
        body = json.dumps(
            {"keypair": {"name": "k", "private_key": PLANTED_PEM, "note": PLANTED_PEM}}
        )
    elif place == "text":
        body = "here is the key\n" + PLANTED_PEM + "keep it safe"
    else:
        body = json.dumps({"keypair": {"name": "k", "material": PLANTED_PEM}})[:150]
    return _ex("http://192.0.2.5:8774/v2.1/os-keypairs", "POST", response_body=body,
               secrets=PEM_LINES[:2] if place == "cut" else PEM_LINES)  # fmt: skip


def _aws_key_id(rng: random.Random) -> str:
    return rng.choice(("AKIA", "ASIA")) + _secret(rng, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _p_aws_key_id(rng: random.Random) -> Planted:
    key = _aws_key_id(rng)
    body = rng.choice((f"created {key} for bob", json.dumps({"note": f"key {key}"})))
    return _ex(response_body=body, secrets=(key,))


def _p_cut_json(rng: random.Random) -> Planted:
    """A JSON body cut anywhere after the token id (a truncated log): it no longer parses."""
    secret = _secret(rng)
    whole = json.dumps({"token": {"id": secret, "expires_at": "2026", "user": {"id": "u"}}})
    cut = rng.randrange(whole.index(secret) + len(secret), len(whole) - 1)
    return _ex(response_body=whole[:cut], secrets=(secret,))


def _p_deep_json(rng: random.Random) -> Planted:
    secret = _secret(rng)
    depth = rng.choice((250, 1000, 5000))
    inner = json.dumps(rng.choice(({"password": secret}, {"token": {"id": secret}})))
    return _ex(method="POST", request_body="[" * depth + inner + "]" * depth, secrets=(secret,))


def _p_form(rng: random.Random) -> Planted:
    secret = _secret(rng)
    body = rng.choice(
        (f"auth%5Bpassword%5D={secret}&auth%5Busername%5D=bob", f"user=bob&password={secret}",
         f"grant_type=password&client_secret={secret}&pwd={secret}")
    )  # fmt: skip
    return _ex(method="POST", request_headers=("Content-Type: application/x-www-form-urlencoded",),
               request_body=body, secrets=(secret,))  # fmt: skip


def _p_free_text_shape(rng: random.Random) -> Planted:
    value = rng.choice((_fernet, _jwt))(rng)
    return _ex(response_body=f"error: the token {value} is not valid", secrets=(value,))


PLANTERS: dict[str, Callable[[random.Random], Planted]] = {
    "secret-header": _p_secret_header,
    "issued-token": _p_issued_token,
    "authorization": _p_authorization,
    "cookie": _p_cookie,
    "folded-header": _p_folded_header,
    "query-parameter": _p_query,
    "url-userinfo": _p_userinfo,
    "token-path": _p_token_path,
    "console-url": _p_console,
    "json-key": _p_json_key,
    "token-object": _p_token_object,
    "pem": _p_pem,
    "aws-key-id": _p_aws_key_id,
    "cut-json": _p_cut_json,
    "deep-json": _p_deep_json,
    "form-body": _p_form,
    "free-text-shape": _p_free_text_shape,
}


def _log_record(arrow: str, heading: str, rid: int, headers: tuple[str, ...], body: str) -> str:
    lines = [f"### (client) {arrow} (service) : {heading}", *headers]
    lines += [f"X-Requestshook-Request-Id: planted-{rid}", "X-Requestshook-Request-From: client"]
    return "\n".join(lines) + "\n\n" + body + "\n\n\n"


def _md_record(number: int, heading: str, arrow: str, rid: int, headers: tuple[str, ...],
               body: str) -> str:  # fmt: skip
    def block(text: str) -> str:
        return "\n".join("    " + line if line else "" for line in text.split("\n"))

    header_text = "\n".join(
        [
            *headers,
            f"X-Requestshook-Request-Id: planted-{rid}",
            "X-Requestshook-Request-From: client",
        ]
    )
    return (
        f"\n### ({number}) {heading}\n`client` {arrow} `service`\n\n"
        f'=== "Header"\n    ``` http title="{heading}" linenums="1"\n{block(header_text)}\n'
        f'    ```\n\n=== "Body"\n    ``` json title="{heading}" linenums="1"\n{block(body)}\n'
        "    ```\n\n"
    )


def render_planted(exchanges: list[Planted], fmt: str = "log") -> bytes:
    """A trace of `exchanges` in requestshook's log format or in body.md."""
    out = []
    for rid, planted in enumerate(exchanges):
        if fmt == "log":
            heading = f"{planted.method} {planted.url}"
            out.append(
                _log_record("REQ >>>", heading, rid, planted.request_headers, planted.request_body)
            )
            out.append(_log_record("RESP <<<", f"{planted.status} {heading}", rid,
                                   planted.response_headers, planted.response_body))  # fmt: skip
        else:
            path = planted.url.split("/", 3)[-1]
            out.append(_md_record(2 * rid + 1, f"{planted.method} /{path}", "-->", rid,
                                  planted.request_headers, planted.request_body))  # fmt: skip
            out.append(_md_record(2 * rid + 2, f"{planted.status} /{path}", "<--", rid,
                                  planted.response_headers, planted.response_body))  # fmt: skip
    return "".join(out).encode("utf-8")


def planted_trace(kinds: Iterable[str], seed: int, fmt: str = "log") -> tuple[bytes, set[str]]:
    """A trace with one exchange per kind of `kinds` (names of `PLANTERS`), and the pieces of
    secret text that must not appear in any output under `--redact`."""
    rng = random.Random(seed)
    exchanges = [PLANTERS[kind](rng) for kind in kinds]
    pieces = {
        piece for planted in exchanges for secret in planted.secrets for piece in needles(secret)
    }
    return render_planted(exchanges, fmt), pieces


def needles(secret: str) -> list[str]:
    """Pieces of a secret to look for in outputs: the whole of a short one, else a few runs
    of 12 characters (a long value may be clipped where it is shown)."""
    if len(secret) <= 24:
        return [secret]
    step = max(12, len(secret) // 4)
    return [secret[start : start + 12] for start in range(0, len(secret) - 11, step)]


def leaks(text: str, pieces: Iterable[str]) -> list[str]:
    """The pieces of secret text found in `text`."""
    return sorted(piece for piece in pieces if piece in text)
