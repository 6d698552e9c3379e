"""Compare two paired exchanges part by part, with volatile values masked.

The status, the headers by name, the bodies by JSON path (`server.networks[0].uuid`) or by
line. Masking does not hide everything: values that mask equal are learned as corresponding
(`tui.diff.correspondence`) and a value that breaks that one-to-one correspondence, such as a
reused token or the wrong network, is a change with a note. `raw` masks nothing and shows
every byte that differs.

Plain Python, no Textual.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from itertools import zip_longest
from typing import Any

from tui.diff.changes import ABSENT, Change, Line, Part, Path, status_text
from tui.diff.correspondence import Correspondence
from tui.diff.mask_cache import MaskCache
from tui.diff.masking import CONTENT_LENGTH, JSON_KEY_RULES, mask_whole, url_path
from tui.model.trace import Exchange, Record, Trace
from tui.text.json_parse import parse_json

# A differing masked part outweighs any number of differing raw parts when pairing repeats.
_MASKED_WEIGHT = 8
_NOT_JSON = object()

Headers = tuple[tuple[str, str], ...]


def _parse_json(text: str) -> Any:
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "[{":
        return _NOT_JSON
    try:
        return parse_json(text)
    except ValueError:
        return _NOT_JSON


def _compared_path(same_format: bool, record: Record) -> str:
    path = url_path(record.target)
    # body.md never keeps the query string: compare it only between two logs.
    return path if same_format else path.split("?", 1)[0]


def _status(record: Record | None) -> Any:
    return ABSENT if record is None else status_text(record)


class Comparer:
    """Compares paired exchanges, learning the id correspondence in the order it meets them."""

    def __init__(self, a: Trace, b: Trace, masks: MaskCache) -> None:
        self.a = a
        self.b = b
        self.raw = masks.raw
        self.same_format = a.format == b.format
        self.masks = masks
        self.ids = Correspondence()
        # Bound once: these run for every value compared.
        self.mask = self.masks.mask
        self.pair = self.ids.pair

    # Values, headers, bodies.

    def value(
        self, out: list[Change], part: Part, path: Path, x: str, y: str, rule: str | None
    ) -> None:
        if rule is not None and not self.raw:
            masked_x, masked_y = mask_whole(rule, x), mask_whole(rule, y)
        else:
            masked_x, masked_y = self.mask(x), self.mask(y)
        if masked_x.text != masked_y.text:
            out.append(Change.at(part, path, x, y))
            return
        note = self.pair(masked_x.values, masked_y.values)
        if note:
            out.append(Change.at(part, path, x, y, note))

    def headers(self, part: Part, xs: Headers, ys: Headers, body_same: bool) -> list[Change]:
        out: list[Change] = []
        names: dict[str, str] = {}
        values_a: dict[str, list[str]] = {}
        values_b: dict[str, list[str]] = {}
        for pairs, values in ((xs, values_a), (ys, values_b)):
            for name, value in pairs:
                lowered = name.lower()
                names.setdefault(lowered, name)
                values.setdefault(lowered, []).append(value)
        for lowered, name in names.items():
            rule = self.masks.header_rule(lowered)
            found_a, found_b = values_a.get(lowered, []), values_b.get(lowered, [])
            if rule == CONTENT_LENGTH:
                if body_same:
                    self.pair(
                        tuple((rule, value) for value in found_a),
                        tuple((rule, value) for value in found_b),
                    )
                    continue
                rule = None
            for x, y in zip_longest(found_a, found_b, fillvalue=ABSENT):
                if isinstance(x, str) and isinstance(y, str):
                    self.value(out, part, (name,), x, y, rule)
                else:
                    out.append(Change.at(part, (name,), x, y))
        return out

    def body(self, part: Part, x: str, y: str) -> list[Change]:
        masked_x, masked_y = self.mask(x), self.mask(y)
        if masked_x.text == masked_y.text and not self.pair(masked_x.values, masked_y.values):
            return []
        # The bodies differ, or an id in them breaks the correspondence: say where.
        return self.structured(part, x, y)

    def structured(self, part: Part, x: str, y: str) -> list[Change]:
        data_x, data_y = _parse_json(x), _parse_json(y)
        if data_x is not _NOT_JSON and data_y is not _NOT_JSON:
            out: list[Change] = []
            try:
                self.json(out, part, data_x, data_y, (), None)
                return out
            except RecursionError:
                pass
        return self.lines(part, x, y)

    def json(
        self, out: list[Change], part: Part, x: Any, y: Any, path: Path, rule: str | None
    ) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            self.json_object(out, part, x, y, path)
        elif isinstance(x, list) and isinstance(y, list):
            self.json_array(out, part, x, y, path, rule)
        elif isinstance(x, str) and isinstance(y, str):
            self.value(out, part, path, x, y, rule)
        elif type(x) is not type(y) or x != y:
            out.append(Change.at(part, path, x, y))

    def json_object(
        self, out: list[Change], part: Part, x: dict[str, Any], y: dict[str, Any], path: Path
    ) -> None:
        # Keys of y absent from x, by masked key: where a key is an id, the ids differ.
        by_mask: dict[str, list[str]] | None = None
        used = set()
        for key_x, value_x in x.items():
            key_y: str | None = key_x if key_x in y else None
            if key_y is None and not self.raw:
                if by_mask is None:
                    by_mask = {}
                    for key in y:
                        if key not in x:
                            by_mask.setdefault(self.mask(key).text, []).append(key)
                candidates = [k for k in by_mask.get(self.mask(key_x).text, ()) if k not in used]
                learned = self.ids.a_to_b.get(key_x)
                key_y = learned if learned in candidates else next(iter(candidates), None)
            key_path = (*path, key_x)
            if key_y is None:
                out.append(Change.at(part, key_path, value_x, ABSENT))
                continue
            used.add(key_y)
            masked_x = self.mask(key_x)
            if masked_x.values:
                note = self.pair(masked_x.values, self.mask(key_y).values)
                if note:
                    out.append(Change.at(part, key_path, key_x, key_y, note))
            rule = None if self.raw else JSON_KEY_RULES.get(key_x)
            self.json(out, part, value_x, y[key_y], key_path, rule)
        out += [
            Change.at(part, (*path, key), ABSENT, value)
            for key, value in y.items()
            if key not in used
        ]

    def json_array(
        self,
        out: list[Change],
        part: Part,
        x: list[Any],
        y: list[Any],
        path: Path,
        rule: str | None,
    ) -> None:
        if len(x) == len(y):
            order = (None if rule else self.lookalike_order(x, y)) or range(len(y))
            for index, other in enumerate(order):
                self.json(out, part, x[index], y[other], (*path, index), rule)
            return
        shapes_x = [self.shape(item) for item in x]
        shapes_y = [self.shape(item) for item in y]
        matcher = SequenceMatcher(None, shapes_x, shapes_y, autojunk=False)
        for _, i1, i2, j1, j2 in matcher.get_opcodes():
            common = min(i2 - i1, j2 - j1)
            for offset in range(common):
                index = i1 + offset
                self.json(out, part, x[index], y[j1 + offset], (*path, index), rule)
            out += [Change.at(part, (*path, i), x[i], ABSENT) for i in range(i1 + common, i2)]
            out += [Change.at(part, (*path, j), ABSENT, y[j]) for j in range(j1 + common, j2)]

    def lookalike_order(self, x: list[Any], y: list[Any]) -> list[int] | None:
        """Where each item of `x` sits in `y` when `y` holds the same items (ids aside) in
        another order, else None. Keystone, for one, lists a token's roles in any order."""
        shapes_x = [self.shape(item) for item in x]
        shapes_y = [self.shape(item) for item in y]
        if shapes_x == shapes_y or sorted(shapes_x) != sorted(shapes_y):
            return None
        positions: dict[str, list[int]] = {}
        for index, shape in enumerate(shapes_y):
            positions.setdefault(shape, []).append(index)
        return [positions[shape].pop(0) for shape in shapes_x]

    def shape(self, item: Any) -> str:
        """A JSON item as masked canonical text: equal for items that differ only in ids."""
        return self.mask(json.dumps(item, sort_keys=True)).text

    def lines(self, part: Part, x: str, y: str) -> list[Change]:
        lines_x, lines_y = x.split("\n"), y.split("\n")
        masked_x = [self.mask(line) for line in lines_x]
        masked_y = [self.mask(line) for line in lines_y]
        matcher = SequenceMatcher(
            None, [m.text for m in masked_x], [m.text for m in masked_y], autojunk=False
        )
        out = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for offset in range(i2 - i1):
                    i, j = i1 + offset, j1 + offset
                    note = self.pair(masked_x[i].values, masked_y[j].values)
                    if note:
                        out.append(Change.at(part, (Line(i + 1),), lines_x[i], lines_y[j], note))
                continue
            common = min(i2 - i1, j2 - j1)
            out += [
                Change.at(part, (Line(i1 + k + 1),), lines_x[i1 + k], lines_y[j1 + k])
                for k in range(common)
            ]
            out += [
                Change.at(part, (Line(i + 1),), lines_x[i], ABSENT) for i in range(i1 + common, i2)
            ]
            out += [
                Change.at(part, (Line(j + 1),), ABSENT, lines_y[j]) for j in range(j1 + common, j2)
            ]
        return out

    # Whole exchanges.

    def record(self, parts: tuple[Part, Part], record_a: Record, record_b: Record) -> list[Change]:
        """The differences between two records; `parts` names their headers and body."""
        headers_a, body_a = self.masks.masked_record(self.a, record_a)
        headers_b, body_b = self.masks.masked_record(self.b, record_b)
        if (
            headers_a.texts == headers_b.texts
            and body_a.texts == body_b.texts
            and not self.pair(headers_a.values + body_a.values, headers_b.values + body_b.values)
        ):
            return []
        source_a, source_b = self.a.source, self.b.source
        headers_part, body_part = parts
        body_changes = self.body(body_part, source_a.body(record_a), source_b.body(record_b))
        header_changes = self.headers(
            headers_part,
            source_a.headers(record_a),
            source_b.headers(record_b),
            body_same=not body_changes,
        )
        return header_changes + body_changes

    def compare(self, x: Exchange, y: Exchange) -> list[Change]:
        """Every difference between exchange `x` of run 1 and exchange `y` of run 2."""
        out: list[Change] = []
        path_x = _compared_path(self.same_format, x.request)
        path_y = _compared_path(self.same_format, y.request)
        self.value(out, Part.REQUEST_PATH, (), path_x, path_y, None)
        out += self.record((Part.REQUEST_HEADERS, Part.REQUEST_BODY), x.request, y.request)
        status = Part.RESPONSE_STATUS
        if x.response is None or y.response is None:
            if x.response is not y.response:
                out.append(Change.at(status, (), _status(x.response), _status(y.response)))
            return out
        if x.response.status != y.response.status:
            out.append(Change.at(status, (), _status(x.response), _status(y.response)))
        out += self.record((Part.RESPONSE_HEADERS, Part.RESPONSE_BODY), x.response, y.response)
        return out


