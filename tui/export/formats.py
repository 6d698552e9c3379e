"""Take a trace elsewhere: mermaid, JSON, HAR 1.2, body.md and curl renderings of exchanges.

Plain Python, no Textual. Every exporter takes the trace and a selection of exchange indices
(None: the whole trace, including responses whose request is missing) and returns text.
Targets, headers and bodies pass through an optional `redact` callable on their way out
(`tui.redact.Redactor.record` is one), so `--redact` and the UI can plug a redactor in
without the exporters knowing what it hides.

A trace has no timestamps, no timings, no HTTP version and, in body.md, no scheme, host or
query string. Where a target format requires one of those, the value used is a documented
placeholder and the document says so; nothing is made to look measured.
"""

from __future__ import annotations

import json as jsonlib
import math
import re
import shlex
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from tui import __version__
from tui.model.trace import Exchange, Record, Trace
from tui.text.sanitize import visible_line

Headers = tuple[tuple[str, str], ...]
# Given a record, returns what may be shown of its target, headers and body.
Redact = Callable[[Trace, Record], tuple[str, Headers, str]]

FORMATS = ("mermaid", "json", "har", "markdown", "curl")

# Deeper JSON bodies are exported raw: re-serialising them recurses once per level.
MAX_JSON_DEPTH = 200

# requestshook logs a binary body as the repr of its first 32 bytes plus "...".
_TRUNCATED_BINARY = re.compile(r"""\Ab(['"]).*\1\.\.\.\Z""")

# requests/urllib3 (the client side of every record) and the services' WSGI servers speak
# HTTP/1.1 only; the trace does not log the version, HAR requires one.
HTTP_VERSION = "HTTP/1.1"

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Headers a curl command leaves out, and why:
CURL_SKIPPED_HEADERS = frozenset(
    {
        # Carried by the URL.
        "host",
        # curl computes it from the data it sends, and the logged body is the hook's
        # re-indented JSON, not the bytes that were sent, so the logged length is wrong.
        "content-length",
        # Replaced by --compressed, which also makes curl decode the answer.
        "accept-encoding",
        # Hop-by-hop (RFC 9110 7.6.1): about the hook's connection, not the request.
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        # Added by requestshook; replaying them against a hooked service would reuse the
        # traced request id and pair the new records with the old ones.
        "x-requestshook-request-id",
        "x-requestshook-request-from",
        "x-requestshook-request-to",
    }
)

_MERMAID_ID = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?\Z")
# Words the mermaid sequence lexer reads as keywords even when `-` or `.` follows (`opt-x`,
# `end.svc`): a service whose name starts with one is declared under an alias.
_MERMAID_WORD_END = re.compile(r"\W")
_MERMAID_KEYWORDS = frozenset(
    {
        "participant", "actor", "create", "destroy", "box", "end", "loop", "rect", "opt",
        "alt", "else", "par", "and", "critical", "option", "break", "autonumber", "activate",
        "deactivate", "title", "note", "left", "right", "over", "links", "link", "properties",
        "details", "as",
    }
)  # fmt: skip


def is_truncated_binary(body: str) -> bool:
    """True for a body requestshook logged as a truncated bytes literal (`b'QFI\\xfb'...`)."""
    return body.startswith(("b'", 'b"')) and _TRUNCATED_BINARY.match(body) is not None


def selected_exchanges(trace: Trace, selection: Iterable[int] | None = None) -> list[Exchange]:
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


def selected_records(trace: Trace, selection: Iterable[int] | None = None) -> list[Record]:
    """The records of the selected exchanges in file order; None: every record, orphans too."""
    if selection is None:
        return list(trace.records)
    numbers = []
    for exchange in selected_exchanges(trace, selection):
        numbers.append(exchange.request_record)
        if exchange.response_record is not None:
            numbers.append(exchange.response_record)
    return [trace.records[number] for number in sorted(numbers)]


def _shown(trace: Trace, record: Record, redact: Redact | None) -> tuple[str, Headers, str]:
    """A record's target, headers and body, through `redact` when there is one."""
    if redact is not None:
        target, headers, body = redact(trace, record)
        return target, headers, body
    return record.target, trace.source.headers(record), trace.source.body(record)


