#!/usr/bin/env python3
"""Recreate the real-tool samples in sample_traces/ from a clean checkout, in one command.

    python sample_traces/generator/generate.py [--venv DIR] [--only NAME ...]

It creates a throwaway venv (default: $TMPDIR/tracetui-gen-venv; ``--venv`` takes another,
existing or not) with the pinned tools of requirements.txt, starts the fake OpenStack of
fake_openstack.py on 127.0.0.1, and runs the real tools against it:

- python-openstackclient ``--debug`` (stderr) and ``--log-file``;
- a nova-api-like process logging keystoneauth1 at DEBUG through oslo.log;
- mitmproxy's ``mitmdump`` as a reverse proxy in front of the fake, writing a HAR (hardump);
- opentelemetry-sdk: the client (osc, requests instrumented) and every fake service (WSGI
  instrumented), written by opentelemetry-exporter-otlp-json-file.
- a real Chromium (Debian's ``chromium``; ``apt-get install chromium``) loading two dashboard
  pages of the fake, its HAR saved by chrome-har-capturer (npm, installed next to the venv).
  This step runs last; without Chromium it stops with that hint after the others are made.

Every sample is the file the tool wrote, untouched. Nothing binds or connects beyond
127.0.0.1: the fake asserts it when it binds, and this script checks the listening sockets of
the fake and of mitmdump in /proc before it sends anything. Ids come from the fake and are the
same every run; timestamps, durations and ports differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
LOOPBACK = "127.0.0.1"
DEFAULT_VENV = Path(tempfile.gettempdir()) / "tracetui-gen-venv"
HAR_CAPTURER = "0.14.4"  # npm chrome-har-capturer, driving Debian's chromium

IMAGE_ID = "da9259d0-b57f-4230-a2cf-e5bc6cedf19e"
SERVER_ID = "6dc2e525-a218-4814-9dc5-4cfcf2332268"
SERVER_CREATE = [
    "server",
    "create",
    "--image",
    IMAGE_ID,
    "--flavor",
    "c1",
    "--network",
    "4529570d-57bf-4ec8-8d67-937f13b1d9ae",
    "--key-name",
    "jade-public-key",
    "--security-group",
    "eff69e1a-958f-4d8f-9db5-7b117f42e14d",
    "--wait",
    "cirros-instance",
]
IMAGE_FILE = "cirros-upload.qcow2"
IMAGE_CREATE = [
    "image",
    "create",
    "--disk-format",
    "qcow2",
    "--container-format",
    "bare",
    "--file",
    IMAGE_FILE,
    "cirros-upload",
]
OTHER_COMMANDS = [
    ["server", "list"],
    ["server", "show", SERVER_ID],
    ["image", "list"],
    ["network", "list"],
    IMAGE_CREATE,
    ["server", "show", "missing"],  # fails: nova answers 404, osc exits 1
]


def log(msg: str) -> None:
    print(f"[generate] {msg}", flush=True)


def ensure_venv(venv: Path) -> Path:
    """The venv's python, after installing requirements.txt into it when they changed."""
    python = venv / "bin" / "python"
    wanted = (HERE / "requirements.txt").read_text()
    stamp = venv / "tracetui-requirements.txt"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        log(f"creating venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    log("installing requirements.txt into it (pip)")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def ensure_npm(prefix: Path) -> Path:
    """chrome-har-capturer (npm), installed under prefix when missing."""
    tool = prefix / "node_modules" / ".bin" / "chrome-har-capturer"
    if not tool.exists():
        log(f"installing chrome-har-capturer@{HAR_CAPTURER} into {prefix} (npm)")
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                f"chrome-har-capturer@{HAR_CAPTURER}",
            ],
            check=True,
        )
    return tool


def listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket the process listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A: LISTEN
                continue
            hexaddr, hexport = cols[1].split(":")
            raw = bytes.fromhex(hexaddr)
            if width == 8:
                addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
            else:
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                addr = socket.inet_ntop(socket.AF_INET6, words)
            found.append((addr, int(hexport, 16)))
    return found


