"""The Kubernetes manifests: schema-valid, and in agreement with the code (ports, probes, variables, databases).

There is no kustomize binary in CI, so a small loader below renders a kustomization the way kustomize does for
the features these manifests use (resources, patches by name or target with strategic-merge semantics for the
keyed lists we patch, images, namespace, labels). It refuses any other kustomize feature rather than ignore it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skills_tools.configref import settings_class
from skills_tools.services import SERVICES, ServiceSpec

K8S_VERSIONS = ("1.30.0", "1.37.0")
"""The oldest Kubernetes the manifests promise to run on, and the newest schema the validator knows."""

KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "labels", "resources", "patches", "images"}
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("name",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
}
"""Lists that strategic merge patches merge item by item, and the keys that identify an item (kustomize uses the
API's list-map keys: a constraint patched with another ``whenUnsatisfiable`` is a new constraint); other lists
are replaced."""

WORKLOADS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}

CALLERS = {
    "certificate-registry": {"gateway", "org-filing", "subsidy-claims"},
    "org-filing": {"gateway"},
    "subsidy-claims": {"gateway"},
    "voucher": {"gateway"},
}
"""Who calls whom inside the suite (DESIGN.md: the gateway composes; the outbox and the certificate check)."""

INTERPOLATION_ONLY = {"SKILLS_DB_PASSWORD"}
"""Variables set only to be spliced into another one with $(NAME)."""


# --------------------------------------------------------------------------------------------------- the loader
def load_documents(path: Path) -> list[dict[str, Any]]:
    """Every YAML document of a file, skipping empty ones."""
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def strategic_merge(target: Any, patch: Any) -> Any:
    """Merge ``patch`` into ``target``: maps recursively, keyed lists item by item, other lists replaced."""
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for key, value in patch.items():
            assert not str(key).startswith("$"), f"strategic-merge directive {key} is not supported here"
            if key in MERGE_KEYS and isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = _merge_keyed(merged[key], value, MERGE_KEYS[key])
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    return copy.deepcopy(patch)


def _merge_keyed(items: list[Any], patches: list[Any], keys: tuple[str, ...]) -> list[Any]:
    result = [copy.deepcopy(i) for i in items]
    added = []
    for patch in patches:
        for i, item in enumerate(result):
            if all(item.get(key) == patch.get(key) for key in keys):
                result[i] = strategic_merge(item, patch)
                break
        else:
            added.append(copy.deepcopy(patch))
    return added + result  # kustomize puts items the original lacks first (so $(NAME) order is as it renders)


def _labels_match(selector: str, labels: dict[str, str]) -> bool:
    for term in selector.split(","):
        name, _, value = term.partition("=")
        if labels.get(name.strip()) != value.strip():
            return False
    return True


def _targets(
    objects: list[dict[str, Any]], patch: dict[str, Any], target: dict[str, Any] | None
) -> list[int]:
    if target is None:
        target = {"kind": patch["kind"], "name": patch["metadata"]["name"]}
    chosen = []
    for i, obj in enumerate(objects):
        if "kind" in target and obj["kind"] != target["kind"]:
            continue
        if "name" in target and obj["metadata"]["name"] != target["name"]:
            continue
        if "labelSelector" in target and not _labels_match(
            target["labelSelector"], obj["metadata"].get("labels", {})
        ):
            continue
        chosen.append(i)
    return chosen


def _pod_specs(obj: dict[str, Any]) -> Iterable[dict[str, Any]]:
    if obj["kind"] in WORKLOADS:
        yield obj["spec"]["template"]
    elif obj["kind"] == "CronJob":  # kustomize's images and template labels reach a CronJob's pods too
        yield obj["spec"]["jobTemplate"]["spec"]["template"]


def render(directory: Path) -> list[dict[str, Any]]:
    """Render a kustomization directory to its objects, as `kubectl kustomize` would for these features."""
    k = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unsupported = set(k) - KUSTOMIZE_FIELDS
    assert not unsupported, f"{directory}: the test loader does not understand {sorted(unsupported)}"
    objects: list[dict[str, Any]] = []
    for resource in k.get("resources", []):
        path = directory / resource
        objects += render(path) if path.is_dir() else load_documents(path)
    for entry in k.get("patches", []):
        assert set(entry) <= {"path", "target"}, f"only file patches are supported: {entry}"
        (patch,) = load_documents(directory / entry["path"])
        chosen = _targets(objects, patch, entry.get("target"))
        assert chosen, f"{entry['path']} patches nothing"
        body = {key: value for key, value in patch.items() if key not in ("apiVersion", "kind", "metadata")}
        for i in chosen:
            objects[i] = strategic_merge(objects[i], body)
    for image in k.get("images", []):
        for obj in objects:
            for pod in _pod_specs(obj):
                for container in pod["spec"]["containers"]:
                    name, _, tag = container["image"].partition(":")
                    if name == image["name"]:
                        container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    for label_set in k.get("labels", []):
        assert not label_set.get("includeSelectors"), "selectors are immutable; the loader keeps them alone"
        for obj in objects:
            obj["metadata"].setdefault("labels", {}).update(label_set["pairs"])
            if label_set.get("includeTemplates"):
                for pod in _pod_specs(obj):
                    pod.setdefault("metadata", {}).setdefault("labels", {}).update(label_set["pairs"])
    if "namespace" in k:
        for obj in objects:
            if obj["kind"] != "Namespace":
                obj["metadata"]["namespace"] = k["namespace"]
    return objects


# ------------------------------------------------------------------------------------------------- fixtures
K8S = Path(__file__).resolve().parents[1] / "k8s"
LAYOUTS = {"base": K8S / "base", "production": K8S / "overlays" / "production"}


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    """(layout name, its objects), for the base and every overlay."""
    return request.param, render(LAYOUTS[request.param])


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def container(objects: list[dict[str, Any]], spec: ServiceSpec) -> dict[str, Any]:
    (c,) = one(objects, "Deployment", spec.name)["spec"]["template"]["spec"]["containers"]
    assert isinstance(c, dict)
    return c


def secret_templates() -> list[dict[str, Any]]:
    return [d for p in sorted((K8S / "secrets").glob("*.template.yaml")) for d in load_documents(p)]


# ------------------------------------------------------------------------------------------------ schemas
def _cnpg_schemas() -> dict[str, dict[str, Any]]:
    """The parts of the CloudNativePG CRDs these manifests use; unknown fields under spec are refused.

    Written from the operator's API reference (postgresql.cnpg.io/v1), not generated from its CRDs: it catches
    misspelt and misplaced fields and wrong types, not every constraint the operator's own schema holds.
    """
    ref = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    resources = {
        "type": "object",
        "properties": {"requests": {"type": "object"}, "limits": {"type": "object"}},
    }
    storage = {
        "type": "object",
        "properties": {"size": {"type": "string"}, "storageClass": {"type": "string"}},
        "additionalProperties": False,
    }
    secret_key = {
        "type": "object",
        "required": ["name", "key"],
        "properties": {"name": {"type": "string"}, "key": {"type": "string"}},
        "additionalProperties": False,
    }
    cluster_spec = {
        "type": "object",
        "required": ["instances", "storage"],
        "additionalProperties": False,
        "properties": {
            "instances": {"type": "integer", "minimum": 1},
            "imageName": {"type": "string"},
            "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
            "enableSuperuserAccess": {"type": "boolean"},
            "minSyncReplicas": {"type": "integer", "minimum": 0},
            "maxSyncReplicas": {"type": "integer", "minimum": 0},
            "bootstrap": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "initdb": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "database": {"type": "string"},
                            "owner": {"type": "string"},
                            "secret": ref,
                        },
                    }
                },
            },
            "postgresql": {
                "type": "object",
                "properties": {
                    "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "additionalProperties": False,
            },
            "storage": storage,
            "walStorage": storage,
            "resources": resources,
            "affinity": {
                "type": "object",
                "properties": {
                    "enablePodAntiAffinity": {"type": "boolean"},
                    "topologyKey": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "backup": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "retentionPolicy": {"type": "string", "pattern": "^[1-9][0-9]*[dwm]$"},
                    "barmanObjectStore": {
                        "type": "object",
                        "required": ["destinationPath"],
                        "additionalProperties": False,
                        "properties": {
                            "destinationPath": {"type": "string"},
                            "endpointURL": {"type": "string"},
                            "s3Credentials": {
                                "type": "object",
                                "properties": {"accessKeyId": secret_key, "secretAccessKey": secret_key},
                                "additionalProperties": False,
                            },
                            "wal": {"type": "object", "properties": {"compression": {"type": "string"}}},
                            "data": {"type": "object", "properties": {"compression": {"type": "string"}}},
                        },
                    },
                },
            },
        },
    }
    database_spec = {
        "type": "object",
        "required": ["name", "owner", "cluster"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "owner": {"type": "string"}, "cluster": ref},
    }
    scheduled_spec = {
        "type": "object",
        "required": ["schedule", "cluster"],
        "additionalProperties": False,
        "properties": {
            # CNPG's schedule has six fields: seconds first.
            "schedule": {"type": "string", "pattern": r"^\S+( \S+){5}$"},
            "backupOwnerReference": {"enum": ["none", "self", "cluster"]},
            "cluster": ref,
        },
    }

    def kind(spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "additionalProperties": False,
            "properties": {
                "apiVersion": {"const": "postgresql.cnpg.io/v1"},
                "kind": {"type": "string"},
                "metadata": {"type": "object", "required": ["name"]},
                "spec": spec,
            },
        }

    return {
        "Cluster": kind(cluster_spec),
        "Database": kind(database_spec),
        "ScheduledBackup": kind(scheduled_spec),
    }


def validate(obj: dict[str, Any]) -> None:
    """Validate one object: Kubernetes' own schemas for built-in kinds, the CNPG subset for the operator's."""
    name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    if obj["apiVersion"].startswith("postgresql.cnpg.io/"):
        import jsonschema

        schema = _cnpg_schemas().get(obj["kind"])
        assert schema is not None, f"{name}: no schema for this CloudNativePG kind"
        jsonschema.validate(obj, schema)
        return
    try:
        import kubernetes_validate
    except ImportError:
        pytest.fail(
            "kubernetes-validate is not installed: add `kubernetes-validate` to the dev dependency group of the "
            "root pyproject.toml and run `uv lock`; the manifests cannot be checked against the Kubernetes schemas "
            "without it"
        )
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name} is not valid Kubernetes {version}: {exc.message} at {list(exc.path)}")


# ------------------------------------------------------------------------------------------------- the tests
def test_every_object_validates(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered
    assert objects
    for obj in objects:
        validate(obj)


def test_every_secret_template_validates() -> None:
    templates = secret_templates()
    assert templates
    for obj in templates:
        assert obj["kind"] == "Secret"
        validate(obj)
        for value in obj["stringData"].values():
            assert value.startswith("REPLACE-WITH-") or obj["metadata"]["name"] == "skills-db-app", (
                "templates carry placeholders, never values"
            )


def test_every_file_under_base_and_overlays_is_used() -> None:
    """A manifest no kustomization lists would be validated by nobody and applied by nobody."""
    for directory in LAYOUTS.values():
        k = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
        listed = {str(directory / r) for r in k.get("resources", [])} | {
            str(directory / p["path"]) for p in k.get("patches", [])
        }
        for path in directory.rglob("*.yaml"):
            if path.name != "kustomization.yaml":
                assert str(path) in listed, f"{path} is in no kustomization"


def test_loader_merges_keyed_lists_and_replaces_others() -> None:
    base = {
        "containers": [{"name": "app", "image": "a", "env": [{"name": "X", "value": "1"}]}],
        "args": [1, 2],
    }
    patch = {"containers": [{"name": "app", "env": [{"name": "Y", "value": "2"}]}], "args": [3]}
    assert strategic_merge(base, patch) == {
        "containers": [
            {"name": "app", "image": "a", "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]}
        ],
        "args": [3],
    }


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_service_has_deployment_service_autoscaler_and_budget(
    rendered: tuple[str, list[dict[str, Any]]], spec: ServiceSpec
) -> None:
    _, objects = rendered
    deployment = one(objects, "Deployment", spec.name)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert _selects(deployment["spec"]["selector"]["matchLabels"], pod_labels)
    service = one(objects, "Service", spec.name)
    assert _selects(service["spec"]["selector"], pod_labels)
    (port,) = service["spec"]["ports"]
    assert port["port"] == spec.port and port["targetPort"] == "http"
    hpa = one(objects, "HorizontalPodAutoscaler", spec.name)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name}
    assert hpa["spec"]["minReplicas"] <= deployment["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]
    pdb = one(objects, "PodDisruptionBudget", spec.name)
    assert _selects(pdb["spec"]["selector"]["matchLabels"], pod_labels)
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "a drain must be able to move a pod"


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_probes_ports_resources_and_security(
    rendered: tuple[str, list[dict[str, Any]]], spec: ServiceSpec
) -> None:
    layout, objects = rendered
    c = container(objects, spec)
    assert c["ports"] == [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}]
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind]), f"{kind} must name cpu and memory"
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    pod = one(objects, "Deployment", spec.name)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001, "the uid of the image's user (deploy/Dockerfile)"
    assert pod["enableServiceLinks"] is False
    image, _, tag = c["image"].rpartition(":")
    assert image.endswith(f"skills/{spec.name}")
    if layout == "production":
        assert tag not in ("", "latest"), "production pins a version"


def _environment(objects: list[dict[str, Any]], c: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom first, then env, $(NAME) expanded."""
    env: dict[str, str] = {}
    for source in c.get("envFrom", []):
        env.update(one(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    for var in c.get("env", []):
        if "valueFrom" in var:
            env[var["name"]] = f"<secret {var['valueFrom']['secretKeyRef']['name']}>"
            continue

        def expand(m: re.Match[str], defined: dict[str, str] = env) -> str:
            assert m[1] in defined, f"$({m[1]}) is used before it is defined"
            return defined[m[1]]

        env[var["name"]] = re.sub(r"\$\(([A-Z0-9_]+)\)", expand, var["value"])
    return env


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_every_variable_is_one_the_service_reads(
    rendered: tuple[str, list[dict[str, Any]]], spec: ServiceSpec, names_read_by: Callable[[str], set[str]]
) -> None:
    _, objects = rendered
    unknown = (
        set(_environment(objects, container(objects, spec))) - names_read_by(spec.name) - INTERPOLATION_ONLY
    )
    assert not unknown, f"{spec.name} reads none of {sorted(unknown)}"


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_the_settings_load_from_the_manifest_environment(
    rendered: tuple[str, list[dict[str, Any]]], spec: ServiceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real settings class accepts every value, and the URLs reach the right database and replica."""
    _, objects = rendered
    import os

    for name in list(os.environ):
        if name.startswith(("SKILLS_", spec.env_prefix, "OTEL_")):
            monkeypatch.delenv(name)
    for name, value in _environment(objects, container(objects, spec)).items():
        monkeypatch.setenv(name, value)
    settings = settings_class(spec)()
    assert settings.environment == "production"
    assert re.fullmatch(
        rf"postgresql\+asyncpg://skills:<secret skills-db-app>@skills-db-rw:5432/{spec.database}",
        settings.database_url,
    )
    assert settings.database_read_url == settings.database_url.replace("skills-db-rw", "skills-db-ro")
    assert settings.jwt_secret == "<secret skills-jwt>", "the production secret comes from a Secret"
    for other in SERVICES:
        if other.name != "gateway":
            assert getattr(settings, _url_field(other)) == f"http://{other.name}:{other.port}"


def _url_field(spec: ServiceSpec) -> str:
    return {
        "certificate-registry": "registry_url",
        "org-filing": "org_filing_url",
        "subsidy-claims": "subsidy_url",
        "voucher": "voucher_url",
        "gateway": "gateway_url",
    }[spec.name]


def test_every_secret_referenced_exists_in_a_template(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered
    keys = {t["metadata"]["name"]: set(t["stringData"]) for t in secret_templates()}

    def refs(node: Any) -> Iterable[tuple[str, str | None]]:
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                yield node["secretKeyRef"]["name"], node["secretKeyRef"]["key"]
            if set(node) == {"name", "key"} and isinstance(node["key"], str):
                yield node["name"], node["key"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set()
    for obj in objects:
        found |= set(refs(obj))
        initdb = obj.get("spec", {}).get("bootstrap", {}).get("initdb", {})
        if "secret" in initdb:
            found.add((initdb["secret"]["name"], "password"))
    assert found
    for name, key in found:
        assert name in keys, f"Secret {name} has no template in deploy/k8s/secrets/"
        assert key in keys[name], f"Secret {name} has no key {key}"


def test_the_database_cluster_holds_every_service_database_and_a_replica(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    layout, objects = rendered
    cluster = one(objects, "Cluster", "skills-db")
    assert cluster["spec"]["instances"] >= 2, "a read replica behind skills-db-ro"
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    databases = {initdb["database"]} | {
        o["spec"]["name"]
        for o in objects
        if o["kind"] == "Database" and o["spec"]["cluster"]["name"] == "skills-db"
    }
    assert databases == {s.database for s in SERVICES}
    owners = {o["spec"]["owner"] for o in objects if o["kind"] == "Database"} | {initdb["owner"]}
    assert owners == {"skills"}, "one owner, the role the services and the migration Job log in as"
    if layout == "production":
        assert cluster["spec"]["instances"] >= 3
        assert "barmanObjectStore" in cluster["spec"]["backup"]
        backup = one(objects, "ScheduledBackup", "skills-db-nightly")
        assert backup["spec"]["cluster"]["name"] == "skills-db"


def test_connections_fit_the_database_at_the_autoscalers_ceiling(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    """Each pod holds up to: SQLAlchemy's pool + overflow (pool + pool // 2, skills_shared.db.make_engine), the
    lean asyncpg pool of a hot write path (voucher's redeem: up to pool more), and the registry's look-up
    pool (REGISTRY_LOOKUP_POOL_SIZE)."""
    _, objects = rendered
    budget = int(one(objects, "Cluster", "skills-db")["spec"]["postgresql"]["parameters"]["max_connections"])
    total = 0
    for spec in SERVICES:
        env = _environment(objects, container(objects, spec))
        pool = int(env.get(f"{spec.env_prefix}DATABASE_POOL_SIZE", "20"))
        per_pod = pool + max(pool // 2, 1)
        if spec.name == "voucher":
            per_pod += pool
        if spec.name == "certificate-registry":
            per_pod += int(env.get("REGISTRY_LOOKUP_POOL_SIZE", "10"))
        total += one(objects, "HorizontalPodAutoscaler", spec.name)["spec"]["maxReplicas"] * per_pod
    reserve = 20  # superuser, replication, the operator, the migration Job
    assert total <= budget - reserve, f"{total} connections at the HPA ceiling, {budget} allowed"


def test_the_migration_job_runs_skills_migrate_on_the_primary(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    _, objects = rendered
    job = one(objects, "Job", "skills-migrate")
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (c,) = pod["containers"]
    assert c["command"] == ["skills", "migrate"]
    assert c["image"].rpartition(":")[0].endswith("skills/migrate")
    env = _environment(objects, c)
    assert env["DATABASE_URL"] == "postgresql://skills:<secret skills-db-app>@skills-db-rw:5432/postgres"
    assert set(env) == {"DATABASE_URL", "SKILLS_DB_PASSWORD"}


# ------------------------------------------------------------------------------------------ network policies
def _peer_allows(peer: dict[str, Any], source: tuple[str, dict[str, str]]) -> bool:
    namespace, labels = source
    if "ipBlock" in peer:
        return namespace == "elsewhere"
    if "namespaceSelector" in peer:
        wanted = peer["namespaceSelector"].get("matchLabels", {})
        if wanted.get("kubernetes.io/metadata.name", namespace) != namespace:
            return False
    elif namespace != "skills":
        return False
    return (
        _selects(peer.get("podSelector", {}).get("matchLabels", {}), labels)
        if "podSelector" in peer
        else True
    )


def allowed(
    objects: list[dict[str, Any]], source: tuple[str, dict[str, str]], target: dict[str, str], port: int
) -> bool:
    """Whether NetworkPolicy lets `source` (namespace, pod labels) reach a pod with `target` labels on `port`."""
    policies = [
        o
        for o in objects
        if o["kind"] == "NetworkPolicy"
        and all(target.get(k) == v for k, v in o["spec"]["podSelector"].get("matchLabels", {}).items())
    ]
    assert policies, f"no policy selects {target}: it would be open to everything"
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            if "ports" in rule and port not in {p["port"] for p in rule["ports"]}:
                continue
            if "from" not in rule or any(_peer_allows(peer, source) for peer in rule["from"]):
                return True
    return False


def _pod_labels(objects: list[dict[str, Any]], name: str) -> dict[str, str]:
    labels: dict[str, str] = one(objects, "Deployment", name)["spec"]["template"]["metadata"]["labels"]
    return labels


def test_network_policies_open_only_the_paths_the_design_needs(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    layout, objects = rendered
    suite = {s.name: ("skills", _pod_labels(objects, s.name)) for s in SERVICES}
    outside = {
        "ingress-nginx": ("ingress-nginx", {"app": "ingress-nginx"}),
        "monitoring": ("monitoring", {"app": "prometheus"}),
        "elsewhere": ("elsewhere", {}),
    }
    for spec in SERVICES:
        target = _pod_labels(objects, spec.name)
        reach = {
            n
            for n, src in {**suite, **outside}.items()
            if n != spec.name and allowed(objects, src, target, spec.port)
        }
        if spec.name == "gateway":
            assert {"ingress-nginx", "monitoring"} <= reach
            if layout == "production":
                assert reach == {"ingress-nginx", "monitoring"}
        else:
            assert reach == CALLERS[spec.name] | {"monitoring"}, f"{spec.name} reachable from {sorted(reach)}"
        assert not allowed(objects, suite["gateway"], target, 9999), "only the service port is open"


def test_only_the_suite_reaches_the_database(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    _, objects = rendered
    db = {"cnpg.io/cluster": "skills-db", "cnpg.io/instanceRole": "primary"}
    job = one(objects, "Job", "skills-migrate")["spec"]["template"]["metadata"]["labels"]
    for spec in SERVICES:
        assert allowed(objects, ("skills", _pod_labels(objects, spec.name)), db, 5432)
    assert allowed(objects, ("skills", job), db, 5432)
    assert allowed(objects, ("skills", {"cnpg.io/cluster": "skills-db"}), db, 5432), "replication"
    assert allowed(objects, ("cnpg-system", {}), db, 8000), "the operator's status checks"
    for stranger in (("ingress-nginx", {}), ("elsewhere", {}), ("skills", {"app": "debug-shell"})):
        assert not allowed(objects, stranger, db, 5432)


def test_loader_treats_a_constraint_with_another_policy_as_a_new_one() -> None:
    zone = {"topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 1}
    patched = strategic_merge(
        {"topologySpreadConstraints": [zone]},
        {"topologySpreadConstraints": [{"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]},
    )
    assert len(patched["topologySpreadConstraints"]) == 2
