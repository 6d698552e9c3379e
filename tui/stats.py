"""Figures about a trace, for `tracetui stats` and the UI header."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tui.calltree import is_rpc_root
from tui.model import RESPONSE, Trace


def trace_stats(trace: Trace) -> dict[str, Any]:
    """Summarize a trace as a JSON-ready dict (the `stats --json` document)."""
    pairs: Counter[tuple[str, str]] = Counter()
    for exchange in trace.exchanges:
        pairs[(exchange.request.src, exchange.request.dst)] += 1
    statuses = Counter(str(r.status) for r in trace.records if r.kind == RESPONSE)
    paired = sum(1 for exchange in trace.exchanges if exchange.response is not None)
    root_service = trace.root_service
    roots = [
        {
            "index": exchange.index,
            "src": exchange.request.src,
            "dst": exchange.request.dst,
            "method": exchange.request.method,
            "path": exchange.request.target,
            "rpc": is_rpc_root(exchange, root_service),
        }
        for exchange in trace.exchanges
        if exchange.parent is None
    ]
    return {
        "file": trace.path,
        "format": trace.format,
        "records": len(trace.records),
        "exchanges": len(trace.exchanges),
        "paired": paired,
        "unpaired_requests": len(trace.exchanges) - paired,
        "orphan_responses": len(trace.orphan_records),
        "failed": sum(1 for exchange in trace.exchanges if exchange.failed),
        "services": list(trace.services),
        "pairs": [{"src": s, "dst": d, "count": n} for (s, d), n in pairs.items()],
        "statuses": dict(sorted(statuses.items())),
        "roots": roots,
        "warnings": [{"line": w.line, "message": w.message} for w in trace.warnings],
    }


def format_stats(stats: dict[str, Any]) -> str:
    """Render `trace_stats()` output as a human-readable table."""
    lines = [
        f"{stats['file']}  ({stats['format']})",
        f"  records            {stats['records']}",
        f"  exchanges          {stats['exchanges']}",
        f"  paired             {stats['paired']}",
        f"  unpaired requests  {stats['unpaired_requests']}",
        f"  orphan responses   {stats['orphan_responses']}",
        f"  failed (4xx/5xx)   {stats['failed']}",
        f"  call-tree roots    {len(stats['roots'])}"
        f" ({sum(1 for root in stats['roots'] if root['rpc'])} from RPC)",
        "",
        "services (first seen first)",
        *(f"  {service}" for service in stats["services"]),
        "",
        "calls",
    ]
    width = max((len(p["src"]) + len(p["dst"]) for p in stats["pairs"]), default=0) + 4
    lines += [
        f"  {(pair['src'] + ' -> ' + pair['dst']).ljust(width)} {pair['count']:>6}"
        for pair in stats["pairs"]
    ]
    lines += ["", "statuses"]
    lines += [f"  {status}  {count:>6}" for status, count in stats["statuses"].items()]
    if stats["warnings"]:
        lines += ["", f"warnings ({len(stats['warnings'])})"]
        lines += [f"  line {w['line']}: {w['message']}" for w in stats["warnings"]]
    return "\n".join(lines)
