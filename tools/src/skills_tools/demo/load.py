"""Load the demo world into a running suite through the gateway's public API, so that every rule is applied.

The world's dates are the suite's own: it starts on the sandbox business date and moves it forward through
``POST /api/v1/sandbox/clock`` only as far as the rules require (a body's selection publicity, a plan's 10
working days, a batch's and a claim's 5-working-day publicity). Nothing is written to a database directly.

A second load changes nothing: the world is recognised by its first body in org-filing's public list, and
its summary (codes, numbers, ids) is read back from the file the first load wrote.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from skills_shared.workdays import add_working_days
from skills_tools.demo.api import Api, DemoError, Who
from skills_tools.demo.people import CANDIDATES_LATER, HOLDERS, INSTITUTION_ADMINS, VOUCHER_HOLDERS
from skills_tools.demo.world import (
    BODIES,
    CQ_AMOUNT_TABLE,
    DEFAULT_FACE_VALUE_FEN,
    ELECTRICIAN,
    SH_CATALOGUE,
    VOUCHER_FACE_VALUES_FEN,
    BatchSpec,
    BodySpec,
    application_form,
    batch_form,
    guantong_registration,
    institution_form,
    plan_form,
    results_form,
)

CITY = Who("city_officer", "city-officer-demo")
CLAIMS_DISTRICT = "05"
"""The district whose office reviews the demo's subsidy claims (大渡口区)."""
REVIEWER = Who("district_officer", "officer-05-demo", district=CLAIMS_DISTRICT, perms=("unit_head",))
PAYMENTS = Who("service", "bank-interface-demo")

BATCHES: tuple[BatchSpec, ...] = (
    BatchSpec("yubei-issued", "yubei", 3, HOLDERS[:12], "issued", "2026年第四季度电工（三级）认定计划"),
    BatchSpec("dadukou-issued", "dadukou", 4, HOLDERS[12:16], "issued", "电工（四级）职业技能等级认定计划"),
    BatchSpec("yubei-approved", "yubei", 4, CANDIDATES_LATER[:2], "approved", "电工（四级）认定计划"),
    BatchSpec("yubei-publicity", "yubei", 2, CANDIDATES_LATER[2:5], "publicity", "电工（二级）认定计划"),
    BatchSpec("dadukou-draft", "dadukou", 5, CANDIDATES_LATER[5:8], "draft", "电工（五级）认定计划"),
)
"""Batches in every state of CR-4: two issued, one approved, one in publicity, one in draft."""

# Which holder of the issued batches is left in which claim state (HOLDERS[0] has none: the README walk applies).
CLAIM_STATES: tuple[tuple[int, str], ...] = (
    (1, "draft"),
    (2, "submitted"),
    (3, "under_review"),
    (4, "material_requested"),
    (5, "resubmitted"),
    (6, "rejected"),
    (7, "clawed_back"),
    (8, "approved"),
    (9, "in_publicity"),
    (10, "confirmed"),
    (11, "payment_instructed"),
    (12, "paid"),
    (13, "payment_failed"),
)
REVOKED_HOLDER = 7
"""黄磊's certificate is revoked (and his paid subsidy clawed back)."""

INSTITUTIONS = (
    ("5000101", "重庆市渝中区新华职业培训学校", "04", "重庆市渝中区民族路168号", INSTITUTION_ADMINS[0]),
    ("5000102", "重庆市大渡口区技工培训学校", "05", "重庆市大渡口区松青路1088号", INSTITUTION_ADMINS[1]),
)
REDEEMER = "scanner-5000101-01"
"""The front-desk staff member of the first institution who may redeem vouchers (V-6)."""


