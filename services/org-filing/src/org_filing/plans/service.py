"""Use cases of plans: file one in time and in scope (OF-5, CR-3, OF-8), withdraw it, and answer the registry's
batch check with the same rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.access import require_place_officer
from org_filing.bodies.models import Body
from org_filing.bodies.repository import BodyRepository
from org_filing.bodies.scope import ScopeLine, in_scope
from org_filing.combine import combined
from org_filing.guantong.repository import GuantongRepository
from org_filing.plans import rules
from org_filing.plans.models import Plan
from org_filing.plans.repository import PlanRepository
from org_filing.plans.schemas import MaskedPerson, PlanIn, PlanOut, PlanPersonIn
from skills_shared.audit import record
from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.org_filing import BatchPlanCheck, BatchPlanClearance
from skills_shared.contracts.v1.pagination import Page, PageParams
from skills_shared.duplicates import refuse_repeats
from skills_shared.problems import forbidden, not_found
from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id

#: The request field each plan rule is about, so a refusal points at it.
PLAN_FIELDS: dict[str, tuple[str, ...]] = {
    "occupation_code": ("body", "occupation_code"),
    "work_type": ("body", "work_type"),
    "levels": ("body", "levels"),
    "is_guantong": ("body", "is_guantong"),
}


def _masked(people: list[dict[str, Any]]) -> list[MaskedPerson]:
    return [
        MaskedPerson(name=p["name"], id_number=mask_resident_id(p["id_number"]), role=p.get("role"))
        for p in people
    ]


def to_out(plan: Plan, body: Body) -> PlanOut:
    return PlanOut(
        id=plan.id,
        body_code=plan.body_code,
        body_status=body.status,
        name=plan.name,
        is_guantong=plan.is_guantong,
        occupation_code=plan.occupation_code,
        work_type=plan.work_type,
        levels=sorted(plan.levels),
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        venue=plan.venue,
        sessions=plan.sessions,
        method=plan.method,
        candidate_count=len(plan.candidates),
        candidates=_masked(plan.candidates),
        assessors=_masked(plan.assessors),
        supervisors=_masked(plan.supervisors),
        filed_on=plan.filed_on,
        status=plan.status,
        created_at=plan.created_at,
    )


def plan_view(plan: Plan) -> rules.PlanView:
    return rules.PlanView(
        id=plan.id,
        body_code=plan.body_code,
        status=plan.status,
        is_guantong=plan.is_guantong,
        occupation_code=plan.occupation_code,
        work_type=plan.work_type,
        levels=frozenset(plan.levels),
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        filed_on=plan.filed_on,
    )


PEOPLE_LISTS = (("candidates", "参加评价人员"), ("assessors", "考评人员"), ("supervisors", "督导人员"))
"""The plan's lists of people, by body member and by name in Chinese."""


def _id_number(person: PlanPersonIn) -> str:
    return person.id_number


