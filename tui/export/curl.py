"""The curl export: each selected request as a shell-quoted curl command."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from tui.export.base import (
    Redact,
    Selection,
    StreamExport,
    absolute_url,
    header_values,
    is_truncated_binary,
    selected_exchanges,
    shown,
)
from tui.model.trace import Trace
from tui.text.sanitize import visible_line

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
    target, headers, body = shown(trace, request, redact)
    first = ["curl"]
    if request.method == "HEAD":
        first.append("--head")
    elif request.method != "GET" or body:
        first += ["-X", request.method]
    first.append(absolute_url(target, headers, request.dst))
    if header_values(headers, "Accept-Encoding"):
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


def curl(trace: Trace, selection: Selection = None, redact: Redact | None = None) -> str:
    """The selected requests as curl commands, each after a comment naming the exchange."""
    return "".join(curl_commands(trace, selection, redact))


def curl_commands(
    trace: Trace, selection: Selection = None, redact: Redact | None = None
) -> Iterator[str]:
    """`curl`, a command at a time."""
    separator = ""
    for exchange in selected_exchanges(trace, selection):
        request = exchange.request
        target = shown(trace, request, redact)[0]
        title = f"# [{exchange.index}] {request.src} -> {request.dst}: {request.method} {target}"
        yield f"{separator}{title}\n{curl_command(trace, exchange.index, redact)}\n"
        separator = "\n"


EXPORT = StreamExport(name="curl", suffix="sh", pieces=curl_commands)
