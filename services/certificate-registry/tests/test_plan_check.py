"""OF-5 on every route that opens a batch: the registry asks the real org-filing app, passes its refusal on
unchanged and stores nothing; org-filing down is a 503 naming it; the contract is checked against org-filing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from of_factories import TODAY as ORG_TODAY
from of_factories import city
from registry_testkit import DISTRICT_BODY, EVALUATION_DAY, OCCUPATION, WORK_TYPE, Registry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.app import create_app
from certificate_registry.plans.check import BATCH_CHECK_PATH, ORG_FILING
from certificate_registry.settings import RegistrySettings
from skills_shared.contracts.v1.org_filing import BatchPlanCheck, BatchPlanClearance
from skills_shared.contracts.v1.registry import BatchOpen, example_of
from skills_shared.testing import running_app
from skills_shared.workdays import add_working_days, latest_filing_date


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_a_batch_under_a_cleared_plan_opens_and_names_it(registry: Registry) -> None:
    await registry.put_issuer()
    plan_id = await registry.plan(DISTRICT_BODY, level=4, evaluation_date=EVALUATION_DAY)
    opened = await registry.open_batch(plan_id=plan_id)
    assert opened.status_code == 201, opened.text
    batch = opened.json()
    assert (batch["plan_id"], batch["district_code"], batch["status"]) == (plan_id, "07", "draft")
    # the deprecated name of the plan field is still accepted for one version
    again = await registry.client.post(
        "/v1/batches",
        json={**registry.batch_body(), "plan_ref": str(plan_id)},
        headers=registry.staff(),
    )
    assert again.status_code == 201 and again.json()["plan_id"] == plan_id


async def test_an_unfiled_plan_opens_no_batch(registry: Registry, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    response = await registry.open_batch(plan_id=999_999)
    assert response.status_code == 404, response.text
    problem = response.json()
    assert (problem["rule"], problem["code"]) == ("OF-5", "plan_not_found")
    assert problem["errors"][0]["loc"] == ["path", "plan_id"]
    assert await _count(engine, "batches") == 0


async def test_a_plan_filed_too_late_is_refused_with_both_dates(
    registry: Registry, engine: AsyncEngine, org_engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    plan_id = await registry.plan(DISTRICT_BODY, level=4, evaluation_date=EVALUATION_DAY)
    late = add_working_days(ORG_TODAY, 5)  # recorded as filed 7 working days before the evaluation
    async with org_engine.begin() as conn:
        await conn.execute(text("UPDATE plans SET filed_on = :d WHERE id = :id"), {"d": late, "id": plan_id})
    response = await registry.open_batch(plan_id=plan_id)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["rule"], problem["code"]) == ("OF-5", "plan_filed_late")
    assert problem["latest_filing_date"] == latest_filing_date(EVALUATION_DAY, 10).isoformat()
    assert problem["earliest_evaluation_date"] == add_working_days(late, 10).isoformat()
    assert problem["errors"][0]["loc"] == ["body", "evaluation_date"]
    assert await _count(engine, "batches") == 0


async def test_an_occupation_outside_the_plan_or_the_filed_scope_is_refused(
    registry: Registry, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    plan_id = await registry.plan(DISTRICT_BODY, level=4, evaluation_date=EVALUATION_DAY)
    other = await registry.open_batch(
        plan_id=plan_id, occupation_code="6-18-02-04", occupation_name="焊工", work_type=None
    )
    assert other.status_code == 422, other.text
    assert (other.json()["rule"], other.json()["code"]) == ("OF-5", "plan_occupation_mismatch")
    # the body's filed scope narrowed after the plan (CR-3 lives in org-filing alone: one code suite-wide)
    scope = [{**OCCUPATION, "work_types": [WORK_TYPE], "levels": [5]}]
    narrowed = await registry.org.put(
        f"/v1/bodies/{DISTRICT_BODY}/scope", json={"scope": scope}, headers=city()
    )
    assert narrowed.status_code == 200, narrowed.text
    outside = await registry.open_batch(plan_id=plan_id)
    assert outside.status_code == 422, outside.text
    problem = outside.json()
    assert (problem["rule"], problem["code"]) == ("CR-3", "outside_scope")
    assert problem["filed_levels"] == [5] and problem["errors"][0]["loc"] == ["body", "level"]
    assert await _count(engine, "batches") == 0


async def test_a_suspended_body_opens_no_batch(registry: Registry, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    plan_id = await registry.plan(DISTRICT_BODY, level=4, evaluation_date=EVALUATION_DAY)
    suspended = await registry.org.post(
        f"/v1/bodies/{DISTRICT_BODY}/suspension", json={"reason": "整改"}, headers=city()
    )
    assert suspended.status_code == 200, suspended.text
    response = await registry.open_batch(plan_id=plan_id)
    assert response.status_code == 422
    assert (response.json()["rule"], response.json()["code"]) == ("OF-6", "body_not_active")
    assert await _count(engine, "batches") == 0


async def test_guantong_needs_a_guantong_plan(registry: Registry, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    ordinary = await registry.plan(DISTRICT_BODY, level=3, evaluation_date=EVALUATION_DAY)
    response = await registry.open_batch(plan_id=ordinary, level=3, method="assessment", guantong=True)
    assert response.status_code == 422, response.text
    # a 贯通 batch under an ordinary plan (seed 002 六(一): the plan's name says 贯通)
    assert (response.json()["rule"], response.json()["code"]) == ("OF-5", "plan_route_mismatch")
    assert await _count(engine, "batches") == 0


async def test_the_method_rule_is_the_registrys_and_needs_no_call(registry: Registry) -> None:
    await registry.put_issuer()
    response = await registry.open_batch(plan_id=1, guantong=True, method="examination", level=3)
    assert response.status_code == 422
    assert (response.json()["rule"], response.json()["code"]) == ("CR-9", "method_not_allowed")


async def test_another_bodys_batch_and_bad_input_are_refused_before_any_call(
    registry: Registry, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    body = {**registry.batch_body(), "plan_id": 1}
    foreign = await registry.client.post("/v1/batches", json=body, headers=registry.staff("S000050070009"))
    assert foreign.status_code == 403
    for bad in (
        {**body, "evaluation_date": "9999-12-31"},
        {**body, "plan_id": "渝评计划2025-001"},
        {**body, "level": 7},
    ):
        response = await registry.client.post("/v1/batches", json=bad, headers=registry.staff())
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"][0] == "body"
    assert await _count(engine, "batches") == 0


async def test_org_filing_down_is_a_503_naming_it_and_nothing_is_stored(
    settings: RegistrySettings, engine: AsyncEngine, registry: Registry
) -> None:
    await registry.put_issuer()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app = create_app(settings, org_filing_transport=httpx.MockTransport(refuse))
    async with running_app(app) as client:
        response = await client.post(
            "/v1/batches", json={**registry.batch_body(), "plan_id": 1}, headers=registry.staff()
        )
    assert response.status_code == 503
    assert response.json()["service"] == ORG_FILING and "Retry-After" in response.headers
    assert await _count(engine, "batches") == 0


async def test_an_answer_off_the_contract_is_a_502_naming_org_filing(
    settings: RegistrySettings, engine: AsyncEngine, registry: Registry
) -> None:
    await registry.put_issuer()

    def renamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"plan": 1, "body_code": DISTRICT_BODY})

    app = create_app(settings, org_filing_transport=httpx.MockTransport(renamed))
    async with running_app(app) as client:
        response = await client.post(
            "/v1/batches", json={**registry.batch_body(), "plan_id": 1}, headers=registry.staff()
        )
    assert response.status_code == 502
    assert (response.json()["code"], response.json()["service"]) == ("upstream_contract_mismatch", ORG_FILING)
    assert await _count(engine, "batches") == 0


# --- the contract against org-filing's real app ---------------------------------------------------------


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_batch_check_contract_matches_org_filings_openapi(org_app: FastAPI) -> None:
    """The route, the body it takes and the answer it gives are org-filing's, member for member."""
    spec = org_app.openapi()
    path = BATCH_CHECK_PATH
    assert path in spec["paths"], sorted(spec["paths"])
    operation = spec["paths"][path]["post"]
    body = _resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
    answer = _resolve(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(body["properties"]) == set(BatchPlanCheck.model_fields)
    assert set(answer["properties"]) == set(BatchPlanClearance.model_fields)
    assert set(answer.get("required", [])) <= set(BatchPlanClearance.model_fields)


async def test_batch_check_answers_parse_into_the_contract(registry: Registry) -> None:
    """A live call to the real app with the registry's own request model, parsed into the contract."""
    await registry.file_body()
    plan_id = await registry.plan(DISTRICT_BODY, level=4, evaluation_date=EVALUATION_DAY)
    check = BatchPlanCheck(
        body_code=DISTRICT_BODY,
        occupation_code=OCCUPATION["occupation_code"],
        work_type=WORK_TYPE,
        level=4,
        evaluation_date=EVALUATION_DAY,
    )
    response = await registry.org.post(
        BATCH_CHECK_PATH.format(plan_id=plan_id),
        json=check.model_dump(mode="json"),
        headers={"Authorization": _service_bearer()},
    )
    assert response.status_code == 200, response.text
    cleared = BatchPlanClearance.model_validate(response.json())
    assert (cleared.plan_id, cleared.body_code, cleared.district_code) == (plan_id, DISTRICT_BODY, "07")
    assert cleared.starts_on <= EVALUATION_DAY <= cleared.ends_on
    assert cleared.filed_on == ORG_TODAY


def _service_bearer() -> str:
    from skills_shared.testing import auth_headers

    return auth_headers("service", sub="certificate-registry")["Authorization"]


@pytest.mark.parametrize("field", ["plan_id", "evaluation_date", "level"])
def test_the_open_example_is_valid_and_each_field_required(field: str) -> None:
    example = example_of(BatchOpen)
    assert BatchOpen.model_validate(example).plan_id == example["plan_id"]
    broken = {k: v for k, v in example.items() if k != field}
    with pytest.raises(ValueError, match=field):
        BatchOpen.model_validate(broken)


async def test_a_cleared_body_whose_issuer_record_has_not_arrived_waits(
    registry: Registry, engine: AsyncEngine
) -> None:
    """org-filing cleared the plan, but its outbox has not delivered the issuer yet: retry later, nothing stored."""
    await registry.file_body()
    plan_id = await registry.plan(DISTRICT_BODY, level=4, evaluation_date=EVALUATION_DAY)
    early = await registry.open_batch(plan_id=plan_id)
    assert early.status_code == 409
    assert early.json()["code"] == "issuer_not_synced" and early.headers["Retry-After"] == "5"
    assert await _count(engine, "batches") == 0
    await registry.put_issuer()
    assert (await registry.open_batch(plan_id=plan_id)).status_code == 201
