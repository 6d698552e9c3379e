"""Masking for one diff, cached: the same values recur across records and across runs.

Plain Python, no Textual.
"""

from __future__ import annotations

from hashlib import blake2b
from itertools import chain, repeat
from typing import NamedTuple

from tui.diff.masking import (
    Masked,
    header_rule,
    mask_header_line,
    mask_keyed,
    mask_shaped,
    mask_text,
    path_signature,
)
from tui.model.trace import Exchange, Record, Trace
from tui.text.pages import release_pages

# How many records are read between two drops of the mapped files' pages (`release_pages`).
RELEASE_EVERY = 1024

# (rule, value) pairs, in the order a text holds them.
Values = tuple[tuple[str, str], ...]


class MaskedLines(NamedTuple):
    """A text masked line by line: each masked line, and the (rule, value) pairs of all
    lines in order."""

    texts: tuple[str, ...]
    values: Values


class MaskCache:
    """Masks texts, header blocks and bodies for one diff; `raw` masks nothing."""

    def __init__(self, raw: bool) -> None:
        self.raw = raw
        self._texts: dict[str, Masked] = {}
        # Line -> masked line and line -> its values (lines with none are left out), for
        # header blocks [1] and bodies [0]: most lines recur (a service catalog in every
        # header block), so each distinct line is masked once.
        self._line_texts: tuple[dict[str, str], dict[str, str]] = ({}, {})
        self._line_values: tuple[dict[str, Values], dict[str, Values]] = ({}, {})
        # A body's digest -> the body masked: keyed by 16 bytes, not by the body, so the
        # bodies of two runs are not all held in memory while they are compared.
        self._bodies: dict[bytes, MaskedLines] = {}
        self._reads = 0
        self._rules: dict[str, str | None] = {}

    def mask(self, text: str) -> Masked:
        """`text` with its volatile values masked (as it is when raw)."""
        return Masked(text, ()) if self.raw else self._masked(text)

    def _masked(self, text: str) -> Masked:
        found = self._texts.get(text)
        if found is None:
            found = self._texts[text] = mask_text(text)
        return found

    def signature(self, exchange: Exchange) -> tuple[str, str, str, str]:
        """`tui.diff.align.exchange_signature`, sharing this cache: each path is masked once."""
        request = exchange.request
        path = path_signature(request.target, self._masked)
        return (request.src, request.dst, request.method, path)

    def mask_lines(self, text: str, header: bool) -> MaskedLines:
        """`text` masked line by line (a header block's lines by header name too)."""
        if self.raw:
            return MaskedLines((text,), ())
        keyed: Values = ()
        if not header:
            # Keyed values span lines (`"audit_ids": [` then the ids): mask them first.
            text, keyed = mask_keyed(text)
        texts_cache, values_cache = self._line_texts[header], self._line_values[header]
        lines = text.split("\n")
        mask = mask_header_line if header else mask_shaped
        for line in set(lines).difference(texts_cache):
            masked = mask(line)
            texts_cache[line] = masked.text
            if masked.values:
                values_cache[line] = masked.values
        # Tuples, not lists: tuples of strings drop out of the garbage collector's sight.
        texts = tuple(map(texts_cache.__getitem__, lines))
        # Only lines with values are in values_cache: C-level passes keep this cheap.
        empty = repeat((), len(lines))
        values = keyed + tuple(chain.from_iterable(map(values_cache.get, lines, empty)))
        return MaskedLines(texts, values)

    def _masked_body(self, raw: bytes) -> MaskedLines:
        # A body often recurs whole (`none`, the same listing); a header block never does,
        # it carries a request id.
        if self.raw:
            return self.mask_lines(raw.decode("utf-8", "replace"), header=False)
        key = blake2b(raw, digest_size=16).digest()
        found = self._bodies.get(key)
        if found is None:
            found = self._bodies[key] = self.mask_lines(
                raw.decode("utf-8", "replace"), header=False
            )
        return found

    def masked_record(self, trace: Trace, record: Record) -> tuple[MaskedLines, MaskedLines]:
        """The record's header block and body as in the file (indented, undecoded), masked
        line by line: equal for two records whenever nothing but volatile values differ, and
        much cheaper than decoding each header."""
        source = trace.source
        headers = source.raw(record.headers).decode("utf-8", "replace") if record.headers else ""
        body = source.raw(record.body) if record.body else b""
        self._reads += 1
        if self._reads % RELEASE_EVERY == 0:
            release_pages(trace)
        return self.mask_lines(headers, header=True), self._masked_body(body)

    def header_rule(self, lowered: str) -> str | None:
        """The rule masking header `lowered` whole, if any (None when raw)."""
        if self.raw:
            return None
        if lowered not in self._rules:
            self._rules[lowered] = header_rule(lowered)
        return self._rules[lowered]
