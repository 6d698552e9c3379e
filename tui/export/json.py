"""The JSON export: one document with the selected exchanges, bodies parsed where JSON."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from tui import __version__
from tui.export.base import (
    JsonList,
    Redact,
    Selection,
    StreamExport,
    absolute_url,
    is_truncated_binary,
    json_pieces,
    selected_exchanges,
    shown,
)
from tui.model.trace import Record, Trace
from tui.text.json_parse import parse_json


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
        # Nested past the limit, it stays text too: re-serialising recurses once per level.
        value = parse_json(
            body,
            object_pairs_hook=_unique_pairs,
            parse_float=_finite_float,
            parse_constant=_reject_constant,
        )
    except ValueError:
        return "text", body
    return "json", value


def _record_json(trace: Trace, record: Record, redact: Redact | None) -> dict[str, Any]:
    target, headers, body = shown(trace, record, redact)
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


def json(trace: Trace, selection: Selection = None, redact: Redact | None = None) -> str:
    """`json_document` as one string."""
    return "".join(json_document(trace, selection, redact))


def json_document(
    trace: Trace, selection: Selection = None, redact: Redact | None = None
) -> Iterator[str]:
    """One JSON document with the selected exchanges, an exchange at a time.

    Each exchange has its index, call-tree parent, src, dst, and a request and a response
    (null while unanswered) with their first line, headers as [name, value] pairs in order,
    and the body: parsed where it is JSON (`body_kind` "json"), the text otherwise, null
    when empty. A whole-trace export also lists responses that have no request.
    """
    exchanges = (
        {
            "index": exchange.index,
            "parent": exchange.parent,
            "src": exchange.request.src,
            "dst": exchange.request.dst,
            "request": _record_json(trace, exchange.request, redact),
            "response": (
                None
                if exchange.response is None
                else _record_json(trace, exchange.response, redact)
            ),
        }
        for exchange in selected_exchanges(trace, selection)
    )
    document: dict[str, Any] = {
        "exporter": {"name": "tracetui", "version": __version__},
        "source": trace.path,
        "format": trace.format,
        "services": list(trace.services),
        "warnings": [{"line": w.line, "message": w.message} for w in trace.warnings],
        "exchanges": JsonList(exchanges),
    }
    if selection is None:
        orphans = (trace.records[number] for number in trace.orphan_records)
        document["orphan_responses"] = JsonList(
            {"src": r.src, "dst": r.dst, **_record_json(trace, r, redact)} for r in orphans
        )
    yield from json_pieces(document)
    yield "\n"


EXPORT = StreamExport(name="json", suffix="json", pieces=json_document)
