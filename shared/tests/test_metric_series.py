"""A labelled series looked up once counts into the same exported sample as ``labels()`` does."""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter

from skills_shared.metric_series import series

SEEN = Counter("test_series_seen_total", "Counted through the series table", ["kind"])


def test_a_series_is_the_metrics_own_child_and_counts_where_labels_would() -> None:
    assert series(SEEN, "a") is series(SEEN, "a")
    assert series(SEEN, "a") is SEEN.labels("a")
    series(SEEN, "a").inc()
    series(SEEN, "a").inc()
    SEEN.labels("b").inc()
    series(SEEN, "b").inc()
    assert REGISTRY.get_sample_value("test_series_seen_total", {"kind": "a"}) == 2
    assert REGISTRY.get_sample_value("test_series_seen_total", {"kind": "b"}) == 2
