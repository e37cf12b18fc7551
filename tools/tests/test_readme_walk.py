"""`make demo` and the README's quick start, as a newcomer runs them: the real command starts the five services
as processes on fresh databases and loads the demo world through the gateway; a second `make demo` changes
nothing; every code block of the README's quick start runs as written; and moving the sandbox clock past a
batch's publicity lets approval and issue proceed through the API alone (issue 17)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest

from skills_shared.db import to_asyncpg_dsn
from skills_shared.testing import admin_url, auth_headers, with_database
from skills_shared.validators import make_resident_id
from skills_shared.workdays import CALENDAR_FILE_ENV, add_working_days, reset_loaded_calendars
from skills_tools.database import REPO_ROOT
from skills_tools.demo.load import CLAIM_STATES
from skills_tools.demo.people import HOLDERS
from skills_tools.services import SERVICES

OFFSET = 270
"""Ports 8270–8274: clear of a developer's own suite (8000) and of the other real-process tests."""
GATEWAY = f"http://127.0.0.1:{8000 + OFFSET}"


@dataclass
class Demo:
    """The running `make demo`, its folder (summary, env.sh) and the environment it was started with."""

    proc: subprocess.Popen[str]
    folder: Path
    env: dict[str, str]
    first_output: str

    def variables(self) -> dict[str, str]:
        """The exports of env.sh (GW, DEMO_*, the tokens), as the README's blocks see them."""
        found: dict[str, str] = {}
        for line in (self.folder / "env.sh").read_text("utf-8").splitlines():
            match = re.match(r"export (\w+)=(.*)$", line)
            if match:
                found[match.group(1)] = match.group(2).strip("'")
        return found


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def demo_command() -> list[str]:
    """What `make demo` runs."""
    return [sys.executable, "-m", "skills_tools.demo"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`make demo` (what the Makefile runs) in a process of its own, on databases of its own, until the end."""
    folder = tmp_path_factory.mktemp("demo")
    prefix = f"t_demo_{uuid.uuid4().hex[:6]}_"
    server = admin_url()
    env = dict(os.environ)
    env.update(
        {
            "SKILLS_PORT_OFFSET": str(OFFSET),
            "SKILLS_DATABASE_PREFIX": prefix,
            "DATABASE_URL": server,
            "SKILLS_DEMO_DIR": str(folder),
            "SKILLS_SANDBOX_CLOCK_FILE": str(folder / "sandbox-clock.json"),
        }
    )
    env.pop(CALENDAR_FILE_ENV, None)
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        demo_command(),
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # As a background job of a non-interactive shell starts it (CI's steps, nohup): SIGINT ignored, which a
        # `make demo` deaf to Ctrl-C inherited; killed outright, it left its services holding their ports.
        preexec_fn=_ignore_sigint,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("the suite serves at"):
                break
        output = "".join(lines)
        assert "demo world loaded in" in output, output[-3000:]
        yield Demo(proc, folder, env, output)
    finally:
        services = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        stopped = True
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stopped = False
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        _, alive = psutil.wait_procs(services, timeout=15)
        for child in alive:  # never leave them holding the ports for the next run, whatever the verdict
            child.kill()
        asyncio.run(drop_databases(server, prefix))
    assert stopped, "make demo did not stop on Ctrl-C within 30 s"
    assert alive == [], f"make demo left services running after Ctrl-C: {[c.pid for c in alive]}"


async def drop_databases(server: str, prefix: str) -> None:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(server, "postgres")))
    try:
        for spec in SERVICES:
            await conn.execute(f'DROP DATABASE IF EXISTS "{prefix}{spec.database}" WITH (FORCE)')
    finally:
        await conn.close()


def audit_counts() -> dict[str, int]:
    """How many audited changes each service holds: every write of every service is audited, so equal counts
    mean nothing was written."""
    inspector = auth_headers("inspector", "inspector-test")
    counts = {}
    for spec in SERVICES:  # each process's own chain, on its internal platform route
        answer = httpx.get(
            f"http://127.0.0.1:{spec.port + OFFSET}/v1/audit/verify", headers=inspector, timeout=30
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["ok"] is True
        counts[spec.name] = answer.json()["checked"]
    return counts


def get(path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    answer = httpx.get(f"{GATEWAY}{path}", headers=headers, params=params or None, timeout=30)
    assert answer.status_code == 200, f"{path}: {answer.text}"
    return answer.json()


def test_demo_loads_a_world_in_every_state_and_a_second_run_changes_nothing(demo: Demo) -> None:
    world = json.loads((demo.folder / "world.json").read_text("utf-8"))
    city = auth_headers("city_officer", "city-test")
    # bodies in several districts, city and district level, one of them a 贯通 body
    bodies = {b["code"]: b for b in get("/api/v1/filing/bodies", page_size=200)["items"]}
    assert set(world["bodies"].values()) <= set(bodies)
    assert {bodies[c]["district_code"] for c in world["bodies"].values()} >= {"00", "05", "07"}
    assert world["guantong_id"]
    # batches in every state of CR-4
    states = {key: get(f"/api/v1/batches/{bid}", city)["status"] for key, bid in world["batches"].items()}
    assert set(states.values()) >= {"draft", "publicity", "approved", "issued"}, states
    # issued certificates, one revoked
    revoked = get(f"/api/v1/registry/certificates/{world['revoked']}/record", city)
    assert revoked["status"] == "revoked"
    assert len(world["certificates"]) == 16
    # claims in every state of the claim's life
    officer = auth_headers("district_officer", "officer-test", district="05")
    applicants = {state: auth_headers("citizen", HOLDERS[i].id_number) for i, state in CLAIM_STATES}
    claim_states = {
        # a draft has no reviewing district yet: its applicant reads it
        state: get(f"/api/v1/claims/{cid}", applicants[state] if state == "draft" else officer)["status"]
        for state, cid in world["claims"].items()
    }
    assert claim_states == {state: state for state in world["claims"]}
    assert len(claim_states) == 13
    # vouchers claimed and redeemed; face values set
    assert len(world["redeemed"]) == 3 and world["vouchers"]
    types = get("/api/v1/voucher/voucher-types", city, page_size=200)["items"]
    assert all(t["face_value_fen"] > 0 for t in types)
    # the demo's amount table says it is demo configuration wherever a decision cites it
    decision = get(f"/api/v1/claims/{world['claims']['submitted']}", officer)["decision"]
    assert "演示配置" in next(r["reason"] for r in decision["results"] if r["rule"] == "CQ-10")
    # a token and three requests per role
    assert demo.first_output.count("export ") >= 9 and demo.first_output.count("curl -s") >= 27

    before = audit_counts()
    clock_before = get("/api/v1/sandbox/clock")["today"]
    again = subprocess.run(  # noqa: S603 - the same command, the suite still running
        demo_command(), env=demo.env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert "already loaded: nothing changed" in again.stdout
    assert audit_counts() == before
    assert get("/api/v1/sandbox/clock")["today"] == clock_before


def readme_walk_blocks() -> list[str]:
    """The bash blocks of the README's "Quick start" section, in order."""
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def test_the_readme_quick_start_walk_runs_as_written(demo: Demo, tmp_path: Path) -> None:
    blocks = readme_walk_blocks()
    assert len(blocks) == 4, "look-up and verify page, subsidy, voucher, batch after the clock"
    env = {**os.environ, **demo.variables()}
    outputs = []
    for block in blocks:
        done = subprocess.run(  # noqa: S603 - the README's own text, run by bash
            ["bash", "-euo", "pipefail", "-c", block],  # noqa: S607 - bash from PATH, as a reader runs it
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        outputs.append(done.stdout)
    lookup, subsidy, voucher, batch = outputs
    assert '"status": "valid"' in lookup and "电子签名有效" in lookup and lookup.rstrip().endswith("revoked")
    assert "submitted" in subsidy and "CQ-10 pass" in subsidy
    assert '"uses_this_year": 1' in voucher
    assert "approval during publicity: 409" in batch and '"issued_count": 3' in batch


def test_moving_the_clock_past_publicity_lets_approval_and_issue_proceed_through_the_api(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17's acceptance: a plan, a batch, its evaluation and publicity, approval refused during it, the
    sandbox clock moved past it, approval and issue — every step a request to the gateway."""
    body = demo.variables()["DEMO_BODY"]
    staff = auth_headers("org_staff", "staff-accept", body=body)
    city = auth_headers("city_officer", "city-accept")
    key = uuid.uuid4().hex
    holder = ("欧阳明", make_resident_id("500112", date(1990, 2, 2) + timedelta(days=int(key[:3], 16)), 517))

    def post(path: str, headers: dict[str, str], json: Any = None, step: str = "") -> httpx.Response:
        return httpx.post(
            f"{GATEWAY}{path}", json=json, headers={**headers, "Idempotency-Key": f"{key}-{step}"}, timeout=30
        )

    def move_to(day: date) -> None:
        moved = post("/api/v1/sandbox/clock", city, {"today": day.isoformat()}, "clock")
        assert moved.status_code == 200 and moved.json()["today"] == day.isoformat(), moved.text
        time.sleep(1.2)  # every process re-reads the sandbox date within a second

    today = date.fromisoformat(get("/api/v1/sandbox/clock")["today"])
    calendar = demo.folder / "demo-calendar.json"  # the one `make demo` gave its processes, if it needed one
    if calendar.exists():
        monkeypatch.setenv(CALENDAR_FILE_ENV, str(calendar))
    reset_loaded_calendars()
    day = add_working_days(today, 10)
    plan = post(
        f"/api/v1/bodies/{body}/plans",
        staff,
        {
            "name": "电工（三级）补充认定计划",
            "occupation_code": "6-31-01-03",
            "work_type": "维修电工",
            "levels": [3],
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "venue": "实训楼三楼考场",
            "sessions": 1,
            "method": "理论知识考试和技能操作考核",
            "candidates": [{"name": holder[0], "id_number": holder[1]}],
            "assessors": [
                {"name": "彭文博", "id_number": make_resident_id("500107", date(1970, 6, 16), 331)}
            ],
            "supervisors": [
                {"name": "谢晓东", "id_number": make_resident_id("500113", date(1978, 11, 11), 341)}
            ],
        },
        "plan",
    )
    assert plan.status_code == 201, plan.text
    batch = post(
        "/api/v1/batches",
        staff,
        {
            "plan_id": plan.json()["id"],
            "occupation_code": "6-31-01-03",
            "occupation_name": "电工",
            "work_type": "维修电工",
            "level": 3,
            "evaluation_date": day.isoformat(),
            "method": "examination",
        },
        "batch",
    )
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["id"]
    move_to(day)
    rows = [
        {"name": holder[0], "id_number": holder[1], "gender": "男", "scores": {"theory": 80, "skill": 86}}
    ]
    results = httpx.put(
        f"{GATEWAY}/api/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=staff, timeout=30
    )
    assert results.status_code == 200, results.text
    publicity = post(f"/api/v1/batches/{batch_id}/publicity", staff, step="publicity")
    assert publicity.status_code == 200, publicity.text
    early = post(f"/api/v1/batches/{batch_id}/approval", city, step="early")
    assert early.status_code == 409 and early.json()["code"] == "publicity_not_ended", early.text

    move_to(add_working_days(date.fromisoformat(publicity.json()["publicity_ends"]), 1))
    approved = post(f"/api/v1/batches/{batch_id}/approval", city, step="approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    issued = post(f"/api/v1/batches/{batch_id}/issue", staff, step="issue")
    assert issued.status_code == 201 and issued.json()["issued_count"] == 1, issued.text
    found = get(f"/api/v1/certificates/{issued.json()['first_number']}", name=holder[0])
    assert found["status"] == "valid"
