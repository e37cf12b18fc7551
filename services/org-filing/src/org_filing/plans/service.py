"""Use cases of plans: file a batch plan in time and in scope (OF-5, CR-3); look one up for the gateway."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.access import require_place_officer
from org_filing.bodies.models import Body
from org_filing.bodies.repository import BodyRepository
from org_filing.plans.models import Plan
from org_filing.plans.repository import PlanRepository
from org_filing.plans.rules import (
    MIN_WORKING_DAYS_AHEAD,
    OF_5,
    BodyScopeView,
    PlanFacts,
    plan_verdicts,
    timeliness_verdict,
)
from org_filing.plans.schemas import MaskedPerson, PlanIn, PlanOut
from org_filing.refusals import refused
from skills_shared.audit import record
from skills_shared.auth import Principal, Role
from skills_shared.problems import Problem, forbidden, not_found
from skills_shared.validators import mask_resident_id
from skills_shared.workdays import CalendarNotCovered, add_working_days, filed_in_time, latest_filing_date

#: The request field each plan check is about, so a refusal points at it.
PLAN_FIELDS: dict[str, tuple[str, ...]] = {
    "filed_in_time": ("starts_on",),
    "dates": ("ends_on",),
    "within_validity": ("starts_on",),
    "occupation_in_scope": ("occupation_code",),
    "levels_in_scope": ("levels",),
    "work_type_in_scope": ("work_type",),
    "guantong_name": ("name",),
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


class PlanService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = PlanRepository(session)
        self.bodies = BodyRepository(session)

    async def _body(self, code: str) -> Body:
        body = await self.bodies.by_code(code)
        if body is None:
            raise not_found("body_not_found", f"评价机构 {code} 不存在")
        return body

    async def file(self, principal: Principal, code: str, p: PlanIn, *, today: date) -> tuple[Plan, Body]:
        """Every verdict at once; late → OF-5 with the latest filing date and earliest evaluation date."""
        principal.require_body(code)
        body = await self._body(code)
        scopes = await self.bodies.scopes(body.id)
        view = BodyScopeView(
            status=body.status,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            levels_by_occupation={s.occupation_code: frozenset(s.levels) for s in scopes},
            work_types_by_occupation={s.occupation_code: frozenset(s.work_types) for s in scopes},
        )
        facts = PlanFacts(
            p.name, p.is_guantong, p.occupation_code, p.work_type, frozenset(p.levels), p.starts_on, p.ends_on
        )
        try:
            in_time = filed_in_time(today, p.starts_on, MIN_WORKING_DAYS_AHEAD)
            latest = latest_filing_date(p.starts_on, MIN_WORKING_DAYS_AHEAD)
            earliest = add_working_days(today, MIN_WORKING_DAYS_AHEAD)
        except CalendarNotCovered as exc:
            raise Problem(
                422,
                exc.code,
                exc.reason,
                rule=exc.rule,
                errors=[{"loc": ["body", "starts_on"], "msg": exc.reason, "type": exc.code}],
            ) from None
        verdicts = [timeliness_verdict(in_time, latest, earliest), *plan_verdicts(facts, view)]
        failed = [v for v in verdicts if v.failed]
        if failed:
            problem = refused(verdicts, code="plan_refused", fields=PLAN_FIELDS)
            if any(v.rule == OF_5 and v.check == "filed_in_time" for v in failed):
                problem.extra.update(
                    latest_filing_date=latest.isoformat(), earliest_evaluation_date=earliest.isoformat()
                )
            raise problem
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
            status="filed",
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

    async def get(self, principal: Principal, plan_id: int) -> tuple[Plan, Body]:
        plan = await self.repo.get(plan_id)
        if plan is None:
            raise not_found("plan_not_found", f"评价计划 {plan_id} 不存在")
        body = await self._body(plan.body_code)
        if principal.role in (Role.ORG_ADMIN, Role.ORG_STAFF):
            principal.require_body(plan.body_code)
        elif principal.role in (Role.DISTRICT_OFFICER, Role.CITY_OFFICER):
            require_place_officer(principal, body.place_code)
        elif principal.role not in (Role.SERVICE, Role.INSPECTOR):
            raise forbidden("无权查看评价计划", code="forbidden_role")
        return plan, body

    async def for_body(self, principal: Principal, code: str) -> list[tuple[Plan, Body]]:
        body = await self._body(code)
        if principal.role in (Role.ORG_ADMIN, Role.ORG_STAFF):
            principal.require_body(code)
        elif principal.role in (Role.DISTRICT_OFFICER, Role.CITY_OFFICER):
            require_place_officer(principal, body.place_code)
        return [(p, body) for p in await self.repo.for_body(code)]
