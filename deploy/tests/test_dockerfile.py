"""deploy/Dockerfile refers only to things that exist: lock file, workspace members, entry points, ports."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from skills_tools.run import HTTP_PROTOCOL
from skills_tools.services import SERVICES, ServiceSpec


@dataclass
class Instruction:
    """One Dockerfile instruction, continuation lines joined, with the stage it belongs to."""

    keyword: str
    args: str
    stage: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order; a stage is named by ``FROM ... AS <name>``."""
    joined = re.sub(r"\\\n", " ", text)
    found: list[Instruction] = []
    stage = ""
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            stage = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else parts[0]
        found.append(Instruction(keyword, args.strip(), stage))
    return found


@pytest.fixture(scope="module")
def instructions(repo_root: Path) -> list[Instruction]:
    return parse_dockerfile((repo_root / "deploy" / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lock(repo_root: Path) -> dict[str, Any]:
    with (repo_root / "uv.lock").open("rb") as f:
        return tomllib.load(f)


def _args_default(instructions: list[Instruction], name: str, stage: str) -> str:
    for ins in instructions:
        if ins.keyword == "ARG" and ins.args.startswith(f"{name}=") and ins.stage in (stage, ""):
            return ins.args.split("=", 1)[1]
    raise AssertionError(f"no ARG {name} in stage {stage}")


def _stage_of(instructions: list[Instruction], stage: str) -> list[Instruction]:
    return [i for i in instructions if i.stage == stage]


def _closure(lock: dict[str, Any], root: str) -> set[str]:
    """Every package `uv sync --no-dev --package <root>` installs, read from the lock."""
    packages = {p["name"]: p for p in lock["package"]}
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[str, str]] = [(root, "")]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        package = packages[name]
        deps = (
            package.get("optional-dependencies", {}).get(extra, [])
            if extra
            else package.get("dependencies", [])
        )
        for dep in deps:
            todo.append((dep["name"], ""))
            todo += [(dep["name"], e) for e in dep.get("extra", [])]  # sqlalchemy[asyncio] brings greenlet
    return {name for name, _ in seen}


def _substitute(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m[1], m[0]), text)


def test_the_final_images_are_slim_python_311(instructions: list[Instruction]) -> None:
    image = _args_default(instructions, "PYTHON_IMAGE", "")
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", image), image
    runtime = next(i for i in instructions if i.keyword == "FROM" and i.stage == "runtime")
    assert runtime.args.startswith("${PYTHON_IMAGE}")
    for target in ("service", "migrate"):
        base = next(i for i in instructions if i.keyword == "FROM" and i.stage == target)
        assert base.args.split()[0] == "runtime", f"{target} must build on the slim runtime stage"
        copies = [i for i in _stage_of(instructions, target) if i.keyword == "COPY"]
        assert all("--from=" in c.args for c in copies), f"{target} copies only the built venv"


def test_the_default_target_is_the_service(instructions: list[Instruction]) -> None:
    assert instructions[-1].stage == "service"


def test_runs_as_a_non_root_user(instructions: list[Instruction]) -> None:
    users = [i.args for i in instructions if i.keyword == "USER"]
    assert users, "no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, "a numeric uid lets Kubernetes verify runAsNonRoot"


def test_every_copied_path_exists(instructions: list[Instruction], repo_root: Path) -> None:
    for spec in SERVICES:
        values = {"SERVICE": spec.name, "PACKAGE": spec.package, "PORT": str(spec.port)}
        for ins in instructions:
            if ins.keyword != "COPY" or "--from=" in ins.args:
                continue
            *sources, _dest = shlex.split(_substitute(ins.args, values))
            for source in sources:
                assert (repo_root / source).exists(), f"COPY {source}: not in the repository"


