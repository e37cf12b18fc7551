"""Container smoke test (`make container-smoke`, a step of `.ci/run`): the suite as ops teams run it.

Builds the images (`make images`: cached layers make a second run quick), starts the compose stack
(`make compose-up`), then asks the published gateway, the only way in:

1. ``/healthz`` and ``/readyz`` answer 200 (every upstream reachable through the compose network);
2. a public certificate look-up (CR-6) travels gateway → registry → PostgreSQL and back as the registry's own
   problem+json 404 for an unknown number, in Chinese;
3. the demo world is loaded through the published gateway by the demo's own loader (`make demo`'s), then its
   people use it (deploy/smoke_demo.py): a citizen's look-up of a demo certificate with the holder's name (200,
   ID masked), the holder's subsidy application with it (gateway → registry → subsidy-claims, 201), the district
   reviewer's queue listing the new claim, a voucher redeemed by an institution's front desk. The stack runs with
   deploy/compose.demo.yml for this: the sandbox clock the loader moves, and the demo's synthetic calendar when
   the walk reaches a year chinesecalendar does not cover, both in one host folder mounted into the services;
4. the registry's process is killed (SIGKILL, as a crash or the OOM killer does): the same look-up is a 503
   problem naming ``certificate-registry``; the engine's restart policy brings the container back and the look-up
   answers again;
5. the certificate image carries the font the certificate PDF embeds.

The stack is taken down (volumes too) whatever happens. When the container engine itself cannot run a container on
this machine (deploy/images/probe.sh), one line says so and the step exits 0: that is not the suite's failure. Any
other failure exits 1.

Standard library only, so it runs before the workspace's environment exists; step 3 alone runs in it (`uv run`),
since the demo loader mints development tokens and speaks httpx.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "deploy" / "images"
GATEWAY = "http://127.0.0.1:8000"
"""Where the stack publishes the gateway: set in main() from GATEWAY_PUBLISH, or a free port of this machine."""
UNKNOWN_NUMBER = "S000050110001263000123"
"""A valid certificate number (CR-1) that a fresh stack has not issued: the look-up must reach the database."""
FONT = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"
"""Installed by Debian's fonts-lxgw-wenkai (deploy/Dockerfile)."""
DEMO_MOUNT = "/var/lib/skills-demo"
"""Where deploy/compose.demo.yml mounts the demo folder (sandbox clock, synthetic calendar) in the services."""
WAIT_S = 180.0
"""Upper bound on any single wait: an outage the smoke test cannot see the end of is a failure."""


class SmokeFailure(Exception):
    """A check failed: the message says which and what was seen."""


@dataclass
class Figures:
    """Seconds each stage took, printed at the end for the CI log and the operations guide."""

    seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, name: str, argv: list[str]) -> None:
        started = time.monotonic()
        run(argv)
        self.seconds[name] = round(time.monotonic() - started, 1)

    def show(self) -> str:
        return ", ".join(f"{name} {value} s" for name, value in self.seconds.items())


def run(argv: list[str], *, capture: bool = False) -> str:
    """Run a command from the repository root; a non-zero exit is a failure naming the command."""
    done = subprocess.run(argv, cwd=REPO, text=True, capture_output=capture, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout or "").strip().splitlines()[-5:] if capture else []
        raise SmokeFailure(f"{' '.join(argv)} exited {done.returncode} {' | '.join(detail)}".strip())
    return done.stdout if capture else ""


def engine() -> str:
    """The engine the scripts chose (deploy/images/engine.sh): docker when a daemon answers, else podman."""
    return run(
        ["bash", "-c", f"source {IMAGES / 'engine.sh'} >/dev/null && echo $ENGINE"], capture=True
    ).strip()


def engine_command(name: str, *args: str) -> list[str]:
    """An engine command with the suite's podman settings (runc, cgroupfs, ulimits)."""
    if name == "podman":
        os.environ.setdefault("CONTAINERS_CONF", str(IMAGES / "containers.conf"))
    return [name, *args]