class PlanService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = PlanRepository(session)
        self.bodies = BodyRepository(session)
        self.guantong = GuantongRepository(session)

    async def _body(self, code: str) -> Body:
        body = await self.bodies.by_code(code)
        if body is None:
            raise not_found("body_not_found", f"评价机构 {code} 不存在")
        return body

    async def body_view(self, body: Body) -> rules.BodyView:
        """The body as the plan rules see it: status, validity, filed scope and 贯通 registration rows."""
        scopes = await self.bodies.scopes(body.id)
        registrations = await self.guantong.registered_for_body(body.code)
        guantong: tuple[rules.GuantongLine, ...] | None = None
        if registrations:
            guantong = tuple(
                rules.GuantongLine(
                    occupation_name=m["occupation_name"],
                    occupation_code=m.get("occupation_code"),
                    work_type=m.get("work_type"),
                    level=int(m["level"]),
                    title_specialties=tuple(m.get("title_specialties", [])),
                )
                for g in registrations
                for m in g.details.get("mappings", [])
            )
        return rules.BodyView(
            code=body.code,
            status=body.status,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            scope=tuple(
                ScopeLine(s.occupation_code, s.occupation_name, frozenset(s.levels), frozenset(s.work_types))
                for s in scopes
            ),
            guantong=guantong,
        )

    async def file(self, principal: Principal, code: str, p: PlanIn, *, today: date) -> tuple[Plan, Body]:
        """Every refusal at once; late → OF-5 with the latest filing date and earliest evaluation date."""
        principal.require_body(code)
        for (
            field,
            list_zh,
        ) in PEOPLE_LISTS:  # issue 20 item 4: one person twice in a list is refused, both rows named
            people: list[PlanPersonIn] = getattr(p, field)
            refuse_repeats(
                people, _id_number, field=field, member="id_number", what_zh="身份证号码", list_zh=list_zh
            )
        body = await self._body(code)
        view = await self.body_view(body)
        found: list[Refusal | None] = [
            rules.plan_timing(today, p.starts_on, field=("body", "starts_on")),
            rules.plan_dates(p.starts_on, p.ends_on),
            rules.body_active(view, field=("path", "code")),
            rules.within_validity(
                view, p.starts_on, p.ends_on, field=("body", "starts_on"), last_field=("body", "ends_on")
            ),
            in_scope(view.scope, p.occupation_code, p.levels, p.work_type, fields=PLAN_FIELDS),
            rules.guantong_name(p.name, p.is_guantong),
        ]
        if p.is_guantong:
            found.append(
                rules.guantong_registered(view, p.occupation_code, p.levels, p.work_type, fields=PLAN_FIELDS)
            )
        refusals = [r for r in found if r is not None]
        if refusals:
            raise combined(refusals)
        plan = Plan(
            body_id=body.id,
            body_code=body.code,
            name=p.name,
            is_guantong=p.is_guantong,
            occupation_code=p.occupation_code,
            work_type=p.work_type,
            levels=list(p.levels),
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            venue=p.venue,
            sessions=p.sessions,
            method=p.method,
            candidates=[c.model_dump(mode="json") for c in p.candidates],
            assessors=[c.model_dump(mode="json") for c in p.assessors],
            supervisors=[c.model_dump(mode="json") for c in p.supervisors],
            filed_on=today,
            status=rules.PlanStatus.filed.value,
            created_by=principal.sub,
        )
        await self.repo.add(plan)
        await record(
            self.session,
            actor=principal,
            action="plan.filed",
            entity_type="plan",
            entity_id=str(plan.id),
            after={
                "body_code": code,
                "name": p.name,
                "starts_on": p.starts_on,
                "candidates": len(p.candidates),
            },
        )
        return plan, body

    async def withdraw(self, principal: Principal, plan_id: int, reason: str) -> tuple[Plan, Body]:
        """The body withdraws its plan (OF-5): it opens no batch from then on."""
        plan = await self.repo.get(plan_id, for_update=True)
        if plan is None:
            raise not_found("plan_not_found", f"评价计划 {plan_id} 不存在")
        principal.require_body(plan.body_code)
        plan.status = rules.PLAN_MACHINE.next(plan.status, "withdraw").value
        await self.session.flush()
        await record(
            self.session,
            actor=principal,
            action="plan.withdrawn",
            entity_type="plan",
            entity_id=str(plan.id),
            after={"status": plan.status, "reason": reason},
        )
        return plan, await self._body(plan.body_code)

    async def batch_check(self, plan_id: int, check: BatchPlanCheck) -> BatchPlanClearance:
        """The registry asks before opening a batch: every OF-5, OF-3, OF-6, CR-3 and OF-8 rule, one answer."""
        plan = await self.repo.get(plan_id)
        if plan is None:
            raise Refusal(
                rules.OF_5,
                "plan_not_found",
                f"评价计划 {plan_id} 未报备；请先在评价实施 {rules.PLAN_LEAD_WORKING_DAYS} 个工作日前报备评价计划",
                field=("path", "plan_id"),
                status=404,
            )
        body = await self._body(plan.body_code)
        view = await self.body_view(body)
        batch = rules.BatchView(
            body_code=check.body_code,
            occupation_code=check.occupation_code,
            work_type=check.work_type,
            level=check.level,
            evaluation_date=check.evaluation_date,
            is_guantong=rules.is_guantong_route(check.route),
        )
        refusals = rules.batch_refusals(plan_view(plan), view, batch)
        if refusals:
            raise combined(refusals)
        return BatchPlanClearance(
            plan_id=plan.id,
            body_code=plan.body_code,
            occupation_code=plan.occupation_code,
            levels=sorted(plan.levels),
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            filed_on=plan.filed_on,
            district_code=body.place_code,
            title_specialties=(
                rules.guantong_specialties(view, check.occupation_code, check.level, check.work_type)
                if batch.is_guantong
                else []
            ),
        )

    async def get(self, principal: Principal, plan_id: int) -> tuple[Plan, Body]:
        plan = await self.repo.get(plan_id)
        if plan is None:
            raise not_found("plan_not_found", f"评价计划 {plan_id} 不存在")
        body = await self._body(plan.body_code)
        self._require_reader(principal, body)
        return plan, body

    @staticmethod
    def _require_reader(principal: Principal, body: Body) -> None:
        if principal.role in (Role.ORG_ADMIN, Role.ORG_STAFF):
            principal.require_body(body.code)
        elif principal.role in (Role.DISTRICT_OFFICER, Role.CITY_OFFICER):
            require_place_officer(principal, body.place_code)
        elif principal.role not in (Role.SERVICE, Role.INSPECTOR):
            raise forbidden("无权查看评价计划", code="forbidden_role")

    async def for_body(
        self, principal: Principal, code: str, page: PageParams, *, status: str | None
    ) -> Page[PlanOut]:
        body = await self._body(code)
        self._require_reader(principal, body)
        plans, total = await self.repo.page_for_body(
            code, status=status, limit=page.limit, offset=page.offset
        )
        return page.wrap([to_out(p, body) for p in plans], total)
