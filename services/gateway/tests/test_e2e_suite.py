"""End to end: the five services as real uvicorn processes on fresh databases, every workflow over HTTP through
the gateway, including the registry stopped in the middle of an application and started again.

Periods of working days (a selection's publicity, the evaluation day of a plan, a batch's 5-day publicity) pass on
the suite's sandbox clock, which every process reads from one file (``SKILLS_SANDBOX_CLOCK_FILE``), as an operator
moves it with ``make clock``; nothing is edited in any database. Everything else — filing the body, its plan, the
batch, results, approval, issue, the subsidy claim, vouchers — goes through the gateway's public API.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from skills_shared.clock import SANDBOX_FILE_ENV, SandboxClock, today_of
from skills_shared.clock import move_to as sandbox_move_to
from skills_shared.db import to_asyncpg_dsn
from skills_shared.testing import admin_url, apply_synthetic_calendar, auth_headers, with_database
from skills_shared.validators import make_credit_code, make_resident_id
from skills_shared.workdays import add_working_days, today_shanghai
from skills_tools import run as suite_run
from skills_tools.services import SERVICES, ServiceSpec

OFFSET = 250
"""Ports 8250–8254: clear of a developer's own suite (8000) and of the run-tool's test (8150)."""
HOST = "127.0.0.1"
CITIZEN_ID = make_resident_id("500101", date(1990, 1, 1), "123")
CITY = auth_headers("city_officer", "city-1")
SANDBOX_REREAD_S = 1.2
"""A little over the second after which every process re-reads the sandbox clock's file."""


def spec_of(name: str) -> ServiceSpec:
    return next(s for s in SERVICES if s.name == name)


def base(name: str) -> str:
    return f"http://{HOST}:{spec_of(name).port + OFFSET}"


@dataclass
class Suite:
    """The running processes, their database URLs and where their logs go."""

    procs: dict[str, subprocess.Popen[bytes]]
    urls: dict[str, str]
    logs: Path
    clock_file: Path
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> date:
        """The suite's business date on its sandbox clock."""
        return today_of(SandboxClock(self.clock_file))

    async def move_to(self, day: date) -> None:
        """Move every process's business date to ``day``; each re-reads the file at most once a second."""
        sandbox_move_to(self.clock_file, day)
        await asyncio.sleep(SANDBOX_REREAD_S)

    def stop(self, name: str) -> None:
        suite_run.stop_all({name: self.procs[name]})

    def start(self, name: str) -> None:
        self.procs[name] = suite_run.start(spec_of(name), self.urls[name], HOST, self.logs)
        suite_run.wait_healthy(self.procs, HOST, self.logs, timeout_s=60)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """All five services, started the way `skills run` starts them, on databases of their own."""
    prefix = f"t_e2e_{uuid.uuid4().hex[:6]}_"
    saved = {k: os.environ.get(k) for k in ("SKILLS_PORT_OFFSET", "SKILLS_DATABASE_PREFIX", SANDBOX_FILE_ENV)}
    os.environ["SKILLS_PORT_OFFSET"] = str(OFFSET)
    os.environ["SKILLS_DATABASE_PREFIX"] = prefix
    logs = tmp_path_factory.mktemp("e2e-logs")
    clock_file = logs / "sandbox-clock.json"
    os.environ[SANDBOX_FILE_ENV] = str(clock_file)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    server = admin_url()
    # Periods of N working days from today reach next year in December, before the library covers it.
    restore_calendar = apply_synthetic_calendar(today_shanghai(), logs / "synthetic-calendar.json")
    try:
        taken = [s.name for s in SERVICES if suite_run.port_taken(s.port + OFFSET, HOST)]
        assert not taken, f"ports of the end-to-end suite are taken: {taken}"
        urls = suite_run.prepare(server)
        for spec in SERVICES:
            procs[spec.name] = suite_run.start(spec, urls[spec.name], HOST, logs)
        suite_run.wait_healthy(procs, HOST, logs, timeout_s=90)
        yield Suite(procs, urls, logs, clock_file)
    finally:
        suite_run.stop_all(procs)
        restore_calendar()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

        async def drop() -> None:
            conn = await asyncpg.connect(to_asyncpg_dsn(with_database(server, "postgres")))
            try:
                for spec in SERVICES:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{prefix}{spec.database}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())