@dataclass
class World:
    """What a newcomer needs to find their way in the world: codes, numbers and ids, and its dates."""

    started_on: str = ""
    today: str = ""
    bodies: dict[str, str] = field(default_factory=dict)  # key → body code
    plans: dict[str, int] = field(default_factory=dict)
    batches: dict[str, str] = field(default_factory=dict)  # key → batch id
    certificates: dict[str, str] = field(default_factory=dict)  # holder ID number → certificate number
    claims: dict[str, str] = field(default_factory=dict)  # state → claim id
    revoked: str = ""
    guantong_id: str = ""
    campaign_id: int = 0
    class_id: int = 0
    vouchers: dict[str, int] = field(default_factory=dict)  # holder ID → an unredeemed employment voucher
    redeemed: list[int] = field(default_factory=list)
    publicity_over_on: str = ""  # the first day the batch in publicity may be approved
    calendar_note: str = ""

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n", "utf-8")

    @classmethod
    def read(cls, path: Path) -> World:
        return cls(**json.loads(path.read_text("utf-8")))


def org_admin(body: BodySpec) -> Who:
    """The applicant's administrator; before filing the body's scope is its credit code."""
    return Who("org_admin", f"admin-{body.key}", body=body.credit_code)


def staff_of(code: str, key: str) -> Who:
    return Who("org_staff", f"staff-{key}", body=code)


def admin_of(code: str, key: str) -> Who:
    return Who("org_admin", f"admin-{key}", body=code)


def officer_of(body: BodySpec) -> Who:
    if body.district_code is None:
        return CITY
    return Who("district_officer", f"officer-{body.district_code}-demo", district=body.district_code)


def citizen(id_number: str) -> Who:
    return Who("citizen", id_number)


def institution_admin(code: str, admin_id: str) -> Who:
    return Who("institution_admin", admin_id, institution=code)


