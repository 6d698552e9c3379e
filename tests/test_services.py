"""The one table of OpenStack services by URL path prefix and port."""

from __future__ import annotations

import pytest

from tui.readers.services import service_for_path, service_for_url


@pytest.mark.parametrize(
    ("url", "service"),
    [
        ("http://10.0.0.5/compute/v2.1/servers", "nova-api"),
        ("https://cloud.example/identity/v3/auth/tokens", "keystone"),
        ("/image/v2/images?limit=20", "glance-api"),
        ("http://h/networking/v2.0/ports.json", "neutron-server"),
        ("http://h/placement/allocations/x", "placement-api"),
        ("http://h/volume/v3/abc/volumes", "cinder-api"),
        ("http://h:9292/v2/images", "glance-api"),
        ("http://h:5000/v3", "keystone"),
        ("http://horizon.example:8443/dashboard/project/", "horizon.example:8443"),
        ("http://user:pw@h.example/x", "h.example"),
        ("http://h:99999999/compute/v2.1", "nova-api"),
        ("http://[::1/compute/v2.1", "nova-api"),
        ("", "unknown"),
    ],
)
def test_service_for_url(url, service):
    assert service_for_url(url) == service


def test_prefix_is_a_whole_segment():
    assert service_for_path("/computers/1") is None
    assert service_for_path("/Compute/v2.1") == "nova-api"
