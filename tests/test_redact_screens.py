"""Issue 14, points 1 and 2: with --redact (or `R`), no planted secret reaches any pane of
the explorer or the diff screen: list, lanes, detail, header, changes, notifications. The
screens are captured as Textual draws them (SVG screenshots) while every exchange is shown."""

from __future__ import annotations

import re

import pytest

from tests.conftest import press, settle
from tests.hostile import PLANTERS, planted_trace
from tui.ui.app import make_app

KINDS = sorted(PLANTERS)
WIDE = (220, 60)


def pieces_of(secrets: set[str]) -> set[str]:
    """Runs of 9 characters of each secret: a pane shortens a long target in its middle, so
    a leak may show only its head or its tail."""
    found = set()
    for secret in secrets:
        found.add(secret[:9])
        found.add(secret[-9:])
    return found


def screen_text(app) -> str:
    svg = app.export_screenshot()
    # Text runs of the SVG, joined; non-breaking spaces (&#160;) as spaces.
    runs = re.findall(r">([^<>]*)</text>", svg)
    return "".join(runs).replace("&#160;", " ")


def write(tmp_path, kinds, seed, name):
    data, secrets = planted_trace(kinds, seed)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path), pieces_of(secrets)


async def explorer_screens(path: str, redact: bool, toggle: bool = False) -> str:
    app = make_app([path], redact=redact)
    shown = []
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        if toggle:
            await press(app, pilot, "R")
        screen = app.screen
        for index in range(len(screen.trace.exchanges)):
            screen.select(index)
            await settle(app, pilot)
            shown.append(screen_text(app))
        await press(app, pilot, "2")
        shown.append(screen_text(app))
        await press(app, pilot, "c")
        shown.append(app.clipboard)
    return "\n".join(shown)


@pytest.mark.parametrize("how", ["flag", "R"])
async def test_no_secret_in_any_explorer_pane(tmp_path, how):
    path, pieces = write(tmp_path, KINDS, 5, "all.log")
    text = await explorer_screens(path, redact=how == "flag", toggle=how == "R")
    assert "redacted" in text
    assert sorted(piece for piece in pieces if piece in text) == []


async def test_the_panes_do_show_secrets_without_redact(tmp_path):
    path, pieces = write(tmp_path, ["token-path", "query-parameter", "secret-header"], 5, "t.log")
    text = await explorer_screens(path, redact=False)
    assert any(piece in text for piece in pieces)


async def diff_screens(a: str, b: str, redact: bool, toggle: bool = False) -> str:
    app = make_app([a, b], redact=redact)
    shown = []
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        if toggle:
            await press(app, pilot, "R")
        screen = app.screen
        for position in range(len(screen.diff.entries)):
            screen.show_entry(position)
            await settle(app, pilot)
            shown.append(screen_text(app))
        await press(app, pilot, "3")
        shown.append(screen_text(app))
    return "\n".join(shown)


@pytest.mark.parametrize("how", ["flag", "R"])
async def test_no_secret_on_the_diff_screen(tmp_path, how):
    a, pieces_a = write(tmp_path, KINDS, 6, "a.log")
    b, pieces_b = write(tmp_path, KINDS, 7, "b.log")
    text = await diff_screens(a, b, redact=how == "flag", toggle=how == "R")
    assert "redacted" in text
    assert sorted(piece for piece in pieces_a | pieces_b if piece in text) == []


async def test_the_diff_screen_shows_secrets_without_redact(tmp_path):
    a, pieces_a = write(tmp_path, ["secret-header", "query-parameter"], 6, "a.log")
    b, pieces_b = write(tmp_path, ["secret-header", "query-parameter"], 7, "b.log")
    text = await diff_screens(a, b, redact=False)
    assert any(piece in text for piece in pieces_a | pieces_b)