class Loader:
    """The steps of the world, in the order the rules allow them."""

    def __init__(self, api: Api, world: World) -> None:
        self.api = api
        self.world = world
        self.today = date.min

    # --- the sandbox business date ----------------------------------------------------------------------------

    async def read_clock(self) -> date:
        state = await self.api.get("/api/v1/sandbox/clock")
        self.today = date.fromisoformat(state["today"])
        return self.today

    async def move_to(self, day: date) -> None:
        """Move the whole suite's business date forward (never back) through the sandbox API."""
        if day > self.today:
            await self.api.call("POST", "/api/v1/sandbox/clock", CITY, json={"today": day.isoformat()})
            self.today = day
            # Each service re-reads the sandbox file at most once a second.
            await asyncio.sleep(1.2)
        self.world.today = self.today.isoformat()

    # --- evaluation bodies (OF-1 … OF-4, OF-8) ----------------------------------------------------------------

    async def apply_bodies(self) -> dict[str, int]:
        """Each body applies, is evaluated and its selection published (today only)."""
        applications: dict[str, int] = {}
        for body in BODIES:
            applied = await self.api.call(
                "POST",
                "/api/v1/body-applications",
                org_admin(body),
                json=application_form(body, self.today),
                key=f"apply-{body.key}",
            )
            app_id = applied["id"]
            officer = officer_of(body)
            evaluation = {
                "selected": True,
                "sound_finances": True,
                "good_credit": True,
                "no_violation_record": True,
                "opinion": "场地设备、考评人员和管理制度符合条件，同意遴选",
            }
            base = f"/api/v1/body-applications/{app_id}"
            await self.api.call(
                "POST", f"{base}/evaluation", officer, json=evaluation, key=f"eval-{body.key}"
            )
            day = self.today.isoformat()
            await self.api.call(
                "POST",
                f"{base}/publication",
                officer,
                json={"publicity_from": day, "publicity_to": day},
                key=f"publish-{body.key}",
            )
            applications[body.key] = app_id
        return applications

    async def file_bodies(self, applications: dict[str, int]) -> None:
        for body in BODIES:
            filed = await self.api.call(
                "POST",
                f"/api/v1/body-applications/{applications[body.key]}/filing",
                officer_of(body),
                json={"valid_from": self.today.isoformat()},
                key=f"file-{body.key}",
            )
            self.world.bodies[body.key] = filed["body_code"]
        for body in BODIES:
            await self.wait_for_issuer(self.world.bodies[body.key])
        guantong = next(b for b in BODIES if b.guantong)
        registered = await self.api.call(
            "POST",
            "/api/v1/filing/guantong/bodies",
            CITY,
            json=guantong_registration(guantong, self.world.bodies[guantong.key]),
            key="guantong",
        )
        self.world.guantong_id = str(registered["id"])

    async def wait_for_issuer(self, code: str, timeout_s: float = 30) -> None:
        """org-filing tells the registry through its outbox; batches open once the registry knows the body."""
        for _ in range(int(timeout_s / 0.2)):
            answer = await self.api.client.get(
                f"/api/v1/registry/issuers/{code}", headers=self.api.headers(CITY)
            )
            if answer.status_code == 200:
                return
            await asyncio.sleep(0.2)
        raise DemoError(f"the registry never learned of body {code} from org-filing")

    # --- plans and batches (OF-5, CR-3, CR-4) -------------------------------------------------------------------

    async def plan_batches(self, evaluation_day: date) -> None:
        for batch in BATCHES:
            code = self.world.bodies[batch.body]
            staff = staff_of(code, batch.body)
            plan = await self.api.call(
                "POST",
                f"/api/v1/bodies/{code}/plans",
                staff,
                json=plan_form(batch, evaluation_day),
                key=f"plan-{batch.key}",
            )
            self.world.plans[batch.key] = plan["id"]
            opened = await self.api.call(
                "POST",
                "/api/v1/batches",
                staff,
                json=batch_form(plan["id"], batch, evaluation_day),
                key=f"batch-{batch.key}",
            )
            self.world.batches[batch.key] = opened["id"]

    async def upload_results(self) -> None:
        for batch in BATCHES:
            if batch.final_state == "draft":
                continue
            await self.api.call(
                "PUT",
                f"/api/v1/batches/{self.world.batches[batch.key]}/results",
                staff_of(self.world.bodies[batch.body], batch.body),
                json=results_form(batch),
            )

    async def start_publicity(self, batch: BatchSpec) -> dict[str, Any]:
        answer: dict[str, Any] = await self.api.call(
            "POST",
            f"/api/v1/batches/{self.world.batches[batch.key]}/publicity",
            staff_of(self.world.bodies[batch.body], batch.body),
            key=f"publicity-{batch.key}",
        )
        return answer

    async def approve_and_issue(self) -> None:
        for batch in BATCHES:
            if batch.final_state not in ("approved", "issued"):
                continue
            batch_id = self.world.batches[batch.key]
            await self.api.call(
                "POST", f"/api/v1/batches/{batch_id}/approval", CITY, key=f"approve-{batch.key}"
            )
            if batch.final_state != "issued":
                continue
            issued = await self.api.call(
                "POST",
                f"/api/v1/batches/{batch_id}/issue",
                staff_of(self.world.bodies[batch.body], batch.body),
                key=f"issue-{batch.key}",
            )
            first = int(issued["first_number"][-6:])
            prefix = issued["first_number"][:-6]
            for i, holder in enumerate(batch.candidates):
                self.world.certificates[holder.id_number] = f"{prefix}{first + i:06d}"

    # --- subsidy configuration and claims (CQ-*, SH-*) ----------------------------------------------------------

    async def configure_subsidies(self) -> None:
        await self.api.call(
            "PUT", "/api/v1/subsidy/policies/cq-eval/amount-table", CITY, json=CQ_AMOUNT_TABLE
        )
        await self.api.call("PUT", "/api/v1/subsidy/policies/sh-upgrade/catalogue", CITY, json=SH_CATALOGUE)

    def _application(self, holder_index: int) -> dict[str, Any]:
        holder = HOLDERS[holder_index]
        return subsidy_application(
            self.world.certificates[holder.id_number], holder.name, fee_of(holder_index)
        )

    async def file_claims(self) -> dict[str, str]:
        """Every claim but the draft is applied for through the gateway (certificate checked, decision made)."""
        claims: dict[str, str] = {}
        for index, state in CLAIM_STATES:
            holder = HOLDERS[index]
            if state == "draft":
                number = self.world.certificates[holder.id_number]
                draft = await self.api.call(
                    "POST",
                    "/api/v1/subsidy/claims",
                    citizen(holder.id_number),
                    json=claim_draft(number, holder.name, holder.id_number, self.today, fee_of(index)),
                    key=f"claim-{index}",
                )
                claims[state] = draft["id"]
                continue
            claim = await self.api.call(
                "POST",
                "/api/v1/subsidy-applications",
                citizen(holder.id_number),
                json=self._application(index),
                key=f"claim-{index}",
            )
            claims[state] = claim["id"]
        return claims

    async def claim_step(
        self, claim_id: str, action: str, json: Any = None, key: str | None = None, who: Who | None = None
    ) -> None:
        who = who or (PAYMENTS if action == "payment-result" else REVIEWER)
        await self.api.call("POST", f"/api/v1/subsidy/claims/{claim_id}/{action}", who, json=json, key=key)

    async def review_claims(self, claims: dict[str, str]) -> None:
        """The review steps possible before a publicity period passes."""
        reviewed = [s for _, s in CLAIM_STATES if s not in ("draft", "submitted")]
        for state in reviewed:
            await self.claim_step(claims[state], "start-review")
        await self.claim_step(
            claims["material_requested"], "request-material", {"reason": "请补充本人社会保障卡复印件"}
        )
        await self.claim_step(claims["resubmitted"], "request-material", {"reason": "请补充评价费缴费票据"})
        applicant = next(HOLDERS[i] for i, s in CLAIM_STATES if s == "resubmitted")
        await self.claim_step(
            claims["resubmitted"],
            "resubmit",
            {"material": "已上传评价机构开具的评价费缴费票据"},
            who=citizen(applicant.id_number),
        )
        await self.api.call(
            "POST",
            f"/api/v1/claims/{claims['rejected']}/reject",
            REVIEWER,
            json={"reason": "申报的人员类别与社保登记信息不一致"},
            key="reject",
        )
        for state in ("clawed_back", "confirmed", "payment_instructed", "paid", "payment_failed"):
            await self.api.call(
                "POST", f"/api/v1/claims/{claims[state]}/approve", REVIEWER, json={}, key=f"approve-{state}"
            )
            await self.claim_step(claims[state], "publish")

    async def settle_claims(self, claims: dict[str, str]) -> None:
        """After the claims' publicity: confirmation, payment, a failed payment, a claw-back."""
        for state in ("clawed_back", "confirmed", "payment_instructed", "paid", "payment_failed"):
            await self.claim_step(claims[state], "confirm", key=f"confirm-{state}")
        for state in ("clawed_back", "payment_instructed", "paid", "payment_failed"):
            await self.claim_step(claims[state], "instruct-payment", key=f"instruct-{state}")
        for state in ("clawed_back", "paid"):
            await self.claim_step(claims[state], "payment-result", {"result": "paid"}, key=f"paid-{state}")
        await self.claim_step(
            claims["payment_failed"],
            "payment-result",
            {"result": "failed", "reason": "社会保障卡金融功能未激活"},
            key="failed",
        )
        for state in ("approved", "in_publicity"):
            await self.api.call(
                "POST", f"/api/v1/claims/{claims[state]}/approve", REVIEWER, json={}, key=f"approve-{state}"
            )
        await self.claim_step(claims["in_publicity"], "publish")

    async def revoke_and_claw_back(self, claims: dict[str, str]) -> None:
        holder = HOLDERS[REVOKED_HOLDER]
        number = self.world.certificates[holder.id_number]
        await self.api.call(
            "POST",
            f"/api/v1/registry/certificates/{number}/revocation",
            CITY,
            json={"reason": "经核查，持证人以他人代考方式取得证书"},
            key="revoke",
        )
        self.world.revoked = number
        await self.claim_step(claims["clawed_back"], "claw-back", {"reason": "证书已被撤销，追回已发放补贴"})

    # --- training vouchers (V-1 … V-7) --------------------------------------------------------------------------

    async def vouchers(self) -> None:
        types = await self.api.get("/api/v1/voucher/voucher-types", CITY, page_size=200)
        for t in types["items"]:
            value = VOUCHER_FACE_VALUES_FEN.get(t["code"], DEFAULT_FACE_VALUE_FEN)
            await self.api.call(
                "PUT", f"/api/v1/voucher/voucher-types/{t['code']}", CITY, json={"face_value_fen": value}
            )
        sites: dict[str, list[int]] = {}
        for code, name, district, address, zhuanyuan in INSTITUTIONS:
            registered = await self.api.call(
                "POST",
                "/api/v1/voucher/institutions",
                Who("district_officer", f"officer-{district}-demo", district=district),
                json=institution_form(code, name, district, address, zhuanyuan),
                key=f"institution-{code}",
            )
            sites[code] = [s["id"] for s in registered["sites"]]
        first_code, _, _, _, first_admin = INSTITUTIONS[0]
        admin = institution_admin(first_code, first_admin.id_number)
        await self.api.call("PUT", f"/api/v1/voucher/institutions/{first_code}/redeemers/{REDEEMER}", admin)
        year = campaign_year(self.today)
        campaign = await self.api.call(
            "POST",
            "/api/v1/voucher/campaigns",
            CITY,
            json={"year": year, "kind": "annual", "name": f"{year}年重庆市职业培训券"},
            key="campaign",
        )
        self.world.campaign_id = campaign["id"]
        await self.api.call(
            "POST",
            f"/api/v1/voucher/campaigns/{campaign['id']}/issues",
            CITY,
            json={
                "holders": [
                    {"id_number": p.id_number, "district_code": "04" if i % 2 == 0 else "05"}
                    for i, p in enumerate(VOUCHER_HOLDERS)
                ]
            },
            key="issue-vouchers",
        )
        opened = await self.api.call(
            "POST",
            f"/api/v1/voucher/institutions/{first_code}/classes",
            admin,
            json={
                "name": "电工上岗培训班（第1期）",
                "project_type": "employment_skills",
                "starts_on": self.today.isoformat(),
                "ends_on": date.fromordinal(self.today.toordinal() + 60).isoformat(),
                "site_ids": sites[first_code],
            },
            key="class",
        )
        self.world.class_id = opened["id"]
        scanner = Who("institution_staff", REDEEMER, institution=first_code)
        for i, holder in enumerate(VOUCHER_HOLDERS[:5]):
            claimed = await self.api.call(
                "POST", "/api/v1/vouchers/claims", citizen(holder.id_number), json={}, key=f"claim-v{i}"
            )
            voucher_id = next(v["id"] for v in claimed["vouchers"] if v["type_code"] == "employment_skills")
            if i < 3:
                token = await self.api.call(
                    "POST", f"/api/v1/vouchers/{voucher_id}/qr-token", citizen(holder.id_number)
                )
                await self.api.call(
                    "POST",
                    "/api/v1/redemptions",
                    scanner,
                    json={"token": token["token"], "class_id": opened["id"]},
                    key=f"redeem-{i}",
                )
                self.world.redeemed.append(voucher_id)
            else:
                self.world.vouchers[holder.id_number] = voucher_id


