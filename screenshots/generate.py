"""Regenerate the SVG screenshots in this folder (the README shows them).

    .venv/bin/python screenshots/generate.py

Scenes are shared with the snapshot tests (tests/scenes.py), so the README pictures are the
screens the tests check.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.scenes import SCENES, Scene  # noqa: E402
from tui.ui.app import make_app  # noqa: E402


async def shoot(scene: Scene) -> Path:
    """Run one scene headless and save its SVG."""
    app = make_app(scene.paths())
    async with app.run_test(size=scene.size) as pilot:
        for key in (None, *scene.keys):
            if key is not None:
                await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        return Path(app.save_screenshot(f"{scene.name}.svg", str(HERE)))


def main() -> None:
    """Shoot every scene."""
    for scene in SCENES:
        print(asyncio.run(shoot(scene)))


if __name__ == "__main__":
    main()
