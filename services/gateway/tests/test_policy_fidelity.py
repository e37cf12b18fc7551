"""Issue 16 through the gateway: what a client observes of each policy-fidelity item, against the real suite.

One test per item. Each asserts the refusal's status, ``code`` and ``rule`` and the field that tells the client
when or how the request would be accepted, or the answer a client reads (a number's parts, calendar days, a
preview's records, an explanation's approved amount). The rules' own table tests live with the services.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from gateway_suite import Suite
from gateway_world import (
    CITY,
    OCCUPATION,
    PLAN_LEAD_WORKING_DAYS,
    Body,
    batch_of,
    citizen,
    expect,
    filed_body,
    issued_certificates,
    key,
    person,
    plan_of,
    planned_batch,
)

from skills_shared.clock import FixedClock
from skills_shared.testing import auth_headers
from skills_shared.workdays import CALENDAR_FILE_ENV, add_working_days, covered_years, reset_loaded_calendars


def refusal(response: httpx.Response, status: int, code: str, rule: str | None) -> dict[str, Any]:
    """The problem+json body after checking its status, code and rule ID."""
    problem: dict[str, Any] = response.json()
    assert (response.status_code, problem.get("code"), problem.get("rule")) == (status, code, rule), problem
    return problem


@contextmanager
def org_filing_on(suite: Suite, day: date) -> Iterator[None]:
    """org-filing's business date set to ``day`` for one step, then put back: the suite's shared date only
    moves forward, and a December filing day must not carry the rest of the session into December."""
    app = suite.apps["org-filing"]
    before = app.state.clock
    app.state.clock = FixedClock.on(day)
    try:
        yield
    finally:
        app.state.clock = before


async def gw_client(real: Suite) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=real.gateway, timeout=30)


# --- 1 and 9: plans in December for January; the refusal's dates as fields ----------------------------------


async def test_1_a_plan_filed_on_7_december_for_mid_january_is_accepted(real: Suite) -> None:
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        with org_filing_on(real, date(2026, 12, 7)):
            plan = plan_of(date(2027, 1, 15), [citizen()])
            filed = await gw.post(f"/api/v1/bodies/{body.code}/plans", json=plan, headers=body.staff)
    assert filed.status_code == 201, filed.text
    assert filed.json()["starts_on"] == "2027-01-15"


async def test_9_a_late_plan_refusal_carries_the_latest_filing_and_earliest_evaluation_dates(
    real: Suite,
) -> None:
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        with org_filing_on(real, date(2026, 12, 7)):
            plan = plan_of(date(2026, 12, 14), [citizen()])
            late = await gw.post(f"/api/v1/bodies/{body.code}/plans", json=plan, headers=body.staff)
    problem = refusal(late, 422, "plan_filed_late", "OF-5")
    # 14 December less 10 working days is 30 November; 10 working days after 7 December is 21 December.
    assert (problem["latest_filing_date"], problem["earliest_evaluation_date"]) == (
        "2026-11-30",
        "2026-12-21",
    )


# --- 2: evaluation before publicity before issue ----------------------------------------------------------


async def test_2_results_of_an_evaluation_not_yet_held_are_refused_with_the_day_they_are_accepted(
    real: Suite,
) -> None:
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        name, id_number = citizen()
        batch = await planned_batch(gw, real, body, [(name, id_number)])
        rows = [{"name": name, "id_number": id_number, "gender": "男", "scores": {"theory": 80, "skill": 80}}]
        early = await gw.put(
            f"/api/v1/batches/{batch['id']}/results", json={"candidates": rows}, headers=body.staff
        )
    problem = refusal(early, 409, "evaluation_not_held", "CR-4")
    assert batch["evaluation_date"] in problem["detail"]
    assert problem["earliest_date"] == batch["evaluation_date"]  # when the upload would be accepted


# --- 7: the certificate number ----------------------------------------------------------------------------


async def test_7_a_certificate_number_is_decoded_publicly_and_a_malformed_one_lists_every_fault(
    real: Suite,
) -> None:
    async with await gw_client(real) as gw:
        decoded = await gw.get("/api/v1/certificate-numbers/S000050070012253000123")
        malformed = await gw.get("/api/v1/certificate-numbers/X00005007001225300012")
        relayed = await gw.get("/api/v1/registry/certificate-numbers/S000050070012253000123")
    parts = expect(decoded, 200)
    assert parts == relayed.json()
    assert parts == {
        "number": "S000050070012253000123",
        "category": "S",
        "category_name": "社会培训评价组织",
        "route": "0000",
        "route_name": "重庆市人力社保部门备案",
        "province_code": "50",
        "province_name": "重庆市",
        "district_code": "07",
        "district_name": "沙坪坝区",
        "body_sequence": "0012",
        "body_code": "S000050070012",
        "year": 2025,
        "level_code": 3,
        "level_name": "三级/高级工",
        "serial": "000123",
    }
    problem = refusal(malformed, 422, "invalid_certificate_number", "CR-1")
    assert [(f["position"], f["code"]) for f in problem["faults"]] == [
        (1, "certificate_number_category"),
        (22, "certificate_number_length"),
    ]
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("path", "number")}


async def test_7_a_number_with_url_characters_reaches_the_registry_as_one_segment(real: Suite) -> None:
    """A control character, ``?``, ``#`` or an encoded ``/`` in the number is the registry's CR-1 refusal of
    that very string, never an invalid URL (503) or another route of the registry."""
    async with await gw_client(real) as gw:
        answers = {
            raw: await gw.get(f"/api/v1/certificate-numbers/{quote(raw, safe='')}")
            for raw in (
                "S0000500700122530001\x0e3",
                "S00005007001225300012?3",
                "..%2Fv1%2Fsigning-key",
                "a#b",
            )
        }
    for raw, answer in answers.items():
        problem = refusal(answer, 422, "invalid_certificate_number", "CR-1")
        assert problem["faults"], raw


# --- 8: working days --------------------------------------------------------------------------------------


async def test_8_the_working_day_calendar_answers_periods_and_deadlines_with_the_years_covered(
    real: Suite,
) -> None:
    async with await gw_client(real) as gw:
        period = expect(await gw.get("/api/v1/calendar/working-days?start=2025-09-30&n=5"), 200)
        deadline = expect(
            await gw.get("/api/v1/calendar/deadline?event_date=2027-01-15&filed_on=2026-12-07"), 200
        )
        uncovered = await gw.get("/api/v1/calendar/working-days?start=2027-03-01&n=5")
        bad = await gw.get("/api/v1/calendar/working-days?start=2026-02-30&n=5")
    assert period["working_days"] == ["2025-10-09", "2025-10-10", "2025-10-11", "2025-10-13", "2025-10-14"]
    assert (period["rule"], period["next_day"]) == ("P-1", "2025-10-15")
    assert 2026 in period["covered_years"]
    # A December filing for January: on time, judged from the 2026 days alone; the dates needing 2027 say so.
    assert (deadline["rule"], deadline["on_time"], deadline["earliest_event_date"]) == (
        "P-2",
        True,
        "2026-12-21",
    )
    assert (deadline["latest_filing_date"], deadline["uncovered_years"]) == (None, [2027])
    problem = refusal(uncovered, 409, "calendar_not_covered", "P-3")
    assert problem["year"] == 2027 and problem["covered_years"][-1] == 2026
    assert refusal(bad, 422, "validation_failed", None)["errors"][0]["loc"] == ["query", "start"]


# --- 12: campaigns ----------------------------------------------------------------------------------------


async def test_12_a_campaign_whose_validity_has_ended_is_not_opened(real: Suite) -> None:
    async with await gw_client(real) as gw:
        ended = await gw.post(
            "/api/v1/voucher/campaigns",
            json={"year": 2025, "kind": "annual", "name": "2025年职业培训券"},
            headers=CITY,
        )
    problem = refusal(ended, 422, "campaign_expired", "V-4")
    assert problem["errors"][0]["loc"] == ["body", "year"]
    assert (problem["valid_until"], problem["last_opening_date"], problem["open_year"]) == (
        "2025-11-30",
        "2025-11-30",
        real.today.year,
    )


# --- 3, 4, 5, 6: the 贯通 rules --------------------------------------------------------------------------------

TITLE = {"level": "assistant", "specialty": "电气工程", "related_work_years": 5}
"""A 助理级 title in 电气工程, which allows 三级/高级工 in a 贯通 evaluation of 电工 (CR-9)."""


def guantong_registration(code: str) -> dict[str, Any]:
    """A complete 贯通 registration (seed 002 附件1) of a filed body: 电工 高级工 ↔ 电气工程 (OF-8)."""
    contact = {"name": "李主任", "title": "主任", "mobile": "13900000000"}
    return {
        "name": f"贯通评价{code}",
        "kind": "社会培训评价组织",
        "office_address": "重庆市渝北区春华大道99号",
        "registered_place": "00",
        "body_code": code,
        "legal_representative": contact,
        "contact": contact,
        "mappings": [
            {
                "occupation_code": OCCUPATION["occupation_code"],
                "occupation_name": "电工",
                "level": 3,
                "title_specialties": ["电气工程"],
            }
        ],
        "staff": [{**person(), "title": "主任", "education": "本科", "duties": "组织"}],
        "experts": [
            {
                **person(),
                "title_or_level": "正高级工程师",
                "education": "博士",
                "specialty": "电气",
                "in_house": False,
            }
            for _ in range(3)
        ],
    }


def guantong_plan(day: date, holders: list[tuple[str, str]]) -> dict[str, Any]:
    return {**plan_of(day, holders), "is_guantong": True, "name": "2026年电工贯通评价"}


async def guantong_batch(gw: httpx.AsyncClient, body: Body, day: date, holders: list[tuple[str, str]]) -> str:
    """The body registered for 贯通, a 贯通 plan filed and a 高级工 assessment batch opened under it."""
    expect(
        await gw.post("/api/v1/filing/guantong/bodies", json=guantong_registration(body.code), headers=CITY),
        201,
    )
    plan = expect(
        await gw.post(
            f"/api/v1/bodies/{body.code}/plans", json=guantong_plan(day, holders), headers=body.staff
        ),
        201,
    )
    opening = {**batch_of(plan["id"], day), "guantong": True, "method": "assessment"}
    batch = expect(await gw.post("/api/v1/batches", json=opening, headers={**body.staff, **key()}), 201)
    return str(batch["id"])


def assessed(holder: tuple[str, str], skill: int, **row: Any) -> dict[str, Any]:
    name, id_number = holder
    return {"name": name, "id_number": id_number, "gender": "男", "scores": {"skill": skill}, **row}


async def test_3_a_guantong_senior_worker_assessment_takes_skill_scores_by_assessors(real: Suite) -> None:
    holders = [citizen(), citizen()]
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        day = add_working_days(real.today, PLAN_LEAD_WORKING_DAYS)
        batch_id = await guantong_batch(gw, body, day, holders)
        real.move_to(day)
        rows = [assessed(holders[0], 72, title=TITLE), assessed(holders[1], 59, title=TITLE)]
        uploaded = await gw.put(
            f"/api/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=body.staff
        )
        panel = {**assessed(holders[0], 72, title=TITLE), "scores": {}, "panel": {"skill": [70, 70, 70]}}
        refused = await gw.put(
            f"/api/v1/batches/{batch_id}/results", json={"candidates": [panel]}, headers=body.staff
        )
    assert expect(uploaded, 200)["passed_count"] == 1
    # A 3-expert panel is for 直接认定 and 综合评审; here it is refused, pointing at the score the batch takes.
    problem = refusal(refused, 422, "invalid_results", "CR-8")
    assert {tuple(e["loc"][3:]) for e in problem["errors"]} == {("panel",), ("scores", "skill")}


async def test_4_a_body_not_registered_for_guantong_files_no_guantong_plan(real: Suite) -> None:
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        day = add_working_days(real.today, PLAN_LEAD_WORKING_DAYS)
        refused = await gw.post(
            f"/api/v1/bodies/{body.code}/plans", json=guantong_plan(day, [citizen()]), headers=body.staff
        )
    problem = refusal(refused, 422, "guantong_not_registered", "OF-8")
    assert problem["errors"][0]["loc"] == ["body", "is_guantong"]
    assert "请先向备案地人力社保部门报备" in problem["detail"]


async def test_5_one_title_level_once_across_bodies_even_when_two_upload_at_once(real: Suite) -> None:
    holders = [citizen() for _ in range(6)]
    async with await gw_client(real) as gw:
        first, second = await filed_body(gw, real), await filed_body(gw, real)
        day = add_working_days(real.today, PLAN_LEAD_WORKING_DAYS)
        batches = [await guantong_batch(gw, b, day, holders) for b in (first, second)]
        real.move_to(day)
        rows = [assessed(h, 80, title=TITLE) for h in holders]

        async def upload(body: Body, batch_id: str) -> httpx.Response:
            return await gw.put(
                f"/api/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=body.staff
            )

        answers = await asyncio.gather(upload(first, batches[0]), upload(second, batches[1]))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text[:300] for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    problem = refusal(loser, 409, "title_level_already_declared", "CR-9")
    winner = (first, second)[[a.status_code for a in answers].index(200)]
    assert [e["loc"] for e in problem["errors"]] == [
        ["body", "candidates", i, "title", "level"] for i in range(len(rows))
    ]
    assert all(winner.code in e["msg"] for e in problem["errors"])
    assert "请删除这些行后重新上传" in problem["detail"]


async def test_6_a_guantong_row_without_a_title_that_allows_its_level_is_refused_citing_cr9(
    real: Suite,
) -> None:
    holders = [citizen(), citizen()]
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        day = add_working_days(real.today, PLAN_LEAD_WORKING_DAYS)
        batch_id = await guantong_batch(gw, body, day, holders)
        real.move_to(day)
        rows = [assessed(holders[0], 80), assessed(holders[1], 80, title={**TITLE, "specialty": "机械工程"})]
        refused = await gw.put(
            f"/api/v1/batches/{batch_id}/results", json={"candidates": rows}, headers=body.staff
        )
    problem = refusal(refused, 422, "invalid_results", "CR-9")
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [
        (["body", "candidates", 0, "title"], "title_level_not_allowed"),
        (["body", "candidates", 1, "title"], "title_level_not_allowed"),
    ]
    assert "电气工程" in problem["errors"][1]["msg"]


# --- 10, 11: the subsidy preview's records and the approved amount in the explanation ------------------------

UNIT_HEAD = auth_headers("district_officer", "officer-05", district="05", perms=["unit_head"])


def verdict(decision: dict[str, Any], rule: str) -> str:
    return str(next(r["verdict"] for r in decision["results"] if r["rule"] == rule))


def cq_application(number: str, name: str) -> dict[str, Any]:
    return {
        "policy": "cq-eval",
        "certificate_number": number,
        "holder_name": name,
        "cq": {
            "identity_category": {"value": "4"},
            "evaluation_district": "05",
            "applied_amount_fen": 150_000,
        },
        "payout": {"bank_account": "6222000011112222", "bank_name": "某银行"},
    }


PREVIEWED_NUMBER = "S000050070012253000123"
"""A well-formed Chongqing number of 2025: the preview reads what is declared and checks no certificate (CQ-4
compares it with the registry on submission), so no certificate need be issued to ask it."""


async def test_10_the_preview_weighs_the_offices_records_and_says_when_it_did_not(real: Suite) -> None:
    holder = citizen()
    async with await gw_client(real) as gw:
        recorded = await gw.post(
            "/api/v1/subsidy/past-subsidies",
            json={
                "applicant_id_number": holder[1],
                "source": "原职业技能鉴定补贴台账",
                "subsidies": [
                    {
                        "kind": "cq-jianding",
                        "occupation_code": OCCUPATION["occupation_code"],
                        "level": 3,
                        "year": 2019,
                    }
                ],
            },
            headers=CITY,
        )
        expect(recorded, 201)
        preview = {
            "applicant": {"id_number": holder[1], "name": holder[0]},
            "certificate": {
                "number": PREVIEWED_NUMBER,
                "occupation_code": OCCUPATION["occupation_code"],
                "occupation_name": OCCUPATION["occupation_name"],
                "work_type": OCCUPATION["work_type"],
                "level": 3,
                "kind": "skill_level",
                "issue_date": "2025-12-01",
            },
            "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150_000},
        }
        mine = await gw.post(
            "/api/v1/subsidy/policies/cq-eval/evaluate",
            json=preview,
            headers=auth_headers("citizen", holder[1]),
        )
        stranger = await gw.post(
            "/api/v1/subsidy/policies/cq-eval/evaluate",
            json=preview,
            headers=auth_headers("citizen", citizen()[1]),
        )
    decision = expect(mine, 200)
    assert decision["outcome"] == "ineligible" and verdict(decision, "CQ-8") == "fail"
    assert (decision["records"]["consulted"], decision["records"]["past_subsidies"]) == (True, 1)
    # Someone else asking about the applicant is told plainly that the office's records were not read.
    blind = expect(stranger, 200)
    assert verdict(blind, "CQ-8") == "pass" and blind["records"]["consulted"] is False
    assert "未查询本局记录" in blind["records"]["note"] and "CQ-8" in blind["records"]["note"]


async def test_11_the_explanation_shows_the_approved_amount_and_the_reviewers_reason(real: Suite) -> None:
    holder = citizen()
    me = auth_headers("citizen", holder[1])
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        [number] = await issued_certificates(gw, real, body, [holder])
        claim = expect(
            await gw.post(
                "/api/v1/subsidy-applications",
                json=cq_application(number, holder[0]),
                headers={**me, **key()},
            ),
            201,
        )
        expect(await gw.post(f"/api/v1/subsidy/claims/{claim['id']}/start-review", headers=UNIT_HEAD), 200)
        approval = {"amount_fen": 120_000, "reason": "评价费票据金额为1200元"}
        expect(
            await gw.post(
                f"/api/v1/claims/{claim['id']}/approve", json=approval, headers={**UNIT_HEAD, **key()}
            ),
            200,
        )
        explained = expect(await gw.get(f"/api/v1/claims/{claim['id']}", headers=me), 200)["decision"]
    assert (explained["amount"]["rule"], explained["amount"]["amount_fen"]) == ("CQ-10", 150_000)
    approved = explained["approved"]
    assert (approved["amount_fen"], approved["computed_amount_fen"], approved["changed"]) == (
        120_000,
        150_000,
        True,
    )
    assert approved["reason"] == "评价费票据金额为1200元"
    assert approved["working"] == "核定金额 1200元（规则计算 1500元）：评价费票据金额为1200元"


# --- P-3: publicity started in late December, its end in a year not yet published -----------------------------

DECEMBER_START = date(2026, 12, 28)
"""A Monday: a publicity started then runs 29, 30, 31 December and two days of January 2027."""


@contextmanager
def services_on(suite: Suite, day: date, *names: str) -> Iterator[None]:
    """The business date of the named services set to ``day`` for one step, then put back (as
    :func:`org_filing_on`: the shared suite's date only moves forward, and December must not stay)."""
    before = {name: suite.apps[name].state.clock for name in names}
    for name in names:
        suite.apps[name].state.clock = FixedClock.on(day)
    try:
        yield
    finally:
        for name, clock in before.items():
            suite.apps[name].state.clock = clock


@pytest.fixture
def no_2027_calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The suite counts working days from the installed library alone, which has no 2027 (P-3)."""
    if 2027 in covered_years():
        pytest.skip("the installed chinesecalendar covers 2027 now: nothing is uncovered")
    monkeypatch.delenv(CALENDAR_FILE_ENV, raising=False)
    reset_loaded_calendars()
    yield
    reset_loaded_calendars()


@pytest.mark.usefixtures("no_2027_calendar")
async def test_p3_a_batch_publicity_started_on_28_december_is_not_refused_for_2027(real: Suite) -> None:
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        holder = citizen()
        batch = await planned_batch(gw, real, body, [holder])
        rows = [
            {"name": holder[0], "id_number": holder[1], "gender": "男", "scores": {"theory": 80, "skill": 80}}
        ]
        with services_on(real, DECEMBER_START, "certificate-registry"):
            expect(
                await gw.put(
                    f"/api/v1/batches/{batch['id']}/results", json={"candidates": rows}, headers=body.staff
                ),
                200,
            )
            started = await gw.post(f"/api/v1/batches/{batch['id']}/publicity", headers=body.staff)
        with services_on(real, date(2026, 12, 30), "certificate-registry"):
            listed = expect(await gw.get(f"/api/v1/registry/batches/{batch['id']}/publicity"), 200)
            objection = await gw.post(
                f"/api/v1/registry/batches/{batch['id']}/objections",
                json={
                    "candidate_id": listed["candidates"][0]["candidate_id"],
                    "reason": "该考生未实际参加技能操作考核",
                },
                headers={**auth_headers("citizen", citizen()[1]), **key()},
            )
            early = await gw.post(f"/api/v1/batches/{batch['id']}/approval", headers={**CITY, **key()})
    publicity = expect(started, 200)
    assert (publicity["publicity_starts"], publicity["publicity_ends"]) == ("2026-12-28", None)
    assert listed["publicity_ends"] is None  # unknown until 2027 is published, never guessed
    assert expect(objection, 201)["status"] == "pending"
    problem = refusal(early, 409, "publicity_not_ended", "CR-4")
    assert (problem["publicity_ends"], problem["earliest_date"]) == (None, None)
    assert "2027年工作日历" in problem["detail"]


@pytest.mark.usefixtures("no_2027_calendar")
async def test_p3_a_claim_published_on_28_december_is_not_refused_for_2027(real: Suite) -> None:
    holder = citizen()
    me = auth_headers("citizen", holder[1])
    async with await gw_client(real) as gw:
        body = await filed_body(gw, real)
        [number] = await issued_certificates(gw, real, body, [holder])
        claim = expect(
            await gw.post(
                "/api/v1/subsidy-applications",
                json=cq_application(number, holder[0]),
                headers={**me, **key()},
            ),
            201,
        )
        cid = claim["id"]
        expect(await gw.post(f"/api/v1/subsidy/claims/{cid}/start-review", headers=UNIT_HEAD), 200)
        approval = {"amount_fen": 120_000, "reason": "评价费票据金额为1200元"}
        expect(
            await gw.post(f"/api/v1/claims/{cid}/approve", json=approval, headers={**UNIT_HEAD, **key()}), 200
        )
        with services_on(real, DECEMBER_START, "subsidy-claims"):
            published = await gw.post(f"/api/v1/subsidy/claims/{cid}/publish", headers={**UNIT_HEAD, **key()})
        with services_on(real, date(2026, 12, 30), "subsidy-claims"):
            objection = await gw.post(
                f"/api/v1/subsidy/claims/{cid}/objections",
                json={"reason": "申请人并非农村转移就业劳动者"},
                headers={**auth_headers("citizen", citizen()[1]), **key()},
            )
            early = await gw.post(f"/api/v1/subsidy/claims/{cid}/confirm", headers={**UNIT_HEAD, **key()})
        with services_on(real, date(2027, 1, 6), "subsidy-claims"):
            january = await gw.post(f"/api/v1/subsidy/claims/{cid}/confirm", headers={**UNIT_HEAD, **key()})
    shown = expect(published, 200)
    assert (shown["status"], shown["publicity_started_on"], shown["publicity_ends_on"]) == (
        "in_publicity",
        "2026-12-28",
        None,
    )
    assert len(expect(objection, 201)["objections"]) == 1
    problem = refusal(early, 409, "publicity_not_over", "CQ-5")
    assert (problem["publicity_ends_on"], problem["earliest_date"]) == (None, None)
    # In January the answer depends on 1 January 2027, which nobody has published: P-3, never a guess.
    assert refusal(january, 409, "calendar_not_covered", "P-3")["year"] == 2027