def assert_loopback_only(pid: int, what: str) -> None:
    addrs = listening(pid)
    assert addrs, f"{what} listens on nothing"
    wrong = [a for a in addrs if a[0] not in (LOOPBACK, "::ffff:127.0.0.1")]
    assert not wrong, f"{what} listens beyond 127.0.0.1: {wrong}"
    log(f"{what} (pid {pid}) listens on {sorted(addrs)} only")


class Fake:
    """fake_openstack.py in a child process; stops (and flushes its spans) on close."""

    def __init__(self, python: Path, otlp: Path | None = None) -> None:
        cmd = [str(python), str(HERE / "fake_openstack.py")]
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        if otlp is not None:
            cmd += ["--otlp", str(otlp)]
            # The services speak the stable HTTP semantic conventions (http.request.method,
            # url.path, http.response.status_code); the client keeps its instrumentation's
            # default, the older http.method / http.url / http.status_code. Both are in use.
            env["OTEL_SEMCONV_STABILITY_OPT_IN"] = "http"
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        hello = json.loads(self.proc.stdout.readline())
        assert hello["host"] == LOOPBACK, hello
        self.ports: dict[str, int] = hello["ports"]
        assert_loopback_only(self.proc.pid, "fake OpenStack")
        self.main = f"http://{LOOPBACK}:{self.ports['main']}"
        self.network = f"http://{LOOPBACK}:{self.ports['network']}"

    def advertise(self, main: str, network: str) -> None:
        """Make the catalog and links name other base URLs (the proxy in front)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"advertise": {"main": main, "network": network}}) + "\n")
        self.proc.stdin.flush()
        assert json.loads(self.proc.stdout.readline()) == {"ok": True}

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait(timeout=60) != 0:
            raise SystemExit(f"fake OpenStack exited {self.proc.returncode}")


@contextmanager
def fake(python: Path, otlp: Path | None = None) -> Iterator[Fake]:
    f = Fake(python, otlp)
    try:
        yield f
    finally:
        f.close()


def osc_env(auth_base: str, home: Path) -> dict[str, str]:
    """Password auth by OS_* variables; HOME is empty so no clouds.yaml interferes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "OTEL_"))}
    env.update(
        HOME=str(home),
        OS_AUTH_URL=auth_base + "/identity/v3",
        OS_AUTH_TYPE="password",
        OS_USERNAME="admin",
        OS_PASSWORD="asdf",
        OS_PROJECT_NAME="admin",
        OS_USER_DOMAIN_ID="default",
        OS_PROJECT_DOMAIN_ID="default",
        OS_IDENTITY_API_VERSION="3",
        OS_REGION_NAME="RegionOne",
        OS_INTERFACE="public",
        # osc prints its options from a set: a fixed hash seed keeps their order from run to run.
        PYTHONHASHSEED="0",
        NO_PROXY="*",
        no_proxy="*",
    )
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(var, None)
    return env


def run(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    stderr_to: Path | None = None,
    append: bool = False,
    ok: tuple[int, ...] = (0,),
) -> None:
    """Run a tool with stdout dropped (a user's ``2> trace.log`` keeps only stderr)."""
    log("$ " + " ".join(cmd))
    mode = "ab" if append else "wb"
    with open(stderr_to or os.devnull, mode) as err:
        rc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err).returncode
    if rc not in ok:
        raise SystemExit(f"exit {rc} from {cmd}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((LOOPBACK, port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {LOOPBACK}:{port}")


