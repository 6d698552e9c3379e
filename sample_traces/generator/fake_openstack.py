"""A small fake OpenStack, laid out like devstack, that binds 127.0.0.1 only.

It answers what python-openstackclient asks during ``server create --wait``, ``server list``,
``server show``, ``image list``, ``image create --file``, ``network list`` and what a
nova-api-like service asks neutron and placement. Ids are the ones of the devstack trace
``sample_traces/server-create.md`` (image, flavor, network, server, project, user), so a
requestshook run and a run against this fake align.

Layout (as devstack's Apache and neutron lay it out): one "apache" port serving
``/identity``, ``/compute``, ``/image``, ``/placement`` and ``/volume`` by path prefix, and a
second port serving neutron under ``/networking`` (devstack's :9696). Both are ephemeral.

Run: ``python fake_openstack.py [--otlp FILE]``. It prints one JSON line with its ports, then
reads commands on stdin, one JSON object a line:
``{"advertise": {"main": URL, "network": URL}}`` makes the catalog and links name other
base URLs (a proxy in front of it). End of stdin stops it (and flushes OTLP spans).

Stdlib only, except with ``--otlp``: then each service is wrapped in
opentelemetry-instrumentation-wsgi with its own ``service.name``, and nova-api's calls to
glance and neutron go through opentelemetry-instrumentation-requests.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email.utils
import hashlib
import io
import json
import random
import re
import socket
import sqlite3
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from fake_dashboard import Dashboard

LOOPBACK = "127.0.0.1"

# Ids of the devstack trace sample_traces/server-create.md.
PROJECT_ID = "67b814b10c624269b605ea8c571decdc"
SERVICE_PROJECT_ID = "8e9b3373fd3c4f40b07eb3491b23aad5"
USER_ID = "4349d516240540dda214bae62ae5ff48"
NOVA_USER_ID = "e677cd9f6af84957942be2c2ec9f8fd7"
IMAGE_ID = "da9259d0-b57f-4230-a2cf-e5bc6cedf19e"
IMAGE_NAME = "cirros-0.5.2-x86_64-disk"
FLAVOR_ID = "c1"
NETWORK_ID = "4529570d-57bf-4ec8-8d67-937f13b1d9ae"
SUBNET_ID = "eba0a3fb-c4cf-4380-b1ad-39cadcdaf609"
SECGROUP_ID = "eff69e1a-958f-4d8f-9db5-7b117f42e14d"
SERVER_ID = "6dc2e525-a218-4814-9dc5-4cfcf2332268"
PORT_ID = "f2267b05-180b-4920-b1e5-a77d38f70c24"
NEW_IMAGE_ID = "2b1ffd6c-9f43-4c5c-9d0b-5a3c3a8e0f11"
ADMIN_PASSWORD = "asdf"  # devstack's ADMIN_PASSWORD in the trace; redaction tests look for it
SERVICE_PASSWORD = "secretservice"
# How many GETs of a new server answer BUILD before it is ACTIVE (osc --wait polls).
BUILD_POLLS = 2

APACHE = "Apache/2.4.52 (Ubuntu)"
NEUTRON = "neutron-server"


def _token(n: int) -> str:
    """A Fernet-looking token, the same for the same n in every run."""
    raw = hashlib.sha256(b"fake-openstack-token-%d" % n).digest() * 6
    return "gAAAAAB" + base64.urlsafe_b64encode(raw[:135]).decode().rstrip("=")


class Ids:
    """Request ids (req-<uuid>) from a seeded generator: the same calls give the same ids."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def request_id(self) -> str:
        with self._lock:
            return "req-" + str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


class Request:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method: str = environ["REQUEST_METHOD"]
        self.path: str = environ.get("PATH_INFO", "") or "/"
        self.query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body: bytes = environ["wsgi.input"].read(length) if length else b""

    def header(self, name: str) -> str:
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"), "")

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


