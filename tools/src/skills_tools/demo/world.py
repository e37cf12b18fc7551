"""What the demo world holds: its bodies, plans, batches, amount tables and training institutions, as the forms
the services' APIs take. Pure data and builders, no I/O; `load.py` sends them.

The demo's configuration (the CQ-10 amount table, the SH-2 catalogue, the voucher face values) is marked as
demo configuration: it shows how the suite works and is no official figure.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from skills_shared.contracts.v1.gateway import BODY_APPLICATION_EXAMPLE
from skills_tools.demo.people import STAFF, Person, credit_code

DEMO_MARK = "演示配置（非正式数据）"
"""Written into every piece of demo configuration that carries a name or version."""

ELECTRICIAN = {"occupation_code": "6-31-01-03", "occupation_name": "电工", "work_type": "维修电工"}
"""The occupation every demo batch evaluates (filed by every demo body)."""


@dataclass(frozen=True, slots=True)
class BodySpec:
    """One evaluation body of the world: its name, where it is filed, and whether it is a 贯通 body."""

    key: str
    name: str
    address: str
    serial: int
    district_code: str | None  # None: a city-level body filed with the city office
    legal_representative: str
    contact: str
    guantong: bool = False

    @property
    def credit_code(self) -> str:
        return credit_code(self.serial)


BODIES: tuple[BodySpec, ...] = (
    BodySpec(
        "yubei", "重庆市渝北区匠心职业技能评价中心", "重庆市渝北区春华大道99号", 1, None, "邓建国", "韩雪梅"
    ),
    BodySpec(
        "dadukou", "重庆市大渡口区华岳职业技能评价中心", "重庆市大渡口区春晖路18号", 2, "05", "曹志华", "刘芳"
    ),
    BodySpec(
        "shapingba",
        "重庆市沙坪坝区兴渝职业技能评价站",
        "重庆市沙坪坝区天星桥正街6号",
        3,
        "07",
        "彭文博",
        "吴晓",
    ),
    BodySpec(
        "guantong",
        "重庆市工程技术人才贯通评价中心",
        "重庆市九龙坡区科城路71号",
        4,
        None,
        "谢晓东",
        "唐敏",
        guantong=True,
    ),
)


def application_form(body: BodySpec, signed_on: date) -> dict[str, Any]:
    """The body's whole 附件1 form (OF-1), eligible under OF-2; a district body files levels 3–5 (CR-3)."""
    form = copy.deepcopy(BODY_APPLICATION_EXAMPLE)
    basic = form["basic"]
    basic.update(
        name=body.name,
        address=body.address,
        credit_code=body.credit_code,
        legal_representative=body.legal_representative,
        contact_person=body.contact,
    )
    if body.district_code is not None:
        form["level_scope"] = "district"
        form["district_code"] = body.district_code
        for occupation in form["occupations"]:
            occupation["levels"] = [3, 4, 5]
    director, expert, assessor, supervisor = STAFF[0], STAFF[1], STAFF[2], STAFF[3]
    form["staff"][0].update(director.ref())
    form["experts"][0].update(expert.ref())
    form["assessors"][0].update(assessor.ref())
    form["supervisors"][0].update(supervisor.ref())
    form["sites"][0]["address"] = body.address
    form["pledge"] = {
        "accepted": True,
        "signatory": body.legal_representative,
        "signed_on": signed_on.isoformat(),
    }
    return form


def guantong_registration(body: BodySpec, body_code: str) -> dict[str, Any]:
    """The 贯通 报备 of a filed body (OF-8): 电工 levels 2–3 for 电气工程 titles, three experts."""
    experts = [
        {
            **p.ref(),
            "title_or_level": "正高级工程师",
            "specialty": "电气工程",
            "education": "博士" if i == 0 else "硕士",
            "in_house": i == 0,
        }
        for i, p in enumerate(STAFF[3:6])
    ]
    return {
        "body_code": body_code,
        "name": body.name,
        "kind": "社会培训评价组织",
        "office_address": body.address,
        "district_code": "00",
        "legal_representative": {"name": body.legal_representative, "title": "主任", "mobile": "13983001234"},
        "contact": {"name": body.contact, "title": "办公室主任", "mobile": "13983005678"},
        "mappings": [{**_mapping(level), "title_specialties": ["电气工程", "自动化"]} for level in (2, 3)],
        "staff": [{**STAFF[0].ref(), "title": "主任", "education": "本科", "duties": "组织实施"}],
        "experts": experts,
    }


