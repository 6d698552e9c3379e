"""Typed diff changes: a `Part`, a path of steps, and the printed key spelled from them."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES
from tui.diff.changes import ABSENT, Change, DiffEntry, Kind, Line, Part, TraceDiff, path_text
from tui.diff.engine import diff_traces
from tui.readers import read_trace


@pytest.mark.parametrize(
    ("part", "path", "text"),
    [
        (Part.RESPONSE_STATUS, (), None),
        (Part.REQUEST_HEADERS, ("X-Auth-Token",), "X-Auth-Token"),
        (Part.RESPONSE_BODY, ("server", "networks", 0, "uuid"), "server.networks[0].uuid"),
        (Part.RESPONSE_BODY, (0, "id"), "[0].id"),
        (Part.REQUEST_BODY, ("metadata", "a b", "c"), 'metadata["a b"].c'),
        (Part.REQUEST_BODY, ("é",), '["é"]'),
        (Part.RESPONSE_BODY, (Line(3),), "line 3"),
    ],
)
def test_a_path_is_printed_as_the_diff_always_printed_it(part, path, text):
    assert path_text(part, path) == text
    assert Change.at(part, path, "x", ABSENT).key == text


def test_every_change_of_a_real_diff_has_a_typed_path():
    a = read_trace(str(SAMPLES / "server-create.md"))
    b = read_trace(str(SAMPLES / "server-create-run2.md"))
    diff = diff_traces(a, b)
    parts = set()
    for entry in diff.entries:
        assert isinstance(entry.kind, Kind)
        for change in entry.changes:
            parts.add(change.part)
            assert change.key == path_text(change.part, change.path)
            if change.part.is_headers:
                assert len(change.path) == 1 and isinstance(change.path[0], str)
            elif change.part.is_body:
                steps = change.path
                assert steps and (
                    (len(steps) == 1 and isinstance(steps[0], Line))
                    or all(isinstance(s, (str, int)) and not isinstance(s, Line) for s in steps)
                )
            else:
                assert change.path == ()
    assert {Part.RESPONSE_STATUS, Part.RESPONSE_BODY, Part.REQUEST_HEADERS} <= parts


def test_the_diff_screen_marks_header_names_and_innermost_json_keys():
    from tui.ui.screens.diff import change_marks

    trace = read_trace(str(SAMPLES / "image-show.md"))
    changes = (
        Change.at(Part.REQUEST_HEADERS, ("X-Auth-Token",), "a", "b"),
        Change.at(Part.RESPONSE_BODY, ("server", "networks", 0), 1, 2),
        Change.at(Part.RESPONSE_BODY, ("metadata", "a.b"), 1, 2),
        Change.at(Part.RESPONSE_BODY, (Line(2),), "x", "y"),
        Change.at(Part.RESPONSE_STATUS, (), "200 OK", "404 Not Found"),
    )
    entry = DiffEntry(Kind.CHANGED, 0, 0, "a", "b", "GET", "/", changes)
    diff = TraceDiff(trace, trace, False, [entry], {}, {})
    assert change_marks(diff, 0) == frozenset({"x-auth-token", "networks", "a.b"})
