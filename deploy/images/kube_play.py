"""Run the Kubernetes base (deploy/k8s/base) with `podman kube play`, as far as podman supports it.

    uv run --frozen python deploy/images/kube_play.py up|down

Run as they are written: the five Deployments (containers, images, securityContext with uid 10001 and a
read-only root, the /tmp emptyDir, envFrom the skills-config ConfigMap, secretKeyRef variables, ports) and the
migration Job's pod template (as a Pod: podman has no Job).

What podman 4.3 cannot do, and what is done instead, in the rendered copy under .data/kube/ only:
- Services, HorizontalPodAutoscalers, PodDisruptionBudgets, NetworkPolicies and the Namespace are not played;
  the ConfigMap's service URLs point at the pods' own names (`<deployment>-pod-0`), which podman's network DNS
  resolves, instead of the Services' names, and each Deployment runs one replica.
- `$(VAR)` references between variables are not expanded by podman: the rendered copy expands them.
- A Secret played from YAML cannot feed `secretKeyRef` (podman stores it as YAML and then refuses it as JSON):
  the Secrets are created as podman secrets holding the JSON podman reads, with fresh random values.
- CloudNativePG (the Cluster and Database resources in database.yaml) needs its operator and stays static: a
  PostgreSQL container from `make images` answers as skills-db-rw and skills-db-ro on the same network.
- Probes: podman turns the liveness probe into a health check; readiness and start-up probes are not run, so
  this script asks each pod's /readyz itself.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "k8s" / "base"
OUT = REPO / ".data" / "kube"
NETWORK = "skills-kube"
DATABASE = "skills-kube-db"
APPS = ["certificate-registry", "org-filing", "subsidy-claims", "voucher", "gateway"]
PORTS = {
    "gateway": 8000,
    "certificate-registry": 8001,
    "org-filing": 8002,
    "subsidy-claims": 8003,
    "voucher": 8004,
}
DEV_SECRETS: dict[str, dict[str, str]] = {
    "skills-db-app": {"username": "skills", "password": secrets.token_hex(32)},
    "skills-jwt": {"SKILLS_JWT_SECRET": base64.b64encode(secrets.token_bytes(48)).decode()},
    "certificate-registry-signing-key": {
        "REGISTRY_SIGNING_KEY_SEED": base64.b64encode(secrets.token_bytes(32)).decode()
    },
    "voucher-qr-secret": {"VOUCHER_QR_SECRET": base64.b64encode(secrets.token_bytes(48)).decode()},
    "certificate-registry-photo-store": {  # photos are only touched on upload; no store runs under kube play
        "REGISTRY_PHOTO_S3_ENDPOINT_URL": "http://object-store.invalid:9000",
        "REGISTRY_PHOTO_S3_ACCESS_KEY": secrets.token_hex(8),
        "REGISTRY_PHOTO_S3_SECRET_KEY": secrets.token_hex(16),
    },
}
"""Fresh values per run, made as deploy/k8s/secrets/README.md says: the manifests run with ENVIRONMENT=production,
which refuses the public development secrets."""
WAIT_S = 180.0


def podman_env() -> dict[str, str]:
    """The environment with the suite's podman settings, unless the caller chose others."""
    return {
        **os.environ,
        "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(REPO / "deploy/images/containers.conf")),
    }


def podman(*args: str, check: bool = True, stdin: str | None = None) -> str:
    """podman with the suite's settings (deploy/images/containers.conf)."""
    done = subprocess.run(  # noqa: S603
        ["podman", *args],  # noqa: S607
        input=stdin,
        capture_output=True,
        text=True,
        env=podman_env(),
        check=False,
    )
    if check and done.returncode != 0:
        raise SystemExit(f"podman {' '.join(args[:3])}: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((BASE / name).read_text(encoding="utf-8")) if d]


def expand(container: dict[str, Any], values: dict[str, str]) -> None:
    """Replace secretKeyRef values' `$(VAR)` uses by the value, as Kubernetes does and podman 4.3 does not."""
    known = dict(values)
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            known[var["name"]] = DEV_SECRETS[ref["name"]][ref["key"]]
        if "value" in var:
            var["value"] = re.sub(r"\$\((\w+)\)", lambda m: known.get(m[1], m[0]), str(var["value"]))
    container["image"] = f"localhost/{container['image'].split(':')[0]}:local"


def render() -> tuple[Path, Path, Path]:
    """The ConfigMap, the migration Pod and the Deployments, rewritten for podman (see the module's docstring)."""
    OUT.mkdir(parents=True, exist_ok=True)
    (config,) = documents("config.yaml")
    for app in APPS:
        for key in list(config["data"]):
            if config["data"][key] == f"http://{app}:{PORTS[app]}":
                config["data"][key] = f"http://{app}-pod-0:{PORTS[app]}"
    job = next(d for d in documents("migrate-job.yaml") if d["kind"] == "Job")
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": job["metadata"],
        "spec": job["spec"]["template"]["spec"],
    }
    for container in pod["spec"]["containers"]:
        expand(container, {})
    deployments = []
    for app in APPS:
        deployment = next(d for d in documents(f"{app}.yaml") if d["kind"] == "Deployment")
        deployment["spec"]["replicas"] = 1
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            expand(container, {})
        deployments.append(deployment)
    paths = (OUT / "configmap.yaml", OUT / "migrate-pod.yaml", OUT / "deployments.yaml")
    paths[0].write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    paths[1].write_text(yaml.safe_dump(pod, allow_unicode=True), encoding="utf-8")
    paths[2].write_text(yaml.safe_dump_all(deployments, allow_unicode=True), encoding="utf-8")
    return paths


