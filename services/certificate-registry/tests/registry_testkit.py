"""Drivers of the registry's HTTP API for its tests, with a real org-filing behind it.

A batch opens only under a plan org-filing clears (OF-5), so the driver files the body and its plan in the real
org-filing app (through org-filing's own test factories, the provider's way of making a filed body) and then
speaks to the registry the way org-filing's outbox, a body and an officer would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from of_factories import TODAY as ORG_TODAY
from of_factories import applicant, city, filed_body, guantong_registration, resident_id
from registry_testdata import make_id

from skills_shared.clock import FixedClock
from skills_shared.testing import auth_headers
from skills_shared.workdays import add_working_days, period_end

DISTRICT_BODY = "S000050070001"
"""The first body org-filing files at place 07 (沙坪坝区)."""
CITY_BODY = "S000050000001"
"""The first city-wide body org-filing files (place 00)."""
OCCUPATION = {"occupation_code": "6-31-01-03", "occupation_name": "电工"}
WORK_TYPE = "维修电工"
EVALUATION_DAY = add_working_days(ORG_TODAY, 12)
"""Far enough after the plan is filed (ORG_TODAY) for OF-5's 10 working days."""
PUBLICITY_START = add_working_days(EVALUATION_DAY, 2)
PUBLICITY_END = period_end(PUBLICITY_START, 5)
APPROVAL_DAY = PUBLICITY_END + timedelta(days=1)
YEAR = f"{APPROVAL_DAY.year % 100:02d}"
"""The two digits of the issue year in the numbers the tests issue (CR-1 positions 14–15)."""
TITLE = {"level": "assistant", "specialty": "电气工程", "related_work_years": 5}
"""A 助理级 title, which allows 三级/高级工 in a 贯通 evaluation (CR-9)."""


def issuer_payload(code: str = DISTRICT_BODY, **overrides: Any) -> dict[str, Any]:
    levels = [3, 4, 5] if code[7:9] != "00" else [1, 2, 3, 4, 5]
    body: dict[str, Any] = {
        "name": f"重庆市某职业技能评价中心{code[-4:]}",
        "status": "active",
        "scope": [{**OCCUPATION, "work_types": [WORK_TYPE], "levels": levels}],
        "level_scope": "district" if code[7:9] != "00" else "city",
        "valid_from": "2026-09-01",
        "valid_to": "2029-08-31",
    }
    body.update(overrides)
    return body


def person_name(seq: int) -> str:
    """考生 and the sequence in 天干 (考生甲, 考生乙丙): a name the one name check accepts, which refuses digits."""
    return "考生" + "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(seq))


def candidate(seq: int, *, passed: bool = True, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": person_name(seq),
        "id_number": make_id(seq),
        "gender": "男",
        "photo_ref": f"photos/{seq}.jpg",
        "scores": {"theory": 75, "skill": 80 if passed else 40},
    }
    row.update(overrides)
    return row


def plan_body(
    *, level: int, evaluation_date: date, guantong: bool = False, **overrides: Any
) -> dict[str, Any]:
    """An OF-5 plan for one evaluation day, as org-filing takes it."""

    def person(role: str | None = None) -> dict[str, Any]:
        p: dict[str, Any] = {"name": "某人", "id_number": resident_id()}
        if role:
            p["role"] = role
        return p

    body: dict[str, Any] = {
        "name": "2026年电工贯通评价" if guantong else "2026年第三批电工认定",
        "occupation_code": OCCUPATION["occupation_code"],
        "work_type": WORK_TYPE,
        "levels": [level],
        "starts_on": evaluation_date.isoformat(),
        "ends_on": evaluation_date.isoformat(),
        "venue": "实训楼",
        "sessions": 1,
        "method": "综合评审" if guantong else "理论知识考试 + 技能操作考核",
        "candidates": [person()],
        "assessors": [person("考评员")],
        "supervisors": [person("督导员")],
    }
    if guantong:
        body["is_guantong"] = True
    body.update(overrides)
    return body


