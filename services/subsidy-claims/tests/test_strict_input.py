"""Issue 20 item 10: strict money, count, date and yes/no fields, and one personal-name check.

``applied_amount_fen: true`` used to be stored as 1 fen and ``"150000"`` as 150000; booleans passed as integers on
amount tables and past subsidies, and numbers as dates. Names took right-to-left overrides and zero-width joiners.
Each is now a 422 naming the field, with nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.validators import PersonName
from subsidy_claims.claims.models import Claim

BAD_CLAIM_FIELDS = [
    (("cq", "applied_amount_fen"), True),
    (("cq", "applied_amount_fen"), "150000"),
    (("cq", "applied_amount_fen"), 150000.0),
    (("certificate", "level"), True),
    (("certificate", "level"), "3"),
    (("certificate", "issue_date"), 0),
    (("certificate", "issue_date"), True),
    (("certificate", "issue_date"), "20260520"),
    (("payout", "card_financial_enabled"), 1),
    (("payout", "card_financial_enabled"), "true"),
    (("cq", "identity_category", "provenance"), 1),
]
BAD_NAMES = [
    ("张\u202e三", "person_name_invisible"),  # right-to-left override
    ("张\u200d三", "person_name_invisible"),  # zero-width joiner
    ("张\u200b三", "person_name_invisible"),  # zero-width space
    ("ＺＨＡＮＧ", "person_name_fullwidth"),  # full-width Latin
    ("张\u3000三", "person_name_fullwidth"),  # ideographic space
    ("张三😀", "person_name_symbol"),  # emoji
    ("张三3", "person_name_digit"),
    ("", "person_name_empty"),
]


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def set_path(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


async def count_claims(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(Claim))).scalar_one())


@pytest.mark.parametrize(("path", "value"), BAD_CLAIM_FIELDS)
async def test_money_counts_dates_and_flags_take_only_their_own_json_type(
    client: httpx.AsyncClient,
    factory: Any,
    tokens: Any,
    engine: AsyncEngine,
    path: tuple[str, ...],
    value: Any,
) -> None:
    person = factory.person()
    body = set_path(factory.cq_body(person, factory.certificate(person)), path, value)
    response = await client.post("/v1/claims", json=body, headers=tokens.citizen(person))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", *path]
    assert await count_claims(engine) == 0


@pytest.mark.parametrize(("name", "code"), BAD_NAMES)
async def test_an_applicant_name_goes_through_the_one_name_check(
    client: httpx.AsyncClient, factory: Any, tokens: Any, engine: AsyncEngine, name: str, code: str
) -> None:
    person = factory.person()
    body = set_path(factory.cq_body(person, factory.certificate(person)), ("applicant", "name"), name)
    response = await client.post("/v1/claims", json=body, headers=tokens.citizen(person))
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["loc"], error["type"]) == (["body", "applicant", "name"], code)
    assert await count_claims(engine) == 0
    preview = await client.post(
        "/v1/policies/cq-eval/evaluate",
        json={k: v for k, v in body.items() if k not in ("policy", "payout")},
        headers=tokens.citizen(person),
    )
    assert preview.status_code == 422 and preview.json()["errors"][0]["loc"] == ["body", "applicant", "name"]


@pytest.mark.parametrize("name", ["张三", "阿卜杜·热合曼", "Anna-Maria O'Neil", "欧阳娜娜"])
def test_real_names_pass(name: str) -> None:
    assert TypeAdapter(PersonName).validate_python(name) == name


def test_a_name_is_normalised_and_trimmed() -> None:
    assert TypeAdapter(PersonName).validate_python(" 李四 ") == "李四"
    with pytest.raises(ValidationError):
        TypeAdapter(PersonName).validate_python("李  四")  # two spaces in a row


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        (
            "PUT",
            "/v1/policies/cq-eval/amount-table",
            {"version": "v", "amounts": [{"kind": "skill_level", "level": True, "amount_fen": 100}]},
            ["body", "amounts", 0, "level"],
        ),
        (
            "PUT",
            "/v1/policies/cq-eval/amount-table",
            {"version": "v", "amounts": [{"kind": "skill_level", "level": 3, "amount_fen": "100"}]},
            ["body", "amounts", 0, "amount_fen"],
        ),
        (
            "POST",
            "/v1/past-subsidies",
            {
                "applicant_id_number": "11010519491231002X",
                "source": "台账",
                "subsidies": [{"kind": "cq-jianding", "occupation_code": "4-01-02-03", "year": True}],
            },
            ["body", "subsidies", 0, "year"],
        ),
        (
            "POST",
            "/v1/past-subsidies",
            {
                "applicant_id_number": "11010519491231002X",
                "source": "台账",
                "subsidies": [
                    {"kind": "cq-jianding", "occupation_code": "4-01-02-03", "year": 2019, "level": 4.0}
                ],
            },
            ["body", "subsidies", 0, "level"],
        ),
    ],
)
async def test_tables_and_past_subsidies_refuse_booleans_and_strings_as_numbers(
    client: httpx.AsyncClient,
    tokens: Any,
    engine: AsyncEngine,
    method: str,
    path: str,
    body: Any,
    loc: list[Any],
) -> None:
    response = await client.request(method, path, json=body, headers=tokens.city())
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == loc
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT (SELECT count(*) FROM cq_amount_tables) + (SELECT count(*) FROM past_subsidies)")
            )
        ).scalar_one()
    assert stored == 0


@pytest.mark.parametrize("amount", [True, "80000", 80000.0])
async def test_an_approved_amount_is_a_whole_json_number(
    client: httpx.AsyncClient, factory: Any, tokens: Any, amount: Any
) -> None:
    person = factory.person()
    me = tokens.citizen(person)
    cid = (
        await client.post("/v1/claims", json=factory.cq_body(person, factory.certificate(person)), headers=me)
    ).json()["id"]
    assert (await client.post(f"/v1/claims/{cid}/submit", headers={**me, **key()})).status_code == 200
    reviewer = tokens.officer("05")
    await client.post(f"/v1/claims/{cid}/start-review", headers=reviewer)
    response = await client.post(
        f"/v1/claims/{cid}/approve",
        json={"amount_fen": amount, "reason": "票据"},
        headers={**reviewer, **key()},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "amount_fen"]
    assert (await client.get(f"/v1/claims/{cid}", headers=me)).json()["status"] == "under_review"


async def test_the_deprecated_evaluation_district_is_still_read(
    client: httpx.AsyncClient, factory: Any, tokens: Any
) -> None:
    """``cq.evaluation_district`` stays accepted for one version (as ``district_code``)."""
    person = factory.person()
    body = factory.cq_body(person, factory.certificate(person))
    body["cq"]["evaluation_district"] = body["cq"].pop("district_code")
    created = await client.post("/v1/claims", json=body, headers=tokens.citizen(person))
    assert created.status_code == 201, created.text
    assert created.json()["facts"]["cq"]["district_code"] == "05"
