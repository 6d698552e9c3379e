"""Named placeholders for the ids in OpenStack API paths, as people write them on a page by hand.

`GET /compute/v2.1/servers/6dc2e525-…` reads as `GET /compute/v2.1/servers/{server_id}`: the
name is the one the OpenStack API reference gives that path parameter. One `PlaceholderNames`
serves one page, so the same value gets the same name everywhere on it (the image id in
`/v2/images/{image_id}` is `{image_id}` again in Swift's `/v1/AUTH_{account}/glance/{image_id}`),
and a second distinct value of the same kind is `{image_id_2}`. An id the table does not know
becomes `{id}`, `{id_2}`, ...

Source of the names: the path parameters of the API references at docs.openstack.org/api-ref
(compute, image v2, network v2.0, identity v3, placement, block-storage v3, object-storage v1),
as of the 2025.1 release. A collection whose reference names its parameter plainly `{uuid}` or
`{id}` (placement's resource providers) keeps that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Collection segment -> the API reference's name for the path parameter that follows it.
COLLECTION_PARAMETERS: dict[str, str] = {
    # Compute (nova)
    "servers": "server_id",
    "flavors": "flavor_id",
    "os-keypairs": "keypair_name",
    "os-hypervisors": "hypervisor_id",
    "os-aggregates": "aggregate_id",
    "os-instance-actions": "request_id",
    "os-volume_attachments": "volume_id",
    "os-interface": "port_id",
    "os-server-groups": "server_group_id",
    "os-services": "service_id",
    "os-migrations": "migration_id",
    "migrations": "migration_id",
    # Image (glance)
    "images": "image_id",
    "members": "member_id",
    "tasks": "task_id",
    # Network (neutron)
    "networks": "network_id",
    "subnets": "subnet_id",
    "ports": "port_id",
    "routers": "router_id",
    "floatingips": "floatingip_id",
    "security-groups": "security_group_id",
    "security-group-rules": "security_group_rule_id",
    "subnetpools": "subnetpool_id",
    "trunks": "trunk_id",
    "qos": "policy_id",
    # Identity (keystone)
    "projects": "project_id",
    "users": "user_id",
    "domains": "domain_id",
    "groups": "group_id",
    "roles": "role_id",
    "credentials": "credential_id",
    "endpoints": "endpoint_id",
    "regions": "region_id",
    "application_credentials": "application_credential_id",
    # Placement
    "allocations": "consumer_uuid",
    "resource_providers": "uuid",
    "resource_classes": "name",
    "traits": "name",
    # Block storage (cinder)
    "volumes": "volume_id",
    "snapshots": "snapshot_id",
    "backups": "backup_id",
    "attachments": "attachment_id",
    "types": "volume_type_id",
}

# Segments that follow a collection without being one of its ids (`/servers/detail`).
_NOT_IDS = frozenset({"detail", "action", "file", "import", "stage", "tags", "schemas"})

# The names a first pass over a page gives: those a collection (not a position) decides.
_SPECIFIC = frozenset(COLLECTION_PARAMETERS.values()) | {"project_id"}

_HEX = "[0-9a-fA-F]"
_UUID = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
# What an id looks like wherever it stands: a UUID, 32 hex digits, a number.
_ID_SHAPE = re.compile(f"(?:{_UUID}|{_HEX}{{32}}|[0-9]+)")
# The same shapes inside free text (headers, bodies, query strings), as whole words, with the
# JSON key they are the value of when there is one (`"project_id": "…"` names a project id),
# and OpenStack request ids (`req-<uuid>`) whole.
_ID_IN_TEXT = re.compile(
    rf'(?:"(?P<key>[A-Za-z_]*_id)"\s*:\s*")?(?<![\w-])(?P<request>req-)?'
    rf"(?P<value>{_UUID}|{_HEX}{{32}})(?![\w-])"
)
_VERSION = re.compile(r"v\d+(?:\.\d+)?")
_SWIFT_ACCOUNT = re.compile(f"AUTH_({_HEX}{{32}}|[^/?#]+)")
_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def _is_id(segment: str, after_collection: bool) -> bool:
    if _ID_SHAPE.fullmatch(segment):
        return True
    # Flavor ids such as `c1` or `m1.small`: after a collection, a segment with a digit in it
    # that is not a version or a known sub-resource is an id.
    return (
        after_collection
        and segment not in _NOT_IDS
        and any(char.isdigit() for char in segment)
        and not _VERSION.fullmatch(segment)
    )


class PlaceholderNames:
    """The names given on one page: a value keeps its first name everywhere."""

    def __init__(self, targets: Iterable[str] = ()) -> None:
        """Names for one page; `targets`, the page's paths in order, are read first so that a
        value takes its collection's name (`{image_id}`) even where a path that names it only
        by position (`{object}`) comes earlier on the page."""
        self._names: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for target in targets:
            self._walk(target, specific=True)

    def name(self, kind: str, value: str) -> str:
        """`{kind}` for a new value of `kind` (`{kind_2}` for the second, ...); the name
        `value` already has, whatever `kind` is asked."""
        known = self._names.get(value)
        if known is not None:
            return known
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        name = "{" + (kind if count == 1 else f"{kind}_{count}") + "}"
        self._names[value] = name
        return name

    def known(self) -> Iterable[tuple[str, str]]:
        """The (value, name) pairs given so far, in the order they were first named."""
        return self._names.items()

    def path(self, target: str) -> str:
        """`target` (a path or a full URL) with each id in its path named; a query string's
        id-shaped values are named too."""
        return self._walk(target, specific=False)

    def _walk(self, target: str, specific: bool) -> str:
        prefix = _SCHEME_HOST.match(target)
        head = prefix.group(0) if prefix else ""
        rest = target[len(head) :]
        path, mark, query = rest.partition("?")
        segments = path.split("/")
        previous = ""
        for position, segment in enumerate(segments):
            if not segment:
                continue
            account = _SWIFT_ACCOUNT.fullmatch(segment) if previous == "v1" else None
            if account:
                segments[position] = "AUTH_" + self.name("account", account.group(1))
            elif segment in self._names:
                segments[position] = self._names[segment]
            elif _is_id(segment, previous in COLLECTION_PARAMETERS):
                kind = self._kind(previous, segments, position)
                if not specific or kind in _SPECIFIC:
                    segments[position] = self.name(kind, segment)
            previous = segment
        named = "/".join(segments)
        if specific:
            return named
        return head + named + (mark + self.text(query) if mark else "")

    def _kind(self, previous: str, segments: list[str], position: int) -> str:
        kind = COLLECTION_PARAMETERS.get(previous)
        if kind is not None:
            return kind
        if _VERSION.fullmatch(previous) and _ID_SHAPE.fullmatch(segments[position]):
            # Cinder's `/v3/{project_id}/volumes`, nova's legacy `/v2/{project_id}/servers`.
            return "project_id"
        if position >= 2 and segments[position - 2].startswith("AUTH_"):
            # Object storage: `/v1/AUTH_{account}/{container}/{object}`.
            return "object"
        if previous.startswith("AUTH_"):
            return "container"
        return "id"

    def text(self, text: str) -> str:
        """`text` with each UUID and 32-hex id named: by the name a path gave it, else by its
        JSON key (`"project_id"`), else `{id}`; a request id `req-…` is `{request_id}`."""

        def one(match: re.Match[str]) -> str:
            key, value = match["key"], match["value"]
            if match["request"]:
                return self.name("request_id", match["request"] + value)
            named = self.name(key or "id", value)
            return match.group(0)[: match.start("value") - match.start()] + named

        return _ID_IN_TEXT.sub(one, text)


class _KindNames(PlaceholderNames):
    """Names without numbers: every value of a kind reads `{kind}`."""

    def name(self, kind: str, value: str) -> str:
        return "{" + kind + "}"


def endpoint_template(target: str) -> str:
    """The endpoint a request calls: the path of `target` without host or query, each id named
    by its kind alone (`/compute/v2.1/servers/{server_id}`), so every call of one API endpoint
    has the same template, in any run."""
    path = _SCHEME_HOST.sub("", target, count=1).partition("?")[0].partition("#")[0]
    return _KindNames().path(path or "/")