def _path(target: str) -> str:
    """The path of a target: body.md logs a path already, requestshook.log the full URL."""
    return (urlsplit(target).path or "/") if "://" in target else target


def absolute_url(target: str, headers: Headers, dst: str) -> str:
    """The absolute URL of a request from its target, headers and callee.

    requestshook.log keeps the URL; body.md keeps only the path, so the URL is rebuilt from
    the Host header (the callee's service name when there is none) with `http`, which is what
    devstack serves; the query string is lost for good.
    """
    if "://" in target:
        return target
    host = _first(headers, "Host") or dst
    return f"http://{host}{target if target.startswith('/') else '/' + target}"


def _header_values(headers: Headers, name: str) -> list[str]:
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def _first(headers: Headers, name: str) -> str:
    values = _header_values(headers, name)
    return values[0] if values else ""


def _status_line(record: Record) -> str:
    return " ".join(str(part) for part in (record.status, record.reason) if part)


# --- mermaid -------------------------------------------------------------------------------


_MERMAID_SPECIAL = re.compile("[#;]")


def _mermaid_text(text: str) -> str:
    # `;` ends a statement and `#` starts a comment; mermaid decodes `#NN;` entities.
    return _MERMAID_SPECIAL.sub(lambda match: f"#{ord(match.group())};", text)


def _mermaid_ids(services: list[str]) -> dict[str, str]:
    """The identifier of each service in the diagram: its name, or an alias when mermaid
    would misread the name (a keyword, `;`, `:`, `>`, spaces...)."""
    ids: dict[str, str] = {}
    taken = set(services)
    for service in services:
        leading_word = _MERMAID_WORD_END.split(service, 1)[0].lower()
        if _MERMAID_ID.match(service) and leading_word not in _MERMAID_KEYWORDS:
            ids[service] = service
            continue
        number = len(ids) + 1
        while f"service{number}" in taken:
            number += 1
        ids[service] = f"service{number}"
        taken.add(ids[service])
    return ids


def mermaid(
    trace: Trace, selection: Iterable[int] | None = None, redact: Redact | None = None
) -> str:
    """A mermaid `sequenceDiagram` in requestshook's `diagram.md` style.

    One message per record in file order: `src->>dst: GET /path` for a request,
    `dst-->>src: 200 OK /path` for a response, after `participant` lines in first-seen
    order. A service whose name mermaid would misread is declared under an alias.
    """
    records = selected_records(trace, selection)
    services = list(dict.fromkeys(name for r in records for name in (r.src, r.dst)))
    ids = _mermaid_ids(services)
    lines = ["sequenceDiagram"]
    for service in services:
        alias = "" if ids[service] == service else f" as {_mermaid_text(service)}"
        lines.append(f"    participant {ids[service]}{alias}")
    for record in records:
        src, dst = ids[record.src], ids[record.dst]
        # Only the target is shown, but a v2 token path or a query string can hold a secret.
        target = record.target if redact is None else _shown(trace, record, redact)[0]
        if record.is_request:
            text = f"{record.method} {_path(target)}"
            lines.append(f"    {src}->>{dst}: {_mermaid_text(text)}")
        else:
            parts = (_status_line(record), _path(target) if target else "")
            text = " ".join(part for part in parts if part)
            lines.append(f"    {dst}-->>{src}: {_mermaid_text(text)}")
    return "\n".join(lines) + "\n"


# --- json ----------------------------------------------------------------------------------


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = {key for key, _ in pairs}
    if len(keys) != len(pairs):
        # A dict would keep only the last value: export such a body raw instead.
        raise ValueError("duplicate key")
    return dict(pairs)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_body(body: str) -> tuple[str, Any]:
    """Classify a body and parse it where it is JSON.

    Returns (kind, value): ("empty", None), ("json", parsed value), ("binary", the logged
    bytes literal) or ("text", the text). JSON that would not survive a round trip as the
    same value (duplicate keys, NaN, overflowing numbers, extreme nesting) stays text.
    """
    if not body:
        return "empty", None
    if is_truncated_binary(body):
        return "binary", body
    try:
        value = jsonlib.loads(
            body,
            object_pairs_hook=_unique_pairs,
            parse_float=_finite_float,
            parse_constant=_reject_constant,
        )
    except (ValueError, RecursionError):
        return "text", body
    if _too_deep(value, MAX_JSON_DEPTH):
        return "text", body
    return "json", value