def test_every_workspace_member_manifest_is_copied(
    instructions: list[Instruction], lock: dict[str, Any], repo_root: Path
) -> None:
    """uv refuses a frozen sync when a member of the workspace is missing, so all manifests must be there."""
    editable = {p["name"]: p["source"]["editable"] for p in lock["package"] if "editable" in p["source"]}
    assert set(lock["manifest"]["members"]) - {"skills-suite"} == set(editable)
    copied = {shlex.split(i.args)[0] for i in instructions if i.keyword == "COPY"}
    for member, path in editable.items():
        assert f"{path}/pyproject.toml" in copied, f"{member}: {path}/pyproject.toml is not copied"
    assert "uv.lock" in " ".join(i.args for i in instructions if i.keyword == "COPY")


def test_uv_syncs_frozen_without_dev_from_the_lock(instructions: list[Instruction]) -> None:
    syncs = [i for i in instructions if i.keyword == "RUN" and "uv sync" in i.args]
    assert syncs
    for ins in syncs:
        assert "--frozen" in ins.args and "--no-dev" in ins.args, ins.args
    service_syncs = [i.args for i in syncs if i.stage == "service-build"]
    assert all('--package "${SERVICE}"' in a for a in service_syncs)
    assert any("--no-editable" in a for a in service_syncs), "the runtime image must not need the source tree"


def test_the_six_images_share_one_dependency_layer(instructions: list[Instruction]) -> None:
    """A cold `make images` installs and compiles the third-party packages once, in the deps stage; each image's
    own sync then only removes what its service does not need and adds the workspace packages."""
    (deps,) = [i.args for i in _stage_of(instructions, "deps") if i.keyword == "RUN"]
    assert "--all-packages" in deps and "--no-install-workspace" in deps
    for stage in ("service-build", "migrate-build"):
        base = next(i for i in instructions if i.keyword == "FROM" and i.stage == stage)
        assert base.args.split()[0] == "deps", f"{stage} must start from the shared dependency layer"
        (sync,) = [i.args for i in _stage_of(instructions, stage) if i.keyword == "RUN"]
        assert "--inexact" not in sync, f"{stage}: an exact sync drops the packages other images need"
        assert "compileall" in sync, f"{stage}: the workspace packages are compiled like the dependencies"


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_service_is_a_locked_member_whose_closure_runs_uvicorn(
    spec: ServiceSpec, lock: dict[str, Any]
) -> None:
    members = set(lock["manifest"]["members"])
    assert spec.name in members, f"--package {spec.name}: not a workspace member"
    closure = _closure(lock, spec.name)
    assert {"uvicorn", "skills-shared", "alembic", "asyncpg"} <= closure
    assert "skills-tools" not in closure, "service images do not carry the developer tools"
    assert "pytest" not in closure


def test_the_migration_image_carries_every_migration_and_the_skills_command(
    instructions: list[Instruction], lock: dict[str, Any], repo_root: Path
) -> None:
    build = " ".join(i.args for i in _stage_of(instructions, "migrate-build"))
    assert "--all-packages" in build
    for spec in SERVICES:
        assert f"services/{spec.name}/src" in build
        assert (repo_root / "services" / spec.name / "src" / spec.package / "migrations" / "env.py").exists()
    cmd = next(i for i in _stage_of(instructions, "migrate") if i.keyword == "CMD")
    assert json.loads(cmd.args) == ["skills", "migrate"]
    with (repo_root / "tools" / "pyproject.toml").open("rb") as f:
        script = tomllib.load(f)["project"]["scripts"]["skills"]
    module, _, func = script.partition(":")
    assert callable(getattr(import_module(module), func))


