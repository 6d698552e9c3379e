"""Hostile trace text never drives the terminal or the app (issue: safe with untrusted traces).

A crafted trace carries terminal escapes (clear screen, OSC 52 clipboard write, OSC 0 title,
8-bit CSI), NUL, BEL, bidi overrides, zero-width characters and Rich/Textual markup
(`[/bold]`, `[@click=app.screenshot(...)]`, `[link=file://...]`) in every field. What Textual
would write (its SVG export of the screen) must hold none of those characters, the markup must
show as text, and a real terminal must keep its title and screen.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES, press, settle
from tests.hostile import NASTY
from tests.tmux import tmux, wait_for
from tui.readers import TraceError, read_trace
from tui.ui.app import make_app
from tui.views.detail_lines import exchange_lines

MARKUP = "[/bold][@click=app.screenshot('x.svg','/tmp')]x[/][link=file:///etc/passwd]y[/]"
FORBIDDEN = ["\t", "\x1b", "\x9b", "\x07", "\x00", "\x08", "\x7f", "\u202e", "\u200b", "\ufeff"]
FIELDS = ["keystone", "openstack", "glance-api", "/identity/", "MULTIPLE", "Host", "none", "OK"]


def crafted(name: str, folder: Path) -> Path:
    """A sample with markup, then escapes, after the first two occurrences of each field."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    for word in FIELDS:
        text = text.replace(word, word + MARKUP + NASTY + "\tafter a tab", 2)
    path = folder / f"crafted-{name}"
    path.write_text(text, encoding="utf-8")
    return path


def assert_clean(svg: str) -> None:
    leaked = [repr(char) for char in FORBIDDEN if char in svg]
    assert not leaked, f"reached the screen raw: {leaked}"


@pytest.mark.parametrize("name", ["image-show.md", "image-show.log"])
async def test_screen_holds_no_control_character_and_markup_stays_text(name, tmp_path):
    app = make_app([str(crafted(name, tmp_path))])
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        shots = [app.export_screenshot()]
        for _ in screen.trace.exchanges:
            await press(app, pilot, "down")
            shots.append(app.export_screenshot())
        for keys in (["tab"], ["tab"], ["t"], ["w"], ["escape"], ["question_mark"], ["escape"]):
            await press(app, pilot, *keys)
            shots.append(app.export_screenshot())
        await press(app, pilot, "slash", *"MULTIPLE", "enter")
        shots.append(app.export_screenshot())
        assert app.return_code is None, "the app is still running"
        trace = screen.trace
        shown = [*trace.services, *(r.target for r in trace.records), *trace.warnings]
        assert "\\x1b" in " ".join(map(str, shown)), "escapes stay as visible text, not dropped"
    for svg in shots:
        assert_clean(svg)
    everything = "".join(shots)
    assert "@click=app.screenshot" in everything, "markup is shown, not interpreted"
    assert not (Path("/tmp") / "x.svg").exists()


def test_a_real_terminal_keeps_its_title_and_screen(tmp_path):
    assert shutil.which("tmux"), "tmux is installed by .ci/run"
    target = Path("/tmp/x.svg")
    target.unlink(missing_ok=True)
    session = f"inject-{uuid.uuid4().hex[:8]}"
    tracetui = Path(sys.executable).with_name("tracetui")
    status = tmp_path / "status"
    trace = crafted("image-show.md", tmp_path)
    command = f"{tracetui} {trace}; echo $? > {status}; sleep 30"

    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", command)
    try:
        tmux("select-pane", "-t", session, "-T", "before")
        wait_for(session, "exchanges")
        for key in ["j", "j", "j", "Tab", "Tab", "t", "w", "Escape", "?", "Escape", "j"]:
            tmux("send-keys", "-t", session, key)
            time.sleep(0.25)
        screen = tmux("capture-pane", "-t", session, "-p")
        assert "tracetui · crafted-image-show.md" in screen, "screen not cleared"
        assert tmux("display-message", "-t", session, "-p", "#{pane_title}").strip() == "before"
        assert not target.exists(), "no file written by an injected action"
        assert not status.exists(), "the app is still running"
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_in_any_field_reaches_the_detail_escaped(tmp_path_factory, inserted):
    template = (SAMPLES / "image-show.md").read_text(encoding="utf-8")
    records = template.split("\n### ")
    record = "\n### ".join(records[:3])  # request, response, and the next request
    for word in ("Host: ", "/identity/", '"id": "', "keystone"):
        record = record.replace(word, word + inserted.replace("\n", " "), 1)
    path = tmp_path_factory.mktemp("any") / "trace.md"
    path.write_text(record, encoding="utf-8", errors="surrogatepass")
    try:
        trace = read_trace(str(path))
    except TraceError:
        return
    for exchange in trace.exchanges:
        for line in exchange_lines(trace, exchange.index):
            assert not UNSAFE.search(line.text), repr(line.text)
    for name in (*trace.services, *(record.target for record in trace.records)):
        assert not UNSAFE.search(name)


async def test_an_internal_error_prints_one_line_and_logs_no_locals(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app = make_app([str(SAMPLES / "server-create.md")])

    def explode() -> None:
        token = "gAAAAAB-secret-in-a-local"  # noqa: F841 - must not be printed
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            app.call_later(explode)
            await pilot.pause()
    logs = list((tmp_path / "tracetui").glob("crash-*.log"))
    assert len(logs) == 1
    assert "RuntimeError: boom" in logs[0].read_text()
    assert "secret-in-a-local" not in logs[0].read_text()
    message = "".join(str(renderable) for renderable in app._exit_renderables)
    assert message.startswith("tracetui: internal error (RuntimeError)") or app.crash_log
