"""Use cases of 贯通 bodies (OF-8): registration, yearly quotas, issued-versus-quota progress, the 2023 plan."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.access import require_place_officer
from org_filing.guantong.models import GuantongBody, GuantongQuota
from org_filing.guantong.plan_2023 import PLAN_2023, YEAR
from org_filing.guantong.repository import GuantongRepository
from org_filing.guantong.rules import OF_8, MappingFacts, QuotaProgress, quota_verdict, registration_verdicts
from org_filing.guantong.schemas import (
    GuantongBodyOut,
    GuantongRegisterIn,
    MappingIn,
    ProgressOut,
    QuotaIn,
    YearProgressOut,
)
from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.duplicates import refuse_repeats
from skills_shared.problems import Problem, not_found
from skills_shared.refusals import refuse_verdicts


def body_out(b: GuantongBody) -> GuantongBodyOut:
    return GuantongBodyOut(
        id=b.id,
        name=b.name,
        kind=b.kind,
        body_code=b.body_code,
        district_code=b.registered_place,
        registration_complete=b.registration_complete,
        mappings=[MappingIn.model_validate(m) for m in b.details.get("mappings", [])],
        expert_count=len(b.details.get("experts", [])),
    )


def progress_out(q: GuantongQuota, b: GuantongBody) -> ProgressOut:
    p = QuotaProgress(q.quota_total, q.quota_technician, q.issued_total, q.issued_technician)
    return ProgressOut(
        guantong_body_id=b.id,
        name=b.name,
        year=q.year,
        quota_total=q.quota_total,
        quota_technician=q.quota_technician,
        issued_total=q.issued_total,
        issued_technician=q.issued_technician,
        remaining_total=p.remaining_total,
        remaining_technician=p.remaining_technician,
        percent_total=p.percent_total,
        percent_technician=p.percent_technician,
    )


class GuantongService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = GuantongRepository(session)

    async def register(self, principal: Principal, r: GuantongRegisterIn) -> GuantongBody:
        """报备: the mapping and ≥ 3 distinct experts are required (OF-8); completes a placeholder of the same name."""
        require_place_officer(principal, r.district_code)
        refuse_repeats(  # issue 20 item 4: a repeated row is refused with both rows named
            r.mappings,
            lambda m: (m.occupation_code or m.occupation_name, m.work_type, m.level),
            field="mappings",
            member=None,
            what_zh="职业（工种）和等级",
            list_zh="对应关系",
        )
        refuse_repeats(
            r.staff,
            lambda s: s.id_number,
            field="staff",
            member="id_number",
            what_zh="身份证号码",
            list_zh="工作人员",
        )
        verdicts = registration_verdicts(
            [MappingFacts(m.occupation_name, m.level, tuple(m.title_specialties)) for m in r.mappings],
            [e.id_number for e in r.experts],
        )
        if any(v.failed for v in verdicts):
            raise refuse_verdicts(verdicts, code="guantong_registration_refused")
        details = r.model_dump(
            mode="json", include={"legal_representative", "contact", "mappings", "staff", "experts"}
        )
        row = await self.repo.by_name(r.name, for_update=True)
        if row is not None and row.registration_complete:
            raise Problem(
                409,
                "already_registered",
                f"{r.name} 已报备",
                rule=OF_8,
                extra={"current_state": "registered"},
            )
        if row is None:
            row = GuantongBody(
                name=r.name, registered_place=r.district_code, details={}, registered_by=principal.sub
            )
            self.session.add(row)
        row.kind, row.office_address, row.body_code = r.kind, r.office_address, r.body_code
        row.registered_place = r.district_code
        row.details = details
        row.registration_complete = True
        row.registered_by = principal.sub
        await self.session.flush()
        await record(
            self.session,
            actor=principal,
            action="guantong.registered",
            entity_type="guantong_body",
            entity_id=str(row.id),
            after={"name": r.name, "mappings": len(r.mappings), "experts": len(r.experts)},
        )
        return row

    async def get(self, gid: int) -> GuantongBody:
        row = await self.repo.get(gid)
        if row is None:
            raise not_found("guantong_body_not_found", f"贯通评价机构 {gid} 不存在")
        return row

    async def set_quota(self, principal: Principal, gid: int, year: int, q: QuotaIn) -> None:
        row = await self.get(gid)
        v = quota_verdict(q.quota_total, q.quota_technician)
        if v.failed:
            raise refuse_verdicts([v], code="quota_refused")
        await self.repo.put_quota(row.id, year, q.quota_total, q.quota_technician)
        await record(
            self.session,
            actor=principal,
            action="guantong.quota_set",
            entity_type="guantong_body",
            entity_id=str(gid),
            after={"year": year, **q.model_dump()},
        )

    async def add_issued(
        self, principal: Principal, gid: int, year: int, total: int, technician: int
    ) -> ProgressOut:
        if technician > total:
            raise Problem(
                422,
                "validation_failed",
                "技师高级技师人次不能超过总人次",
                rule=OF_8,
                errors=[{"loc": ["body", "technician"], "msg": "不能超过 total", "type": "too_many"}],
            )
        row = await self.get(gid)
        q = await self.repo.add_issued(gid, year, total, technician)
        if q is None:
            raise not_found("quota_not_found", f"{row.name} 未下达 {year} 年计划")
        await record(
            self.session,
            actor=principal,
            action="guantong.issued",
            entity_type="guantong_body",
            entity_id=str(gid),
            after={"year": year, "total": total, "technician": technician},
        )
        return progress_out(q, row)

    async def year_progress(self, year: int) -> YearProgressOut:
        rows = await self.repo.year(year)
        bodies = [progress_out(q, b) for q, b in rows]
        return YearProgressOut(
            year=year,
            bodies=bodies,
            quota_total=sum(b.quota_total for b in bodies),
            quota_technician=sum(b.quota_technician for b in bodies),
            issued_total=sum(b.issued_total for b in bodies),
            issued_technician=sum(b.issued_technician for b in bodies),
        )

    async def load_plan_2023(self, principal: Principal) -> YearProgressOut:
        """Load seed 002's 2023 guidance plan: one quota per listed body; bodies not yet registered are
        created as placeholders (registration_complete = false) to be completed by a real 报备. Re-running it
        only resets the quota figures."""
        for row_no, name, total, technician in PLAN_2023:
            body = await self.repo.by_name(name, for_update=True)
            if body is None:
                body = await self.repo.add(
                    GuantongBody(
                        name=name,
                        registered_place="00",
                        registered_by=principal.sub,
                        details={"source": "seed 002 渝职鉴发〔2023〕22号", "row": row_no},
                        registration_complete=False,
                    )
                )
            await self.repo.put_quota(body.id, YEAR, total, technician)
        await record(
            self.session,
            actor=principal,
            action="guantong.plan_loaded",
            entity_type="guantong_plan",
            entity_id=str(YEAR),
            after={"bodies": len(PLAN_2023)},
        )
        return await self.year_progress(YEAR)
