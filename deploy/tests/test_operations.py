"""Operations as the manifests and the running services declare them (issue 19, items 2–5).

- The public Ingress routes only the API, the verify page and the documentation; the probes, the metrics and the
  audit verifier are reachable inside the cluster only, and no Service is exposed any other way.
- The CronJobs are exactly the scheduled jobs of `skills job --list`, never run concurrently, and are retried.
- Redis holds the gateways' rate-limit counters and only the gateway reaches it.
- The alert rules pass `promtool test rules`, every alert has a runbook entry, and every metric an alert or a
  dashboard panel names is one that a live service process exports on ``/metrics``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from skills_shared.testing import fresh_database
from skills_tools import run
from skills_tools.jobs import JOBS
from skills_tools.services import SERVICES

sys.path.insert(0, str(Path(__file__).parent))  # the manifest loader of test_kubernetes.py, beside this file
from test_kubernetes import LAYOUTS, allowed, one, render

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "deploy" / "k8s" / "monitoring"
RULES = MONITORING / "prometheus-rules.yaml"
DASHBOARD = MONITORING / "grafana-dashboard.json"
OPERATIONS = REPO / "docs" / "operations.md"

PUBLIC = ("/api/v1/certificates/S1", "/api/v1/me/vouchers", "/verify", "/docs", "/docs/assets/swagger-ui.css")
PUBLIC += ("/redoc", "/openapi.json")
INTERNAL = ("/metrics", "/readyz", "/healthz", "/v1/audit/verify", "/", "/v1/certificates/S1", "/verify/x")


# ----------------------------------------------------------------------------------------- internal stays internal
def _matches(rule_path: str, path_type: str, path: str) -> bool:
    """Kubernetes Ingress path matching: Exact is equality, Prefix matches whole path elements."""
    if path_type == "Exact":
        return path == rule_path
    assert path_type == "Prefix", (
        f"{path_type}: only Exact and Prefix are used (ImplementationSpecific varies)"
    )
    prefix = rule_path.rstrip("/")
    return prefix == "" or path == prefix or path.startswith(prefix + "/")


def _routed(objects: list[dict[str, Any]], path: str) -> bool:
    for ingress in (o for o in objects if o["kind"] == "Ingress"):
        assert "defaultBackend" not in ingress["spec"], "a default backend would route every path"
        for rule in ingress["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                if _matches(p["path"], p["pathType"], path):
                    return True
    return False


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_ingress_routes_only_the_public_prefixes(layout: str) -> None:
    objects = render(LAYOUTS[layout])
    for service in (o for o in objects if o["kind"] == "Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", (
            f"{service['metadata']['name']} is exposed"
        )
    if layout == "base":
        assert not [o for o in objects if o["kind"] == "Ingress"], (
            "the base is reachable from the cluster only"
        )
        return
    for path in PUBLIC:
        assert _routed(objects, path), f"{path} must be public"
    for path in INTERNAL:
        assert not _routed(objects, path), f"{path} must stay inside the cluster"


# ---------------------------------------------------------------------------------------------- scheduled work
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_scheduled_job_is_a_cronjob_that_never_overlaps(layout: str) -> None:
    objects = render(LAYOUTS[layout])
    cronjobs = {o["metadata"]["name"]: o for o in objects if o["kind"] == "CronJob"}
    assert set(cronjobs) == {f"job-{job.name}" for job in JOBS}
    db = {"cnpg.io/cluster": "skills-db", "cnpg.io/instanceRole": "primary"}
    for job in JOBS:
        cron = cronjobs[f"job-{job.name}"]["spec"]
        assert cron["schedule"] == job.schedule and cron["timeZone"] == "Asia/Shanghai"
        assert cron["concurrencyPolicy"] == "Forbid"
        spec = cron["jobTemplate"]["spec"]
        assert spec["backoffLimit"] >= 3, "a killed run is retried"
        pod = spec["template"]
        (container,) = pod["spec"]["containers"]
        assert container["command"] == ["skills", "job", job.name]
        prefix = next(s.env_prefix for s in SERVICES if s.name == job.service)
        names = {e["name"] for e in container["env"]}
        assert f"{prefix}DATABASE_URL" in names and f"{prefix}ENVIRONMENT" in names
        if layout == "production":
            assert not container["image"].endswith((":latest", ":")), "production pins a version"
        assert allowed(objects, ("skills", pod["metadata"]["labels"]), db, 5432), (
            f"{job.name} reaches its database"
        )
    sweep = cronjobs["job-outbox-sweep"]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    registry = one(objects, "Deployment", "certificate-registry")["spec"]["template"]["metadata"]["labels"]
    assert allowed(objects, ("skills", sweep), registry, 8001), "the outbox sweep delivers to the registry"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_redis_holds_the_rate_limits_and_only_the_gateway_reaches_it(layout: str) -> None:
    objects = render(LAYOUTS[layout])
    (gateway,) = one(objects, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in gateway["env"]}
    assert env["GATEWAY_REDIS_URL"] == "redis://redis:6379/0"
    service = one(objects, "Service", "redis")
    assert service["spec"]["ports"][0]["port"] == 6379
    redis = one(objects, "Deployment", "redis")["spec"]["template"]["metadata"]["labels"]
    gateway_labels = one(objects, "Deployment", "gateway")["spec"]["template"]["metadata"]["labels"]
    voucher_labels = one(objects, "Deployment", "voucher")["spec"]["template"]["metadata"]["labels"]
    assert allowed(objects, ("skills", gateway_labels), redis, 6379)
    assert not allowed(objects, ("skills", voucher_labels), redis, 6379)
    assert not allowed(objects, ("ingress-nginx", {}), redis, 6379)


# ---------------------------------------------------------------------------------------------- alerts
def _rule_groups() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert doc["kind"] == "PrometheusRule" and doc["apiVersion"] == "monitoring.coreos.com/v1"
    groups: list[dict[str, Any]] = doc["spec"]["groups"]
    return groups


def _alerts() -> list[dict[str, Any]]:
    return [rule for group in _rule_groups() for rule in group["rules"] if "alert" in rule]


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(
            "promtool is missing: `make install` installs Debian's prometheus package, which ships it"
        )
    return found


def test_the_alert_rules_pass_promtool_unit_tests(tmp_path: Path) -> None:
    promtool = _promtool()
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": _rule_groups()}), encoding="utf-8")
    shutil.copy(MONITORING / "alerts.test.yaml", tmp_path / "alerts.test.yaml")
    checked = subprocess.run(  # noqa: S603 - fixed argv
        [promtool, "check", "rules", "rules.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(  # noqa: S603 - fixed argv
        [promtool, "test", "rules", "alerts.test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    cases = (MONITORING / "alerts.test.yaml").read_text(encoding="utf-8")
    for alert in _alerts():
        assert f"alertname: {alert['alert']}" in cases, f"{alert['alert']} has no promtool case"


def test_every_alert_has_a_runbook_entry() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    headings = {m.lower() for m in re.findall(r"^#### (\w+)\s*$", text, flags=re.MULTILINE)}
    for alert in _alerts():
        name = alert["alert"]
        assert name.lower() in headings, f"docs/operations.md has no runbook entry '#### {name}'"
        assert alert["annotations"]["runbook_url"].endswith(f"#{name.lower()}")


# ---------------------------------------------------------------------------------------------- metric names
_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers that are not functions, keywords, label names
    (inside ``{…}`` or a ``by (…)`` list), strings or durations."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    names = set()
    for m in re.finditer(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", expr):
        word, call = m.group(1), m.group(2)
        if call or word in _KEYWORDS:
            continue
        names.add(word)
    return names


def test_metric_names_are_read_from_promql() -> None:
    assert metric_names('sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / 2 > 0.05') == {
        "http_requests_total"
    }
    assert metric_names("time() - max by (s) (skills_x_seconds) > 2 * 86400") == {"skills_x_seconds"}
    assert metric_names('histogram_quantile(0.95, sum by (le) (rate(h_bucket{a="b"}[5m])))') == {"h_bucket"}


def _expressions() -> dict[str, str]:
    found = {f"alert {a['alert']}": a["expr"] for a in _alerts()}
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']} {target['refId']}"] = target["expr"]
    return found


def _exported(text: str) -> set[str]:
    """Every sample name a /metrics page can carry, including those of labelled metrics not yet used."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_sum", "_count", "_created"),
            "summary": ("_sum", "_count", "_created"),
        }.get(family.type, ())
        names.update(family.name + suffix for suffix in suffixes)
    return names


