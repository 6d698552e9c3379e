"""Pilot tests of search (`/`, `n`, `N`, esc), filter (`f`) and follow-a-value (`*`)."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, press, settle
from tui.ui.app import TraceApp, make_app
from tui.ui.screens.explorer import ExplorerScreen


@pytest.fixture
def app() -> TraceApp:
    return make_app([str(SAMPLES / "server-create.md")])


def status_of(screen: ExplorerScreen) -> str:
    return str(screen.search_bar.query_one("#search-status").render())


def containing(screen: ExplorerScreen, needle: str) -> list[int]:
    """Exchanges whose decoded text holds `needle`, computed without the search module."""
    trace = screen.trace
    found = []
    for exchange in trace.exchanges:
        parts = []
        for record in (exchange.request, exchange.response):
            if record is None:
                continue
            parts += [record.target, trace.source.body(record)]
            parts += [f"{name}: {value}" for name, value in trace.source.headers(record)]
        if any(needle.lower() in part.lower() for part in parts):
            found.append(exchange.index)
    return found


async def test_search_marks_matches_and_n_visits_them(app):
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "slash", *"subnets", "enter")
        expected = containing(screen, "subnets")
        assert screen.matches == expected
        assert screen.exchange_list.matches == frozenset(expected)
        assert screen.selected == expected[0]
        assert status_of(screen).startswith(f"1/{len(expected)}")
        await press(app, pilot, "n")
        assert screen.selected == expected[1]
        await press(app, pilot, "N", "N")
        assert screen.selected == expected[-1], "N wraps around"
        hits = [line for line in screen.detail.lines if screen.detail.highlighter(line.text)]
        assert hits, "the detail highlights the hit"
        await press(app, pilot, "escape")
        assert screen.search is None and not screen.exchange_list.matches


async def test_invalid_regex_is_reported_in_the_bar(app):
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "slash", *"re:(unclosed", "enter")
        assert screen.search is None
        assert screen.search_bar.display
        assert status_of(screen)


async def test_filter_narrows_all_panes_and_esc_clears(app):
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "f", *"dst:placement-api", "enter")
        expected = [e.index for e in screen.trace.exchanges if e.request.dst == "placement-api"]
        assert screen.filtered == expected
        listed = [r.exchange for r in screen.exchange_list.list_layout.rows if r.exchange >= 0]
        assert sorted(listed) == expected
        assert "keystone" not in screen.lanes.lane_layout.services, "unused lanes collapse"
        assert "filter: dst:placement-api" in str(screen.query_one("#trace-header").render())
        await press(app, pilot, "f", "escape")
        assert screen.filtered is None


async def test_filter_syntax_error_is_explained(app):
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "f", *"status:abc", "enter")
        assert screen.filtered is None
        assert "col" in status_of(screen)


async def test_star_follows_the_token_to_its_issuer_and_users(app):
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await press(app, pilot, "down", "enter")
        row = next(
            i for i, line in enumerate(screen.detail.lines) if line.name == "X-Subject-Token"
        )
        screen.detail.move_cursor(row)
        await settle(app, pilot)
        token = screen.trace.source.header(screen.trace.exchanges[1].response, "X-Subject-Token")
        await press(app, pilot, "asterisk")
        assert screen.selected == 1, "keystone's token response issued it"
        users = containing(screen, token)
        assert screen.matches == users
        assert len(users) > 2


async def test_redact_key_hides_every_secret_in_the_detail(app):
    from tui.redact import secret_values

    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        secrets = secret_values(screen.trace)
        assert secrets
        await pilot.press("R")
        for index in range(len(screen.trace.exchanges)):
            screen.select(index)
            await settle(app, pilot)
            shown = "\n".join(line.text for line in screen.detail.lines)
            assert not [secret for secret in secrets if secret in shown], index
        await pilot.press("R")
        screen.select(1)
        await settle(app, pilot)
        assert any(secret in line.text for line in screen.detail.lines for secret in secrets)
