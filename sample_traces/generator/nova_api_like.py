"""A tiny "nova-api-like" service process: real keystoneauth1 calls, logged by real oslo.log.

Usage: ``python nova_api_like.py AUTH_URL LOG_FILE``. It logs in as the ``nova`` service user
(as nova's ``[neutron]`` and ``[placement]`` sections do), then, inside a request context,
asks neutron and placement what nova-api/nova-conductor ask them while a server boots. oslo.log
writes the service log at DEBUG with ``keystoneauth`` and ``urllib3`` loggers at DEBUG, the way
an operator turns them on with ``default_log_levels`` to see the HTTP calls.
"""

from __future__ import annotations

import sys

from keystoneauth1 import loading, session
from keystoneauth1.adapter import Adapter
from oslo_config import cfg
from oslo_context import context
from oslo_log import log as logging

SERVER_ID = "6dc2e525-a218-4814-9dc5-4cfcf2332268"
NETWORK_ID = "4529570d-57bf-4ec8-8d67-937f13b1d9ae"
GLOBAL_REQUEST_ID = "req-9c0dd7d2-2994-47f8-bcf3-39c502f4827b"  # the devstack trace's
LOCAL_REQUEST_ID = "req-3f1b9a52-6d0e-4c8a-b7f1-2e5d9c4a8b60"

LOG = logging.getLogger("nova.compute.api")


def main() -> int:
    auth_url, log_file = sys.argv[1], sys.argv[2]
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    levels = [
        lvl
        for lvl in logging.get_default_log_levels()
        if not lvl.startswith(("keystoneauth=", "urllib3.connectionpool="))
    ]
    logging.set_defaults(
        default_log_levels=[*levels, "keystoneauth=DEBUG", "urllib3.connectionpool=DEBUG"]
    )
    conf([], project="nova", default_config_files=[])
    conf.set_override("debug", True)
    conf.set_override("log_file", log_file)
    conf.set_override("use_stderr", False)
    logging.setup(conf, "nova")

    auth = loading.get_plugin_loader("password").load_from_options(
        auth_url=auth_url,
        username="nova",
        password="secretservice",
        project_name="service",
        user_domain_name="Default",
        project_domain_name="Default",
    )
    sess = session.Session(auth=auth, app_name="nova-api", app_version="29.0.0")
    ctx = context.RequestContext(
        request_id=LOCAL_REQUEST_ID,
        global_request_id=GLOBAL_REQUEST_ID,
        user_id="admin",
        project_id="admin",
        overwrite=True,
    )
    LOG.info("Creating server %s", SERVER_ID)
    neutron = Adapter(
        sess,
        service_type="network",
        interface="public",
        region_name="RegionOne",
        global_request_id=ctx.global_request_id,
        logger=logging.getLogger("nova.network.neutron").logger,
    )
    placement = Adapter(
        sess,
        service_type="placement",
        interface="public",
        region_name="RegionOne",
        global_request_id=ctx.global_request_id,
        default_microversion="1.36",
    )
    neutron.get(f"/v2.0/networks/{NETWORK_ID}")
    neutron.get("/v2.0/ports", params={"device_id": SERVER_ID})
    placement.get(
        "/allocation_candidates",
        params={"resources": "DISK_GB:1,MEMORY_MB:256,VCPU:1", "limit": "1000"},
    )
    placement.get(f"/allocations/{SERVER_ID}")
    placement.get("/resource_providers", params={"name": "devstack"})
    # A call that fails: a port that does not exist (neutron answers 404).
    resp = neutron.get("/v2.0/ports/00000000-0000-4000-8000-000000000000", raise_exc=False)
    LOG.warning("Port lookup for server %s returned %s", SERVER_ID, resp.status_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