class Response:
    def __init__(
        self,
        status: str,
        body: Any = None,
        headers: list[tuple[str, str]] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.status = status
        self.headers = list(headers or [])
        if body is None:
            self.body = b""
        elif isinstance(body, bytes):
            self.body = body
        else:
            self.body = json.dumps(body).encode()
        if self.body or status[:3] not in ("204", "304"):
            self.headers.insert(0, ("Content-Type", content_type))
        self.headers.insert(1, ("Content-Length", str(len(self.body))))


Route = tuple[str, "re.Pattern[str]", Callable[..., Response]]


class Service:
    """One OpenStack service: a WSGI app answering its routes with its request-id headers."""

    name = "service"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.ids = Ids(self.name)
        self.routes: list[Route] = []
        self.tracer: Any = None  # an OpenTelemetry tracer with --otlp

    def span(self, name: str) -> contextlib.AbstractContextManager[Any]:
        """A nested INTERNAL span (as osprofiler traces a method) when tracing is on."""
        if self.tracer is None:
            return contextlib.nullcontext()
        return self.tracer.start_as_current_span(name)

    def route(self, method: str, pattern: str, handler: Callable[..., Response]) -> None:
        self.routes.append((method, re.compile(pattern + "$"), handler))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        req = Request(environ)
        resp = self.dispatch(req)
        start_response(resp.status, resp.headers + self.extra_headers(req, resp))
        return [resp.body]

    def dispatch(self, req: Request) -> Response:
        for method, pattern, handler in self.routes:
            m = pattern.match(req.path)
            if m and method == req.method:
                if not self.authorized(req, handler):
                    return self.error(
                        "401 Unauthorized", "The request you have made requires authentication."
                    )
                return handler(req, *m.groups())
        return self.error("404 Not Found", "The resource could not be found.")

    def authorized(self, req: Request, handler: Callable[..., Response]) -> bool:
        if getattr(handler, "public", False):
            return True
        return req.header("X-Auth-Token") in self.cloud.tokens

    def error(self, status: str, message: str) -> Response:
        code, _, title = status.partition(" ")
        return Response(status, {"error": {"code": int(code), "title": title, "message": message}})

    def extra_headers(self, req: Request, resp: Response) -> list[tuple[str, str]]:
        return [("x-openstack-request-id", self.ids.request_id())]

    # Links name the advertised base URL (the proxy's, when one is in front).
    def url(self, path: str) -> str:
        return self.cloud.advertise["main"] + path


def public(handler: Callable[..., Response]) -> Callable[..., Response]:
    handler.public = True  # type: ignore[attr-defined]
    return handler


class Cloud:
    """The state every fake service shares: tokens, servers, images, advertised base URLs."""

    def __init__(self) -> None:
        self.advertise = {"main": "", "network": ""}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.token_count = 0
        self.lock = threading.Lock()
        self.servers: dict[str, dict[str, Any]] = {}
        self.server_polls: dict[str, int] = {}
        self.images: dict[str, dict[str, Any]] = {IMAGE_ID: cirros_image()}
        self.image_data: dict[str, bytes] = {}
        self.outbound: Callable[..., Any] | None = None  # nova-api's HTTP client (requests)

    def catalog(self, project_id: str) -> list[dict[str, Any]]:
        main, net = self.advertise["main"], self.advertise["network"]
        entries = [
            ("identity", "keystone", main + "/identity", "9d6a1fbd3c2e4b7a8e5f0a1b2c3d4e5f"),
            ("compute", "nova", main + "/compute/v2.1", "3b1f7c2a9d8e4f6a5b4c3d2e1f0a9b8c"),
            (
                "compute_legacy",
                "nova_legacy",
                f"{main}/compute/v2/{project_id}",
                "5c2e8d3b0a9f4e7b6c5d4e3f2a1b0c9d",
            ),
            ("image", "glance", main + "/image", "7d3f9e4c1b0a4f8c7d6e5f4a3b2c1d0e"),
            ("network", "neutron", net + "/networking", "8e4a0f5d2c1b4a9d8e7f6a5b4c3d2e1f"),
            ("placement", "placement", main + "/placement", "9f5b1a6e3d2c4b0e9f8a7b6c5d4e3f2a"),
            (
                "block-storage",
                "cinder",
                f"{main}/volume/v3/{project_id}",
                "0a6c2b7f4e3d4c1f0a9b8c7d6e5f4a3b",
            ),
            (
                "volumev3",
                "cinderv3",
                f"{main}/volume/v3/{project_id}",
                "1b7d3c8a5f4e4d2a1b0c9d8e7f6a5b4c",
            ),
        ]
        return [
            {
                "endpoints": [
                    {
                        "id": hashlib.md5(f"{sid}-public".encode()).hexdigest(),
                        "interface": "public",
                        "region_id": "RegionOne",
                        "url": url,
                        "region": "RegionOne",
                    }
                ],
                "id": sid,
                "type": stype,
                "name": name,
            }
            for stype, name, url, sid in entries
        ]


def cirros_image() -> dict[str, Any]:
    return {
        "hw_rng_model": "virtio",
        "owner_specified.openstack.md5": "",
        "owner_specified.openstack.object": "images/cirros-0.5.2-x86_64-disk",
        "owner_specified.openstack.sha256": "",
        "name": IMAGE_NAME,
        "disk_format": "qcow2",
        "container_format": "bare",
        "visibility": "public",
        "size": 16300544,
        "virtual_size": 117440512,
        "status": "active",
        "checksum": "b874c39491a2377b8490f5f1e89761a4",
        "protected": False,
        "min_ram": 0,
        "min_disk": 0,
        "owner": PROJECT_ID,
        "os_hidden": False,
        "os_hash_algo": "sha512",
        "os_hash_value": "6b813aa46bb90b4da216a4d19376593fa3f4fc7e617f03a92b7fe11e9a3981cbe8f"
        "0959dbebe36225e5f53dc4492341a4863cac4ed1ee0909f3fc78ef9c3e869",
        "id": IMAGE_ID,
        "created_at": "2023-01-04T03:27:02Z",
        "updated_at": "2023-01-04T03:27:05Z",
        "tags": [],
        "self": f"/v2/images/{IMAGE_ID}",
        "file": f"/v2/images/{IMAGE_ID}/file",
        "schema": "/v2/schemas/image",
    }


def shared_network() -> dict[str, Any]:
    return {
        "id": NETWORK_ID,
        "name": "shared",
        "tenant_id": PROJECT_ID,
        "admin_state_up": True,
        "mtu": 1442,
        "status": "ACTIVE",
        "subnets": [SUBNET_ID],
        "shared": True,
        "availability_zone_hints": [],
        "availability_zones": [],
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "router:external": False,
        "description": "",
        "port_security_enabled": True,
        "tags": [],
        "created_at": "2023-01-04T03:52:11Z",
        "updated_at": "2023-01-04T03:52:14Z",
        "revision_number": 2,
        "project_id": PROJECT_ID,
        "provider:network_type": "geneve",
        "provider:physical_network": None,
        "provider:segmentation_id": 59003,
    }


def flavor(base: str) -> dict[str, Any]:
    return {
        "id": FLAVOR_ID,
        "name": "cirros256",
        "ram": 256,
        "disk": 1,
        "swap": "",
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "vcpus": 1,
        "os-flavor-access:is_public": True,
        "rxtx_factor": 1.0,
        "links": [
            {"rel": "self", "href": f"{base}/compute/v2.1/flavors/{FLAVOR_ID}"},
            {"rel": "bookmark", "href": f"{base}/compute/flavors/{FLAVOR_ID}"},
        ],
    }


class Keystone(Service):
    name = "keystone"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.route("GET", r"/?", self.versions)
        self.route("GET", r"/v3/?", self.v3)
        self.route("POST", r"/v3/auth/tokens", self.issue)
        self.route("GET", r"/v3/auth/tokens", self.validate)

    def version(self) -> dict[str, Any]:
        return {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": self.url("/identity/v3/")}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }

    @public
    def versions(self, req: Request) -> Response:
        return Response(
            "300 Multiple Choices",
            {"versions": {"values": [self.version()]}},
            [("Location", self.url("/identity/v3/")), ("Vary", "X-Auth-Token")],
        )

    @public
    def v3(self, req: Request) -> Response:
        return Response("200 OK", {"version": self.version()}, [("Vary", "X-Auth-Token")])

    @public
    def issue(self, req: Request) -> Response:
        auth = req.json().get("auth", {})
        user = auth.get("identity", {}).get("password", {}).get("user", {})
        expected = {"admin": ADMIN_PASSWORD, "nova": SERVICE_PASSWORD}
        if user.get("name") not in expected or user.get("password") != expected[user["name"]]:
            return self.error(
                "401 Unauthorized", "The request you have made requires authentication."
            )
        with self.cloud.lock:
            self.cloud.token_count += 1
            token = _token(self.cloud.token_count)
        admin = user["name"] == "admin"
        body = self.token_body(
            user["name"],
            USER_ID if admin else NOVA_USER_ID,
            "admin" if admin else "service",
            PROJECT_ID if admin else SERVICE_PROJECT_ID,
            token,
        )
        self.cloud.tokens[token] = body
        return Response("201 Created", body, [("X-Subject-Token", token), ("Vary", "X-Auth-Token")])

    def validate(self, req: Request) -> Response:
        body = self.cloud.tokens.get(req.header("X-Subject-Token"))
        if body is None:
            return self.error("404 Not Found", "Could not find token.")
        return Response(
            "200 OK",
            body,
            [("X-Subject-Token", req.header("X-Subject-Token")), ("Vary", "X-Auth-Token")],
        )

    def token_body(
        self, user: str, user_id: str, project: str, project_id: str, token: str
    ) -> dict[str, Any]:
        audit = base64.urlsafe_b64encode(hashlib.md5(token.encode()).digest()).decode()[:22]
        return {
            "token": {
                "methods": ["password"],
                "user": {
                    "domain": {"id": "default", "name": "Default"},
                    "id": user_id,
                    "name": user,
                    "password_expires_at": None,
                },
                "audit_ids": [audit],
                "expires_at": "2099-01-01T00:00:00.000000Z",
                "issued_at": "2026-01-01T00:00:00.000000Z",
                "project": {
                    "domain": {"id": "default", "name": "Default"},
                    "id": project_id,
                    "name": project,
                },
                "is_domain": False,
                "roles": [
                    {"id": "9337768beffd44aba230cf6281265629", "name": "reader"},
                    {"id": "a1c3e5f7b9d14f2a8c6e4b2d0f9e7c5a", "name": "member"},
                    {"id": "b2d4f6a8c0e24a3b9d7f5c3e1a0f8d6b", "name": "admin"},
                ],
                "catalog": self.cloud.catalog(project_id),
            }
        }


class Nova(Service):
    name = "nova-api"
    MAX_VERSION = "2.96"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self._db: sqlite3.Connection | None = None
        self.route("GET", r"/?", self.versions)
        self.route("GET", r"/v2\.1/?", self.v21)
        self.route("GET", r"/v2\.1/flavors/detail", self.flavors)
        self.route("GET", r"/v2\.1/flavors/([^/]+)", self.flavor)
        self.route("GET", r"/v2\.1/flavors", self.flavors)
        self.route("POST", r"/v2\.1/servers", self.create)
        self.route("GET", r"/v2\.1/servers/detail", self.list_servers)
        self.route("GET", r"/v2\.1/servers", self.list_servers)
        self.route("GET", r"/v2\.1/servers/([^/]+)", self.show)

    def microversion(self, req: Request) -> str:
        asked = req.header("OpenStack-API-Version").replace("compute", "").strip()
        asked = asked or req.header("X-OpenStack-Nova-API-Version")
        if asked == "latest":
            return self.MAX_VERSION
        return asked or "2.1"

    def extra_headers(self, req: Request, resp: Response) -> list[tuple[str, str]]:
        rid = self.ids.request_id()
        version = self.microversion(req)
        return [
            ("OpenStack-API-Version", f"compute {version}"),
            ("X-OpenStack-Nova-API-Version", version),
            ("Vary", "OpenStack-API-Version"),
            ("Vary", "X-OpenStack-Nova-API-Version"),
            ("x-openstack-request-id", rid),
            ("x-compute-request-id", rid),
        ]

    def error(self, status: str, message: str) -> Response:
        code = int(status[:3])
        fault = {400: "badRequest", 401: "unauthorized", 404: "itemNotFound"}.get(code, "fault")
        return Response(status, {fault: {"code": code, "message": message}})

    def version_doc(self) -> dict[str, Any]:
        return {
            "id": "v2.1",
            "status": "CURRENT",
            "version": self.MAX_VERSION,
            "min_version": "2.1",
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": self.url("/compute/v2.1/")}],
            "media-types": [
                {
                    "base": "application/json",
                    "type": "application/vnd.openstack.compute+json;version=2.1",
                }
            ],
        }

    @public
    def versions(self, req: Request) -> Response:
        return Response("200 OK", {"versions": [self.version_doc()]})

    @public
    def v21(self, req: Request) -> Response:
        return Response("200 OK", {"version": self.version_doc()})

    def flavor(self, req: Request, flavor_id: str) -> Response:
        if flavor_id != FLAVOR_ID:
            return self.error("404 Not Found", f"Flavor {flavor_id} could not be found.")
        return Response("200 OK", {"flavor": flavor(self.cloud.advertise["main"])})

    def flavors(self, req: Request) -> Response:
        return Response("200 OK", {"flavors": [flavor(self.cloud.advertise["main"])]})

    def db(self) -> sqlite3.Connection:
        """nova_api's instances table, in memory; opened late so the sqlite3 tracing sees it."""
        if self._db is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False)
            self._db.execute(
                "CREATE TABLE instances (uuid TEXT PRIMARY KEY, display_name TEXT, "
                "vm_state TEXT, image_ref TEXT, instance_type_id TEXT)"
            )
        return self._db

    def create(self, req: Request) -> Response:
        body = req.json()["server"]
        with self.span("nova.compute.api.API.create"):
            # nova-api asks glance for the image and neutron for the network, as it does.
            if self.cloud.outbound is not None:
                self.cloud.outbound("image", f"/v2/images/{body['imageRef']}", req)
                self.cloud.outbound("network", f"/v2.0/networks/{NETWORK_ID}", req)
            with self.cloud.lock:
                server_id = (
                    SERVER_ID
                    if not self.cloud.servers
                    else str(uuid.UUID(int=len(self.cloud.servers), version=4))
                )
                self.cloud.servers[server_id] = dict(body, id=server_id)
                self.cloud.server_polls[server_id] = 0
                self.db().cursor().execute(
                    "INSERT INTO instances VALUES (?, ?, ?, ?, ?)",
                    (server_id, body.get("name"), "building", body.get("imageRef"), FLAVOR_ID),
                )
        base = self.cloud.advertise["main"]
        return Response(
            "202 Accepted",
            {
                "server": {
                    "id": server_id,
                    "links": self.server_links(server_id),
                    "OS-DCF:diskConfig": "MANUAL",
                    "security_groups": body.get("security_groups", [{"name": "default"}]),
                    "adminPass": "kNNSdm96W6ma",
                }
            },
            [("location", f"{base}/compute/v2.1/servers/{server_id}")],
        )

    def server_links(self, server_id: str) -> list[dict[str, str]]:
        base = self.cloud.advertise["main"]
        return [
            {"rel": "self", "href": f"{base}/compute/v2.1/servers/{server_id}"},
            {"rel": "bookmark", "href": f"{base}/compute/servers/{server_id}"},
        ]

    def server_doc(self, server_id: str, status: str) -> dict[str, Any]:
        base = self.cloud.advertise["main"]
        asked = self.cloud.servers[server_id]
        active = status == "ACTIVE"
        return {
            "id": server_id,
            "name": asked.get("name", "cirros-instance"),
            "status": status,
            "tenant_id": PROJECT_ID,
            "user_id": USER_ID,
            "metadata": {},
            "hostId": "8c4e5d1f0c5b1b6b0c9e6f1a2e7b9d3c4f5a6b7c8d9e0f1a2b3c4d5e" if active else "",
            "image": {
                "id": asked.get("imageRef", IMAGE_ID),
                "links": [{"rel": "bookmark", "href": f"{base}/compute/images/{IMAGE_ID}"}],
            },
            "flavor": {
                "id": FLAVOR_ID,
                "links": [{"rel": "bookmark", "href": f"{base}/compute/flavors/{FLAVOR_ID}"}],
            },
            "created": "2023-01-06T00:15:11Z",
            "updated": "2023-01-06T00:15:20Z" if active else "2023-01-06T00:15:11Z",
            "addresses": (
                {
                    "shared": [
                        {
                            "version": 4,
                            "addr": "192.168.233.88",
                            "OS-EXT-IPS:type": "fixed",
                            "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:3b:5e:1c",
                        }
                    ]
                }
                if active
                else {}
            ),
            "accessIPv4": "",
            "accessIPv6": "",
            "links": self.server_links(server_id),
            "OS-DCF:diskConfig": "MANUAL",
            "progress": 0,
            "OS-EXT-AZ:availability_zone": "nova" if active else "",
            "config_drive": "",
            "key_name": asked.get("key_name"),
            "OS-SRV-USG:launched_at": "2023-01-06T00:15:20.000000" if active else None,
            "OS-SRV-USG:terminated_at": None,
            "security_groups": [{"name": "default"}] if active else [],
            "OS-EXT-SRV-ATTR:host": "devstack" if active else None,
            "OS-EXT-SRV-ATTR:instance_name": "instance-00000001" if active else "",
            "OS-EXT-SRV-ATTR:hypervisor_hostname": "devstack" if active else None,
            "OS-EXT-STS:task_state": None if active else "scheduling",
            "OS-EXT-STS:vm_state": "active" if active else "building",
            "OS-EXT-STS:power_state": 1 if active else 0,
            "os-extended-volumes:volumes_attached": [],
        }

    def show(self, req: Request, server_id: str) -> Response:
        with self.cloud.lock:
            if server_id not in self.cloud.servers:
                return self.error("404 Not Found", f"Instance {server_id} could not be found.")
            self.cloud.server_polls[server_id] += 1
            polls = self.cloud.server_polls[server_id]
            self.db().cursor().execute(
                "SELECT uuid, display_name, vm_state FROM instances WHERE uuid = ?", (server_id,)
            ).fetchall()
        status = "BUILD" if polls <= BUILD_POLLS else "ACTIVE"
        return Response("200 OK", {"server": self.server_doc(server_id, status)})

    def list_servers(self, req: Request) -> Response:
        name = req.query.get("name", [None])[0]
        docs = [
            self.server_doc(sid, "ACTIVE")
            for sid, asked in self.cloud.servers.items()
            if name is None or re.search(name, asked.get("name", ""))
        ]
        return Response("200 OK", {"servers": docs})


class Glance(Service):
    name = "glance-api"
    VERSIONS = ("2.16", "2.15", "2.9", "2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0")

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.route("GET", r"/?", self.versions)
        self.route("GET", r"/versions", self.versions)
        self.route("GET", r"/v2/images", self.list_images)
        self.route("POST", r"/v2/images", self.create)
        self.route("GET", r"/v2/images/([^/]+)", self.show)
        self.route("PUT", r"/v2/images/([^/]+)/file", self.upload)
        self.route("GET", r"/v2/schemas/image", self.schema)

    def error(self, status: str, message: str) -> Response:
        # glance (webob) answers errors in plain text
        text = f"{status}\n\n{message}\n\n   "
        return Response(status, text.encode(), content_type="text/plain; charset=UTF-8")

    @public
    def versions(self, req: Request) -> Response:
        href = self.url("/image/v2/")
        values = [
            {
                "id": "v" + v,
                "status": "CURRENT" if i == 0 else "SUPPORTED",
                "links": [{"rel": "self", "href": href}],
            }
            for i, v in enumerate(self.VERSIONS)
        ]
        return Response("300 Multiple Choices", {"versions": values})

    def show(self, req: Request, image_id: str) -> Response:
        image = self.cloud.images.get(image_id)
        if image is None:
            return self.error("404 Not Found", f"No image found with ID {image_id}")
        return Response("200 OK", image)

    def list_images(self, req: Request) -> Response:
        name = req.query.get("name", [None])[0]
        images = [i for i in self.cloud.images.values() if name in (None, i["name"])]
        return Response(
            "200 OK", {"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"}
        )

    def create(self, req: Request) -> Response:
        asked = req.json()
        image = {
            "name": asked.get("name"),
            "disk_format": asked.get("disk_format", "raw"),
            "container_format": asked.get("container_format", "bare"),
            "visibility": asked.get("visibility", "shared"),
            "size": None,
            "virtual_size": None,
            "status": "queued",
            "checksum": None,
            "protected": False,
            "min_ram": 0,
            "min_disk": 0,
            "owner": PROJECT_ID,
            "os_hidden": False,
            "os_hash_algo": None,
            "os_hash_value": None,
            "id": NEW_IMAGE_ID,
            "created_at": "2023-01-06T01:02:03Z",
            "updated_at": "2023-01-06T01:02:03Z",
            "tags": asked.get("tags", []),
            "self": f"/v2/images/{NEW_IMAGE_ID}",
            "file": f"/v2/images/{NEW_IMAGE_ID}/file",
            "schema": "/v2/schemas/image",
        }
        extra = {k: v for k, v in asked.items() if k not in image and isinstance(v, str)}
        image.update(extra)
        self.cloud.images[NEW_IMAGE_ID] = image
        return Response("201 Created", image, [("Location", self.url(image["self"]))])

    def upload(self, req: Request, image_id: str) -> Response:
        image = self.cloud.images.get(image_id)
        if image is None:
            return self.error("404 Not Found", f"No image found with ID {image_id}")
        data = req.body
        image.update(
            status="active",
            size=len(data),
            virtual_size=len(data),
            checksum=hashlib.md5(data).hexdigest(),
            os_hash_algo="sha512",
            os_hash_value=hashlib.sha512(data).hexdigest(),
            updated_at="2023-01-06T01:02:04Z",
        )
        self.cloud.image_data[image_id] = data
        return Response("204 No Content")

    def schema(self, req: Request) -> Response:
        props = {k: {"type": ["null", "string"]} for k in cirros_image()}
        return Response(
            "200 OK",
            {"name": "image", "properties": props, "additionalProperties": {"type": "string"}},
        )


class Neutron(Service):
    name = "neutron-server"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.route("GET", r"/?", self.versions)
        self.route("GET", r"/v2\.0/?", self.v20)
        self.route("GET", r"/v2\.0/networks", self.networks)
        self.route("GET", r"/v2\.0/networks/([^/]+)", self.network)
        self.route("GET", r"/v2\.0/ports", self.ports)
        self.route("GET", r"/v2\.0/ports/([^/]+)", self.port)
        self.route("GET", r"/v2\.0/security-groups/([^/]+)", self.secgroup)
        self.route("GET", r"/v2\.0/security-groups", self.secgroups)

    def url(self, path: str) -> str:
        return self.cloud.advertise["network"] + path

    def error(self, status: str, message: str) -> Response:
        kind = {404: "HTTPNotFound", 401: "HTTPUnauthorized"}.get(int(status[:3]), "HTTPError")
        if "Port" in message:
            kind = "PortNotFound"
        return Response(status, {"NeutronError": {"type": kind, "message": message, "detail": ""}})

    @public
    def versions(self, req: Request) -> Response:
        return Response(
            "200 OK",
            {
                "versions": [
                    {
                        "id": "v2.0",
                        "status": "CURRENT",
                        "links": [{"rel": "self", "href": self.url("/networking/v2.0/")}],
                    }
                ]
            },
        )

    @public
    def v20(self, req: Request) -> Response:
        return Response(
            "200 OK",
            {
                "resources": [
                    {
                        "name": n,
                        "collection": n + "s",
                        "links": [{"rel": "self", "href": self.url(f"/networking/v2.0/{n}s")}],
                    }
                    for n in ("network", "port", "subnet")
                ]
            },
        )

    def networks(self, req: Request) -> Response:
        net = shared_network()
        wanted = {k: v[0] for k, v in req.query.items() if k in ("name", "id")}
        match = all(str(net.get(k)) == v for k, v in wanted.items())
        return Response("200 OK", {"networks": [net] if match else []})

    def network(self, req: Request, network_id: str) -> Response:
        if network_id != NETWORK_ID:
            return self.error("404 Not Found", f"Network {network_id} could not be found.")
        return Response("200 OK", {"network": shared_network()})

    def port_doc(self) -> dict[str, Any]:
        return {
            "id": PORT_ID,
            "network_id": NETWORK_ID,
            "device_id": SERVER_ID,
            "device_owner": "compute:nova",
            "status": "ACTIVE",
            "mac_address": "fa:16:3e:3b:5e:1c",
            "fixed_ips": [{"subnet_id": SUBNET_ID, "ip_address": "192.168.233.88"}],
        }

    def ports(self, req: Request) -> Response:
        return Response("200 OK", {"ports": [self.port_doc()]})

    def port(self, req: Request, port_id: str) -> Response:
        if port_id != PORT_ID:
            return self.error("404 Not Found", f"Port {port_id} could not be found.")
        return Response("200 OK", {"port": self.port_doc()})

    def secgroup_doc(self) -> dict[str, Any]:
        return {
            "id": SECGROUP_ID,
            "name": "default",
            "tenant_id": PROJECT_ID,
            "project_id": PROJECT_ID,
            "description": "Default security group",
            "security_group_rules": [],
            "tags": [],
        }

    def secgroup(self, req: Request, group_id: str) -> Response:
        if group_id != SECGROUP_ID:
            return self.error("404 Not Found", f"Security group {group_id} does not exist")
        return Response("200 OK", {"security_group": self.secgroup_doc()})

    def secgroups(self, req: Request) -> Response:
        return Response("200 OK", {"security_groups": [self.secgroup_doc()]})


class Placement(Service):
    name = "placement-api"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.route("GET", r"/?", self.root)
        self.route("GET", r"/allocation_candidates", self.candidates)
        self.route("GET", r"/allocations/([^/]+)", self.allocations)
        self.route("GET", r"/resource_providers", self.providers)

    def extra_headers(self, req: Request, resp: Response) -> list[tuple[str, str]]:
        asked = req.header("OpenStack-API-Version").replace("placement", "").strip() or "1.0"
        return [
            ("openstack-api-version", f"placement {asked}"),
            ("vary", "openstack-api-version"),
            ("x-openstack-request-id", self.ids.request_id()),
        ]

    @public
    def root(self, req: Request) -> Response:
        return Response(
            "200 OK",
            {
                "versions": [
                    {
                        "id": "v1.0",
                        "max_version": "1.39",
                        "min_version": "1.0",
                        "status": "CURRENT",
                        "links": [{"rel": "self", "href": ""}],
                    }
                ]
            },
        )

    RP = "a9e26d0a-8ce3-4d1b-b9e5-25a1e0b8a4f1"

    def candidates(self, req: Request) -> Response:
        res = {"VCPU": 1, "MEMORY_MB": 256, "DISK_GB": 1}
        return Response(
            "200 OK",
            {
                "allocation_requests": [{"allocations": {self.RP: {"resources": res}}}],
                "provider_summaries": {
                    self.RP: {
                        "resources": {
                            "VCPU": {"capacity": 8, "used": 0},
                            "MEMORY_MB": {"capacity": 7961, "used": 512},
                            "DISK_GB": {"capacity": 96, "used": 0},
                        },
                        "traits": [],
                        "parent_provider_uuid": None,
                        "root_provider_uuid": self.RP,
                    }
                },
            },
        )

    def allocations(self, req: Request, consumer: str) -> Response:
        return Response("200 OK", {"allocations": {}, "consumer_generation": None})

    def providers(self, req: Request) -> Response:
        return Response(
            "200 OK",
            {
                "resource_providers": [
                    {
                        "uuid": self.RP,
                        "name": "devstack",
                        "generation": 3,
                        "parent_provider_uuid": None,
                        "root_provider_uuid": self.RP,
                    }
                ]
            },
        )


class Cinder(Service):
    name = "cinder-api"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.route("GET", r"/?", self.versions)

    @public
    def versions(self, req: Request) -> Response:
        return Response(
            "300 Multiple Choices",
            {
                "versions": [
                    {
                        "id": "v3.0",
                        "status": "CURRENT",
                        "version": "3.70",
                        "min_version": "3.0",
                        "links": [{"rel": "self", "href": self.url("/volume/v3/")}],
                    }
                ]
            },
        )


class Mount:
    """Path-prefix dispatch, as Apache's WSGIScriptAlias/ProxyPass lay devstack out."""

    def __init__(self, mounts: dict[str, Callable[..., Any]], server: str) -> None:
        self.mounts = sorted(mounts.items(), key=lambda kv: -len(kv[0]))
        self.server = server

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "/")
        for prefix, app in self.mounts:
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = prefix
                environ["PATH_INFO"] = path[len(prefix) :]
                return app(environ, start_response)
        body = b"<html><body><h1>Not Found</h1></body></html>"
        start_response(
            "404 Not Found", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
        )
        return [body]


