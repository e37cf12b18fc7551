"""Use cases of settlement: the institution claims for completed vouchers; the district audits (V-2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit
from skills_shared.auth import Principal, Role
from skills_shared.clock import Clock
from skills_shared.contracts.v1.pagination import Page, PageParams
from skills_shared.problems import Problem, forbidden
from voucher.access import require_settlement_viewer
from voucher.duplicates import refuse_repeats
from voucher.institutions.models import Institution
from voucher.settlement.models import Settlement
from voucher.settlement.repository import SettlementRepository
from voucher.settlement.rules import (
    SettlementStatus,
    check_claimed_amount,
    check_decision,
    check_settlement_items,
)
from voucher.settlement.schemas import SettlementCreate, SettlementDecision, SettlementOut


def settlement_out(s: Settlement, voucher_ids: list[int]) -> SettlementOut:
    return SettlementOut(
        id=s.id,
        institution_code=s.institution_code,
        district_code=s.district_code,
        status=SettlementStatus(s.status),
        voucher_ids=voucher_ids,
        reference_amount_fen=s.reference_amount_fen,
        claimed_amount_fen=s.claimed_amount_fen,
        approved_amount_fen=s.approved_amount_fen,
        payable_fen=s.approved_amount_fen
        if s.status == SettlementStatus.APPROVED
        else (0 if s.status == SettlementStatus.REJECTED else None),
        reason=s.reason,
        submitted_at=s.submitted_at,
        decided_at=s.decided_at,
    )


def not_found() -> Problem:
    return Problem(404, "settlement_not_found", "结算申请不存在")


class SettlementService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.repo = SettlementRepository(session)

    async def submit(self, principal: Principal, data: SettlementCreate) -> SettlementOut:
        if principal.role != Role.INSTITUTION_ADMIN or not principal.institution:
            raise forbidden("只有培训机构管理员可以申请结算", code="forbidden_role")
        code = principal.institution
        refuse_repeats(
            data.voucher_ids,
            lambda v: v,
            field="voucher_ids",
            member=None,
            what_zh="培训券",
            list_zh="结算培训券",
        )
        inst = await self.session.get(Institution, code)
        if inst is None:
            raise Problem(404, "institution_not_found", "培训机构不存在")
        found = await self.repo.lock_vouchers(data.voucher_ids)
        reference = check_settlement_items(code, data.voucher_ids, found)
        claimed = check_claimed_amount(data.claimed_amount_fen, reference)
        s = await self.repo.insert(
            Settlement(
                institution_code=code,
                district_code=inst.district_code,
                status=SettlementStatus.SUBMITTED.value,
                reference_amount_fen=reference,
                claimed_amount_fen=claimed,
                submitted_by=principal.sub,
            ),
            sorted(data.voucher_ids),
        )
        out = settlement_out(s, sorted(data.voucher_ids))
        await audit.record(
            self.session,
            actor=principal,
            action="settlement.submit",
            entity_type="settlement",
            entity_id=str(s.id),
            after=out.model_dump(),
        )
        return out

    async def get(self, principal: Principal, settlement_id: int) -> SettlementOut:
        s = await self.repo.get(settlement_id)
        if s is None:
            raise not_found()
        require_settlement_viewer(principal, s.institution_code, s.district_code)
        return settlement_out(s, (await self.repo.items([s.id]))[s.id])

    async def search(
        self, principal: Principal, status: SettlementStatus | None, page: PageParams
    ) -> Page[SettlementOut]:
        institution = (
            principal.institution
            if principal.role in (Role.INSTITUTION_ADMIN, Role.INSTITUTION_STAFF)
            else None
        )
        district = principal.district if principal.role == Role.DISTRICT_OFFICER else None
        rows, total = await self.repo.search(
            institution, district, status.value if status else None, page.offset, page.limit
        )
        items = await self.repo.items([r.id for r in rows])
        return page.wrap([settlement_out(r, items[r.id]) for r in rows], total)

    async def decide(
        self, principal: Principal, settlement_id: int, data: SettlementDecision
    ) -> SettlementOut:
        """V-2: a district officer of the institution's district audits; the payable is the approved amount."""
        s = await self.repo.get(settlement_id, for_update=True)
        if s is None:
            raise not_found()
        if principal.role != Role.DISTRICT_OFFICER:
            raise forbidden("只有培训机构所在区县的经办人员可以审核结算", code="forbidden_role")
        principal.require_district(s.district_code)
        payable = check_decision(
            SettlementStatus(s.status),
            data.approve,
            data.approved_amount_fen,
            s.claimed_amount_fen,
            data.reason,
        )
        before = {"status": s.status}
        status = SettlementStatus.APPROVED if data.approve else SettlementStatus.REJECTED
        await self.repo.decide(
            s, status.value, payable if data.approve else None, data.reason, principal.sub, self.clock.now()
        )
        if data.approve:
            await self.repo.mark_vouchers_settled(s.id)
        out = settlement_out(s, (await self.repo.items([s.id]))[s.id])
        await audit.record(
            self.session,
            actor=principal,
            action="settlement.decide",
            entity_type="settlement",
            entity_id=str(s.id),
            before=before,
            after={
                "status": out.status,
                "approved_amount_fen": out.approved_amount_fen,
                "reason": out.reason,
            },
        )
        return out
