"""Use cases of redeeming: show a QR token, and scan it at enrolment (V-5) — exactly once, at most 3 a year."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit, metrics
from skills_shared.auth import Principal
from skills_shared.clock import Clock, today_of
from skills_shared.contracts.v1.voucher import VoucherStatus
from skills_shared.db.lean import LeanTx
from skills_shared.metrics import count_on_commit
from skills_shared.problems import Problem
from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id
from voucher.access import citizen_id, redeeming_institution
from voucher.events import record_redeemed
from voucher.institutions.rules import redeem_refusal
from voucher.redeem.repository import RedeemRepository
from voucher.redeem.rules import (
    MAX_USES_PER_YEAR,
    RULE_USE,
    ClassState,
    VoucherState,
    bad_token,
    check_class_accepts,
    check_voucher_redeemable,
    check_yearly_cap,
    holder_digest,
    sign_token,
    verify_token,
)
from voucher.redeem.schemas import QrTokenOut, RedeemRequest, RedemptionOut
from voucher.vouchers.repository import VoucherRepository
from voucher.vouchers.service import type_name


class RedeemService:
    def __init__(self, clock: Clock, qr_key: bytes, qr_ttl_s: int = 120) -> None:
        self.clock = clock
        self.key = qr_key
        self.ttl_s = qr_ttl_s

    async def qr_token(self, session: AsyncSession, principal: Principal, voucher_id: int) -> QrTokenOut:
        """The holder's app asks for a fresh token to show; only for the holder's own usable voucher."""
        holder = citizen_id(principal)
        voucher = await VoucherRepository(session).voucher(voucher_id)
        if voucher is None or voucher.holder_id != holder:
            raise Problem(404, "voucher_not_found", "培训券不存在")
        check_voucher_redeemable(
            VoucherState(VoucherStatus(voucher.status), voucher.valid_until, voucher.type_code),
            today_of(self.clock),
        )
        now_s = int(self.clock.now().timestamp())
        token = sign_token(self.key, voucher.id, holder, now_s, self.ttl_s)
        return QrTokenOut(token=token, expires_at=datetime.fromtimestamp(now_s + self.ttl_s, UTC))

    async def redeem(self, tx: LeanTx, principal: Principal, data: RedeemRequest) -> RedemptionOut:
        """V-5: staff with permission scan the holder's QR at enrolment, naming the class.

        One statement reads the context, attempts a guarded UPDATE (claimed → redeemed) — so of any number of
        simultaneous scans exactly one flips the voucher — and, for the scan that flipped it, takes the holder's
        yearly counter row under its row lock, refusing a fourth use. Any refusal rolls the whole unit of work
        back.
        """
        code = redeeming_institution(principal)
        now = self.clock.now()
        today = today_of(self.clock)
        claims = verify_token(self.key, data.token, int(now.timestamp()))
        repo = RedeemRepository(tx)
        ctx = await repo.scan(
            code, principal.sub, data.class_id, claims.voucher_id, now, today, MAX_USES_PER_YEAR
        )
        # V-6 was decided by the statement itself (it guarded the flip); here it is only worded. The other rules
        # judge the context as it was before the flip; any refusal rolls the flip back with the rest.
        if not ctx.may_redeem:
            raise redeem_refusal(code, ctx.institution_status, ctx.has_permission)
        if (
            ctx.holder_id is None
            or ctx.voucher_status is None
            or ctx.valid_until is None
            or ctx.type_code is None
            or ctx.year is None
            or ctx.face_value_fen is None
            or not hmac.compare_digest(holder_digest(self.key, ctx.holder_id), claims.holder_digest)
        ):
            raise bad_token()
        if ctx.class_institution is None or ctx.project_type is None or ctx.ends_on is None:
            raise Refusal(
                RULE_USE, "class_not_found", "本机构不存在该培训班。", field=("body", "class_id"), status=404
            )
        state = VoucherState(VoucherStatus(ctx.voucher_status), ctx.valid_until, ctx.type_code)
        check_voucher_redeemable(state, today)
        check_class_accepts(
            state, ClassState(ctx.class_institution, ctx.project_type, ctx.ends_on), code, today
        )
        redeemed_at = ctx.redeemed_at
        if redeemed_at is None:
            # Every rule passed on the row as it was, yet the guarded flip found it no longer claimed: another
            # scan redeemed it first.
            raise Refusal(RULE_USE, "voucher_already_used", "该培训券已核销，不能重复使用。", status=409)
        uses = ctx.uses
        if uses is None:
            check_yearly_cap(MAX_USES_PER_YEAR)
            raise AssertionError("unreachable: the cap check always refuses at the cap")
        out = RedemptionOut(
            voucher_id=claims.voucher_id,
            holder_id_number=mask_resident_id(ctx.holder_id),
            type_code=ctx.type_code,
            type_name=type_name(ctx.type_code),
            face_value_fen=ctx.face_value_fen,
            institution_code=code,
            class_id=data.class_id,
            redeemed_at=redeemed_at,
            uses_this_year=uses,
        )
        await audit.record(
            tx,
            actor=principal,
            action="voucher.redeem",
            entity_type="voucher",
            entity_id=str(claims.voucher_id),
            before={"status": ctx.voucher_status},
            after={
                "status": "redeemed",
                "institution_code": code,
                "class_id": data.class_id,
                "uses_this_year": uses,
            },
        )
        await record_redeemed(
            tx,
            voucher_id=claims.voucher_id,
            holder_id=ctx.holder_id,
            district_code=ctx.district_code,
            type_code=ctx.type_code,
            year=ctx.year,
            institution_code=code,
        )
        count_on_commit(tx, metrics.VOUCHERS.labels("redeemed", ctx.district_code or "unknown"))
        return out