class Generator:
    def __init__(self, python: Path, work: Path, out: Path) -> None:
        self.python = python
        self.bin = python.parent
        self.work = work
        self.out = out
        # Tools run in work/ and get relative paths: the paths they log are the same each run.
        (work / IMAGE_FILE).write_bytes(fake_qcow2())

    def osc(self, args: list[str]) -> list[str]:
        return [str(self.bin / "openstack"), *args]

    def debug(self) -> None:
        """openstack --debug …: what keystoneauth logs on stderr."""
        target = self.out / "osc-server-create.debug.log"
        more = self.out / "osc-commands.debug.log"
        with fake(self.python) as f:
            env = osc_env(f.main, self.work)
            run(self.osc(["--debug", *SERVER_CREATE]), env, self.work, target)
            more.write_bytes(b"")
            for args in OTHER_COMMANDS:
                ok = (1,) if args[-1] == "missing" else (0,)
                run(self.osc(["--debug", *args]), env, self.work, more, append=True, ok=ok)

    def logfile(self) -> None:
        """openstack --log-file FILE -vv …: the same lines with timestamps, in a file."""
        target = self.out / "osc-server-create.logfile.log"
        target.unlink(missing_ok=True)
        with fake(self.python) as f:
            run(
                self.osc(["--log-file", target.name, "-vv", *SERVER_CREATE]),
                osc_env(f.main, self.work),
                self.out,
            )

    def service_log(self) -> None:
        """keystoneauth1 at DEBUG inside an oslo.log service log (nova-api-like)."""
        target = self.out / "nova-api-keystoneauth.log"
        target.unlink(missing_ok=True)
        with fake(self.python) as f:
            run(
                [
                    str(self.python),
                    str(HERE / "nova_api_like.py"),
                    f.main + "/identity/v3",
                    target.name,
                ],
                osc_env(f.main, self.work),
                self.out,
            )

    def har(self) -> None:
        """mitmdump in reverse-proxy mode in front of both fake ports, writing a HAR."""
        target = self.out / "osc-server-create.har"
        target.unlink(missing_ok=True)
        with fake(self.python) as f:
            pmain, pnet = free_port(), free_port()
            cmd = [
                str(self.bin / "mitmdump"),
                "-q",
                "--listen-host",
                LOOPBACK,
                "--mode",
                f"reverse:{f.main}@{LOOPBACK}:{pmain}",
                "--mode",
                f"reverse:{f.network}@{LOOPBACK}:{pnet}",
                "--set",
                f"hardump={target}",
                "--set",
                f"confdir={self.work / 'mitmproxy'}",
            ]
            log("$ " + " ".join(cmd))
            proxy = subprocess.Popen(cmd, env=osc_env(f.main, self.work))
            try:
                wait_port(pmain)
                wait_port(pnet)
                assert_loopback_only(proxy.pid, "mitmdump")
                proxied_main = f"http://{LOOPBACK}:{pmain}"
                f.advertise(proxied_main, f"http://{LOOPBACK}:{pnet}")
                env = osc_env(proxied_main, self.work)
                run(self.osc(SERVER_CREATE), env, self.work)
                run(self.osc(IMAGE_CREATE), env, self.work)
                run(self.osc(["server", "show", "missing"]), env, self.work, ok=(1,))
            finally:
                proxy.send_signal(signal.SIGINT)  # mitmdump writes the HAR as it shuts down
                proxy.wait(timeout=60)

    def browser_har(self) -> None:
        """A real Chromium loads two dashboard pages; chrome-har-capturer saves the HAR.

        Chromium resolves nothing but 127.0.0.1 and any other request goes to a dead proxy
        on 127.0.0.1:9, so no background request of the browser leaves the machine.
        """
        target = self.out / "browser-dashboard.har"
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            raise SystemExit("browser_har needs Chromium: apt-get install chromium")
        capturer = ensure_npm(self.python.parent.parent / "npm")
        with fake(self.python) as f:
            port = free_port()
            cmd = [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                f"--remote-debugging-address={LOOPBACK}",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.work / 'chromium'}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-domain-reliability",
                "--disable-client-side-phishing-detection",
                "--metrics-recording-only",
                f"--proxy-server=http://{LOOPBACK}:9",
                f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOOPBACK}",
                "about:blank",
            ]
            log("$ " + " ".join(cmd))
            browser = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_port(port)
                assert_loopback_only(browser.pid, "chromium")
                pages = [
                    f"{f.main}/dashboard{p}" for p in ("/project/instances/", "/project/images/")
                ]
                run(
                    [
                        str(capturer),
                        "-t",
                        LOOPBACK,
                        "-p",
                        str(port),
                        "-c",
                        "-g",  # the pages' API calls run after the load event
                        "3000",
                        "-o",
                        str(target),
                        *pages,
                    ],
                    osc_env(f.main, self.work),
                    self.work,
                )
            finally:
                browser.terminate()
                browser.wait(timeout=60)

    def otlp(self) -> None:
        """OTLP/JSON spans of the instrumented client and of every instrumented service."""
        target = self.out / "osc-server-create.otlp.jsonl"
        target.unlink(missing_ok=True)
        with fake(self.python, otlp=target) as f:
            env = osc_env(f.main, self.work)
            wrapper = [str(self.python), str(HERE / "otel_osc.py"), str(target)]
            run(wrapper + SERVER_CREATE, env, self.work)
            run([*wrapper, "server", "show", "missing"], env, self.work, ok=(1,))


