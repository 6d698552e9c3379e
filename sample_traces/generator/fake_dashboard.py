"""Two small dashboard pages (Horizon-like) that a real browser loads from the fake OpenStack.

Mounted at ``/dashboard`` on the fake's main port, so the pages and the APIs they call share
one origin (no CORS). Each page loads a stylesheet and a script like Horizon does, then its
script logs in with Keystone (POST /identity/v3/auth/tokens, token from X-Subject-Token) and
calls the APIs its panel shows. The images page also asks for an image that does not exist
(a 404). A ``<div id="done">`` appears when the calls are over.
"""

from __future__ import annotations

import json
from typing import Any, Callable

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title} - OpenStack Dashboard</title>
<link rel="stylesheet" href="/dashboard/static/dashboard/css/dashboard.css">
<link rel="icon" href="/dashboard/static/dashboard/img/favicon.ico">
<script src="/dashboard/static/dashboard/js/panel.js"></script>
</head><body><h1>{title}</h1><table id="items"></table>
<script>panel({calls});</script></body></html>
"""

SCRIPT = """async function login() {
  const body = {auth: {identity: {methods: ["password"], password: {user: {
    name: "admin", domain: {id: "default"}, password: "asdf"}}},
    scope: {project: {name: "admin", domain: {id: "default"}}}}};
  const resp = await fetch("/identity/v3/auth/tokens", {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  return resp.headers.get("X-Subject-Token");
}
async function panel(calls) {
  const token = await login();
  for (const [path, version] of calls) {
    const headers = {"X-Auth-Token": token, "Accept": "application/json"};
    if (version) headers["OpenStack-API-Version"] = version;
    const resp = await fetch(path, {headers});
    const row = document.createElement("tr");
    row.textContent = resp.status + " " + path;
    document.getElementById("items").appendChild(row);
  }
  const done = document.createElement("div");
  done.id = "done";
  document.body.appendChild(done);
}
"""

CSS = "body { font-family: sans-serif; } table { border-collapse: collapse; }\n"
FAVICON = bytes.fromhex(
    "00000100010001010000010020003000000016000000280000000100000002000000010020000000"
    "0000040000000000000000000000000000000000000000ffd23000000000"
)

PANELS = {
    "/project/instances/": (
        "Instances",
        [
            ["/compute/v2.1/servers/detail", "compute 2.96"],
            ["/compute/v2.1/flavors/detail", "compute 2.96"],
            ["/image/v2/images", None],
        ],
    ),
    "/project/images/": (
        "Images",
        [
            ["/image/v2/images", None],
            ["/image/v2/images/00000000-0000-4000-8000-00000000dead", None],
        ],
    ),
}


class Dashboard:
    """A WSGI app serving the pages, their script, stylesheet and icon."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path in PANELS:
            title, calls = PANELS[path]
            body = PAGE.format(title=title, calls=json.dumps(calls)).encode()
            kind = "text/html; charset=utf-8"
        elif path == "/static/dashboard/js/panel.js":
            body, kind = SCRIPT.encode(), "application/javascript"
        elif path == "/static/dashboard/css/dashboard.css":
            body, kind = CSS.encode(), "text/css"
        elif path == "/static/dashboard/img/favicon.ico":
            body, kind = FAVICON, "image/vnd.microsoft.icon"
        else:
            body, kind = b"<h1>Not Found</h1>", "text/html; charset=utf-8"
            start_response(
                "404 Not Found", [("Content-Type", kind), ("Content-Length", str(len(body)))]
            )
            return [body]
        headers = [("Content-Type", kind), ("Content-Length", str(len(body)))]
        if kind.startswith("text/html"):
            headers += [("Vary", "Cookie,Accept-Language"), ("X-Frame-Options", "DENY")]
        start_response("200 OK", headers)
        return [body]