class Gateway(BaseHTTPRequestHandler):
    """A minimal WSGI gateway over http.server that keeps HTTP/1.1 connections alive."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    # Headers and body leave in one segment: no Nagle/delayed-ACK stall of ~40 ms a response.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        body = self.read_body()
        path, _, query = self.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": LOOPBACK,
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ["HTTP_" + key] = value
        state: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            state["status"], state["headers"] = status, headers
            return lambda data: None

        chunks = self.server.app(environ, start_response)  # type: ignore[attr-defined]
        try:
            payload = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        code, _, reason = state["status"].partition(" ")
        self.send_response_only(int(code), reason)
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.send_header("Server", self.server.software)  # type: ignore[attr-defined]
        for name, value in state["headers"]:
            self.send_header(name, value)
        self.send_header("Connection", "close" if self.close_connection else "Keep-Alive")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tools' own output is the record."""


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server that refuses any address but 127.0.0.1."""

    daemon_threads = True

    def __init__(self, app: Callable[..., Any], software: str) -> None:
        self.app = app
        self.software = software
        super().__init__((LOOPBACK, 0), Gateway)

    def server_bind(self) -> None:
        assert self.server_address[0] == LOOPBACK, self.server_address
        super().server_bind()
        bound = self.socket.getsockname()
        assert self.socket.family == socket.AF_INET and bound[0] == LOOPBACK, bound


def instrument(services: dict[str, Service], otlp_path: str) -> dict[str, Any]:
    """Wrap each service in the OTel WSGI middleware with its own service.name.

    Returns the wrapped apps by mount prefix. nova-api's outgoing HTTP calls (requests) and
    its queries (sqlite3) are traced by their instrumentations under nova-api's provider.
    """
    from opentelemetry.exporter.otlp.json.file import FileSpanExporter
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor
    from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    apps: dict[str, Any] = {}
    for prefix, service in services.items():
        resource = Resource.create(
            {
                "service.name": service.name,
                "service.namespace": "openstack",
                "host.name": "devstack",
            }
        )
        provider = TracerProvider(resource=resource)
        # One batch per service, written when the fake stops: lines never interleave.
        provider.add_span_processor(
            BatchSpanProcessor(
                FileSpanExporter(otlp_path),
                schedule_delay_millis=600_000,
                max_export_batch_size=4096,
                max_queue_size=8192,
            )
        )
        service.provider = provider  # type: ignore[attr-defined]
        service.tracer = provider.get_tracer("fake_openstack." + service.name)
        apps[prefix] = OpenTelemetryMiddleware(service, tracer_provider=provider)
    nova_provider = services["/compute"].provider  # type: ignore[attr-defined]
    RequestsInstrumentor().instrument(tracer_provider=nova_provider)
    SQLite3Instrumentor().instrument(tracer_provider=nova_provider)
    return apps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--otlp", help="write OTLP/JSON spans of every service to this file")
    args = parser.parse_args()

    cloud = Cloud()
    services: dict[str, Service] = {
        "/identity": Keystone(cloud),
        "/compute": Nova(cloud),
        "/image": Glance(cloud),
        "/placement": Placement(cloud),
        "/volume": Cinder(cloud),
        "/networking": Neutron(cloud),
    }
    apps: dict[str, Any] = dict(services)
    if args.otlp:
        apps = instrument(services, args.otlp)
        cloud.outbound = outbound_client(cloud)
    main_mounts = {p: a for p, a in apps.items() if p != "/networking"}
    main_mounts["/dashboard"] = Dashboard()
    main_app = Mount(main_mounts, APACHE)
    net_app = Mount({"/networking": apps["/networking"]}, NEUTRON)
    main_srv, net_srv = LoopbackServer(main_app, APACHE), LoopbackServer(net_app, NEUTRON)
    for srv in (main_srv, net_srv):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    ports = {"main": main_srv.server_address[1], "network": net_srv.server_address[1]}
    cloud.advertise = {k: f"http://{LOOPBACK}:{p}" for k, p in ports.items()}
    print(json.dumps({"ports": ports, "host": LOOPBACK}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if "advertise" in command:
            cloud.advertise.update(command["advertise"])
        print(json.dumps({"ok": True}), flush=True)
    for srv in (main_srv, net_srv):
        srv.shutdown()
        srv.server_close()
    for service in services.values():
        if service.tracer is not None:
            service.provider.shutdown()  # type: ignore[attr-defined]
    return 0


def outbound_client(cloud: Cloud) -> Callable[..., Any]:
    """nova-api's own calls to glance and neutron, made with (instrumented) requests."""
    import requests

    session = requests.Session()

    def call(kind: str, path: str, req: Request) -> Any:
        base = (
            cloud.advertise["network"] + "/networking"
            if kind == "network"
            else cloud.advertise["main"] + "/image"
        )
        headers = {
            "X-Auth-Token": req.header("X-Auth-Token"),
            "User-Agent": "python-glanceclient" if kind == "image" else "python-neutronclient",
            "Accept": "application/json",
        }
        return session.get(base + path, headers=headers, timeout=10)

    return call


if __name__ == "__main__":
    sys.exit(main())
