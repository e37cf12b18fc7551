"""The lapse run (V-4): vouchers not used by their validity, or whose training was not completed, lapse."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared import audit
from skills_shared.auth import Principal
from skills_shared.clock import Clock, today_of
from skills_shared.refusals import Refusal
from voucher.events import record_lapsed
from voucher.lapse.schemas import LapseRunOut
from voucher.vouchers.rules import RULE_CLAIM

# Both statements mirror voucher.vouchers.rules.lapse_reason, set-wise: they move only vouchers in a source
# state of the voucher machine's "lapse" move (claimed, redeemed).
_NOT_USED = text(
    """
    UPDATE vouchers SET status = 'lapsed', lapsed_at = :now, lapse_reason = 'not_used'
     WHERE status = 'claimed' AND valid_until < :as_of
    RETURNING id, holder_id, district_code, type_code, year
    """
)
_NOT_COMPLETED = text(
    """
    UPDATE vouchers v SET status = 'lapsed', lapsed_at = :now, lapse_reason = 'training_not_completed'
      FROM training_classes c
     WHERE v.class_id = c.id AND v.status = 'redeemed' AND c.ends_on < :as_of
    RETURNING v.id, v.holder_id, v.district_code, v.type_code, v.year
    """
)


class LapseService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def run(self, principal: Principal | str, as_of: date | None) -> LapseRunOut:
        today = today_of(self.clock)
        day = as_of or today
        if day > today:
            raise Refusal(
                RULE_CLAIM, "as_of_in_future", "失效处理的基准日不能晚于今天。", field=("body", "as_of")
            )
        now = self.clock.now()
        not_used = (await self.session.execute(_NOT_USED, {"now": now, "as_of": day})).mappings().all()
        not_completed = (
            (await self.session.execute(_NOT_COMPLETED, {"now": now, "as_of": day})).mappings().all()
        )
        await record_lapsed(self.session, not_used, "not_used")
        await record_lapsed(self.session, not_completed, "training_not_completed")
        out = LapseRunOut(as_of=day, lapsed_not_used=len(not_used), lapsed_not_completed=len(not_completed))
        await audit.record(
            self.session,
            actor=principal,
            action="voucher.lapse_run",
            entity_type="lapse_run",
            entity_id=day.isoformat(),
            after=out.model_dump(),
        )
        return out
