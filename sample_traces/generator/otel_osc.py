"""Run the real python-openstackclient with OpenTelemetry tracing its HTTP calls.

Usage: ``python otel_osc.py OTLP_FILE openstack-args...``. Every call keystoneauth makes goes
through ``requests``, which opentelemetry-instrumentation-requests wraps in a CLIENT span (and
whose ``traceparent`` header lets the instrumented services continue the trace). One root
span per command groups them, as osprofiler's OTLP driver does for a CLI call. Spans are written
by opentelemetry-exporter-otlp-json-file: one OTLP/JSON ExportTraceServiceRequest a line.
"""

from __future__ import annotations

import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def main() -> int:
    path, argv = sys.argv[1], sys.argv[2:]
    provider = TracerProvider(
        resource=Resource.create({"service.name": "openstackclient", "host.name": "devstack"})
    )
    provider.add_span_processor(
        BatchSpanProcessor(FileSpanExporter(path), schedule_delay_millis=600_000)
    )
    trace.set_tracer_provider(provider)
    RequestsInstrumentor().instrument()

    from openstackclient import shell

    words = [a for a in argv if not a.startswith("-")][:2]
    tracer = trace.get_tracer("openstackclient.shell")
    with tracer.start_as_current_span("openstack " + " ".join(words)) as span:
        span.set_attribute("process.command_args", ["openstack", *argv])
        rc = shell.main(argv)
        span.set_attribute("process.exit.code", rc)
    provider.shutdown()
    return rc


if __name__ == "__main__":
    sys.exit(main())