OFFSET = 470
"""Ports 8470–8474: this module's own copy of the suite."""


@pytest.fixture(scope="module")
def live_metrics() -> Iterator[dict[str, set[str]]]:
    """Start the five services as `make run` does, each on a fresh database, and read each one's /metrics."""
    with tempfile.TemporaryDirectory(prefix="skills-ops-") as tmp, contextlib.ExitStack() as stack:
        logs = Path(tmp)
        procs: dict[str, subprocess.Popen[bytes]] = {}
        saved = os.environ.get("SKILLS_PORT_OFFSET")
        os.environ["SKILLS_PORT_OFFSET"] = str(OFFSET)
        stack.callback(lambda: run.stop_all(procs))
        try:
            for spec in SERVICES:
                url = stack.enter_context(fresh_database("ops_" + spec.package, spec.migrations_dir))
                run.load_reference_data(spec, url)
                extra = {"GATEWAY_REDIS_URL": ""} if spec.name == "gateway" else {}
                procs[spec.name] = run.start(spec, url, "127.0.0.1", logs, extra, sandbox=False)
            run.wait_healthy(procs, "127.0.0.1", logs, timeout_s=120)
            pages: dict[str, set[str]] = {}
            for spec in SERVICES:
                answer = httpx.get(f"http://127.0.0.1:{run.port_of(spec)}/metrics", timeout=10)
                assert answer.status_code == 200, answer.text
                pages[spec.name] = _exported(answer.text)
        finally:
            if saved is None:
                os.environ.pop("SKILLS_PORT_OFFSET", None)
            else:
                os.environ["SKILLS_PORT_OFFSET"] = saved
        yield pages


def test_every_alert_and_panel_names_a_metric_the_services_export(live_metrics: dict[str, set[str]]) -> None:
    exported = set().union(*live_metrics.values())
    missing = {
        where: sorted(metric_names(expr) - exported)
        for where, expr in _expressions().items()
        if metric_names(expr) - exported
    }
    assert not missing, f"metrics no service exports: {missing}"
    for where, expr in _expressions().items():
        assert metric_names(expr), f"{where} names no metric"
    # The scrape-time figures are there from the first scrape, with the service's name.
    for spec in SERVICES:
        assert {"skills_idempotency_rows", "skills_ready"} <= live_metrics[spec.name], spec.name
