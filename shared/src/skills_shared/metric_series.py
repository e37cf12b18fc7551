"""The labelled series of a Prometheus metric, looked up once per label set.

prometheus_client's ``labels()`` takes the metric's lock and builds its key on every call, about 1 µs; the
request counter, the latency histogram and the breaker gauge are labelled on every request, always with the same
few label sets (services, methods, route templates, statuses, route classes). The series are kept here, for
every metric alike, so the hot paths pay one dictionary lookup instead.
"""

from __future__ import annotations

from typing import Any

from prometheus_client.metrics import MetricWrapperBase

_series: dict[tuple[int, tuple[str, ...]], Any] = {}


def series(metric: MetricWrapperBase, *labels: str) -> Any:
    """``metric.labels(*labels)``, from the table after the first time (metrics live as long as the process)."""
    key = (id(metric), labels)
    child = _series.get(key)
    if child is None:
        child = _series[key] = metric.labels(*labels)
    return child