def _mapping(level: int) -> dict[str, Any]:
    return {
        "occupation_code": ELECTRICIAN["occupation_code"],
        "occupation_name": ELECTRICIAN["occupation_name"],
        "level": level,
    }


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """One batch of the world and the state it is left in."""

    key: str
    body: str
    level: int
    candidates: tuple[Person, ...]
    final_state: str  # draft, publicity, approved, issued
    plan_name: str


def plan_form(batch: BatchSpec, day: date) -> dict[str, Any]:
    """The plan filed for a batch's one evaluation day (OF-5)."""
    return {
        "name": batch.plan_name,
        "occupation_code": ELECTRICIAN["occupation_code"],
        "work_type": ELECTRICIAN["work_type"],
        "levels": [batch.level],
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "venue": "实训楼三楼考场",
        "sessions": 1,
        "method": "理论知识考试和技能操作考核",
        "candidates": [p.ref() for p in batch.candidates],
        "assessors": [STAFF[2].ref()],
        "supervisors": [STAFF[3].ref()],
    }


def batch_form(plan_id: int, batch: BatchSpec, day: date) -> dict[str, Any]:
    """Open the batch under its plan (CR-3, CR-4)."""
    return {
        "plan_id": plan_id,
        **ELECTRICIAN,
        "level": batch.level,
        "evaluation_date": day.isoformat(),
        "method": "examination",
    }


def results_form(batch: BatchSpec) -> dict[str, Any]:
    """Every candidate passes, with realistic theory and skill scores."""
    rows = []
    for i, p in enumerate(batch.candidates):
        scores = {"theory": 72 + (i * 7) % 25, "skill": 75 + (i * 5) % 22}
        if batch.level <= 2:  # 技师 and above add a comprehensive review
            scores["comprehensive"] = 70 + (i * 3) % 20
        rows.append({**p.ref(), "gender": p.gender, "scores": scores})
    return {"candidates": rows}


CQ_AMOUNT_TABLE = {
    "version": f"渝人社发〔2024〕13号 {DEMO_MARK}",
    "amounts": [
        {"kind": "skill_level", "level": 5, "amount_fen": 50_000},
        {"kind": "skill_level", "level": 4, "amount_fen": 90_000},
        {"kind": "skill_level", "level": 3, "amount_fen": 130_000},
        {"kind": "skill_level", "level": 2, "amount_fen": 180_000},
        {"kind": "skill_level", "level": 1, "amount_fen": 220_000},
        {"kind": "special_ability", "level": 0, "amount_fen": 40_000},
    ],
}
"""CQ-10 amounts by kind and level (demo configuration, not the official table)."""

SH_CATALOGUE = {
    "entries": [
        {"occupation_code": "4-01-02-03", "catalogue_class": "A"},
        {"occupation_code": "6-31-01-03", "work_type": "维修电工", "catalogue_class": "B"},
        {"occupation_code": "4-10-01-05", "work_type": "养老护理员", "catalogue_class": "A"},
        {"occupation_code": "4-03-02-01", "catalogue_class": "C"},
    ]
}
"""SH-2 catalogue classes (demo configuration)."""

VOUCHER_FACE_VALUES_FEN = {
    "employment_skills": 80_000,
    "entrepreneurship": 100_000,
}
"""V-2 face values of the types the demo prices by name; every other type gets ``DEFAULT_FACE_VALUE_FEN``."""
DEFAULT_FACE_VALUE_FEN = 60_000


def institution_form(code: str, name: str, district: str, address: str, admin: Person) -> dict[str, Any]:
    """A training institution (附件2) with two teaching sites."""
    return {
        "code": code,
        "name": name,
        "district_code": district,
        "address": address,
        "phone": "023-63781234",
        "type": "private_training_school",
        "admin_name": admin.name,
        "admin_id_number": admin.id_number,
        "sites": [
            {"name": "朝天门教学点", "latitude": 29.5653, "longitude": 106.5878},
            {"name": "解放碑教学点", "latitude": 29.5576, "longitude": 106.5770},
        ],
    }
