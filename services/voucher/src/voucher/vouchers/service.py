"""Use cases of voucher types, campaigns, bulk issue and claiming (V-1…V-4)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit, metrics
from skills_shared.auth import Principal
from skills_shared.clock import Clock, today_of
from skills_shared.contracts.v1.pagination import Page, PageParams
from skills_shared.metrics import count_on_commit
from skills_shared.problems import Problem
from skills_shared.reference import VoucherProjectType
from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id
from voucher.access import citizen_id
from voucher.duplicates import refuse_repeats
from voucher.events import record_claimed
from voucher.vouchers.models import Campaign, Voucher, VoucherType
from voucher.vouchers.repository import VoucherRepository
from voucher.vouchers.rules import (
    RULE_CLAIM,
    RULE_ISSUE,
    CampaignKind,
    LapseReason,
    VoucherStatus,
    VoucherTypeInfo,
    campaign_valid_until,
    check_campaign_kind,
    check_campaign_open,
    check_campaign_opens,
    check_face_value,
    open_campaign_year,
    types_to_claim,
)
from voucher.vouchers.schemas import (
    CampaignCreate,
    CampaignOut,
    ClaimRequest,
    ClaimResult,
    IssueRequest,
    IssueResult,
    VoucherOut,
    VoucherTypeOut,
    VoucherTypeUpdate,
)


def type_name(code: str) -> str:
    try:
        return VoucherProjectType(code).zh
    except ValueError:
        return code


def voucher_out(v: Voucher, today: date) -> VoucherOut:
    return VoucherOut(
        id=v.id,
        year=v.year,
        type_code=v.type_code,
        type_name=type_name(v.type_code),
        face_value_fen=v.face_value_fen,
        valid_until=v.valid_until,
        status=VoucherStatus(v.status),
        usable=v.status == VoucherStatus.CLAIMED and today <= v.valid_until,
        holder_id_number=mask_resident_id(v.holder_id),
        institution_code=v.institution_code,
        class_id=v.class_id,
        claimed_at=v.claimed_at,
        redeemed_at=v.redeemed_at,
        completed_at=v.completed_at,
        lapsed_at=v.lapsed_at,
        lapse_reason=LapseReason(v.lapse_reason) if v.lapse_reason else None,
    )


def _type_out(t: VoucherType) -> VoucherTypeOut:
    return VoucherTypeOut(code=t.code, name=t.name, face_value_fen=t.face_value_fen, active=t.active)


class VoucherService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.repo = VoucherRepository(session)

    # -- V-1/V-2 types ----------------------------------------------------------------------------------
    async def types(self, page: PageParams) -> Page[VoucherTypeOut]:
        rows = await self.repo.types()
        return page.wrap([_type_out(t) for t in rows[page.offset : page.offset + page.limit]], len(rows))

    async def set_type(self, principal: Principal, code: str, data: VoucherTypeUpdate) -> VoucherTypeOut:
        t = await self.repo.type(code)
        if t is None:
            raise Problem(404, "voucher_type_not_found", f"培训券类型“{code}”不存在", rule="V-1")
        check_face_value(data.face_value_fen)
        before = _type_out(t).model_dump()
        t.face_value_fen = data.face_value_fen
        t.active = data.active
        await self.session.flush()
        after = _type_out(t)
        await audit.record(
            self.session,
            actor=principal,
            action="voucher_type.update",
            entity_type="voucher_type",
            entity_id=code,
            before=before,
            after=after.model_dump(),
        )
        return after

    # -- V-3 campaigns ------------------------------------------------------------------------------------
    def _campaign_out(self, c: Campaign, issued: int) -> CampaignOut:
        return CampaignOut(
            id=c.id,
            year=c.year,
            kind=CampaignKind(c.kind),
            name=c.name,
            valid_until=c.valid_until,
            created_at=c.created_at,
            issued=issued,
        )

    async def create_campaign(self, principal: Principal, data: CampaignCreate) -> CampaignOut:
        valid_until = campaign_valid_until(data.year, data.valid_until)
        check_campaign_opens(
            data.year, valid_until, today_of(self.clock), valid_until_given=data.valid_until is not None
        )
        check_campaign_kind(data.kind, await self.repo.annual_exists(data.year))
        campaign = Campaign(
            year=data.year,
            kind=data.kind.value,
            name=data.name,
            valid_until=valid_until,
            created_by=principal.sub,
        )
        try:
            async with self.session.begin_nested():
                await self.repo.insert_campaign(campaign)
        except IntegrityError as exc:  # a concurrent yearly issue won the one-per-year index
            raise Refusal(
                RULE_ISSUE,
                "annual_campaign_exists",
                "该年度的培训券已一次性发放，请使用补发。",
                field=("body", "kind"),
                status=409,
            ) from exc
        out = self._campaign_out(campaign, 0)
        await audit.record(
            self.session,
            actor=principal,
            action="campaign.create",
            entity_type="campaign",
            entity_id=str(campaign.id),
            after=out.model_dump(),
        )
        return out

    async def campaigns(self, year: int | None, page: PageParams) -> Page[CampaignOut]:
        rows, total = await self.repo.campaigns(year, page.offset, page.limit)
        counts = await self.repo.issued_counts([c.id for c in rows])
        return page.wrap([self._campaign_out(c, counts.get(c.id, 0)) for c in rows], total)

    async def campaign(self, campaign_id: int) -> CampaignOut:
        c = await self.repo.campaign(campaign_id)
        if c is None:
            raise Problem(404, "campaign_not_found", "发券批次不存在")
        counts = await self.repo.issued_counts([c.id])
        return self._campaign_out(c, counts.get(c.id, 0))

    async def issue(
        self, principal: Principal, campaign_id: int, data: IssueRequest, most: int
    ) -> IssueResult:
        """V-3: issue the campaign to a list of eligible holders; holders issued earlier this year are skipped."""
        if len(data.holders) > most:
            raise Refusal(
                None,
                "too_many_holders",
                f"一次发放名单最多{most}人，本次{len(data.holders)}人；请分批提交",
                field=("body", "holders"),
                extra={"most": most},
            )
        refuse_repeats(
            data.holders,
            lambda h: h.id_number,
            field="holders",
            member="id_number",
            what_zh="身份证号",
            list_zh="发放名单",
        )
        c = await self.repo.campaign(campaign_id)
        if c is None:
            raise Problem(404, "campaign_not_found", "发券批次不存在")
        check_campaign_open(c.valid_until, today_of(self.clock))
        issued = await self.repo.bulk_issue(
            c.id, c.year, [(h.id_number, h.district_code) for h in data.holders]
        )
        result = IssueResult(
            campaign_id=c.id,
            requested=len(data.holders),
            issued=issued,
            already_issued=len(data.holders) - issued,
        )
        # One audit row for the whole list: the list itself is the grants table; the row keeps the counts.
        await audit.record(
            self.session,
            actor=principal,
            action="campaign.issue",
            entity_type="campaign",
            entity_id=str(c.id),
            after=result.model_dump(),
        )
        return result

    # -- V-4 claim ----------------------------------------------------------------------------------------
    async def claim(self, principal: Principal, data: ClaimRequest) -> ClaimResult:
        holder = citizen_id(principal)
        if data.types is not None:
            refuse_repeats(
                data.types, lambda t: t, field="types", member=None, what_zh="培训券类型", list_zh="领取类型"
            )
        today = today_of(self.clock)
        # V-4: the 年度 claimed is that of the campaign still open today — next year's from 1 December, when
        # one has been issued; without it, this year's grant answers that its campaign has closed.
        year = open_campaign_year(today)
        found = await self.repo.grant_of(holder, year)
        if found is None and year != today.year:
            found = await self.repo.grant_of(holder, today.year)
        if found is None:
            raise Refusal(
                RULE_ISSUE, "not_issued", f"您不在{year}年度培训券发放名单中，暂不能领取。", status=409
            )
        grant, campaign = found
        check_campaign_open(campaign.valid_until, today)
        year = campaign.year
        types = {t.code: VoucherTypeInfo(t.code, t.active, t.face_value_fen) for t in await self.repo.types()}
        requested = [t.value for t in data.types] if data.types is not None else None
        chosen = types_to_claim(requested, types, await self.repo.claimed_types(holder, year))
        rows = [
            {
                "holder_id": holder,
                "year": year,
                "type_code": code,
                "campaign_id": campaign.id,
                "district_code": grant.district_code,
                "face_value_fen": types[code].face_value_fen,
                "valid_until": campaign.valid_until,
                "status": VoucherStatus.CLAIMED.value,
            }
            for code in chosen
        ]
        created = await self.repo.insert_vouchers(rows)
        if len(created) != len(rows):  # a simultaneous claim took some of these types first
            raise Refusal(
                RULE_CLAIM,
                "voucher_type_already_claimed",
                "本年度已领取过所选类型的培训券，同一类型每人每年限领一次。",
                field=("body", "types"),
                status=409,
            )
        out = ClaimResult(
            vouchers=[voucher_out(v, today) for v in sorted(created, key=lambda v: v.type_code)]
        )
        await audit.record(
            self.session,
            actor=principal,
            action="voucher.claim",
            entity_type="holder_year",
            entity_id=f"{mask_resident_id(holder)}:{year}",
            after={"voucher_ids": [v.id for v in out.vouchers], "types": chosen},
        )
        await record_claimed(self.session, created)
        count_on_commit(self.session, metrics.VOUCHERS.labels("claimed", grant.district_code), len(created))
        return out

    async def mine(self, principal: Principal, year: int | None, page: PageParams) -> Page[VoucherOut]:
        holder = citizen_id(principal)
        today = today_of(self.clock)
        rows, total = await self.repo.vouchers_of(holder, year, page.offset, page.limit)
        return page.wrap([voucher_out(v, today) for v in rows], total)
