"""The delivery worker's metrics (served at /metrics with the API's when the worker runs in `serve`)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.deliveries = Counter(
            "liaison_webhook_deliveries_total", "Delivery attempts by outcome.", ["outcome"], registry=self.registry
        )
        self.latency = Histogram(
            "liaison_webhook_commit_to_delivery_seconds",
            "From the commit of a change to its first successful delivery.",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
        )
        self.outbox = Gauge("liaison_webhook_outbox_depth", "Deliveries waiting to be sent.", registry=self.registry)
