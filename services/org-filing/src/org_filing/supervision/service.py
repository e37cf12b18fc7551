"""Use cases of supervision (OF-6): complaints, reproducible 双随机 inspections with published results, violations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.access import officer_places, require_place_officer
from org_filing.bodies.models import Body
from org_filing.bodies.repository import BodyRepository
from org_filing.bodies.service import BodyService
from org_filing.supervision.models import Complaint, Inspection, InspectionAssignment, Violation
from org_filing.supervision.repository import SupervisionRepository
from org_filing.supervision.rules import (
    COMPLAINT_MACHINE,
    INSPECTION_MACHINE,
    OF_6,
    ComplaintStatus,
    DrawError,
    InspectionStatus,
    draw_inspections,
)
from org_filing.supervision.schemas import (
    AssignmentOut,
    ComplaintIn,
    DrawIn,
    InspectionOut,
    ResultIn,
    ViolationAction,
    ViolationIn,
)
from skills_shared.audit import record
from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.pagination import Page, PageParams
from skills_shared.duplicates import refuse_repeats
from skills_shared.problems import Problem, conflict, forbidden, not_found


def inspection_out(i: Inspection, assignments: list[InspectionAssignment]) -> InspectionOut:
    return InspectionOut(
        id=i.id,
        title=i.title,
        district_code=i.place_code,
        seed=i.seed,
        body_pool=i.body_pool,
        inspector_pool=i.inspector_pool,
        bodies_to_draw=i.bodies_to_draw,
        inspectors_per_body=i.inspectors_per_body,
        status=i.status,
        drawn_on=i.drawn_on,
        published_at=i.published_at,
        assignments=[
            AssignmentOut(
                body_code=a.body_code, inspectors=list(a.inspectors), result=a.result, findings=a.findings
            )
            for a in assignments
        ],
    )


class SupervisionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = SupervisionRepository(session)
        self.bodies = BodyRepository(session)

    async def _body(self, code: str) -> Body:
        body = await self.bodies.by_code(code)
        if body is None:
            raise not_found("body_not_found", f"评价机构 {code} 不存在")
        return body

    # --- complaints -----------------------------------------------------------------------------------------

    async def complain(
        self, principal: Principal, code: str, c: ComplaintIn, *, today: date
    ) -> tuple[Complaint, Body]:
        """Anyone signed in may complain; the department must accept it (seed 001 四(二))."""
        body = await self._body(code)
        row = Complaint(
            body_id=body.id,
            complainant_name=c.complainant_name,
            complainant_contact=c.complainant_contact,
            content=c.content,
            received_on=c.received_on or today,
            status=ComplaintStatus.received.value,
            submitted_by=principal.sub,
        )
        await self.repo.add(row)
        await record(
            self.session,
            actor=principal,
            action="complaint.received",
            entity_type="complaint",
            entity_id=str(row.id),
            after={"body_code": code, "received_on": row.received_on},
        )
        return row, body

    async def handle(self, principal: Principal, cid: int, action: str, note: str) -> tuple[Complaint, Body]:
        row = await self.repo.complaint(cid, for_update=True)
        if row is None:
            raise not_found("complaint_not_found", f"投诉 {cid} 不存在")
        body = await self.bodies.by_id(row.body_id)
        assert body is not None
        require_place_officer(principal, body.place_code)
        before = {"status": row.status}
        row.status = COMPLAINT_MACHINE.next(row.status, action).value
        row.handling_note = note
        row.handled_by = principal.sub
        await record(
            self.session,
            actor=principal,
            action=f"complaint.{action}",
            entity_type="complaint",
            entity_id=str(cid),
            before=before,
            after={"status": row.status, "note": note},
        )
        return row, body

    async def complaints(
        self, principal: Principal, body_code: str | None, status: str | None, page: PageParams
    ) -> tuple[list[tuple[Complaint, Body]], int]:
        places = officer_places(principal)
        if places is not None and not places:
            raise forbidden("无权查看投诉", code="forbidden_role")
        return await self.repo.complaints(places, body_code, status, page)

    # --- inspections ----------------------------------------------------------------------------------------

    async def draw(self, principal: Principal, d: DrawIn, *, today: date) -> Inspection:
        """双随机: the pool is every active body of the place; the draw is redone from the published seed."""
        require_place_officer(principal, d.district_code)
        refuse_repeats(
            d.inspector_ids,
            str,
            field="inspector_ids",
            member=None,
            what_zh="人员",
            list_zh="执法检查人员名录",
        )
        pool: list[str] = sorted(await self.bodies.active_codes(d.district_code))
        inspectors = sorted(set(d.inspector_ids))
        try:
            drawn = draw_inspections(d.seed, pool, inspectors, d.bodies_to_draw, d.inspectors_per_body)
        except DrawError as exc:
            raise Problem(422, "draw_impossible", f"无法抽取：{exc}", rule=OF_6) from None
        row = Inspection(
            title=d.title,
            place_code=d.district_code,
            seed=d.seed,
            body_pool=pool,
            inspector_pool=inspectors,
            bodies_to_draw=d.bodies_to_draw,
            inspectors_per_body=d.inspectors_per_body,
            status=InspectionStatus.drawn.value,
            drawn_on=today,
            created_by=principal.sub,
        )
        await self.repo.add(row)
        for code, who in drawn.assignments:
            body = await self.bodies.by_code(code)
            assert body is not None
            await self.repo.add(
                InspectionAssignment(
                    inspection_id=row.id, body_id=body.id, body_code=code, inspectors=list(who)
                )
            )
        await record(
            self.session,
            actor=principal,
            action="inspection.drawn",
            entity_type="inspection",
            entity_id=str(row.id),
            after={"seed": d.seed, "assignments": [[c, list(w)] for c, w in drawn.assignments]},
        )
        return row

    async def inspection(self, principal: Principal | None, iid: int) -> InspectionOut:
        row = await self.repo.inspection(iid)
        if row is None:
            raise not_found("inspection_not_found", f"检查 {iid} 不存在")
        if row.status != InspectionStatus.published:
            if principal is None:
                raise not_found("inspection_not_found", f"检查 {iid} 不存在")
            if principal.role != Role.INSPECTOR:
                require_place_officer(principal, row.place_code)
        return inspection_out(row, await self.repo.assignments(iid))

    async def record_result(
        self, principal: Principal, iid: int, code: str, r: ResultIn, *, today: date
    ) -> None:
        """The drawn inspectors (or the place's officer) record what they found; non-compliance is a violation."""
        row = await self.repo.inspection(iid, for_update=True)
        if row is None:
            raise not_found("inspection_not_found", f"检查 {iid} 不存在")
        INSPECTION_MACHINE.next(row.status, "record_result")
        a = await self.repo.assignment(iid, code)
        if a is None:
            raise not_found("assignment_not_found", f"机构 {code} 未被抽中")
        if principal.role == Role.INSPECTOR:
            if principal.sub not in a.inspectors:
                raise forbidden("仅抽中的检查人员可以录入结果", code="forbidden_inspector")
        else:
            require_place_officer(principal, row.place_code)
        before = {"result": a.result}
        a.result, a.findings, a.recorded_by = r.result, r.findings, principal.sub
        if r.result == "non_compliant":
            await self.repo.add(
                Violation(
                    body_id=a.body_id,
                    found_on=today,
                    description=r.findings,
                    source="inspection",
                    action=ViolationAction.rectification.value,
                    recorded_by=principal.sub,
                )
            )
        await record(
            self.session,
            actor=principal,
            action="inspection.result",
            entity_type="inspection",
            entity_id=f"{iid}/{code}",
            before=before,
            after={"result": r.result},
        )

    async def publish(self, principal: Principal, iid: int) -> InspectionOut:
        """一公开: results are published once every drawn body has one."""
        row = await self.repo.inspection(iid, for_update=True)
        if row is None:
            raise not_found("inspection_not_found", f"检查 {iid} 不存在")
        require_place_officer(principal, row.place_code)
        target = INSPECTION_MACHINE.next(row.status, "publish")
        assignments = await self.repo.assignments(iid)
        missing = [a.body_code for a in assignments if a.result is None]
        if missing:
            raise conflict(
                "results_missing",
                "以下机构尚无检查结果：" + "、".join(missing),
                rule=OF_6,
                extra={"current_state": row.status, "missing": missing},
            )
        row.status = target.value
        row.published_at = datetime.now(UTC)
        await record(
            self.session,
            actor=principal,
            action="inspection.published",
            entity_type="inspection",
            entity_id=str(iid),
            before={"status": "drawn"},
            after={"status": "published"},
        )
        return inspection_out(row, assignments)

    async def published(self, district_code: str | None, page: PageParams) -> Page[InspectionOut]:
        rows, total = await self.repo.published_inspections(district_code, page)
        return page.wrap([inspection_out(i, await self.repo.assignments(i.id)) for i in rows], total)

    # --- violations -----------------------------------------------------------------------------------------

    async def violation(self, principal: Principal, code: str, v: ViolationIn, *, today: date) -> Violation:
        """A violation is recorded and handled "视情节": suspension or cancellation move the body as well."""
        body = await self._body(code)
        if principal.role != Role.INSPECTOR:
            require_place_officer(principal, body.place_code)
        row = Violation(
            body_id=body.id,
            found_on=v.found_on,
            description=v.description,
            source=v.source,
            action=v.action.value,
            recorded_by=principal.sub,
        )
        await self.repo.add(row)
        await record(
            self.session,
            actor=principal,
            action="violation.recorded",
            entity_type="body",
            entity_id=code,
            after={"violation_id": row.id, "action": v.action.value},
        )
        if v.action == ViolationAction.suspension:
            await BodyService(self.session).suspend(principal, code, v.description)
        elif v.action == ViolationAction.cancellation:
            await BodyService(self.session).cancel(principal, code, v.description, today=today)
        return row

    async def violations(
        self, principal: Principal, code: str, page: PageParams
    ) -> tuple[Body, list[Violation], int]:
        body = await self._body(code)
        if principal.role in (Role.ORG_ADMIN, Role.ORG_STAFF):
            principal.require_body(code)
        elif principal.role != Role.INSPECTOR:
            require_place_officer(principal, body.place_code)
        rows, total = await self.repo.violations(body.id, page)
        return body, rows, total
