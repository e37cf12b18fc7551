"""Prometheus metrics of webhook delivery, per subscription (one endpoint each)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERED = Counter(
    "skills_event_deliveries_total",
    "Webhook deliveries acknowledged by the endpoint (2xx)",
    ["subscription"],
)
FAILED = Counter(
    "skills_event_delivery_failures_total",
    "Webhook attempts that failed (non-2xx, timeout, refused connection)",
    ["subscription"],
)
LAG = Gauge(
    "skills_event_delivery_lag_seconds",
    "Age of the oldest event still waiting for delivery to the endpoint (0 when none waits)",
    ["subscription"],
)
DISABLED = Counter(
    "skills_event_endpoints_disabled_total",
    "Endpoints disabled after deliveries failed for the whole retry window",
)
DELAY = Histogram(
    "skills_event_delivery_delay_seconds",
    "From the change (occurred_at) to the endpoint's acknowledgement",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
