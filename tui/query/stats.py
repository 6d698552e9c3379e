"""Figures about a trace, for `tracetui stats` and the UI header."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tui.model.trace import RESPONSE, ParseWarning, Trace
from tui.readers import TraceReader


def trace_stats(trace: Trace) -> dict[str, Any]:
    """Summarize a trace as a JSON-ready dict (the `stats --json` document)."""
    pairs: Counter[tuple[str, str]] = Counter()
    for exchange in trace.exchanges:
        pairs[(exchange.request.src, exchange.request.dst)] += 1
    statuses = Counter(str(r.status) for r in trace.records if r.kind == RESPONSE)
    roots = [
        (index, request.src, request.dst, request.method, request.target)
        for index, request, _, parent, _, _ in trace.exchanges
        if parent is None
    ]
    return _document(
        trace.path,
        trace.format,
        trace.services,
        trace.warnings,
        records=len(trace.records),
        exchanges=len(trace.exchanges),
        paired=sum(1 for exchange in trace.exchanges if exchange.response is not None),
        orphans=len(trace.orphan_records),
        failed=sum(1 for exchange in trace.exchanges if exchange.failed),
        pairs=pairs,
        statuses=statuses,
        roots=roots,
    )


def file_stats(path: str, format_name: str | None = None) -> dict[str, Any]:
    """`trace_stats` of the trace file at `path` (in format `format_name`, else the one
    detected). Raises `TraceError` for a file that is not a trace.

    A body.md that reads without warnings (or whose only warnings are requests with no
    response) is counted in one pass that builds no index, several times faster on a big
    file; any other file is read in full.
    """
    reader = TraceReader(path, format_name=format_name)
    tally = reader.tally()
    if tally is None:
        return trace_stats(reader.read_all())
    warnings = reader.unanswered(tally)
    reader.close()
    unpaired = len(tally.pending)
    return _document(
        path,
        reader.trace.format,
        tally.services,
        warnings,
        records=tally.records,
        exchanges=tally.exchanges,
        paired=tally.exchanges - unpaired,
        orphans=0,
        failed=tally.failed,
        pairs=tally.pairs(),
        statuses=tally.status_counts(),
        roots=tally.root_calls(),
    )


def _document(
    path: str,
    fmt: str,
    services: list[str],
    warnings: list[ParseWarning],
    records: int,
    exchanges: int,
    paired: int,
    orphans: int,
    failed: int,
    pairs: Counter[tuple[str, str]],
    statuses: Counter[str],
    roots: list[tuple[int, str, str, str, str]],
) -> dict[str, Any]:
    """The `stats --json` document; `roots` are (exchange index, caller, callee, method,
    path), and the first root's caller is the service that started the run."""
    root_service = roots[0][1] if roots else None
    return {
        "file": path,
        "format": fmt,
        "records": records,
        "exchanges": exchanges,
        "paired": paired,
        "unpaired_requests": exchanges - paired,
        "orphan_responses": orphans,
        "failed": failed,
        "services": list(services),
        "pairs": [{"src": s, "dst": d, "count": n} for (s, d), n in pairs.items()],
        "statuses": dict(sorted(statuses.items())),
        # A root called by another service than the one that started the run came from RPC
        # (`calltree.is_rpc_root`).
        "roots": [
            {
                "index": index,
                "src": src,
                "dst": dst,
                "method": method,
                "path": target,
                "rpc": src != root_service,
            }
            for index, src, dst, method, target in roots
        ],
        "warnings": [{"line": w.line, "message": w.message} for w in warnings],
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
