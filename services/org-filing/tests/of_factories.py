"""Valid test data built with the shared checksum helpers: forms, people, tokens."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from skills_shared.clock import FixedClock
from skills_shared.testing import auth_headers
from skills_shared.validators import make_credit_code, make_resident_id

_seq = itertools.count(1)

TODAY = date(2026, 9, 1)
"""The business date the test app runs on (see conftest): inside the working-day calendar's covered years."""

SELECTED_ON = date(2026, 8, 3)
"""The day the factories' applications are submitted, selected and published (OF-3 wants the publicity after
the selection and not yet over), so that on TODAY the publicity is over and the body can be filed."""

APP: list[FastAPI] = []
"""The test app (set by conftest), whose business clock ``business_day`` moves."""


@contextmanager
def business_day(day: date) -> Iterator[None]:
    """Run the enclosed requests on ``day``'s business date, then go back to TODAY."""
    app = APP[0]
    app.state.clock = FixedClock.on(day)
    try:
        yield
    finally:
        app.state.clock = FixedClock.on(TODAY)


def credit_code(prefix: str = "91500000") -> str:
    """A valid Chongqing credit code (division 500000), unique per call."""
    n = next(_seq)
    body = f"{prefix}MA{n:07d}"[:17]
    return make_credit_code(body)