async def sql(suite: Suite, service: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(to_asyncpg_dsn(suite.urls[service]))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def person(n: int) -> dict[str, str]:
    """A person of the form with a valid resident ID; names carry no digits (the suite's one name check)."""
    return {
        "name": "李" + "伟芳娜敏静丽强磊"[n % 8],
        "id_number": make_resident_id("500101", date(1980, 1, 1) + timedelta(days=n), n),
    }


def application_form(credit_code: str) -> dict[str, Any]:
    """The whole 附件1 form of a city-wide body (OF-1), eligible under OF-2."""
    sha = "0" * 64
    return {
        "level_scope": "city",
        "basic": {
            "name": "重庆市某职业技能评价中心",
            "address": "重庆市渝北区春华大道99号",
            "registering_authority": "重庆市市场监督管理局",
            "nature": "enterprise_institution",
            "credit_code": credit_code,
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
                "start_date": "2015-03-01",
                "people_evaluated": 12_000,
                "levels": [1, 2, 3, 4, 5],
            },
            {
                "name": "焊工",
                "code": "6-18-02-04",
                "is_new": False,
                "start_date": "2015-03-01",
                "people_evaluated": 12_000,
                "levels": [1, 2, 3, 4, 5],
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
        "staff": [{**person(1), "title": "主任", "education": "本科", "duties": "考务"}],
        "experts": [
            {**person(2), "title": "高级工程师", "education": "硕士", "specialty": "电气", "in_house": True}
        ],
        "assessors": [
            {
                **person(3),
                "assessor_certificate_no": "KP-001",
                "occupation": "电工",
                "title_or_level": "高级考评员",
                "education": "本科",
                "in_house": False,
                "agreement": {"sha256": sha, "filename": "协议.pdf", "size_bytes": 100},
            }
        ],
        "supervisors": [{**person(4), "employer": "本单位", "title_or_level": "督导员", "education": "本科"}],
        "systems": "制度健全，参与教材编写与题库开发",
        "pledge": {"accepted": True, "signatory": "张三", "signed_on": today_shanghai().isoformat()},
        "attachments": [
            {"kind": k, "sha256": sha, "filename": f"{k}.pdf", "size_bytes": 1024}
            for k in ("work_plan", "site_assets", "credit_report", "scale_evidence")
        ],
    }


async def wait_for_issuer(body_code: str, timeout_s: float = 30) -> None:
    """org-filing tells the registry through its outbox; wait until the registry knows the body."""
    async with httpx.AsyncClient(base_url=base("certificate-registry")) as registry:
        for _ in range(int(timeout_s / 0.25)):
            if (await registry.get(f"/v1/issuers/{body_code}")).status_code == 200:
                return
            await asyncio.sleep(0.25)
    raise AssertionError(f"the registry never learned of body {body_code} from org-filing's outbox")


async def test_e2e_file_a_body_plan_batch_and_issue(suite: Suite) -> None:
    """File a body, its plan; open a batch (plan on time, body active, in scope), results, publicity, approval,
    issue — all through the gateway."""
    credit = make_credit_code("91500000MA" + uuid.uuid4().hex[:7].upper().replace("O", "0").replace("I", "1"))
    admin = auth_headers("org_admin", f"admin-{credit}", body=credit)
    async with httpx.AsyncClient(base_url=base("gateway"), timeout=30) as gw:
        applied = expect(
            await gw.post(
                "/api/v1/body-applications",
                json=application_form(credit),
                headers={**admin, "Idempotency-Key": "e2e-apply"},
            ),
            201,
        )
        app_id = applied["id"]
        assert applied["status"] == "submitted"

        def review(step: str) -> dict[str, str]:
            return {**CITY, "Idempotency-Key": f"e2e-{step}-{app_id}"}

        expect(
            await gw.post(
                f"/api/v1/body-applications/{app_id}/evaluation",
                headers=review("evaluation"),
                json={
                    "selected": True,
                    "sound_finances": True,
                    "good_credit": True,
                    "no_violation_record": True,
                    "opinion": "符合条件",
                },
            ),
            200,
        )
        expect(
            await gw.post(
                f"/api/v1/body-applications/{app_id}/publication",
                headers=review("publication"),
                json={"publicity_from": suite.today.isoformat(), "publicity_to": suite.today.isoformat()},
            ),
            200,
        )
        await suite.move_to(add_working_days(suite.today, 1))  # the selection's publicity is over (OF-3)
        filed = expect(
            await gw.post(
                f"/api/v1/body-applications/{app_id}/filing",
                headers=review("filing"),
                json={"valid_from": suite.today.isoformat()},
            ),
            201,
        )
        body_code = filed["body_code"]
        await wait_for_issuer(body_code)

        staff = auth_headers("org_staff", "staff-1", body=body_code)
        evaluation_day = add_working_days(suite.today, 12)
        plan = expect(
            await gw.post(
                f"/api/v1/bodies/{body_code}/plans",
                headers=staff,
                json={
                    "name": "电工三级评价计划",
                    "occupation_code": "6-31-01-03",
                    "work_type": "维修电工",
                    "levels": [3],
                    "starts_on": evaluation_day.isoformat(),
                    "ends_on": evaluation_day.isoformat(),
                    "venue": "重庆市渝北区实训楼",
                    "sessions": 1,
                    "method": "理论知识考试和技能操作考核",
                    "candidates": [{"name": "张三", "id_number": CITIZEN_ID}],
                    "assessors": [person(3)],
                    "supervisors": [person(4)],
                },
            ),
            201,
        )
        batch_in = {
            "plan_id": plan["id"],
            "occupation_code": "6-31-01-03",
            "occupation_name": "电工",
            "work_type": "维修电工",
            "level": 3,
            "evaluation_date": evaluation_day.isoformat(),
            "method": "examination",
        }
        batch = expect(
            await gw.post(
                "/api/v1/batches", json=batch_in, headers={**staff, "Idempotency-Key": "e2e-batch"}
            ),
            201,
        )
        batch_id = batch["id"]
        await suite.move_to(evaluation_day)  # the evaluation is held; its results can be uploaded (CR-4)
        expect(
            await gw.put(
                f"/api/v1/batches/{batch_id}/results",
                headers=staff,
                json={
                    "candidates": [
                        {
                            "name": "张三",
                            "id_number": CITIZEN_ID,
                            "gender": "男",
                            "scores": {"theory": 82, "skill": 88},
                        }
                    ]
                },
            ),
            200,
        )
        publicity = expect(await gw.post(f"/api/v1/batches/{batch_id}/publicity", headers=staff), 200)
        early = await gw.post(
            f"/api/v1/batches/{batch_id}/approval", headers={**CITY, "Idempotency-Key": "e2e-a0"}
        )
        assert early.status_code == 409, "approval waits for the 5-working-day publicity (CR-4)"
        # CR-4: the 5-working-day publicity passes on the sandbox clock, as an operator would let it.
        await suite.move_to(add_working_days(date.fromisoformat(publicity["publicity_ends"]), 1))
        expect(
            await gw.post(
                f"/api/v1/batches/{batch_id}/approval", headers={**CITY, "Idempotency-Key": "e2e-approve"}
            ),
            200,
        )
        issued = [
            await gw.post(
                f"/api/v1/batches/{batch_id}/issue", headers={**staff, "Idempotency-Key": "e2e-issue"}
            )
            for _ in range(2)
        ]
        first = expect(issued[0], 201)
        assert issued[1].json() == first and first["issued_count"] == 1
        suite.state["number"] = first["first_number"]
        suite.state["body_code"] = body_code
        suite.state["batch_in"] = batch_in

        # change the body's status through org-filing: a suspended body opens no batch (OF-6)
        expect(
            await gw.post(
                f"/api/v1/bodies/{body_code}/status",
                headers={**CITY, "Idempotency-Key": "e2e-s"},
                json={"action": "suspend", "reason": "投诉查实，暂停评价"},
            ),
            200,
        )
        refused = await gw.post(
            "/api/v1/batches", json=batch_in, headers={**staff, "Idempotency-Key": "e2e-b2"}
        )
        # org-filing's refusal, passed on by the registry and the gateway unchanged
        assert refused.status_code == 422 and "body_not_active" in {
            e["type"] for e in refused.json()["errors"]
        }


def subsidy_application(number: str) -> dict[str, Any]:
    return {
        "policy": "cq-eval",
        "certificate_number": number,
        "holder_name": "张三",
        "cq": {
            "identity_category": {"value": "4"},
            "evaluation_district": "05",
            "applied_amount_fen": 150_000,
        },
        "payout": {"bank_account": "6222000011112222", "bank_name": "某银行"},
    }


async def claim_count(suite: Suite) -> int:
    rows = await sql(suite, "subsidy-claims", "SELECT count(*) AS n FROM claims")
    return int(rows[0]["n"])


async def test_e2e_apply_for_subsidy_with_the_registry_stopped_and_back(suite: Suite) -> None:
    number = suite.state.get("number")
    assert number, "needs the certificate issued by the previous test"
    citizen = auth_headers("citizen", CITIZEN_ID)
    async with httpx.AsyncClient(base_url=base("gateway"), timeout=30) as gw:
        # the certificate is publicly verifiable on the gateway's page, signature included (CR-6)
        page = await gw.get("/verify", params={"n": number, "name": "张三"})
        assert page.status_code == 200 and "电子签名有效" in page.text and CITIZEN_ID not in page.text

        lookup = f"/api/v1/certificates/{number}"
        found = expect(await gw.get(lookup, params={"name": "张三"}), 200)
        assert found["status"] == "valid" and found["id_number_masked"] != CITIZEN_ID

        before = await claim_count(suite)
        suite.stop("certificate-registry")
        try:
            gone = await gw.get(lookup, params={"name": "张三"})
            assert gone.status_code == 503 and gone.json()["service"] == "certificate-registry"
            down = await gw.post(
                "/api/v1/subsidy-applications",
                json=subsidy_application(number),
                headers={**citizen, "Idempotency-Key": "e2e-claim"},
            )
            assert down.status_code == 503
            assert down.json()["service"] == "certificate-registry" and int(down.headers["retry-after"]) >= 1
            assert await claim_count(suite) == before, "nothing was created anywhere"
        finally:
            suite.start("certificate-registry")
        # the kept-alive connections to the stopped process are dropped quietly; the look-up works again
        assert (await gw.get(lookup, params={"name": "张三"})).status_code == 200
        answers = [
            await gw.post(
                "/api/v1/subsidy-applications",
                json=subsidy_application(number),
                headers={**citizen, "Idempotency-Key": "e2e-claim"},
            )
            for _ in range(2)
        ]
        decision = expect(answers[0], 201)
        assert answers[1].json() == decision and answers[1].headers.get("idempotent-replayed") == "true"
        assert decision["certificate_number"] == number and decision["decision"] is not None
        assert await claim_count(suite) == before + 1, "the same key completed exactly once"
        suite.state["claim_id"] = decision["id"]

        # the claim is the citizen's, and only the citizen's (and reviewers')
        expect(await gw.get(f"/api/v1/claims/{decision['id']}", headers=citizen), 200)
        other = auth_headers("citizen", make_resident_id("500102", date(1985, 5, 5), "456"))
        assert (await gw.get(f"/api/v1/claims/{decision['id']}", headers=other)).status_code == 403


async def test_e2e_the_services_routes_through_the_relay(suite: Suite) -> None:
    """Routes no workflow composes reach the real services under ``/api/v1/<service>/``: public ones without a
    token, binary answers byte for byte, the services' own refusals unchanged, and no token no relay."""
    number, claim_id = suite.state.get("number"), suite.state.get("claim_id")
    assert number and claim_id, "needs the certificate and the claim of the previous tests"
    citizen = auth_headers("citizen", CITIZEN_ID)
    officer = auth_headers("district_officer", "officer-05", district="05")
    async with (
        httpx.AsyncClient(base_url=base("gateway"), timeout=30) as gw,
        httpx.AsyncClient(base_url=base("certificate-registry"), timeout=30) as registry,
        httpx.AsyncClient(base_url=base("subsidy-claims"), timeout=30) as subsidy,
    ):
        public = expect(await gw.get(f"/api/v1/registry/certificates/{number}", params={"name": "张三"}), 200)
        assert public == expect(await gw.get(f"/api/v1/certificates/{number}", params={"name": "张三"}), 200)
        assert expect(await gw.get("/api/v1/filing/bodies"), 200) is not None

        qr = await gw.get(f"/api/v1/registry/certificates/{number}/qr.png", headers=citizen)
        direct = await registry.get(f"/v1/certificates/{number}/qr.png", headers=citizen)
        assert (qr.status_code, qr.headers["content-type"]) == (200, "image/png")
        assert qr.content == direct.content and qr.content.startswith(b"\x89PNG")
        pdf = await gw.get(f"/api/v1/registry/certificates/{number}/document.pdf", headers=citizen)
        assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
        assert pdf.content.startswith(b"%PDF")

        queue = expect(
            await gw.get("/api/v1/subsidy/claims/queue", params={"district": "05"}, headers=officer), 200
        )
        assert claim_id in str(queue)
        anonymous = await gw.get("/api/v1/subsidy/claims/queue")
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "token_missing"

        stranger = auth_headers("citizen", make_resident_id("500102", date(1985, 5, 5), "456"))
        for path, headers in (
            (f"/claims/{claim_id}", stranger),  # another citizen's claim: the service's 403
            ("/claims/00000000-0000-4000-8000-000000000000", officer),  # no such claim: its 404
            ("/claims/not-a-uuid", officer),  # its 422
        ):
            relayed = await gw.get(f"/api/v1/subsidy{path}", headers=headers)
            own = await subsidy.get(f"/v1{path}", headers=headers)
            assert relayed.status_code == own.status_code and relayed.status_code in (403, 404, 422)
            assert (
                relayed.headers["content-type"] == own.headers["content-type"] == "application/problem+json"
            )
            assert {k: v for k, v in relayed.json().items() if k != "request_id"} == {
                k: v for k, v in own.json().items() if k != "request_id"
            }


async def test_e2e_claim_and_redeem_a_voucher_then_my_things(suite: Suite) -> None:
    # The voucher service's own set-up steps, driven over HTTP (its tests' voucher_testdata, on the path by
    # conftest); they live with its tests, never in its src/.
    from voucher_testdata import Scenario

    from voucher.vouchers.rules import open_campaign_year

    today = suite.today
    year = open_campaign_year(today)
    async with httpx.AsyncClient(base_url=base("voucher"), timeout=30) as voucher_direct:
        scenario = Scenario(voucher_direct)
        await scenario.price_all_types()
        institution = await scenario.institution(code="5000001", district="05")
        await scenario.grant(institution, "scanner-1")
        class_id = await scenario.open_class(institution, starts_on=today, ends_on=today + timedelta(days=20))
        campaign = await scenario.campaign(year)
        await scenario.issue(campaign, [CITIZEN_ID], district="05")
    citizen = auth_headers("citizen", CITIZEN_ID)
    scanner = auth_headers("institution_staff", "scanner-1", institution="5000001")
    async with httpx.AsyncClient(base_url=base("gateway"), timeout=30) as gw:
        claimed = expect(
            await gw.post(
                "/api/v1/vouchers/claims", json={}, headers={**citizen, "Idempotency-Key": "e2e-v"}
            ),
            201,
        )
        voucher_id = next(v["id"] for v in claimed["vouchers"] if v["type_code"] == "employment_skills")
        token = expect(await gw.post(f"/api/v1/vouchers/{voucher_id}/qr-token", headers=citizen), 200)[
            "token"
        ]
        redeem = {"token": token, "class_id": class_id}
        answers = [
            await gw.post("/api/v1/redemptions", json=redeem, headers={**scanner, "Idempotency-Key": "e2e-r"})
            for _ in range(2)
        ]
        first = expect(answers[0], 201)
        assert answers[1].json() == first and first["uses_this_year"] == 1

        mine = expect(await gw.get("/api/v1/me", headers=citizen), 200)
        assert mine["complete"] is True
        assert suite.state.get("number") in [c["number"] for c in mine["certificates"]["items"]]
        assert suite.state.get("claim_id") in [c["id"] for c in mine["claims"]["items"]]
        assert voucher_id in [v["id"] for v in mine["vouchers"]["items"]]

        # a service down makes its part of the answer unavailable, not the whole answer (the last step: the
        # module's teardown stops the rest)
        suite.stop("voucher")
        partial = expect(await gw.get("/api/v1/me", headers=citizen), 200)
        assert partial["complete"] is False and partial["certificates"]["status"] == "ok"
        assert partial["claims"]["status"] == "ok"
        assert partial["vouchers"]["status"] == "unavailable" and partial["vouchers"]["service"] == "voucher"
