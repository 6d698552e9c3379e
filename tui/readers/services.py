"""Which OpenStack service a URL is served by, for formats that name only the URL.

One table for every reader (HAR, OTLP, keystoneauth debug output): devstack puts each API
under a path prefix on one host (`/compute`, `/identity`, ...), older deployments on a port of
its own. The names are the ones the requestshook hook writes, so a trace of one format and a
requestshook trace of the same run name their services alike and their diff aligns.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# The first path segment of a devstack-style URL -> the service behind it.
PATH_PREFIXES: dict[str, str] = {
    "identity": "keystone",
    "compute": "nova-api",
    "image": "glance-api",
    "networking": "neutron-server",
    "placement": "placement-api",
    "volume": "cinder-api",
    "object-store": "swift-proxy-server",
    "key-manager": "barbican-api",
    "load-balancer": "octavia-api",
    "orchestration": "heat-api",
    "share": "manila-api",
    "dns": "designate-api",
    "baremetal": "ironic-api",
    "metric": "gnocchi-api",
}
# The port each API listens on when it has a port of its own (the catalog's defaults).
PORTS: dict[int, str] = {
    5000: "keystone",
    35357: "keystone",
    8774: "nova-api",
    9292: "glance-api",
    9696: "neutron-server",
    8778: "placement-api",
    8776: "cinder-api",
    8080: "swift-proxy-server",
    9311: "barbican-api",
    9876: "octavia-api",
    8004: "heat-api",
    8786: "manila-api",
    9001: "designate-api",
    6385: "ironic-api",
}


def service_for_path(path: str) -> str | None:
    """The service whose devstack prefix starts `path` (`/compute/v2.1/servers`), or None."""
    segment = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
    return PATH_PREFIXES.get(segment.lower())


def service_for_url(url: str) -> str:
    """The service serving `url`: by path prefix, else by port, else the URL's host[:port].

    Takes a full URL or a bare path; "unknown" when neither names anything.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        # A hostile URL (`http://[::1/`): read what follows the scheme as host and path.
        host, _, path = url.split("://", 1)[-1].partition("/")
        return service_for_path(path) or host or "unknown"
    try:
        port = parts.port
    except ValueError:
        port = None  # `http://h:99999999/` names no port; the path may still name a service
    by_path = service_for_path(parts.path)
    if by_path is not None:
        return by_path
    if port is not None and port in PORTS:
        return PORTS[port]
    return parts.netloc.rpartition("@")[2] or "unknown"