def resident_id(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_resident_id("500101", date(1980, 1, 1) + timedelta(days=n % 9000), n % 1000)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def attachment(kind: str) -> dict[str, Any]:
    return {"kind": kind, "sha256": sha(kind), "filename": f"{kind}.pdf", "size_bytes": 1024}


def full_form(
    code: str,
    *,
    level_scope: str = "city",
    district: str | None = None,
    people: int = 12_000,
    levels: tuple[int, ...] = (1, 2, 3, 4, 5),
    start: date = date(2015, 3, 1),
) -> dict[str, Any]:
    """Every section of 附件1, valid and eligible for a city-wide body unless told otherwise."""
    form: dict[str, Any] = {
        "level_scope": level_scope,
        "basic": {
            "name": "重庆市某职业技能评价中心",
            "address": "重庆市渝北区春华大道99号",
            "registering_authority": "重庆市市场监督管理局",
            "nature": "enterprise_institution",
            "credit_code": code,
            "legal_representative": "张三",
            "registered_capital_fen": 500_000_000,
            "contact_person": "李四",
            "contact_title": "办公室主任",
            "contact_phone": "023-88126902",
            "contact_email": "contact@example.cn",
            "independent_legal_person": True,
        },
        "occupations": [
            {
                "name": "电工",
                "work_type": "维修电工",
                "code": "6-31-01-03",
                "is_new": False,
                "start_date": start.isoformat(),
                "people_evaluated": people,
                "levels": list(levels),
            },
            {
                "name": "焊工",
                "code": "6-18-02-04",
                "is_new": False,
                "start_date": start.isoformat(),
                "people_evaluated": people,
                "levels": list(levels),
            },
        ],
        "sites": [
            {
                "address": "重庆市渝北区实训楼",
                "area_sqm": 2000,
                "classrooms": 10,
                "workstations": [{"occupation_name": "电工", "count": 40}],
            }
        ],
        "equipment": [
            {"name": "电工实训台", "brand": "某品牌", "model": "DG-1", "quantity": 40, "owner": "本单位"}
        ],
        "exam_systems": "计算机考务系统一套，视频监控全覆盖",
        "staff": [
            {
                "name": "王五",
                "id_number": resident_id(),
                "title": "主任",
                "education": "本科",
                "duties": "考务",
            }
        ],
        "experts": [
            {
                "name": "赵六",
                "id_number": resident_id(),
                "title": "高级工程师",
                "education": "硕士",
                "specialty": "电气",
                "in_house": True,
            }
        ],
        "assessors": [
            {
                "name": "钱七",
                "id_number": resident_id(),
                "assessor_certificate_no": "KP-001",
                "occupation": "电工",
                "title_or_level": "高级考评员",
                "education": "本科",
                "in_house": False,
                "agreement": {"sha256": sha("agreement"), "filename": "协议.pdf", "size_bytes": 100},
            }
        ],
        "supervisors": [
            {
                "name": "孙八",
                "id_number": resident_id(),
                "employer": "本单位",
                "title_or_level": "督导员",
                "education": "本科",
            }
        ],
        "systems": "制度健全，参与教材编写与题库开发",
        "pledge": {"accepted": True, "signatory": "张三", "signed_on": "2026-11-01"},
        "attachments": [
            attachment(k) for k in ("work_plan", "site_assets", "credit_report", "scale_evidence")
        ],
    }
    if district is not None:
        form["district_code"] = district
    return form


def applicant(code: str) -> dict[str, str]:
    return auth_headers("org_admin", sub=f"admin-{code}", body=code)


def city() -> dict[str, str]:
    return auth_headers("city_officer", sub="city-1")


def district(d: str, sub: str | None = None) -> dict[str, str]:
    return auth_headers("district_officer", sub=sub or f"district-{d}", district=d)


async def published_application(
    client: httpx.AsyncClient, *, level_scope: str = "city", place: str | None = None, **form_kw: Any
) -> tuple[int, str, dict[str, str]]:
    """Create, submit, evaluate and publish an application on SELECTED_ON (publicity over before TODAY); returns
    (id, credit code, officer headers)."""
    code = credit_code()
    form = full_form(code, level_scope=level_scope, district=place, **form_kw)
    with business_day(SELECTED_ON):
        r = await client.post("/v1/applications", json=form, headers=applicant(code))
        assert r.status_code == 201, r.text
        app_id = r.json()["id"]
        r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
        assert r.status_code == 200, r.text
        officer = city() if level_scope == "city" else district(place or "")
        r = await client.post(
            f"/v1/applications/{app_id}/evaluation",
            json={
                "selected": True,
                "sound_finances": True,
                "good_credit": True,
                "no_violation_record": True,
                "opinion": "符合条件",
            },
            headers=officer,
        )
        assert r.status_code == 200, r.text
        r = await client.post(
            f"/v1/applications/{app_id}/publication",
            json={"publicity_from": "2026-08-03", "publicity_to": "2026-08-07"},
            headers=officer,
        )
        assert r.status_code == 200, r.text
    return app_id, code, officer


async def filed_body(
    client: httpx.AsyncClient,
    *,
    level_scope: str = "city",
    place: str | None = None,
    valid_from: str = "2026-11-01",
    **form_kw: Any,
) -> tuple[str, str, dict[str, str]]:
    """A filed body; returns (body code, credit code, officer headers)."""
    app_id, code, officer = await published_application(
        client, level_scope=level_scope, place=place, **form_kw
    )
    r = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": valid_from}, headers=officer
    )
    assert r.status_code == 201, r.text
    return r.json()["body_code"], code, officer


def guantong_registration(code: str, occupation_code: str | None = "6-31-01-03") -> dict[str, Any]:
    """A complete 贯通 registration (seed 002 附件1) of a filed body for 电工 高级工 (OF-8)."""
    contact = {"name": "某", "title": "主任", "mobile": "13900000000"}
    mapping: dict[str, Any] = {"occupation_name": "电工", "level": 3, "title_specialties": ["电气工程"]}
    if occupation_code:
        mapping["occupation_code"] = occupation_code
    return {
        "name": f"贯通{code}",
        "kind": "社会培训评价组织",
        "office_address": "重庆市渝北区春华大道99号",
        "registered_place": "00",
        "body_code": code,
        "legal_representative": contact,
        "contact": contact,
        "mappings": [mapping],
        "staff": [
            {"name": "某", "id_number": resident_id(), "title": "主任", "education": "本科", "duties": "组织"}
        ],
        "experts": [
            {
                "name": f"专家{'甲乙丙丁戊己庚辛壬癸'[i]}",
                "id_number": resident_id(),
                "title_or_level": "正高级工程师",
                "education": "博士",
                "specialty": "电气",
                "in_house": False,
            }
            for i in range(3)
        ],
    }
