"""End to end: the installed `tracetui` console script in a real terminal (tmux, 100x30)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.conftest import SAMPLES
from tests.tmux import tmux, wait_for

TRACETUI = Path(sys.executable).with_name("tracetui")


def test_console_script_in_tmux(tmp_path):
    assert shutil.which("tmux"), "tmux is installed by .ci/run"
    assert TRACETUI.exists(), "the console script is installed with the package"
    session = f"tracetui-{uuid.uuid4().hex[:8]}"
    status_file = tmp_path / "status"
    command = (
        # A stale COLUMNS/LINES in the environment must not size the app: the terminal does.
        f"TERM=xterm-256color COLUMNS=200 LINES=60 {TRACETUI} {SAMPLES / 'server-create.md'}; "
        f"echo $? > {status_file}; sleep 30"
    )
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        screen = wait_for(session, "55 ex")
        assert "openstack → keystone" in screen
        assert "[1]list" in screen, "100 columns is narrow: one pane at a time"
        tmux("send-keys", "-t", session, "j")
        tmux("send-keys", "-t", session, "j")
        screen = wait_for(session, "glance-api")
        tmux("send-keys", "-t", session, "2")
        screen = wait_for(session, "[2]lanes")
        assert "●" in screen and "▶" in screen, "the lanes draw arrows"
        tmux("send-keys", "-t", session, "?")
        screen = wait_for(session, "tracetui keys")
        assert "Copy curl" in screen
        tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while not status_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status_file.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