def _record_json(trace: Trace, record: Record, redact: Redact | None) -> dict[str, Any]:
    target, headers, body = _shown(trace, record, redact)
    kind, value = parse_body(body)
    fields: dict[str, Any] = {"line": record.line}
    if record.is_request:
        fields.update(
            method=record.method, target=target, url=absolute_url(target, headers, record.dst)
        )
    else:
        fields.update(status=record.status, reason=record.reason, target=target)
    fields["request_id"] = record.request_id
    fields["headers"] = [[name, value] for name, value in headers]
    fields["body_kind"] = kind
    fields["body"] = value
    return fields


def json(trace: Trace, selection: Iterable[int] | None = None, redact: Redact | None = None) -> str:
    """One JSON document with the selected exchanges.

    Each exchange has its index, call-tree parent, src, dst, and a request and a response
    (null while unanswered) with their first line, headers as [name, value] pairs in order,
    and the body: parsed where it is JSON (`body_kind` "json"), the text otherwise, null
    when empty. A whole-trace export also lists responses that have no request.
    """
    exchanges = []
    for exchange in selected_exchanges(trace, selection):
        response = exchange.response
        exchanges.append(
            {
                "index": exchange.index,
                "parent": exchange.parent,
                "src": exchange.request.src,
                "dst": exchange.request.dst,
                "request": _record_json(trace, exchange.request, redact),
                "response": None if response is None else _record_json(trace, response, redact),
            }
        )
    document: dict[str, Any] = {
        "exporter": {"name": "tracetui", "version": __version__},
        "source": trace.path,
        "format": trace.format,
        "services": list(trace.services),
        "warnings": [{"line": w.line, "message": w.message} for w in trace.warnings],
        "exchanges": exchanges,
    }
    if selection is None:
        orphans = [trace.records[number] for number in trace.orphan_records]
        document["orphan_responses"] = [
            {"src": r.src, "dst": r.dst, **_record_json(trace, r, redact)} for r in orphans
        ]
    return jsonlib.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- har -----------------------------------------------------------------------------------