def fake_qcow2() -> bytes:
    """A small deterministic 'disk image' starting like a qcow2 file (binary, not UTF-8)."""
    header = b"QFI\xfb\x00\x00\x00\x03" + bytes(24) + (1 << 16).to_bytes(4, "big")
    body = bytes((i * 151 + 7) % 256 for i in range(2048 - len(header)))
    return header + body


def summary(out: Path, names: list[str]) -> None:
    """Lines, bytes and requests seen in each sample, read back with the stdlib only."""
    for name in names:
        path = out / name
        if not path.exists():
            log(f"{name}: MISSING")
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        if name.endswith(".har"):
            entries = json.loads(text)["log"]["entries"]
            seen = f"{len(entries)} HAR entries"
        elif name.endswith(".jsonl"):
            spans = [
                s
                for line in text.splitlines()
                for rs in json.loads(line)["resourceSpans"]
                for ss in rs["scopeSpans"]
                for s in ss["spans"]
            ]
            services = {
                a["value"]["stringValue"]
                for line in text.splitlines()
                for rs in json.loads(line)["resourceSpans"]
                for a in rs["resource"]["attributes"]
                if a["key"] == "service.name"
            }
            names = ", ".join(sorted(services))
            seen = f"{len(spans)} spans from {len(services)} services ({names})"
        else:
            seen = f"{text.count('REQ: curl')} REQ lines, {text.count('RESP: [')} RESP lines"
        log(f"{name}: {text.count(chr(10))} lines, {len(data)} bytes, {seen}")


STEPS = ("debug", "logfile", "service_log", "har", "otlp", "browser_har")
OUTPUTS = {
    "debug": ["osc-server-create.debug.log", "osc-commands.debug.log"],
    "logfile": ["osc-server-create.logfile.log"],
    "service_log": ["nova-api-keystoneauth.log"],
    "har": ["osc-server-create.har"],
    "browser_har": ["browser-dashboard.har"],
    "otlp": ["osc-server-create.otlp.jsonl"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv",
        type=Path,
        default=DEFAULT_VENV,
        help=f"venv with the tools (created if missing; default {DEFAULT_VENV})",
    )
    parser.add_argument("--only", nargs="+", choices=STEPS, help="make only these samples")
    parser.add_argument("--out", type=Path, default=SAMPLES, help="where samples go")
    args = parser.parse_args()
    python = ensure_venv(args.venv.absolute())
    steps = args.only or list(STEPS)
    work = Path(tempfile.mkdtemp(prefix="tracetui-gen-"))
    try:
        gen = Generator(python, work, args.out.absolute())
        for step in steps:
            log(f"--- {step}")
            getattr(gen, step)()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary(args.out, [n for s in steps for n in OUTPUTS[s]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