def container_of(name: str, service: str) -> str:
    """The container compose made for a service (both compose implementations label it so)."""
    out = run(
        engine_command(
            name,
            "ps",
            "-a",
            "--filter",
            "label=com.docker.compose.project=skills",
            "--filter",
            f"label=com.docker.compose.service={service}",
            "--format",
            "{{.Names}}",
        ),
        capture=True,
    )
    names = out.split()
    if not names:
        raise SmokeFailure(f"no container for {service}")
    return names[0]


def get(path: str) -> tuple[int, str, dict[str, object]]:
    """GET through the gateway: status, content type, parsed JSON body (empty when not JSON)."""
    request = urllib.request.Request(GATEWAY + path, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the local gateway
            status, ctype, body = answer.status, answer.headers.get("content-type", ""), answer.read()
    except urllib.error.HTTPError as error:
        status, ctype, body = error.code, error.headers.get("content-type", ""), error.read()
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    return status, ctype, parsed if isinstance(parsed, dict) else {"items": parsed}


def lookup() -> tuple[int, str, dict[str, object]]:
    return get(f"/api/v1/certificates/{UNKNOWN_NUMBER}?name=%E5%BC%A0%E4%B8%89")


def check_health() -> None:
    for path in ("/healthz", "/readyz"):
        status, _, body = get(path)
        if status != 200:
            raise SmokeFailure(f"gateway {path}: {status} {body}")
    print("ok   gateway /healthz and /readyz answer 200")


def check_lookup() -> None:
    status, ctype, body = lookup()
    if status != 404 or not ctype.startswith("application/problem+json"):
        raise SmokeFailure(
            f"look-up of an unknown number: expected the registry's 404 problem, got {status} {body}"
        )
    if not any("\u4e00" <= ch <= "\u9fff" for ch in str(body.get("title", "")) + str(body.get("detail", ""))):
        raise SmokeFailure(f"look-up problem is not in Chinese: {body}")
    print(
        f"ok   certificate look-up through the gateway: 404 problem from the registry ({body.get('title')})"
    )


def uv() -> list[str]:
    """uv as the Makefile finds it: on PATH, else the module of this Python."""
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def demo_command(*args: str) -> list[str]:
    return [
        *uv(),
        "run",
        "--frozen",
        "--all-packages",
        "python",
        str(REPO / "deploy" / "smoke_demo.py"),
        *args,
    ]


def prepare_demo() -> Path:
    """A fresh demo folder for deploy/compose.demo.yml, with the demo's synthetic calendar when the walk needs one.

    The services run as uid 10001 and the gateway writes the sandbox clock's file there (a temporary file renamed
    over the old one), so the folder is open to every user: it holds a throw-away clock and a calendar only.
    """
    (REPO / ".data").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="container-smoke-", dir=REPO / ".data"))
    folder.chmod(0o777)  # see the docstring: the images' user must create files here
    written = run(demo_command("calendar", str(folder)), capture=True).strip()
    os.environ["SKILLS_COMPOSE_DEMO_DIR"] = str(folder)
    os.environ["SKILLS_COMPOSE_DEMO_CALENDAR"] = f"{DEMO_MOUNT}/{Path(written).name}" if written else ""
    return folder


def check_demo_workflow(folder: Path) -> None:
    """The demo loader and the demo's people through the published gateway; deploy/smoke_demo.py prints the
    `ok` lines, and its `FAIL` line when a step is refused."""
    try:
        run(demo_command("workflow", GATEWAY, str(folder)))
    except SmokeFailure as failure:
        raise SmokeFailure(
            f"the demo world or its workflow failed (its FAIL line above): {failure}"
        ) from None


