"""The one bounded JSON parser, and every part that parses a body through it."""

from __future__ import annotations

import pytest

from tui.diff.compare import _parse_json
from tui.export.json import parse_body
from tui.redact import Redactor
from tui.text import bodies
from tui.text.json_parse import MAX_DEPTH, JSONTooDeep, nesting_exceeds, parse_json


def nested(depth: int) -> str:
    return '{"a": ' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize("depth", [0, 1, MAX_DEPTH - 1, MAX_DEPTH])
def test_json_up_to_the_limit_parses(depth):
    assert not nesting_exceeds(nested(depth))
    value = parse_json(nested(depth))
    for _ in range(depth):
        value = value["a"]
    assert value == "x"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 200_000])
def test_json_past_the_limit_is_refused_without_recursing(depth):
    assert nesting_exceeds(nested(depth))
    assert nesting_exceeds("[" * depth + "]" * depth)
    with pytest.raises(JSONTooDeep):
        parse_json(nested(depth))
    with pytest.raises(ValueError):  # JSONTooDeep is a ValueError: one except clause
        parse_json("[" * depth)


def test_brackets_inside_strings_do_not_count():
    text = '["' + "[" * 1000 + '\\"{' * 500 + '"]'
    assert not nesting_exceeds(text)
    assert parse_json(text)[0].startswith("[[[")


def test_hooks_are_passed_through():
    pairs = parse_json('{"a": 1, "a": 2.5}', object_pairs_hook=list, parse_float=str)
    assert pairs == [("a", 1), ("a", "2.5")]
    assert parse_json("[NaN, 7]", parse_constant=lambda name: name, parse_int=str) == [
        "NaN",
        "7",
    ]
    with pytest.raises(ValueError):
        parse_json("{'a': 1}")


def test_every_body_parser_draws_the_line_at_the_same_depth():
    inside, past = nested(MAX_DEPTH), nested(MAX_DEPTH + 1)
    assert bodies.describe(inside).kind == bodies.JSON
    view = bodies.describe(past)
    assert view.kind == bodies.TEXT and str(MAX_DEPTH) in view.note
    assert parse_body(inside)[0] == "json" and parse_body(past)[0] == "text"
    assert isinstance(_parse_json(inside), dict)
    assert not isinstance(_parse_json(past), dict)
    secret = '{"password": "hunter2"}'
    redactor = Redactor()
    for text in (inside.replace('"x"', secret), past.replace('"x"', secret)):
        assert "hunter2" not in redactor.body(text)
