"""Building a world in the real suite through the gateway's public API only: a filed body, its plan, a batch
issued, a certificate, a claim, an institution with a class and a scanner.

Every step is a public request a partner would make; the only thing a test does besides is move the suite's
business date past a publicity period (``Suite.move_to``), as the sandbox clock does.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from gateway_suite import Suite

from skills_shared.contracts.v1.gateway import BODY_APPLICATION_EXAMPLE
from skills_shared.testing import auth_headers
from skills_shared.validators import make_credit_code, make_resident_id
from skills_shared.workdays import add_working_days

_seq = itertools.count(1)
CITY = auth_headers("city_officer", "city-1")
OCCUPATION = {"occupation_code": "6-31-01-03", "occupation_name": "电工", "work_type": "维修电工"}
"""The occupation every world body files and evaluates (the example form's)."""
PLAN_LEAD_WORKING_DAYS = 12
"""How far ahead the test plans its evaluations: comfortably more than OF-5's 10 working days."""


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def chinese_name(n: int) -> str:
    """A personal name without digits (the suite's one name check refuses them), distinct per ``n``."""
    return "李" + GIVEN[n % len(GIVEN)] + GIVEN[(n // len(GIVEN)) % len(GIVEN)]


def person(n: int | None = None) -> dict[str, str]:
    """A person with a valid resident ID, unique per call."""
    n = next(_seq) if n is None else n
    return {
        "name": chinese_name(n),
        "id_number": make_resident_id("500101", date(1980, 1, 1) + timedelta(days=n), n),
    }


def citizen(n: int | None = None) -> tuple[str, str]:
    """(name, ID number) of a citizen who will hold a certificate; a male birth code, so 男 agrees with it."""
    n = next(_seq) if n is None else n
    seq = (2 * n + 1) % 1000
    return chinese_name(n), make_resident_id("500102", date(1990, 1, 1) + timedelta(days=n), seq)


def body_application(*, district_code: str | None = None) -> tuple[dict[str, Any], str]:
    """The example 附件1 form with a fresh credit code; a district body files levels 3–5 (CR-3)."""
    credit = make_credit_code("91500000MA" + f"{next(_seq):07d}")
    form = copy.deepcopy(BODY_APPLICATION_EXAMPLE)
    form["basic"]["credit_code"] = credit
    if district_code is not None:
        form["level_scope"] = "district"
        form["district_code"] = district_code
        for occupation in form["occupations"]:
            occupation["levels"] = [3, 4, 5]
    return form, credit


@dataclass
class Body:
    code: str
    officer: dict[str, str]

    @property
    def staff(self) -> dict[str, str]:
        return auth_headers("org_staff", f"staff-{self.code}", body=self.code)


async def wait_for_issuer(suite: Suite, code: str, timeout_s: float = 30) -> None:
    """org-filing tells the registry through its outbox; wait until the registry knows the body."""
    async with httpx.AsyncClient(base_url=suite.bases["certificate-registry"]) as registry:
        for _ in range(int(timeout_s / 0.1)):
            if (await registry.get(f"/v1/issuers/{code}")).status_code == 200:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"the registry never learned of body {code} from org-filing's outbox")


async def filed_body(gw: httpx.AsyncClient, suite: Suite, *, district_code: str | None = None) -> Body:
    """Apply, evaluate, publish and file a body through the gateway; the registry knows it afterwards."""
    form, credit = body_application(district_code=district_code)
    admin = auth_headers("org_admin", f"admin-{credit}", body=credit)
    applied = expect(await gw.post("/api/v1/body-applications", json=form, headers={**admin, **key()}), 201)
    assert applied["status"] == "submitted", applied
    officer = (
        CITY if district_code is None else auth_headers("district_officer", "officer", district=district_code)
    )
    app_id = applied["id"]
    evaluation = {
        "selected": True,
        "sound_finances": True,
        "good_credit": True,
        "no_violation_record": True,
        "opinion": "符合条件",
    }
    expect(
        await gw.post(f"/api/v1/body-applications/{app_id}/evaluation", json=evaluation, headers=officer), 200
    )
    publicity = {"publicity_from": suite.today.isoformat(), "publicity_to": suite.today.isoformat()}
    expect(
        await gw.post(f"/api/v1/body-applications/{app_id}/publication", json=publicity, headers=officer), 200
    )
    suite.move_to(add_working_days(suite.today, 1))  # the selection's publicity is over (OF-3)
    filed = expect(
        await gw.post(
            f"/api/v1/body-applications/{app_id}/filing",
            json={"valid_from": suite.today.isoformat()},
            headers=officer,
        ),
        201,
    )
    await wait_for_issuer(suite, filed["body_code"])
    return Body(filed["body_code"], officer)


def plan_of(day: date, holders: list[tuple[str, str]], level: int = 3) -> dict[str, Any]:
    """A plan for one evaluation day, ``level`` of the world's occupation, the holders as its candidates."""
    return {
        "name": "电工职业技能等级认定计划",
        "occupation_code": OCCUPATION["occupation_code"],
        "work_type": OCCUPATION["work_type"],
        "levels": [level],
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "venue": "重庆市渝北区实训楼",
        "sessions": 1,
        "method": "理论知识考试和技能操作考核",
        "candidates": [{"name": name, "id_number": id_number} for name, id_number in holders],
        "assessors": [person()],
        "supervisors": [person()],
    }


def batch_of(plan_id: int, day: date, level: int = 3) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        **OCCUPATION,
        "level": level,
        "evaluation_date": day.isoformat(),
        "method": "examination",
    }


async def planned_batch(
    gw: httpx.AsyncClient, suite: Suite, body: Body, holders: list[tuple[str, str]]
) -> dict[str, Any]:
    """A plan filed in time and a batch opened under it, through the gateway."""
    day = add_working_days(suite.today, PLAN_LEAD_WORKING_DAYS)
    plan = expect(
        await gw.post(f"/api/v1/bodies/{body.code}/plans", json=plan_of(day, holders), headers=body.staff),
        201,
    )
    return expect(
        await gw.post("/api/v1/batches", json=batch_of(plan["id"], day), headers={**body.staff, **key()}), 201
    )


async def issued_certificates(
    gw: httpx.AsyncClient, suite: Suite, body: Body, holders: list[tuple[str, str]]
) -> list[str]:
    """A batch with every holder passing, through publicity (the suite's date moved past it), approval and
    issue; the numbers issued, in the holders' order."""
    batch = await planned_batch(gw, suite, body, holders)
    rows = [
        {"name": name, "id_number": id_number, "gender": "男", "scores": {"theory": 82, "skill": 88}}
        for name, id_number in holders
    ]
    batch_id = batch["id"]
    suite.move_to(date.fromisoformat(batch["evaluation_date"]))  # the evaluation is held (CR-4)
    expect(
        await gw.put(f"/api/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=body.staff),
        200,
    )
    publicity = expect(await gw.post(f"/api/v1/batches/{batch_id}/publicity", headers=body.staff), 200)
    suite.move_to(add_working_days(date.fromisoformat(publicity["publicity_ends"]), 1))
    expect(await gw.post(f"/api/v1/batches/{batch_id}/approval", headers={**CITY, **key()}), 200)
    issued = expect(await gw.post(f"/api/v1/batches/{batch_id}/issue", headers={**body.staff, **key()}), 201)
    assert issued["issued_count"] == len(holders), issued
    first = int(issued["first_number"][-6:])
    prefix = issued["first_number"][:-6]
    return [f"{prefix}{first + i:06d}" for i in range(len(holders))]