def check_outage_and_recovery(name: str) -> None:
    """Crash the registry (SIGKILL to its process, as the OOM killer does); the look-up is a 503 naming it; the
    engine's restart policy brings it back and the look-up answers again.

    The process is killed from the host rather than with `podman kill`: an operator's kill counts as a stop, and
    no engine restarts a container its operator stopped, so only a crash shows the restart policy at work.
    """
    container = container_of(name, "certificate-registry")
    restarts_before = restart_count(name, container)
    os.kill(int(inspect(name, container, "{{.State.Pid}}")), signal.SIGKILL)
    status, ctype, body = lookup()
    if status != 503 or not ctype.startswith("application/problem+json"):
        raise SmokeFailure(f"look-up with the registry killed: expected a 503 problem, got {status} {body}")
    if body.get("service") != "certificate-registry":
        raise SmokeFailure(f"the 503 does not name certificate-registry: {body}")
    print(f"ok   registry killed: the look-up is a 503 problem naming it ({body.get('detail')})")

    started = time.monotonic()
    while True:
        status, _, body = lookup()
        if status == 404 and restart_count(name, container) > restarts_before:
            break
        if time.monotonic() - started > WAIT_S:
            raise SmokeFailure(f"no recovery within {WAIT_S:.0f} s of the crash: {status} {body}")
        time.sleep(1)
    print(
        f"ok   registry restarted by the engine (restart policy): the look-up answers 404 again "
        f"{time.monotonic() - started:.0f} s after the crash"
    )


def inspect(name: str, container: str, template: str) -> str:
    return run(engine_command(name, "inspect", "--format", template, container), capture=True).strip()


def restart_count(name: str, container: str) -> int:
    return int(inspect(name, container, "{{.RestartCount}}") or 0)


def check_font(name: str) -> None:
    """The certificate PDF needs LXGW WenKai: its file is in the image and reportlab can load it there."""
    code = f"from reportlab.pdfbase.ttfonts import TTFont; TTFont('LXGWWenKai', {FONT!r}); print('font ok')"
    out = run(
        engine_command(name, "run", "--rm", "skills/certificate-registry:local", "python", "-c", code),
        capture=True,
    )
    if "font ok" not in out:
        raise SmokeFailure(f"certificate image cannot load {FONT}: {out}")
    print(f"ok   certificate image loads {FONT}")


def publish_on_a_free_port() -> None:
    """A developer's `make run` may hold port 8000: unless GATEWAY_PUBLISH says where, take a free port."""
    global GATEWAY
    if "GATEWAY_PUBLISH" not in os.environ:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            os.environ["GATEWAY_PUBLISH"] = f"127.0.0.1:{probe.getsockname()[1]}"
    GATEWAY = "http://" + os.environ["GATEWAY_PUBLISH"]


def main() -> int:
    probe = subprocess.run(  # noqa: S603
        [str(IMAGES / "probe.sh")], cwd=REPO, text=True, capture_output=True, check=False
    )
    if probe.returncode == 3:
        print(f"container smoke test skipped: {probe.stdout.strip() or probe.stderr.strip()}")
        return 0
    if probe.returncode != 0:
        print(f"container smoke test: the probe failed: {probe.stderr.strip()}", file=sys.stderr)
        return 1
    name = engine()
    publish_on_a_free_port()
    figures = Figures()
    compose = str(IMAGES / "compose.sh")
    started = time.monotonic()
    demo: Path | None = None
    try:
        figures.timed("images", [str(IMAGES / "build.sh")])
        run([compose, "down", "-v"], capture=True)  # a stack left by an interrupted run
        demo = prepare_demo()
        figures.timed("stack start", [compose, "up"])
        check_health()
        check_lookup()
        demo_started = time.monotonic()
        check_demo_workflow(demo)
        figures.seconds["demo world"] = round(time.monotonic() - demo_started, 1)
        check_font(name)
        check_outage_and_recovery(name)
    except SmokeFailure as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        subprocess.run([compose, "ps"], cwd=REPO, check=False)  # noqa: S603
        return 1
    finally:
        subprocess.run([compose, "down", "-v"], cwd=REPO, capture_output=True, check=False)  # noqa: S603
        figures.seconds["in all"] = round(time.monotonic() - started, 1)
        print(f"container smoke test ({name}): {figures.show()}")
    # Kept after a failure (the returns above): its world.json and sandbox clock tell how far the load got.
    if demo is not None:
        shutil.rmtree(demo, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
