"""Use cases of institutions: register, change, add sites, grant and withdraw redeem permission (V-6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit
from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.pagination import Page, PageParams
from skills_shared.contracts.v1.voucher import InstitutionStatus
from skills_shared.problems import Problem, forbidden
from skills_shared.reference import CQ_DISTRICTS, InstitutionType
from skills_shared.validators import mask_resident_id, validate_resident_id
from voucher.access import require_institution_viewer, require_officer_of
from voucher.duplicates import refuse_repeats
from voucher.institutions.models import Institution, InstitutionSite, RedeemPermission
from voucher.institutions.repository import InstitutionRepository
from voucher.institutions.rules import check_is_designated_admin, next_status
from voucher.institutions.schemas import (
    InstitutionCreate,
    InstitutionOut,
    InstitutionUpdate,
    RedeemerGrants,
    RedeemerGrantsOut,
    RedeemerOut,
    SiteIn,
    SiteOut,
)


def mask_subject(subject: str) -> str:
    """Staff subjects that are ID numbers are masked in every response (DESIGN: personal data)."""
    try:
        validate_resident_id(subject)
    except ValueError:
        return subject
    return mask_resident_id(subject)


def institution_out(inst: Institution, sites: list[InstitutionSite]) -> InstitutionOut:
    return InstitutionOut(
        code=inst.code,
        name=inst.name,
        district_code=inst.district_code,
        district_name=CQ_DISTRICTS.get(inst.district_code, inst.district_code),
        address=inst.address,
        phone=inst.phone,
        type=inst.type,
        type_name=InstitutionType(inst.type).zh if inst.type else None,
        admin_name=inst.admin_name,
        admin_id_number=mask_resident_id(inst.admin_id_number),
        status=InstitutionStatus(inst.status),
        sites=[SiteOut(id=s.id, name=s.name, latitude=s.latitude, longitude=s.longitude) for s in sites],
        created_at=inst.created_at,
        updated_at=inst.updated_at,
    )


def _audit_view(inst: Institution) -> dict[str, Any]:
    """What the audit log keeps of an institution: the 专员's ID number masked, like every other output."""
    return {
        "code": inst.code,
        "name": inst.name,
        "district_code": inst.district_code,
        "address": inst.address,
        "phone": inst.phone,
        "type": inst.type,
        "admin_name": inst.admin_name,
        "admin_id_number": mask_resident_id(inst.admin_id_number),
        "status": inst.status,
    }


def not_found() -> Problem:
    return Problem(404, "institution_not_found", "培训机构不存在")


def redeemer_out(p: RedeemPermission) -> RedeemerOut:
    return RedeemerOut(
        institution_code=p.institution_code,
        staff_subject=mask_subject(p.staff_subject),
        granted_by=mask_subject(p.granted_by),
        granted_at=p.granted_at,
    )


class InstitutionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = InstitutionRepository(session)

    async def _get(self, code: str, *, for_update: bool = False) -> Institution:
        inst = await self.repo.get(code, for_update=for_update)
        if inst is None:
            raise not_found()
        return inst

    async def _out(self, inst: Institution) -> InstitutionOut:
        sites = await self.repo.sites([inst.code])
        return institution_out(inst, sites[inst.code])

    async def create(self, principal: Principal, data: InstitutionCreate) -> InstitutionOut:
        require_officer_of(principal, data.district_code)
        refuse_repeats(
            data.sites,
            lambda site: site.name,
            field="sites",
            member="name",
            what_zh="培训地点名称",
            list_zh="培训地点",
        )
        inst = Institution(
            code=data.code,
            name=data.name,
            district_code=data.district_code,
            address=data.address,
            phone=data.phone,
            type=data.type.value if data.type else None,
            admin_name=data.admin_name,
            admin_id_number=data.admin_id_number,
            status=InstitutionStatus.ACTIVE.value,
        )
        if not await self.repo.insert(inst):
            raise Problem(409, "institution_exists", f"机构编码{data.code}已登记", rule="V-6")
        created = await self._get(data.code)
        for site in data.sites:
            await self.repo.add_site(
                InstitutionSite(
                    institution_code=data.code,
                    name=site.name,
                    latitude=site.latitude,
                    longitude=site.longitude,
                )
            )
        out = await self._out(created)
        await audit.record(
            self.session,
            actor=principal,
            action="institution.create",
            entity_type="institution",
            entity_id=data.code,
            after={**_audit_view(created), "sites": [s.model_dump() for s in out.sites]},
        )
        return out

    async def get(self, principal: Principal, code: str) -> InstitutionOut:
        inst = await self._get(code)
        require_institution_viewer(principal, inst.code, inst.district_code)
        return await self._out(inst)

    async def search(
        self, principal: Principal, district_code: str | None, page: PageParams
    ) -> Page[InstitutionOut]:
        if principal.role == Role.DISTRICT_OFFICER:
            if district_code is not None and district_code != principal.district:
                raise forbidden("无权处理其他区县的业务", code="forbidden_district")
            district_code = principal.district
        rows, total = await self.repo.search(district_code, page.offset, page.limit)
        sites = await self.repo.sites([r.code for r in rows])
        return page.wrap([institution_out(r, sites[r.code]) for r in rows], total)

    async def update(self, principal: Principal, code: str, data: InstitutionUpdate) -> InstitutionOut:
        inst = await self._get(code, for_update=True)
        require_officer_of(principal, inst.district_code)
        before = _audit_view(inst)
        if data.status is not None:
            inst.status = next_status(InstitutionStatus(inst.status), data.status).value
        for name in ("name", "address", "phone", "admin_name", "admin_id_number"):
            value = getattr(data, name)
            if value is not None:
                setattr(inst, name, value)
        if "type" in data.model_fields_set:
            inst.type = data.type.value if data.type else None
        inst.updated_at = datetime.now(UTC)
        await self.session.flush()
        await audit.record(
            self.session,
            actor=principal,
            action="institution.update",
            entity_type="institution",
            entity_id=code,
            before=before,
            after=_audit_view(inst),
        )
        return await self._out(inst)

    async def add_site(self, principal: Principal, code: str, data: SiteIn) -> SiteOut:
        inst = await self._get(code)
        if principal.role == Role.INSTITUTION_ADMIN:
            principal.require_institution(code)
            check_is_designated_admin(principal.sub, inst.admin_id_number)
        else:
            require_officer_of(principal, inst.district_code)
        site = await self.repo.add_site(
            InstitutionSite(
                institution_code=code, name=data.name, latitude=data.latitude, longitude=data.longitude
            )
        )
        out = SiteOut(id=site.id, name=site.name, latitude=site.latitude, longitude=site.longitude)
        await audit.record(
            self.session,
            actor=principal,
            action="institution.site.add",
            entity_type="institution_site",
            entity_id=str(site.id),
            after={"institution_code": code, **out.model_dump()},
        )
        return out

    async def _require_designated_admin(self, principal: Principal, code: str) -> Institution:
        principal.require_institution(code)
        inst = await self._get(code)
        if principal.role != Role.INSTITUTION_ADMIN:
            raise forbidden(
                "只有本机构登记的培训券专员可以管理核券人员权限", code="not_institution_designated_admin"
            )
        check_is_designated_admin(principal.sub, inst.admin_id_number)
        return inst

    async def redeemers(self, principal: Principal, code: str, page: PageParams) -> Page[RedeemerOut]:
        inst = await self._get(code)
        require_institution_viewer(principal, inst.code, inst.district_code)
        rows, total = await self.repo.permissions(code, page.offset, page.limit)
        return page.wrap([redeemer_out(p) for p in rows], total)

    async def grant(self, principal: Principal, code: str, staff_subject: str) -> tuple[RedeemerOut, bool]:
        """V-6: the 专员 grants redeem permission; returns (permission, newly granted)."""
        await self._require_designated_admin(principal, code)
        row = await self.repo.grant(code, staff_subject, principal.sub)
        created = row is not None
        if row is None:
            row = await self.repo.permission(code, staff_subject)
            assert row is not None
        else:
            await audit.record(
                self.session,
                actor=principal,
                action="institution.redeemer.grant",
                entity_type="redeem_permission",
                entity_id=f"{code}:{mask_subject(staff_subject)}",
                after={"institution_code": code, "staff_subject": mask_subject(staff_subject)},
            )
        return redeemer_out(row), created

    async def grant_many(self, principal: Principal, code: str, data: RedeemerGrants) -> RedeemerGrantsOut:
        """V-6: the 专员 grants several staff members at once; a name given twice refuses the whole list."""
        refuse_repeats(
            data.staff_subjects,
            lambda subject: subject,
            field="staff_subjects",
            member=None,
            what_zh="人员标识",
            list_zh="核券人员名单",
        )
        await self._require_designated_admin(principal, code)
        granted: list[RedeemerOut] = []
        already = 0
        for subject in data.staff_subjects:
            row = await self.repo.grant(code, subject, principal.sub)
            if row is None:
                already += 1
                continue
            granted.append(redeemer_out(row))
        if granted:
            await audit.record(
                self.session,
                actor=principal,
                action="institution.redeemer.grant",
                entity_type="redeem_permission",
                entity_id=f"{code}:{len(granted)}",
                after={"institution_code": code, "staff_subjects": [g.staff_subject for g in granted]},
            )
        return RedeemerGrantsOut(granted=granted, already_granted=already)

    async def withdraw(self, principal: Principal, code: str, staff_subject: str) -> None:
        """V-6: the 专员 withdraws redeem permission; takes effect for the very next scan."""
        await self._require_designated_admin(principal, code)
        if not await self.repo.withdraw(code, staff_subject):
            raise Problem(404, "redeemer_not_found", "该人员没有核销权限")
        await audit.record(
            self.session,
            actor=principal,
            action="institution.redeemer.withdraw",
            entity_type="redeem_permission",
            entity_id=f"{code}:{mask_subject(staff_subject)}",
            before={"institution_code": code, "staff_subject": mask_subject(staff_subject)},
        )
