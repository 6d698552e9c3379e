"""Shared fixtures: the project's own copies of the sample traces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_traces"
# Files sample_traces/generator/ made with other tools (openstack --debug, oslo.log, mitmproxy,
# OpenTelemetry): their own readers' tests name them. TRACE_FILES are the requestshook traces.
GENERATED_PREFIXES = ("osc-", "nova-api-")
TRACE_FILES = sorted(
    path
    for path in SAMPLES.iterdir()
    if path.suffix in (".md", ".log")
    and path.name != "README.md"
    and not path.name.startswith(GENERATED_PREFIXES)
)


@pytest.fixture
def sample() -> callable:
    """Return the path of a sample trace by file name."""

    def path_of(name: str) -> Path:
        return SAMPLES / name

    return path_of


async def settle(app, pilot) -> None:
    """Let the app's workers (loading, detail, search, diff) finish and the screen catch up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def press(app, pilot, *keys: str) -> None:
    """Press `keys`, then `settle`."""
    await pilot.press(*keys)
    await settle(app, pilot)


@asynccontextmanager
async def explorer_on(name: str, size: tuple[int, int]) -> AsyncIterator[tuple]:
    """`tracetui` on sample trace `name`, running headless at `size`, settled: (app, pilot)."""
    from tui.ui.app import make_app

    app = make_app([str(SAMPLES / name)])
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        yield app, pilot
