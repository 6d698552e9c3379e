"""Figures per endpoint: `tracetui stats --by endpoint`, the table a CI job keeps.

An endpoint is (method, callee, path template): the template names each id by its kind
(`/compute/v2.1/servers/{server_id}`, see tui/text/placeholders.py), so every call of one API
endpoint counts together, in any run. Durations come only from a trace's clock (a request's
start to its response's end); a trace with none reports counts, failures and bytes alone.
Percentiles are by nearest rank: p95 is the smallest duration that at least 95% of the timed
calls took no longer than.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tui.model.trace import Exchange, Trace
from tui.text.bodies import byte_size
from tui.text.placeholders import endpoint_template


def duration_ms(exchange: Exchange) -> float | None:
    """How long `exchange` took, in milliseconds, where the trace has a clock; else None."""
    seconds = exchange.duration
    return None if seconds is None else seconds * 1000.0


def percentile(durations: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted `durations` (not empty), `fraction` in (0, 1]."""
    rank = max(1, math.ceil(fraction * len(durations)))
    return durations[rank - 1]


@dataclass
class Endpoint:
    """What one endpoint's calls add up to."""

    method: str
    callee: str
    template: str
    count: int = 0
    failures: int = 0
    request_bytes: int = 0
    response_bytes: int = 0
    durations: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The JSON object `stats --by endpoint --json` prints for this endpoint."""
        row: dict[str, Any] = {
            "method": self.method,
            "callee": self.callee,
            "path": self.template,
            "count": self.count,
            "failures": self.failures,
            "request_bytes": self.request_bytes,
            "response_bytes": self.response_bytes,
        }
        if self.durations:
            timed = sorted(self.durations)
            row.update(
                timed=len(timed),
                p50_ms=round(percentile(timed, 0.50), 3),
                p95_ms=round(percentile(timed, 0.95), 3),
                max_ms=round(timed[-1], 3),
                total_ms=round(sum(timed), 3),
            )
        return row


def endpoints(trace: Trace) -> list[Endpoint]:
    """The endpoints of `trace`, most called first (then by callee, method and path)."""
    table: dict[tuple[str, str, str], Endpoint] = {}
    templates: dict[str, str] = {}
    source = trace.source
    for exchange in trace.exchanges:
        request, response = exchange.request, exchange.response
        template = templates.get(request.target)
        if template is None:
            template = templates[request.target] = endpoint_template(request.target)
        key = (request.method, request.dst, template)
        endpoint = table.get(key)
        if endpoint is None:
            endpoint = table[key] = Endpoint(request.method, request.dst, template)
        endpoint.count += 1
        endpoint.request_bytes += byte_size(source.body(request))
        if response is not None:
            endpoint.response_bytes += byte_size(source.body(response))
            if response.status >= 400:
                endpoint.failures += 1
        took = duration_ms(exchange)
        if took is not None:
            endpoint.durations.append(took)
    return sorted(table.values(), key=lambda e: (-e.count, e.callee, e.method, e.template))


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def format_endpoints(rows: list[dict[str, Any]], clock: bool) -> str:
    """The text table of `stats --by endpoint`; duration columns only with a clock."""
    header = ["count", "fail", "req B", "resp B"]
    if clock:
        header += ["p50", "p95", "max", "total"]
    lines = []
    cells = []
    for row in rows:
        numbers = [
            str(row["count"]),
            str(row["failures"] or ""),
            str(row["request_bytes"]),
            str(row["response_bytes"]),
        ]
        if clock:
            numbers += (
                [_ms(row[k]) for k in ("p50_ms", "p95_ms", "max_ms", "total_ms")]
                if "timed" in row
                else ["", "", "", ""]
            )
        cells.append((numbers, f"{row['method']} {row['callee']} {row['path']}"))
    widths = [
        max([len(h)] + [len(numbers[i]) for numbers, _ in cells]) for i, h in enumerate(header)
    ]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)) + "  endpoint")
    for numbers, name in cells:
        lines.append("  ".join(n.rjust(w) for n, w in zip(numbers, widths)) + "  " + name)
    if not clock:
        lines.append("(order only: this trace has no clock, so no durations)")
    return "\n".join(lines)