def http_status(container: str, port: int, path: str) -> int:
    """GET from inside a pod's container (nothing is published): the status, or 0 when nothing answers."""
    code = (
        "import urllib.request, urllib.error\n"
        f"try: print(urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=3).status)\n"
        "except urllib.error.HTTPError as e: print(e.code)\n"
        "except Exception: print(0)"
    )
    out = podman("exec", container, "python", "-c", code, check=False).strip()
    return int(out) if out.isdigit() else 0


def up() -> None:
    configmap, migrate, deployments = render()
    started = time.monotonic()
    if NETWORK not in podman("network", "ls", "--format", "{{.Name}}").split():
        podman("network", "create", NETWORK)
    for name, data in DEV_SECRETS.items():
        podman("secret", "rm", name, check=False)
        payload = json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in data.items()})
        podman("secret", "create", name, "-", stdin=payload)
    images = dict(line.split("=", 1) for line in (REPO / ".data/images.env").read_text().split())
    podman(
        "run", "-d", "--name", DATABASE, "--network", NETWORK,
        "--network-alias", "skills-db-rw", "--network-alias", "skills-db-ro",
        "-e", "POSTGRES_USER=skills", "-e", f"POSTGRES_PASSWORD={DEV_SECRETS['skills-db-app']['password']}",
        images["SKILLS_POSTGRES_IMAGE"],
    )  # fmt: skip
    wait(lambda: healthy(DATABASE), "database")
    print(f"played: {migrate.relative_to(REPO)}")
    podman("kube", "play", "--network", NETWORK, "--configmap", str(configmap), str(migrate))
    code = podman("wait", "skills-migrate-migrate").strip()
    if code != "0":
        print(podman("logs", "--tail", "20", "skills-migrate-migrate", check=False), file=sys.stderr)
        raise SystemExit(f"the migration pod exited {code}")
    print("ok   migration pod completed")
    print(f"played: {deployments.relative_to(REPO)}")
    podman("kube", "play", "--network", NETWORK, "--configmap", str(configmap), str(deployments))
    for app in APPS:
        container = f"{app}-pod-0-app"
        wait(lambda c=container, p=PORTS[app]: http_status(c, p, "/readyz") == 200, f"{app} /readyz")
        user = podman("exec", container, "id", "-u").strip()
        print(f"ok   {app}: ready, running as uid {user}")
    status = http_status("gateway-pod-0-app", 8000, "/api/v1/certificates/S000050110001263000123?name=x")
    if status != 404:
        raise SystemExit(f"look-up through the gateway pod: expected the registry's 404, got {status}")
    print(
        f"ok   look-up through the gateway pod reaches the registry pod (404); {time.monotonic() - started:.0f} s"
    )


def healthy(container: str) -> bool:
    """The image's own health check, run now (podman schedules none without systemd)."""
    done = subprocess.run(  # noqa: S603
        ["podman", "healthcheck", "run", container],  # noqa: S607
        capture_output=True,
        check=False,
        env=podman_env(),
    )
    return done.returncode == 0


def wait(ready: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not ready within {WAIT_S:.0f} s")
        time.sleep(1)


def down() -> None:
    for path in (OUT / "deployments.yaml", OUT / "migrate-pod.yaml"):
        if path.exists():
            podman("kube", "down", str(path), check=False)
    podman("rm", "-f", DATABASE, check=False)
    for name in DEV_SECRETS:
        podman("secret", "rm", name, check=False)
    podman("network", "rm", NETWORK, check=False)
    print("kube stand-in removed")


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