def test_the_service_command_starts_the_factory_on_the_port(instructions: list[Instruction]) -> None:
    stage = _stage_of(instructions, "service")
    env = " ".join(i.args for i in stage if i.keyword == "ENV")
    assert "SERVICE_APP=${PACKAGE}.app:create_app" in env
    assert "SERVICE_PORT=${PORT}" in env
    assert any(i.keyword == "EXPOSE" and i.args == "${PORT}" for i in stage)
    cmd = json.loads(next(i for i in stage if i.keyword == "CMD").args)
    assert "exec uvicorn" in cmd[-1] and '"$SERVICE_APP" --factory' in cmd[-1]
    assert '--port "$SERVICE_PORT"' in cmd[-1] and "--host 0.0.0.0" in cmd[-1]
    assert f"--http {HTTP_PROTOCOL} " in cmd[-1], "the protocol every other start of a service uses"
    assert _args_default(instructions, "SERVICE", "service") == SERVICES[0].name
    assert _args_default(instructions, "PACKAGE", "service") == SERVICES[0].package
    assert _args_default(instructions, "PORT", "service") == str(SERVICES[0].port)


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_factory_exists(spec: ServiceSpec) -> None:
    assert spec.app_factory == f"{spec.package}.app:create_app"
    assert callable(import_module(f"{spec.package}.app").create_app)


def test_healthcheck_asks_healthz_on_the_service_port(instructions: list[Instruction]) -> None:
    (check,) = [i for i in instructions if i.keyword == "HEALTHCHECK"]
    assert check.stage == "service"
    assert "/healthz" in check.args and "SERVICE_PORT" in check.args
    assert '"python"' in check.args, "python:3.11-slim has no curl or wget"


def test_dockerignore_keeps_out_local_state_but_not_what_is_copied(
    instructions: list[Instruction], repo_root: Path
) -> None:
    patterns = [
        line.strip()
        for line in (repo_root / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in (".venv", ".data", ".git"):
        assert needed in patterns
    for spec in SERVICES:
        values = {"SERVICE": spec.name}
        for ins in instructions:
            if ins.keyword == "COPY" and "--from=" not in ins.args:
                source = shlex.split(_substitute(ins.args, values))[0]
                for pattern in patterns:
                    bare = pattern.removeprefix("**/")
                    hit = fnmatch.fnmatch(source, pattern) or any(
                        fnmatch.fnmatch(part, bare) for part in Path(source).parts
                    )
                    assert not hit, f".dockerignore {pattern!r} hides {source}"


_IMPORT_GUARD = """
import importlib, importlib.abc, importlib.metadata as md, json, re, sys
allowed = set(json.loads(sys.argv[1]))
foreign = set(json.loads(sys.argv[2]))
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
providers = md.packages_distributions()

class OutsideTheImage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        top = name.partition(".")[0]
        dists = providers.get(top)
        if top in foreign or (dists and not any(norm(d) in allowed for d in dists)):
            raise ModuleNotFoundError(f"{name}: provided by {dists or top}, which the image does not install")
        return None

sys.meta_path.insert(0, OutsideTheImage())
module = importlib.import_module(sys.argv[3] + ".app")
module.create_app()
print("ok")
"""


@pytest.fixture(scope="module")
def start_attempts(lock: dict[str, Any]) -> dict[str, tuple[int, str, str]]:
    """Service name → (exit code, stdout, stderr) of building its app inside the import guard, all at once."""
    import subprocess
    import sys

    procs = {}
    for spec in SERVICES:
        closure = sorted(_closure(lock, spec.name))
        foreign = sorted({s.package for s in SERVICES if s is not spec} | {"skills_tools"})
        procs[spec.name] = subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", _IMPORT_GUARD, json.dumps(closure), json.dumps(foreign), spec.package],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        results[name] = (proc.returncode, out, err)
    return results


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_service_starts_with_only_what_its_image_installs(
    spec: ServiceSpec, start_attempts: dict[str, tuple[int, str, str]]
) -> None:
    """Import the app and build it while refusing every distribution outside `uv sync --package <service>`.

    The development venv holds every package of the workspace, so a service that imports a library only a sibling
    declares works there and crashes in its own image; this catches it without building the image.
    """
    code, out, err = start_attempts[spec.name]
    last = (err.strip().splitlines() or ["(no output)"])[-1]
    assert code == 0 and out.strip().endswith("ok"), (
        f"{spec.name} cannot start from its image's packages (declare the dependency in "
        f"services/{spec.name}/pyproject.toml and re-lock): {last}"
    )
