"""Issue 14, points 8, 10, 12: hostile URLs and service names export with a warning, not a
crash; `export -o` never overwrites by surprise nor leaves half a file; output bound for a
terminal is escaped however it is named, and so is the text `c` copies."""

from __future__ import annotations

import os
import pty
from pathlib import Path

import pytest

from tests.conftest import settle
from tests.hostile import NASTY
from tui.cli import main
from tui.export import registry
from tui.export.base import split_url, url_problems
from tui.readers import read_trace
from tui.text import files
from tui.views import export_file

# (URL, whether urlsplit refuses it)
URLS = [
    ("http://h]/x", True),
    ("http://[b]/x?token=1", True),
    ("http://[::1/servers", True),
    ("http://[not-ip]:80/x?a=%5B", True),
    ("http://h:99999999/x", False),
    ("http://user@[::1]]:5/x", False),
]
BAD_URLS = [url for url, _ in URLS]


def log_trace(url: str, service: str = "nova") -> str:
    return (
        f"### (a) REQ >>> ({service}) : GET {url}\nX-Requestshook-Request-Id: 1\n\nnone\n\n\n"
        f"### (a) RESP <<< ({service}) : 200 OK GET {url}\nX-Requestshook-Request-Id: 1\n\n"
        "none\n\n\n"
    )


def md_trace(path: str, service: str, host: str) -> str:
    return (
        f'\n### (1) GET {path}\n`a` --> `{service}`\n\n=== "Header"\n    ```\n    Host: {host}\n'
        '    X-Requestshook-Request-Id: 1\n    ```\n\n=== "Body"\n    ```\n    none\n    ```\n\n'
        f'\n### (2) 200 OK {path}\n`a` <-- `{service}`\n\n=== "Header"\n    ```\n'
        '    X-Requestshook-Request-Id: 1\n    ```\n\n=== "Body"\n    ```\n    none\n    ```\n'
    )


@pytest.mark.parametrize(("url", "refused"), URLS)
@pytest.mark.parametrize("fmt", registry.names(folders=False))
def test_bad_urls_export_as_logged_with_a_warning(url, refused, fmt, tmp_path, capsys):
    path = tmp_path / "t.log"
    path.write_text(log_trace(url, service="[b]"))
    assert main(["export", str(path), "--format", fmt]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    if fmt in ("har", "json", "curl"):
        assert url.split("?")[0] in captured.out
    assert ("line 1: URL does not parse" in captured.err) == refused


@pytest.mark.parametrize("host", ["h]", "[b]", "[::1", "h:99999999"])
@pytest.mark.parametrize("fmt", ["har", "mermaid"])
def test_bad_hosts_and_service_names_in_body_md(host, fmt, tmp_path, capsys):
    path = tmp_path / "t.md"
    path.write_text(md_trace("/v2.1/servers?x=[1]", "[b]", host))
    assert main(["export", str(path), "--format", fmt]) == 0
    assert "internal error" not in capsys.readouterr().err


def test_split_url_never_raises_and_keeps_every_part():
    for url in BAD_URLS:
        parts = split_url(url)
        assert parts.geturl().replace("//", "/") or parts.path
    assert split_url("http://h]/a/b?q=1#f")[1:] == ("h]", "/a/b", "q=1", "f")
    assert split_url("http://ok/a?q=1").netloc == "ok"


def test_ui_export_names_the_bad_url(tmp_path):
    path = tmp_path / "t.log"
    path.write_text(log_trace("http://h]/x"))
    problems = url_problems(read_trace(str(path)))
    assert problems == ["line 1: URL does not parse (Invalid IPv6 URL); exported as is"]


# Point 10: never overwrite without --force, never half a file.


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    path = tmp_path / "t.log"
    path.write_text(log_trace("http://h/x"))
    return path


def test_export_refuses_to_overwrite_without_force(trace_file, tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text("precious")
    assert main(["export", str(trace_file), "-f", "json", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists; give --force" in err
    assert out.read_text() == "precious"
    assert main(["export", str(trace_file), "-f", "json", "-o", str(out), "--force"]) == 0
    assert out.read_text().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "t.log"]


def test_new_export_file_gets_the_usual_mode(trace_file, tmp_path):
    out = tmp_path / "new.json"
    assert main(["export", str(trace_file), "-f", "json", "-o", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_an_interrupted_export_leaves_no_file(trace_file, tmp_path, monkeypatch):
    out = tmp_path / "out.json"

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "link", interrupted)
    assert main(["export", str(trace_file), "-f", "json", "-o", str(out)]) != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.log"]


def test_ui_export_does_not_overwrite_either(tmp_path):
    out = tmp_path / "out.json"
    out.write_text("precious")
    notice, failed = export_file.write_export(out, "json", lambda: "new")
    assert failed and "not overwritten" in notice and out.read_text() == "precious"


# Point 12: a terminal, however it is named, gets escapes only.


def test_output_to_a_terminal_by_any_name_is_escaped(tmp_path, capsys):
    path = tmp_path / "t.log"
    path.write_text(log_trace(f"http://h/x{NASTY}"))
    leader, follower = pty.openpty()
    try:
        name = os.ttyname(follower)
        for target in (name, f"/proc/self/fd/{follower}"):
            assert main(["export", str(path), "-f", "curl", "-o", target]) == 0
            written = os.read(leader, 1 << 16).decode("utf-8", "replace")
            assert "\x1b" not in written and "\\x1b" in written
    finally:
        os.close(leader)
        os.close(follower)


def test_output_to_a_pipe_named_dev_stdout_is_not_replaced(trace_file, tmp_path, capfd):
    assert main(["export", str(trace_file), "-f", "json", "-o", "/dev/stdout"]) == 0
    assert capfd.readouterr().out.startswith("{")
    assert Path("/dev/stdout").exists()


async def test_c_copies_escaped_text(tmp_path):
    from tui.ui.app import make_app

    path = tmp_path / "t.log"
    path.write_text(
        log_trace("http://h/x").replace("Request-Id: 1\n", f"Request-Id: 1\nX-Evil: a{NASTY}\n", 1)
    )
    app = make_app([str(path)])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert "X-Evil" in app.clipboard
        assert "\x1b" not in app.clipboard and "\u202e" not in app.clipboard
