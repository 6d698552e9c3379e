"""The explorer's query screen (issue 18): SQL over the open trace from the command palette."""

from __future__ import annotations

from tests.conftest import explorer_on, press, settle
from tui.ui.screens.query import QueryScreen
from tui.ui.widgets.text_lines import TextLines

WIDE = (160, 45)


def shown(screen: QueryScreen) -> list[str]:
    return [line.plain for line in screen.query_one(TextLines).lines]


async def test_the_palette_opens_a_query_screen_that_answers():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        await press(app, pilot, "ctrl+p")
        await pilot.press(*"SQL query")
        await press(app, pilot, "enter")
        screen = app.screen
        assert isinstance(screen, QueryScreen)
        field = screen.query_one("#query-input")
        field.value = "SELECT count(*) AS n, count(status) AS answered FROM exchanges"
        await press(app, pilot, "enter")
        await settle(app, pilot)
        assert shown(screen)[0].split() == ["n", "answered"]
        assert shown(screen)[2].split() == ["55", "55"]
        field.value = "SELEC wrong"
        await press(app, pilot, "enter")
        assert shown(screen)[0].startswith("Parser Error")
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, QueryScreen)


async def test_the_query_screen_redacts_when_the_explorer_does():
    async with explorer_on("server-create.md", WIDE) as (app, pilot):
        await press(app, pilot, "R")
        explorer = app.screen
        app.push_screen(QueryScreen(explorer.trace, explorer.redactor))
        await settle(app, pilot)
        screen = app.screen
        screen.query_one(
            "#query-input"
        ).value = "SELECT value FROM headers WHERE name = 'X-Auth-Token' LIMIT 3"
        await press(app, pilot, "enter")
        await settle(app, pilot)
        values = shown(screen)[2:5]
        assert values and all(value.startswith("<token-") for value in values)