def campaign_year(today: date) -> int:
    """V-4: the year whose yearly campaign may still be issued and claimed today (next year's in December)."""
    from voucher.vouchers.rules import open_campaign_year

    return open_campaign_year(today)


def fee_of(holder_index: int) -> int:
    """The evaluation fee the holder paid (fen): 三级 1,300 yuan for the city body's batch, 四级 900 yuan."""
    return 130_000 if holder_index < 12 else 90_000


def subsidy_application(number: str, holder_name: str, fee_fen: int) -> dict[str, Any]:
    """A CQ-eval application for an evaluation of the demo's 大渡口区 office, paid to the social-security card."""
    return {
        "policy": "cq-eval",
        "certificate_number": number,
        "holder_name": holder_name,
        "cq": {
            "identity_category": {"value": "4"},
            "district_code": CLAIMS_DISTRICT,
            "applied_amount_fen": fee_fen,
        },
        "payout": {
            "card_number": "6217000012345678",
            "card_financial_enabled": True,
            "bank_account": "6222020200112233445",
            "bank_name": "中国工商银行重庆大渡口支行",
        },
    }


def claim_draft(
    number: str, holder_name: str, id_number: str, issued_on: date, fee_fen: int
) -> dict[str, Any]:
    """A draft claim the applicant has not submitted yet (facts declared; the registry is asked on submit)."""
    return {
        "policy": "cq-eval",
        "applicant": {"id_number": id_number, "name": holder_name},
        "certificate": {
            "number": number,
            "kind": "skill_level",
            "level": 3,
            "occupation_code": ELECTRICIAN["occupation_code"],
            "occupation_name": ELECTRICIAN["occupation_name"],
            "issue_date": issued_on.isoformat(),
        },
        "cq": {
            "identity_category": {"value": "4"},
            "district_code": CLAIMS_DISTRICT,
            "applied_amount_fen": fee_fen,
        },
        "payout": {"card_number": "6217000012345678", "card_financial_enabled": True},
    }


