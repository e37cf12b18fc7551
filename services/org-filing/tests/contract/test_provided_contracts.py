"""What org-filing provides other services is its v1 contract, route by route: the documented answer is the
contract model, and a real answer parses into it (consumers parse with ``parse_contract``)."""

from __future__ import annotations

import httpx
import pytest
from of_factories import TODAY, applicant, filed_body
from pydantic import BaseModel

from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1.org_filing import (
    BatchPlanCheck,
    BatchPlanClearance,
    FilingBody,
    FilingPlan,
)
from skills_shared.testing import auth_headers
from skills_shared.workdays import add_working_days

PROVIDED: list[tuple[str, str, type[BaseModel]]] = [
    ("/v1/bodies/{code}", "get", FilingBody),
    ("/v1/plans/{plan_id}", "get", FilingPlan),
    ("/v1/bodies/{code}/plans", "post", FilingPlan),
    ("/v1/plans/{plan_id}/batch-check", "post", BatchPlanClearance),
]


@pytest.mark.parametrize(("path", "method", "model"), PROVIDED)
async def test_the_documented_answer_is_the_contract(
    client: httpx.AsyncClient, path: str, method: str, model: type[BaseModel]
) -> None:
    spec = (await client.get("/openapi.json")).json()
    responses = spec["paths"][path][method]["responses"]
    ok = responses.get("200") or responses["201"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][ref]
    assert schema["title"] == model.model_config["title"]
    assert set(schema["properties"]) == set(model.model_fields)


async def test_the_batch_check_takes_the_contract_body(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    body = spec["paths"]["/v1/plans/{plan_id}/batch-check"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    schema = spec["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
    assert schema["title"] == "BatchPlanCheckV1" and set(schema["properties"]) == set(
        BatchPlanCheck.model_fields
    )


async def test_real_answers_parse_into_the_contracts(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    body = parse_contract(FilingBody, (await client.get(f"/v1/bodies/{code}")).json(), service="org-filing")
    assert body.code == code and body.district_code == "00"
    starts = add_working_days(TODAY, 12).isoformat()
    person = {"name": "某人", "id_number": "500101198001010013"}
    plan = {
        "name": "2026年第三批电工认定",
        "occupation_code": "6-31-01-03",
        "work_type": "维修电工",
        "levels": [4],
        "starts_on": starts,
        "ends_on": starts,
        "venue": "实训楼",
        "sessions": 1,
        "method": "技能操作考核",
        "candidates": [person],
        "assessors": [{**person, "role": "考评员"}],
        "supervisors": [{**person, "role": "督导员"}],
    }
    r = await client.post(f"/v1/bodies/{code}/plans", json=plan, headers=applicant(code))
    filed = parse_contract(FilingPlan, r.json(), service="org-filing")
    assert filed.candidates[0].id_number != person["id_number"]
    check = BatchPlanCheck(
        body_code=code, occupation_code="6-31-01-03", work_type="维修电工", level=4, evaluation_date=starts
    )
    r = await client.post(
        f"/v1/plans/{filed.id}/batch-check",
        json=check.model_dump(mode="json"),
        headers=auth_headers("service", sub="certificate-registry"),
    )
    cleared = parse_contract(BatchPlanClearance, r.json(), service="org-filing")
    assert cleared.plan_id == filed.id