class Likeness:
    """How alike two exchanges are, to pair the copies of a repeated call."""

    def __init__(self, a: Trace, b: Trace, masks: MaskCache) -> None:
        self.traces = (a, b)
        self.masks = masks
        self.same_format = a.format == b.format
        self._content: dict[tuple[int, int], tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

    def content(self, side: int, index: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Exchange `index` of run 1 (side 0) or run 2 as (masked parts, raw parts)."""
        key = (side, index)
        found = self._content.get(key)
        if found is None:
            trace = self.traces[side]
            exchange = trace.exchanges[index]
            path = _compared_path(self.same_format, exchange.request)
            masked: list[Any] = [self.masks.mask(path).text]
            raw: list[Any] = [path]
            for record in (exchange.request, exchange.response):
                if record is None:
                    masked += (None, None, None)
                    raw += (None, None, None)
                    continue
                headers, body = self.masks.masked_record(trace, record)
                masked += (record.status, headers.texts, body.texts)
                raw += (record.status, headers.values, body.values)
            found = self._content[key] = (tuple(masked), tuple(raw))
        return found

    def cost(self, i: int, j: int) -> int:
        """How unlike exchange `i` of run 1 and `j` of run 2 are: 0 when identical."""
        masked_a, raw_a = self.content(0, i)
        masked_b, raw_b = self.content(1, j)
        masked = sum(1 for p, q in zip(masked_a, masked_b) if p != q)
        return masked * _MASKED_WEIGHT + sum(1 for p, q in zip(raw_a, raw_b) if p != q)
