"""Evaluation bodies and batch plans for the bench, filed through org-filing's own API as the demo loader does.

The registry opens a batch only under a plan org-filing clears (OF-5): the body must be filed, active and in
scope, and the plan filed at least 10 working days before the evaluation day (P-2). The bench runs on the real
clock and cannot wait those days, so, exactly as it does with a batch's publicity, it moves two dates into the
past with one SQL ``UPDATE`` each after the service has accepted them:

- the body's one-day selection publicity (OF-3) ends yesterday instead of today, so the filing is possible now;
- the plan, accepted for the first day P-2 allows from today, is moved to an evaluation day a month ago and a
  filing day that is the latest one P-2 allows for it (``latest_filing_date``), so the registry's batch-check
  still applies the 10-working-day rule to real dates — and would refuse the batch if the bench got it wrong.

The forms are the demo's (``skills_tools.demo.world``), so the bench files what a newcomer's demo files.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx

from bench.common import StepFailed
from bench.infra import dsn
from skills_shared.workdays import earliest_event_date, latest_filing_date
from skills_tools.demo.api import Api, DemoError, Who
from skills_tools.demo.people import HOLDERS
from skills_tools.demo.world import ELECTRICIAN, BatchSpec, BodySpec, application_form, plan_form

PLAN_LEAD_WORKING_DAYS = 10
"""OF-5: a plan is filed at least 10 working days before the evaluation (counted by P-2)."""
DISTRICT = "05"
"""The bench's bodies are filed with 大渡口区 (place 05), so their codes (S00005005…) never meet the look-up set's
city-level codes (S00005000…, written straight into the registry's database)."""
OCCUPATION = {
    "occupation_code": ELECTRICIAN["occupation_code"],
    "occupation_name": ELECTRICIAN["occupation_name"],
    "work_type": ELECTRICIAN["work_type"],
}
"""What every bench batch evaluates: an occupation the demo's application form files (levels 3–5 for a district
body, CR-3)."""
EVALUATION_DAYS_AGO = 30
OFFICER = Who("district_officer", f"officer-{DISTRICT}-bench", district=DISTRICT)
CITY = Who("city_officer", "city-officer-bench")


def body_spec(serial: int) -> BodySpec:
    """A district body of the bench; ``serial`` makes its credit code (and so the applicant) distinct."""
    return BodySpec(
        f"bench-{serial}",
        f"重庆市大渡口区压测职业技能评价中心{serial}",
        "重庆市大渡口区春晖路18号",
        serial,
        DISTRICT,
        "曹志华",
        "刘芳",
    )


@dataclass(frozen=True)
class Filed:
    """A body filed in org-filing and known to the registry, with one plan standing for ``evaluation_day``."""

    code: str
    plan_id: int
    evaluation_day: date


async def _sql(url: str, sql: str, *args: Any) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.close()


async def file_body(api: Api, org_url: str, serial: int, today: date) -> str:
    """Apply → evaluate → publish → (publicity moved to yesterday) → file (OF-1 … OF-4); the body's code."""
    spec = body_spec(serial)
    admin = Who("org_admin", f"admin-{spec.key}", body=spec.credit_code)
    applied = await api.call(
        "POST", "/api/v1/body-applications", admin, json=application_form(spec, today), key=f"apply-{serial}"
    )
    base = f"/api/v1/body-applications/{applied['id']}"
    evaluation = {
        "selected": True,
        "sound_finances": True,
        "good_credit": True,
        "no_violation_record": True,
        "opinion": "场地设备、考评人员和管理制度符合条件，同意遴选",
    }
    await api.call("POST", f"{base}/evaluation", OFFICER, json=evaluation, key=f"eval-{serial}")
    day = today.isoformat()
    await api.call(
        "POST",
        f"{base}/publication",
        OFFICER,
        json={"publicity_from": day, "publicity_to": day},
        key=f"publish-{serial}",
    )
    # OF-3: filing waits for the end of the selection publicity; the bench cannot wait a day.
    await _sql(
        org_url,
        "UPDATE applications SET publicity_from = current_date - 1, publicity_to = current_date - 1 "
        "WHERE id = $1",
        int(applied["id"]),
    )
    valid_from = today - timedelta(days=EVALUATION_DAYS_AGO + 60)
    filed = await api.call(
        "POST", f"{base}/filing", OFFICER, json={"valid_from": valid_from.isoformat()}, key=f"file-{serial}"
    )
    return str(filed["body_code"])


async def wait_for_issuer(api: Api, code: str, timeout_s: float = 30) -> None:
    """org-filing tells the registry through its outbox; batches open once the registry knows the body."""
    for _ in range(int(timeout_s / 0.2)):
        answer = await api.client.get(f"/api/v1/registry/issuers/{code}", headers=api.headers(CITY))
        if answer.status_code == 200:
            return
        await asyncio.sleep(0.2)
    raise StepFailed(f"the registry never learned of body {code} from org-filing (outbox)")


async def file_plan(api: Api, org_url: str, code: str, level: int, today: date) -> Filed:
    """A plan filed now for the first evaluation day P-2 allows, then moved a month back with its filing day."""
    staff = Who("org_staff", f"staff-{code}", body=code)
    batch = BatchSpec(f"bench-{code}-{level}", code, level, HOLDERS[:1], "issued", "压测评价计划")
    plan = await api.call(
        "POST",
        f"/api/v1/bodies/{code}/plans",
        staff,
        json=plan_form(batch, earliest_event_date(today, PLAN_LEAD_WORKING_DAYS)),
        key=f"plan-{code}-{level}",
    )
    evaluation_day = today - timedelta(days=EVALUATION_DAYS_AGO)
    filed_on = latest_filing_date(evaluation_day, PLAN_LEAD_WORKING_DAYS)
    await _sql(
        org_url,
        "UPDATE plans SET filed_on = $2, starts_on = $3, ends_on = $3 WHERE id = $1",
        int(plan["id"]),
        filed_on,
        evaluation_day,
    )
    return Filed(code, int(plan["id"]), evaluation_day)


async def filed_bodies(
    gateway: str, org_url: str, serials: list[int], today: date, level: int = 3
) -> list[Filed]:
    """Bodies filed in org-filing through the gateway, each with one plan at ``level``, once the registry has
    learned of them. A refused step is a StepFailed naming the request and the answer."""
    out: list[Filed] = []
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        api = Api(client)
        try:
            for serial in serials:
                code = await file_body(api, org_url, serial, today)
                await wait_for_issuer(api, code)
                out.append(await file_plan(api, org_url, code, level, today))
        except DemoError as exc:
            raise StepFailed(f"filing the bench's body: {exc}"[:400]) from exc
    return out