async def already_loaded(api: Api) -> bool:
    """Whether the world's first body is already filed (org-filing's public list)."""
    bodies = await api.get("/api/v1/filing/bodies", None, page_size=200)
    names = {b.get("name") for b in bodies["items"]}
    return BODIES[0].name in names


async def load_world(gateway: str, state: Path) -> tuple[World, bool]:
    """Load the world into the suite behind ``gateway``; (world, True) when it was loaded now, (world, False)
    when it was there already (then nothing is sent but reads)."""
    summary = state / "world.json"
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        api = Api(client)
        if await already_loaded(api):
            if not summary.exists():
                raise DemoError(
                    f"the demo bodies are filed but {summary} is missing: start from an empty .data to reload"
                )
            world = World.read(summary)
            world.today = (await api.get("/api/v1/sandbox/clock"))["today"]  # the walk may have moved it on
            return world, False
        world = World()
        loader = Loader(api, world)
        start = await loader.read_clock()
        world.started_on = start.isoformat()
        await loader.configure_subsidies()
        applications = await loader.apply_bodies()
        await loader.vouchers()
        await loader.move_to(add_working_days(start, 1))  # the selection's one-day publicity is over (OF-3)
        await loader.file_bodies(applications)
        evaluation_day = add_working_days(loader.today, 10)  # OF-5: plans at least 10 working days ahead
        await loader.plan_batches(evaluation_day)
        await loader.move_to(evaluation_day)
        await loader.upload_results()
        for batch in BATCHES:
            if batch.final_state in ("approved", "issued"):
                await loader.start_publicity(batch)
        await loader.move_to(add_working_days(evaluation_day, 6))  # CR-4: the day after 5 working days
        await loader.approve_and_issue()
        claims = await loader.file_claims()
        await loader.review_claims(claims)
        await loader.move_to(add_working_days(loader.today, 6))  # CQ-5: the claims' publicity is over
        await loader.settle_claims(claims)
        await loader.revoke_and_claw_back(claims)
        in_publicity = next(b for b in BATCHES if b.final_state == "publicity")
        publicity = await loader.start_publicity(in_publicity)
        world.publicity_over_on = add_working_days(
            date.fromisoformat(publicity["publicity_ends"]), 1
        ).isoformat()
        world.claims = claims
        world.today = loader.today.isoformat()
        world.save(summary)
        return world, True
