"""The HAR 1.2 export: one entry per exchange, placeholders where the trace records nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

from tui import __version__
from tui.export.base import (
    Headers,
    JsonList,
    Redact,
    Selection,
    StreamExport,
    absolute_url,
    first_header,
    header_values,
    is_truncated_binary,
    json_pieces,
    selected_exchanges,
    shown,
    split_url,
)
from tui.model.trace import Exchange, Record, Trace

# requests/urllib3 (the client side of every record) and the services' WSGI servers speak
# HTTP/1.1 only; the trace does not log the version, HAR requires one.
HTTP_VERSION = "HTTP/1.1"

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _placeholder_time(order: int) -> str:
    """The epoch plus `order` milliseconds: HAR viewers sort by start time, so entries keep
    the trace's order, and a date in 1970 cannot pass for a measurement."""
    moment = EPOCH + timedelta(milliseconds=order)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _har_pairs(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _request_cookies(headers: Headers) -> list[dict[str, str]]:
    cookies = []
    for header in header_values(headers, "Cookie"):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                cookies.append({"name": name, "value": value})
    return cookies


def _response_cookies(headers: Headers) -> list[dict[str, str]]:
    cookies = []
    for header in header_values(headers, "Set-Cookie"):
        name, sep, value = header.split(";", 1)[0].strip().partition("=")
        if sep and name:
            cookies.append({"name": name, "value": value})
    return cookies


def _content_length(headers: Headers) -> int | None:
    """The logged Content-Length as a number, or None: absent, not digits, or too long for
    Python to convert (a hostile trace's 5,000-digit length)."""
    length = first_header(headers, "Content-Length")
    if not length.isdigit():
        return None
    try:
        return int(length)
    except ValueError:
        return None


def _body_size(headers: Headers, body: str) -> int:
    """Bytes on the wire: Content-Length when logged, 0 for no body, else unknown (-1), since
    the hook re-indents JSON and truncates binary, so the logged text is not what was sent."""
    length = _content_length(headers)
    if length is not None:
        return length
    return 0 if not body else -1


def _har_custom(record: Record, body: str) -> dict[str, Any]:
    custom: dict[str, Any] = {"line": record.line}
    if is_truncated_binary(body):
        custom["bodyTruncated"] = True
        custom["loggedBody"] = body
    return custom


def _har_request(trace: Trace, request: Record, redact: Redact | None) -> dict[str, Any]:
    target, headers, body = shown(trace, request, redact)
    url = absolute_url(target, headers, request.dst)
    har: dict[str, Any] = {
        "method": request.method,
        "url": url,
        "httpVersion": HTTP_VERSION,
        "cookies": _request_cookies(headers),
        "headers": _har_pairs(headers),
        "queryString": _har_pairs(parse_qsl(split_url(url).query, keep_blank_values=True)),
        "headersSize": -1,
        "bodySize": _body_size(headers, body),
    }
    if body:
        binary = is_truncated_binary(body)
        har["postData"] = {"mimeType": first_header(headers, "Content-Type"), "text": ""}
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
    _, headers, body = shown(trace, response, redact)
    binary = is_truncated_binary(body)
    length = _content_length(headers)
    content: dict[str, Any] = {
        "size": length if length is not None else (0 if binary else len(body.encode())),
        "mimeType": first_header(headers, "Content-Type"),
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
        "redirectURL": first_header(headers, "Location"),
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


def har(trace: Trace, selection: Selection = None, redact: Redact | None = None) -> str:
    """`har_document` as one string."""
    return "".join(har_document(trace, selection, redact))


def har_document(
    trace: Trace, selection: Selection = None, redact: Redact | None = None
) -> Iterator[str]:
    """A HAR 1.2 document with one entry per selected exchange, an entry at a time.

    Service names are in `_src`/`_dst` (and the entry comment); `startedDateTime` is a
    placeholder (see `_placeholder_time`) and the timings are not recorded, as the log's
    `_tracetui` field and comments say. An unanswered request gets status 0.
    """
    entries = JsonList(
        _har_entry(trace, exchange, redact) for exchange in selected_exchanges(trace, selection)
    )
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
    yield from json_pieces(document)
    yield "\n"


EXPORT = StreamExport(name="har", suffix="har", pieces=har_document)
