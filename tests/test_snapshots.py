"""Snapshot tests of the main screens (pytest-textual-snapshot; `--snapshot-update` to accept).

Each scene in tests/scenes.py says what its picture must show.
"""

from __future__ import annotations

import pytest

from tests.conftest import settle
from tests.scenes import SCENES, Scene
from tui.ui.app import make_app


def _run_before(scene: Scene):
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        for key in scene.keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)

    return run_before


@pytest.mark.parametrize("scene", SCENES, ids=[scene.name for scene in SCENES])
def test_scene(scene: Scene, snap_compare):
    assert snap_compare(
        make_app(scene.paths()), terminal_size=scene.size, run_before=_run_before(scene)
    ), scene.shows
