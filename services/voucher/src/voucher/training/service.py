"""Use cases of training: open a class at the institution's sites, check in (V-7), record completion."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit
from skills_shared.auth import Principal, Role
from skills_shared.clock import Clock, today_of
from skills_shared.contracts.v1.voucher import InstitutionStatus
from skills_shared.problems import Problem
from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id
from voucher.access import citizen_id
from voucher.duplicates import refuse_repeats
from voucher.institutions.models import Institution
from voucher.institutions.rules import check_institution_active
from voucher.institutions.schemas import SiteOut
from voucher.training.models import CheckIn, TrainingClass
from voucher.training.repository import TrainingRepository
from voucher.training.rules import (
    RULE_CHECK_IN,
    Site,
    check_class_dates,
    check_class_in_session,
    check_in_site,
)
from voucher.training.schemas import CheckInOut, CheckInRequest, ClassCreate, ClassOut, CompletionRequest
from voucher.vouchers.rules import RULE_CLAIM, VOUCHER_MACHINE, VoucherStatus
from voucher.vouchers.schemas import VoucherOut
from voucher.vouchers.service import voucher_out


def class_not_found() -> Problem:
    return Problem(404, "class_not_found", "培训班不存在")


class TrainingService:
    def __init__(self, session: AsyncSession, clock: Clock, check_in_radius_m: float) -> None:
        self.session = session
        self.clock = clock
        self.radius_m = check_in_radius_m
        self.repo = TrainingRepository(session)

    async def _out(self, klass: TrainingClass) -> ClassOut:
        sites = await self.repo.class_sites(klass.id)
        return ClassOut(
            id=klass.id,
            institution_code=klass.institution_code,
            name=klass.name,
            project_type=klass.project_type,
            starts_on=klass.starts_on,
            ends_on=klass.ends_on,
            sites=[SiteOut(id=s.id, name=s.name, latitude=s.latitude, longitude=s.longitude) for s in sites],
            created_at=klass.created_at,
        )

    async def create_class(self, principal: Principal, code: str, data: ClassCreate) -> ClassOut:
        principal.require_institution(code)
        refuse_repeats(
            data.site_ids,
            lambda site: site,
            field="site_ids",
            member=None,
            what_zh="培训地点",
            list_zh="培训地点",
        )
        inst = await self.session.get(Institution, code)
        if inst is None:
            raise Problem(404, "institution_not_found", "培训机构不存在")
        check_institution_active(InstitutionStatus(inst.status))
        check_class_dates(data.starts_on, data.ends_on)
        site_ids = sorted(data.site_ids)
        found = await self.repo.sites_of_institution(code, site_ids)
        if len(found) != len(site_ids):
            raise Refusal(
                "V-7",
                "site_not_of_institution",
                "培训地点须为本机构登记的培训地点。",
                field=("body", "site_ids"),
            )
        klass = await self.repo.insert_class(
            TrainingClass(
                institution_code=code,
                name=data.name,
                project_type=data.project_type.value,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                created_by=principal.sub,
            ),
            site_ids,
        )
        out = await self._out(klass)
        await audit.record(
            self.session,
            actor=principal,
            action="class.create",
            entity_type="training_class",
            entity_id=str(klass.id),
            after=out.model_dump(),
        )
        return out

    async def get_class(self, principal: Principal, class_id: int) -> ClassOut:
        klass = await self.repo.get_class(class_id)
        if klass is None:
            raise class_not_found()
        if principal.role in (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN):
            principal.require_institution(klass.institution_code)
        elif principal.role == Role.DISTRICT_OFFICER:
            inst = await self.session.get(Institution, klass.institution_code)
            principal.require_district(inst.district_code if inst else None)
        return await self._out(klass)

    async def check_in(self, principal: Principal, class_id: int, data: CheckInRequest) -> CheckInOut:
        """V-7: a trainee enrolled with a voucher checks in within the radius of one of the class's sites."""
        holder = citizen_id(principal)
        klass = await self.repo.get_class(class_id)
        if klass is None:
            raise class_not_found()
        voucher = await self.repo.enrolled_voucher(class_id, holder)
        if voucher is None or voucher.status == VoucherStatus.LAPSED:
            raise Refusal(
                RULE_CHECK_IN,
                "not_enrolled",
                "您未使用培训券报名该培训班（或培训券已失效），无法签到。",
                status=409,
            )
        now = self.clock.now()
        check_class_in_session(klass.starts_on, klass.ends_on, today_of(self.clock))
        sites = [Site(s.id, s.latitude, s.longitude) for s in await self.repo.class_sites(class_id)]
        match = check_in_site(data.latitude, data.longitude, sites, self.radius_m)
        row = await self.repo.add_check_in(
            CheckIn(
                class_id=class_id,
                voucher_id=voucher.id,
                site_id=match.site_id,
                latitude=data.latitude,
                longitude=data.longitude,
                distance_m=round(match.distance_m, 1),
                checked_in_at=now,
            )
        )
        out = CheckInOut(
            id=row.id,
            class_id=class_id,
            voucher_id=voucher.id,
            site_id=match.site_id,
            distance_m=row.distance_m,
            checked_in_at=row.checked_in_at,
        )
        await audit.record(
            self.session,
            actor=principal,
            action="class.check_in",
            entity_type="check_in",
            entity_id=str(row.id),
            after=out.model_dump(),
        )
        return out

    async def record_completion(
        self, principal: Principal, class_id: int, data: CompletionRequest
    ) -> VoucherOut:
        """The institution records completion; a trainee who did not complete has their voucher lapse (V-4)."""
        klass = await self.repo.get_class(class_id)
        if klass is None:
            raise class_not_found()
        principal.require_institution(klass.institution_code)
        voucher = await self.repo.voucher_for_update(data.voucher_id)
        if voucher is None or voucher.class_id != class_id:
            raise Refusal(
                RULE_CLAIM, "voucher_not_in_class", "该培训券未在本培训班核销。", field=("body", "voucher_id")
            )
        action = "complete" if data.completed else "record_not_completed"
        target = VOUCHER_MACHINE.next(VoucherStatus(voucher.status), action)
        before = {"status": voucher.status}
        await self.repo.set_completion(voucher.id, target, self.clock.now())
        await self.session.refresh(voucher)
        out = voucher_out(voucher, today_of(self.clock))
        await audit.record(
            self.session,
            actor=principal,
            action="class.completion",
            entity_type="voucher",
            entity_id=str(voucher.id),
            before=before,
            after={
                "status": voucher.status,
                "lapse_reason": voucher.lapse_reason,
                "holder": mask_resident_id(voucher.holder_id),
            },
        )
        return out