@dataclass
class Registry:
    """Drives the registry (and org-filing behind it) through their HTTP APIs."""

    client: httpx.AsyncClient
    app: FastAPI
    org: httpx.AsyncClient
    filed: set[str] = field(default_factory=set)
    registered: set[str] = field(default_factory=set)

    def on(self, day: date) -> None:
        """Pin the registry's business date (org-filing stays on its own, ORG_TODAY)."""
        self.app.state.clock = FixedClock.on(day)

    def staff(self, code: str = DISTRICT_BODY, role: str = "org_staff") -> dict[str, str]:
        return auth_headers(role, sub=f"staff-{code}", body=code)

    def officer(self, district: str = "07") -> dict[str, str]:
        return auth_headers("district_officer", sub=f"officer-{district}", district=district)

    async def file_body(self, code: str = DISTRICT_BODY) -> str:
        """File the body in org-filing (OF-1 … OF-4); org-filing assigns codes in order per place."""
        if code in self.filed:
            return code
        place = code[7:9]
        if place == "00":
            got, _, _ = await filed_body(self.org, valid_from=ORG_TODAY.isoformat())
        else:
            got, _, _ = await filed_body(
                self.org,
                level_scope="district",
                place=place,
                levels=(3, 4, 5),
                valid_from=ORG_TODAY.isoformat(),
            )
        assert got == code, f"org-filing filed {got}, the test expected {code}"
        self.filed.add(code)
        return code

    async def new_body(self, place: str = "07") -> str:
        """File one more body at ``place`` in org-filing and deliver its issuer record; returns the code org-filing
        gave it (for suites whose org-filing has filed other bodies before)."""
        if place == "00":
            code, _, _ = await filed_body(self.org, valid_from=ORG_TODAY.isoformat())
        else:
            code, _, _ = await filed_body(
                self.org,
                level_scope="district",
                place=place,
                levels=(3, 4, 5),
                valid_from=ORG_TODAY.isoformat(),
            )
        self.filed.add(code)
        await self.put_issuer(code)
        return str(code)

    async def register_guantong(self, code: str, levels: tuple[int, ...] = (1, 2, 3)) -> None:
        """OF-8: the body's 贯通 registration, 电工 ↔ 电气工程 at each level."""
        if code in self.registered:
            return
        registration = guantong_registration(code)
        first = registration["mappings"][0]
        registration["mappings"] = [{**first, "level": level} for level in levels]
        r = await self.org.post("/v1/guantong/bodies", json=registration, headers=city())
        assert r.status_code == 201, r.text
        self.registered.add(code)

    async def plan(
        self, code: str, *, level: int, evaluation_date: date, guantong: bool = False, **overrides: Any
    ) -> int:
        """File an OF-5 plan in org-filing (on ORG_TODAY) and return its id."""
        await self.file_body(code)
        if guantong:
            await self.register_guantong(code)
        r = await self.org.post(
            f"/v1/bodies/{code}/plans",
            json=plan_body(level=level, evaluation_date=evaluation_date, guantong=guantong, **overrides),
            headers=applicant(code),
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    async def put_issuer(self, code: str = DISTRICT_BODY, **overrides: Any) -> dict[str, Any]:
        """File the body in org-filing and deliver its issuer record to the registry, as the outbox would."""
        await self.file_body(code)
        response = await self.client.put(
            f"/v1/issuers/{code}",
            json=issuer_payload(code, **overrides),
            headers=auth_headers("service", sub="org-filing"),
        )
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def batch_body(self, code: str = DISTRICT_BODY, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "body_code": code,
            **OCCUPATION,
            "work_type": WORK_TYPE,
            "level": 4,
            "evaluation_date": EVALUATION_DAY.isoformat(),
            "method": "examination",
        }
        body.update(overrides)
        return body

    async def open_batch(self, code: str = DISTRICT_BODY, **overrides: Any) -> httpx.Response:
        """POST /v1/batches under a freshly filed plan for exactly this batch (unless ``plan_id`` is given)."""
        body = self.batch_body(code, **overrides)
        if "plan_id" not in body:
            body["plan_id"] = await self.plan(
                code,
                level=int(body["level"]),
                evaluation_date=date.fromisoformat(str(body["evaluation_date"])),
                guantong=bool(body.get("guantong", False)),
            )
        return await self.client.post("/v1/batches", json=body, headers=self.staff(code))

    async def create_batch(self, code: str = DISTRICT_BODY, **overrides: Any) -> str:
        response = await self.open_batch(code, **overrides)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def upload(
        self, batch_id: str, rows: list[dict[str, Any]], code: str = DISTRICT_BODY
    ) -> httpx.Response:
        """Upload results on the evaluation day's morrow (CR-4: results exist only after the evaluation)."""
        self.on(EVALUATION_DAY + timedelta(days=1))
        return await self.client.put(
            f"/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=self.staff(code)
        )

    async def publicise_and_approve(self, batch_id: str, code: str = DISTRICT_BODY) -> None:
        self.on(PUBLICITY_START)
        started = await self.client.post(f"/v1/batches/{batch_id}/publicity", headers=self.staff(code))
        assert started.status_code == 200, started.text
        self.on(APPROVAL_DAY)
        approved = await self.client.post(f"/v1/batches/{batch_id}/approval", headers=self.officer(code[7:9]))
        assert approved.status_code == 200, approved.text

    async def issue(self, batch_id: str, code: str = DISTRICT_BODY, key: str | None = None) -> httpx.Response:
        headers = {**self.staff(code), "Idempotency-Key": key or uuid.uuid4().hex}
        return await self.client.post(f"/v1/batches/{batch_id}/issue", headers=headers)

    async def ready_batch(self, rows: list[dict[str, Any]], code: str = DISTRICT_BODY, **batch: Any) -> str:
        batch_id = await self.create_batch(code, **batch)
        uploaded = await self.upload(batch_id, rows, code)
        assert uploaded.status_code == 200, uploaded.text
        await self.publicise_and_approve(batch_id, code)
        return batch_id