def _placeholder_time(order: int) -> str:
    """The epoch plus `order` milliseconds: HAR viewers sort by start time, so entries keep
    the trace's order, and a date in 1970 cannot pass for a measurement."""
    moment = EPOCH + timedelta(milliseconds=order)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _har_pairs(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _request_cookies(headers: Headers) -> list[dict[str, str]]:
    cookies = []
    for header in _header_values(headers, "Cookie"):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                cookies.append({"name": name, "value": value})
    return cookies


def _response_cookies(headers: Headers) -> list[dict[str, str]]:
    cookies = []
    for header in _header_values(headers, "Set-Cookie"):
        name, sep, value = header.split(";", 1)[0].strip().partition("=")
        if sep and name:
            cookies.append({"name": name, "value": value})
    return cookies


def _body_size(headers: Headers, body: str) -> int:
    """Bytes on the wire: Content-Length when logged, 0 for no body, else unknown (-1), since
    the hook re-indents JSON and truncates binary, so the logged text is not what was sent."""
    length = _first(headers, "Content-Length")
    if length.isdigit():
        return int(length)
    return 0 if not body else -1


def _har_custom(record: Record, body: str) -> dict[str, Any]:
    custom: dict[str, Any] = {"line": record.line}
    if is_truncated_binary(body):
        custom["bodyTruncated"] = True
        custom["loggedBody"] = body
    return custom


def _har_request(trace: Trace, request: Record, redact: Redact | None) -> dict[str, Any]:
    target, headers, body = _shown(trace, request, redact)
    url = absolute_url(target, headers, request.dst)
    har: dict[str, Any] = {
        "method": request.method,
        "url": url,
        "httpVersion": HTTP_VERSION,
        "cookies": _request_cookies(headers),
        "headers": _har_pairs(headers),
        "queryString": _har_pairs(parse_qsl(urlsplit(url).query, keep_blank_values=True)),
        "headersSize": -1,
        "bodySize": _body_size(headers, body),
    }
    if body:
        binary = is_truncated_binary(body)
        har["postData"] = {"mimeType": _first(headers, "Content-Type"), "text": ""}
        if binary:
            har["postData"]["comment"] = "binary body: requestshook logged only its first bytes"
        else:
            har["postData"]["text"] = body
    har["_tracetui"] = _har_custom(request, body)
    return har


def _har_response(trace: Trace, response: Record | None, redact: Redact | None) -> dict[str, Any]:
    if response is None:
        return {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "comment": "no response in the trace",
        }
    _, headers, body = _shown(trace, response, redact)
    binary = is_truncated_binary(body)
    length = _first(headers, "Content-Length")
    content: dict[str, Any] = {
        "size": int(length) if length.isdigit() else (0 if binary else len(body.encode())),
        "mimeType": _first(headers, "Content-Type"),
    }
    if binary:
        content["comment"] = "binary body: requestshook logged only its first bytes"
    elif body:
        content["text"] = body
    return {
        "status": response.status,
        "statusText": response.reason,
        "httpVersion": HTTP_VERSION,
        "cookies": _response_cookies(headers),
        "headers": _har_pairs(headers),
        "content": content,
        "redirectURL": _first(headers, "Location"),
        "headersSize": -1,
        "bodySize": _body_size(headers, body),
        "_tracetui": _har_custom(response, body),
    }


def _har_entry(trace: Trace, exchange: Exchange, redact: Redact | None) -> dict[str, Any]:
    request = exchange.request
    return {
        "startedDateTime": _placeholder_time(exchange.request_record),
        # The sum of the timings below, none of which the trace recorded.
        "time": 0,
        "request": _har_request(trace, request, redact),
        "response": _har_response(trace, exchange.response, redact),
        "cache": {},
        # HAR 1.2 lets blocked/dns/connect/ssl be -1 (not applicable) but requires
        # send/wait/receive as numbers: they are 0 because nothing was measured.
        "timings": {
            "blocked": -1,
            "dns": -1,
            "connect": -1,
            "ssl": -1,
            "send": 0,
            "wait": 0,
            "receive": 0,
            "comment": "not recorded: a requestshook trace has no timings",
        },
        "comment": f"{request.src} -> {request.dst}",
        "_src": request.src,
        "_dst": request.dst,
        "_index": exchange.index,
        "_parent": exchange.parent,
    }


def har(trace: Trace, selection: Iterable[int] | None = None, redact: Redact | None = None) -> str:
    """A HAR 1.2 document with one entry per selected exchange.

    Service names are in `_src`/`_dst` (and the entry comment); `startedDateTime` is a
    placeholder (see `_placeholder_time`) and the timings are not recorded, as the log's
    `_tracetui` field and comments say. An unanswered request gets status 0.
    """
    entries = [
        _har_entry(trace, exchange, redact) for exchange in selected_exchanges(trace, selection)
    ]
    document = {
        "log": {
            "version": "1.2",
            "creator": {"name": "tracetui", "version": __version__},
            "entries": entries,
            "comment": f"exported by tracetui from {trace.path} ({trace.format})",
            "_tracetui": {
                "source": trace.path,
                "format": trace.format,
                "services": list(trace.services),
                "startedDateTime": (
                    "placeholder: the trace has no timestamps; each entry starts at "
                    "1970-01-01T00:00:00Z plus its request's record number in milliseconds"
                ),
                "timings": "not recorded: send/wait/receive are 0 because HAR requires them",
                "httpVersion": f"not logged; {HTTP_VERSION} is what requests/urllib3 speak",
            },
        }
    }
    return jsonlib.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- markdown ------------------------------------------------------------------------------


def _indented(text: str) -> str:
    # Every non-empty line, blank-looking ones too: the reader strips up to four spaces from
    # each line, so an unindented "  " would come back as "".
    return "\n".join("    " + line if line else line for line in text.split("\n"))


def markdown_record(trace: Trace, record: Record, redact: Redact | None = None) -> str:
    """One record in requestshook's body.md layout, with the blank lines the hook writes.

    The heading carries the record's target as read: a path for a body.md trace, the full
    URL for a requestshook.log trace (body.md has nowhere else for the query string, and
    the reader takes both).
    """
    target, headers, body = _shown(trace, record, redact)
    if record.is_request:
        heading = f"{record.method} {target}"
        direction = f"`{record.src}` --> `{record.dst}`"
    else:
        # The hook writes Python's None where it has no path; the reader takes it back so.
        heading = f"{_status_line(record)} {target or 'None'}"
        direction = f"`{record.src}` <-- `{record.dst}`"
    header_lines = "".join(f"    {name}: {value}\n" for name, value in headers)
    return (
        f"\n### {heading}\n{direction}\n\n"
        f'=== "Header"\n    ``` http title="{heading}" linenums="1"\n'
        f"{header_lines}    ```\n\n"
        f'=== "Body"\n    ``` json title="{heading}" linenums="1"\n'
        f"{_indented(body or 'none')}\n    ```\n\n"
    )


def markdown(
    trace: Trace, selection: Iterable[int] | None = None, redact: Redact | None = None
) -> str:
    """A requestshook-style body.md of the selected exchanges' records, in file order.

    It reads back as the same exchanges. A body holding a line of only backticks or tildes
    cannot: body.md has no way to escape a fence.
    """
    return "".join(markdown_record(trace, r, redact) for r in selected_records(trace, selection))


# --- curl ----------------------------------------------------------------------------------


def _curl_data_problem(body: str) -> str | None:
    if is_truncated_binary(body):
        literal = body if len(body) <= 48 else body[:45] + "..."
        return f"requestshook logged only the first bytes of a binary body ({literal})"
    if "\0" in body:
        return "the body holds NUL characters, which a shell argument cannot carry"
    return None


def curl_command(
    trace: Trace, index: int, redact: Redact | None = None, *, multiline: bool = True
) -> str:
    """The request of exchange `index` as a curl command, shell-quoted.

    The URL comes from `absolute_url`; headers in `CURL_SKIPPED_HEADERS` are left out; the
    body goes in `--data-binary`, except a body the trace does not hold in full, which is
    replaced by a comment line before the command.
    """
    request = selected_exchanges(trace, [index])[0].request
    target, headers, body = _shown(trace, request, redact)
    first = ["curl"]
    if request.method == "HEAD":
        first.append("--head")
    elif request.method != "GET" or body:
        first += ["-X", request.method]
    first.append(absolute_url(target, headers, request.dst))
    if _header_values(headers, "Accept-Encoding"):
        first.append("--compressed")
    options = [
        # `-H 'Name:'` would remove the header; `Name;` sends it empty.
        ["-H", f"{name}: {value}" if value else f"{name};"]
        for name, value in headers
        if name.lower() not in CURL_SKIPPED_HEADERS
    ]
    problem = _curl_data_problem(body) if body else None
    if body and problem is None:
        options.append(["--data-binary", body])
    lines = [" ".join(shlex.quote(word) for word in words) for words in (first, *options)]
    command = (" \\\n  " if multiline else " ").join(lines)
    if problem is not None:
        command = f"# body left out: {visible_line(problem)}; add --data-binary @FILE\n{command}"
    return command


def curl(trace: Trace, selection: Iterable[int] | None = None, redact: Redact | None = None) -> str:
    """The selected requests as curl commands, each after a comment naming the exchange."""
    blocks = []
    for exchange in selected_exchanges(trace, selection):
        request = exchange.request
        target = _shown(trace, request, redact)[0]
        title = f"# [{exchange.index}] {request.src} -> {request.dst}: {request.method} {target}"
        blocks.append(f"{title}\n{curl_command(trace, exchange.index, redact)}\n")
    return "\n".join(blocks)


def export(
    trace: Trace,
    fmt: str,
    selection: Iterable[int] | None = None,
    redact: Redact | None = None,
) -> str:
    """Render the selection in `fmt`, one of `FORMATS`; raises ValueError for another."""
    exporter = _EXPORTERS.get(fmt)
    if exporter is None:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return exporter(trace, selection, redact)


_EXPORTERS: dict[str, Callable[..., str]] = {
    "mermaid": mermaid,
    "json": json,
    "har": har,
    "markdown": markdown,
    "curl": curl,
}
