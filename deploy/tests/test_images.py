"""deploy/images and the container targets agree with the code: what is built, what compose runs, what CI runs.

The images themselves are built and run by `make container-smoke` (a step of .ci/run); these checks need no engine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from skills_tools.services import SERVICES

from .test_compose import interpolate
from .test_dockerfile import Instruction, parse_dockerfile


@pytest.fixture(scope="module")
def images_dir(repo_root: Path) -> Path:
    return repo_root / "deploy" / "images"


@pytest.fixture(scope="module")
def dockerfile(repo_root: Path) -> list[Instruction]:
    return parse_dockerfile((repo_root / "deploy" / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((repo_root / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def built_services(images_dir: Path) -> list[tuple[str, str, str]]:
    """(name, package, port) of each service image build.sh builds, read from its SERVICES list."""
    text = (images_dir / "build.sh").read_text(encoding="utf-8")
    block = re.search(r"<<'SERVICES'\n(.*?)\nSERVICES\n", text, re.S)
    assert block, "build.sh lists the services between <<'SERVICES' and SERVICES"
    return [tuple(line.split()) for line in block[1].splitlines()]  # type: ignore[misc]


def test_both_base_images_are_build_arguments_with_public_defaults(dockerfile: list[Instruction]) -> None:
    args = {
        i.args.split("=", 1)[0]: i.args.split("=", 1)[1]
        for i in dockerfile
        if i.keyword == "ARG" and not i.stage
    }
    assert args["PYTHON_IMAGE"] == "python:3.11-slim-bookworm"
    assert args["UV_IMAGE"].startswith("ghcr.io/astral-sh/uv:")
    froms = [i.args.split()[0] for i in dockerfile if i.keyword == "FROM"]
    assert "${UV_IMAGE}" in froms and froms.count("${PYTHON_IMAGE}") == 2, (
        "build and runtime both take the argument"
    )


def test_the_runtime_installs_the_certificate_font(dockerfile: list[Instruction]) -> None:
    runs = " ".join(i.args for i in dockerfile if i.keyword == "RUN" and i.stage == "runtime")
    assert "apt-get install" in runs and "fonts-lxgw-wenkai" in runs
    assert "rm -rf /var/lib/apt/lists/*" in runs, "no package lists left in the image"
    stage = [i for i in dockerfile if i.stage == "runtime"]
    first_user = next(n for n, i in enumerate(stage) if i.keyword == "USER")
    assert all(n < first_user for n, i in enumerate(stage) if i.keyword == "RUN" and "apt-get" in i.args)


def test_uv_trusts_the_images_certificate_store(dockerfile: list[Instruction]) -> None:
    env = " ".join(i.args for i in dockerfile if i.keyword == "ENV" and i.stage == "build")
    assert "UV_NATIVE_TLS=1" in env


def test_build_sh_builds_every_service_as_services_py_says(images_dir: Path) -> None:
    assert sorted(built_services(images_dir)) == sorted((s.name, s.package, str(s.port)) for s in SERVICES)


def test_compose_runs_the_tags_build_sh_builds(images_dir: Path, compose: dict[str, Any]) -> None:
    text = (images_dir / "build.sh").read_text(encoding="utf-8")
    assert 'build "skills/$name:local"' in text and "build skills/migrate:local" in text
    for name, *_ in built_services(images_dir):
        assert compose["services"][name]["image"] == f"skills/{name}:local"
    assert compose["services"]["migrate"]["image"] == "skills/migrate:local"


def test_the_stand_ins_are_the_images_compose_names(images_dir: Path, compose: dict[str, Any]) -> None:
    """build.sh writes the stand-ins' names to .data/images.env; compose's image lines read exactly those."""
    text = (images_dir / "build.sh").read_text(encoding="utf-8")
    written = set(re.findall(r"(SKILLS_\w+_IMAGE)=%s", text))
    assert written == {"SKILLS_POSTGRES_IMAGE", "SKILLS_REDIS_IMAGE", "SKILLS_MINIO_IMAGE"}
    env = {
        "SKILLS_POSTGRES_IMAGE": "localhost/skills-postgres:15-bookworm",
        "SKILLS_REDIS_IMAGE": "localhost/skills-redis:7-bookworm",
        "SKILLS_MINIO_IMAGE": "localhost/skills-minio:local",
    }
    pairs = [("postgres", "SKILLS_POSTGRES_IMAGE"), ("redis", "SKILLS_REDIS_IMAGE")]
    if "minio" in compose["services"]:
        pairs.append(("minio", "SKILLS_MINIO_IMAGE"))
    for service, variable in pairs:
        assert interpolate(compose["services"][service]["image"], env) == env[variable]
        assert env[variable] in text, f"build.sh tags {env[variable]}"


def test_the_postgres_stand_in_reads_what_compose_gives_it(images_dir: Path, compose: dict[str, Any]) -> None:
    containerfile = (images_dir / "postgres.Containerfile").read_text(encoding="utf-8")
    entrypoint = (images_dir / "postgres-entrypoint.sh").read_text(encoding="utf-8")
    pg = compose["services"]["postgres"]
    for name in pg["environment"]:
        assert name in entrypoint, f"compose sets {name}, the stand-in never reads it"
    assert pg["volumes"][0].partition(":")[2] == "/var/lib/postgresql/data"
    assert "PGDATA=/var/lib/postgresql/data" in containerfile
    assert "STOPSIGNAL SIGINT" in containerfile, "fast shutdown: the engine's stop must not wait for clients"
    assert "exec postgres" in entrypoint, "PID 1 is the server, so the stop signal reaches it"
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"]) and "HEALTHCHECK" in containerfile


def test_podman_builds_keep_health_checks(images_dir: Path) -> None:
    """OCI images have no HEALTHCHECK: podman must write the Docker format or every check is dropped."""
    text = (images_dir / "build.sh").read_text(encoding="utf-8")
    assert "--format docker" in text


def test_podman_settings_are_the_ones_this_kind_of_host_needs(images_dir: Path) -> None:
    conf = tomllib.loads((images_dir / "containers.conf").read_text(encoding="utf-8"))
    assert conf["engine"]["runtime"] == "runc"
    assert conf["engine"]["cgroup_manager"] == "cgroupfs"
    limits = dict(u.split("=", 1) for u in conf["containers"]["default_ulimits"])
    for name in ("nofile", "nproc"):
        soft, hard = (int(x) for x in limits[name].split(":"))
        assert soft <= hard <= 65536, f"{name} must stay under ordinary hard limits"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "sources.list": "deb [arch=amd64 signed-by=/k.gpg] http://mirrors.example.cn/debian bookworm main\n"
            },
            "http://mirrors.example.cn/debian",
        ),
        (
            {
                "sources.list.d/debian.sources": (
                    "Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\n\n"
                    "Types: deb\nURIs: https://mirror.example.org/debian/\nSuites: bookworm bookworm-updates\n"
                    "Components: main\n"
                )
            },
            "https://mirror.example.org/debian",
        ),
        ({}, "http://deb.debian.org/debian"),
    ],
    ids=["one-line", "deb822", "none"],
)
def test_debootstrap_uses_the_mirror_apt_uses(
    images_dir: Path, tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    (tmp_path / "sources.list.d").mkdir()
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    out = subprocess.run(  # noqa: S603
        [str(images_dir / "mirror.sh")],
        env={**os.environ, "APT_ETC": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected


def test_base_sh_bootstraps_minbase_bookworm_and_imports_it(images_dir: Path) -> None:
    text = (images_dir / "base.sh").read_text(encoding="utf-8")
    assert re.search(r"debootstrap --variant=minbase bookworm \S+ \"\$MIRROR\"", text)
    assert 'MIRROR=$("$HERE/mirror.sh")' in text
    assert re.search(r"tar .*-C \"\$WORK/rootfs\" -c \. \| \$ENGINE import", text)


def test_the_makefile_targets_call_the_scripts(repo_root: Path) -> None:
    makefile = (repo_root / "Makefile").read_text(encoding="utf-8")
    recipes = dict(re.findall(r"^([a-z-]+):[^\n]*\n\t@([^\n]+)", makefile, re.M))
    assert recipes["images"] == "deploy/images/build.sh"
    assert recipes["compose-up"] == "deploy/images/compose.sh up"
    assert recipes["compose-down"].startswith("deploy/images/compose.sh down")
    assert recipes["container-smoke"] == "$(PYTHON) deploy/smoke.py"


def test_ci_runs_the_smoke_test_right_after_the_first_make_test(repo_root: Path) -> None:
    lines = [line.strip() for line in (repo_root / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith(("#", "echo"))]
    first_test = next(i for i, c in enumerate(commands) if c.split()[:2] == ["make", "test"])
    assert commands[first_test + 1] == "make container-smoke"


def test_the_smoke_test_skips_with_one_line_when_the_engine_cannot_run_containers(
    repo_root: Path, tmp_path: Path
) -> None:
    """probe.sh's exit 3 (podman itself is broken here) is a skip with exit 0; other failures fail the step."""
    for code, expected_exit in ((3, 0), (1, 1)):
        probe = tmp_path / "probe.sh"
        probe.write_text(
            f"#!/bin/sh\necho 'podman cannot run containers on this machine: test'\nexit {code}\n"
        )
        probe.chmod(0o755)
        script = (
            "import sys, pathlib; sys.path.insert(0, 'deploy'); import smoke; "
            f"smoke.IMAGES = pathlib.Path({str(tmp_path)!r}); sys.exit(smoke.main())"
        )
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=repo_root, capture_output=True, text=True, check=False
        )
        assert done.returncode == expected_exit, done.stderr
        if code == 3:
            assert done.stdout.strip().splitlines() == [
                "container smoke test skipped: podman cannot run containers on this machine: test"
            ]


def test_the_object_store_stand_in_answers_what_compose_asks(
    images_dir: Path, compose: dict[str, Any]
) -> None:
    """compose runs MinIO as `server /data` with `mc ready local` as its check: the S3 stand-in takes both."""
    if "minio" not in compose["services"]:
        assert "SKILLS_MINIO_IMAGE" not in (images_dir.parent.parent / "docker-compose.yml").read_text()
        return
    minio = compose["services"]["minio"]
    assert minio["command"] == ["server", "/data"]
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    containerfile = (images_dir / "minio.Containerfile").read_text(encoding="utf-8")
    assert "COPY minio-stand-in.sh /usr/local/bin/minio" in containerfile
    assert "COPY mc-stand-in.sh /usr/local/bin/mc" in containerfile
    assert "STOPSIGNAL SIGINT" in containerfile, "the development server ignores SIGTERM as PID 1"
    assert '"$*" = "ready local"' in (images_dir / "mc-stand-in.sh").read_text(encoding="utf-8")
    assert "-p 9000" in (images_dir / "minio-stand-in.sh").read_text(encoding="utf-8")
