"""Named placeholders for ids in API paths (issue 19): names from the table, stable per page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.readers import read_trace
from tui.text.placeholders import COLLECTION_PARAMETERS, PlaceholderNames, endpoint_template

SAMPLES = Path(__file__).resolve().parent.parent / "sample_traces"
IMAGE = "da9259d0-b57f-4230-a2cf-e5bc6cedf19e"
OTHER_IMAGE = "ee65f53e-9421-ce50-2116-70eae679f02e"
ACCOUNT = "7c4cda7e4807414bbdfcb22b535a9802"
SERVER = "6dc2e525-a218-4814-9dc5-4cfcf2332268"
# Positional names, for segments no collection names.
KNOWN_NAMES = set(COLLECTION_PARAMETERS.values()) | {"id", "account", "container", "object"}
LEFT_OVER = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|[0-9a-fA-F]{32}")


def test_the_issue_example_reads_as_the_operation():
    paths = [
        f"/v2/images/{IMAGE}",
        f"/v1/AUTH_{ACCOUNT}/glance/{IMAGE}",
    ]
    names = PlaceholderNames(paths)
    assert [names.path(path) for path in paths] == [
        "/v2/images/{image_id}",
        "/v1/AUTH_{account}/glance/{image_id}",
    ]


def test_a_second_value_of_a_kind_is_numbered_and_a_value_keeps_its_name():
    names = PlaceholderNames()
    assert names.path(f"/v2/images/{IMAGE}") == "/v2/images/{image_id}"
    assert names.path(f"/v2/images/{OTHER_IMAGE}") == "/v2/images/{image_id_2}"
    assert names.path(f"/v2/images/{IMAGE}/file") == "/v2/images/{image_id}/file"


def test_a_collection_name_wins_over_a_position_seen_earlier_on_the_page():
    paths = [f"/v1/AUTH_{ACCOUNT}/glance/{IMAGE}", f"/v2/images/{IMAGE}/file"]
    names = PlaceholderNames(paths)
    assert names.path(paths[0]) == "/v1/AUTH_{account}/glance/{image_id}"


def test_unknown_ids_fall_back_to_id_numbered():
    names = PlaceholderNames()
    assert names.path(f"/unknown/{SERVER}") == "/unknown/{id}"
    assert names.path(f"/unknown/{ACCOUNT}") == "/unknown/{id_2}"


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/compute/v2.1/flavors/c1", "/compute/v2.1/flavors/{flavor_id}"),
        ("/compute/v2.1/servers/detail", "/compute/v2.1/servers/detail"),
        (f"/placement/allocations/{SERVER}", "/placement/allocations/{consumer_uuid}"),
        (f"/networking/v2.0/ports/{SERVER}", "/networking/v2.0/ports/{port_id}"),
        (f"/identity/v3/projects/{ACCOUNT}", "/identity/v3/projects/{project_id}"),
        (f"/volume/v3/{ACCOUNT}/volumes", "/volume/v3/{project_id}/volumes"),
        (f"/v1/AUTH_{ACCOUNT}/c/{SERVER}", "/v1/AUTH_{account}/c/{object}"),
        ("/networking/v2.0/networks", "/networking/v2.0/networks"),
        ("/identity/v3/auth/tokens", "/identity/v3/auth/tokens"),
    ],
)
def test_names_come_from_the_table(path, named):
    assert PlaceholderNames().path(path) == named


def test_host_is_kept_and_query_values_are_named():
    names = PlaceholderNames()
    url = f"http://10.0.0.1:9696/networking/v2.0/ports?device_id={SERVER}&fields=id"
    assert names.path(url) == "http://10.0.0.1:9696/networking/v2.0/ports?device_id={id}&fields=id"


def test_text_uses_the_names_the_paths_gave():
    names = PlaceholderNames()
    names.path(f"/compute/v2.1/servers/{SERVER}")
    body = f'{{"server": {{"id": "{SERVER}", "image": "{IMAGE}"}}}}'
    assert names.text(body) == '{"server": {"id": "{server_id}", "image": "{id}"}}'


def test_every_name_is_in_the_table():
    assert all(re.fullmatch(r"[a-z_]+", name) for name in COLLECTION_PARAMETERS.values())


@pytest.mark.parametrize(
    "sample", sorted(p.name for p in SAMPLES.glob("*.md") if p.name != "README.md")
)
def test_no_uuid_or_hex_id_is_left_in_any_sample_path(sample):
    trace = read_trace(str(SAMPLES / sample))
    targets = [exchange.request.target for exchange in trace.exchanges]
    names = PlaceholderNames(targets)
    for target in targets:
        named = names.path(target)
        assert not LEFT_OVER.search(named), named
        for name in re.findall(r"\{([^}]+)\}", named):
            assert re.sub(r"_\d+$", "", name) in KNOWN_NAMES, named


def test_an_endpoint_template_is_the_same_for_every_value():
    assert endpoint_template(f"http://h/compute/v2.1/servers/{SERVER}?x=1") == (
        "/compute/v2.1/servers/{server_id}"
    )
    assert endpoint_template(f"/compute/v2.1/servers/{OTHER_IMAGE}") == (
        "/compute/v2.1/servers/{server_id}"
    )
    assert endpoint_template(f"/v1/AUTH_{ACCOUNT}/glance/{IMAGE}") == (
        "/v1/AUTH_{account}/glance/{object}"
    )
    assert endpoint_template("http://h") == "/"
