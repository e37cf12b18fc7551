"""All SQL about bodies, their scope, the per-place counters and the retired-code pool."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.bodies.models import Body, BodyScope, PlaceCounter, RetiredCode
from org_filing.db import paged
from org_filing.supervision.models import Complaint, Violation
from skills_shared.contracts.v1.pagination import PageParams


class BodyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_counter(self, place: str) -> int:
        """Create the place's counter if missing, then lock it FOR UPDATE until commit (OF-4).

        Every filing at the same place queues on this one row, so two officers never read the same next value.
        """
        await self.session.execute(
            insert(PlaceCounter).values(place_code=place, next_sequence=1).on_conflict_do_nothing()
        )
        value = await self.session.scalar(
            select(PlaceCounter.next_sequence).where(PlaceCounter.place_code == place).with_for_update()
        )
        assert value is not None
        return int(value)

    async def taken_sequences(self, place: str, from_sequence: int) -> set[int]:
        """Sequences at or after the counter already held by a body or kept in the retired pool (CR-2)."""
        q = union_all(
            select(Body.sequence).where(Body.place_code == place, Body.sequence >= from_sequence),
            select(RetiredCode.sequence).where(
                RetiredCode.place_code == place, RetiredCode.sequence >= from_sequence
            ),
        )
        return {int(s) for s in (await self.session.execute(q)).scalars()}

    async def set_counter(self, place: str, next_sequence: int) -> None:
        row = await self.session.get(PlaceCounter, place)
        assert row is not None
        row.next_sequence = next_sequence

    async def add(self, body: Body, scopes: Sequence[BodyScope]) -> Body:
        self.session.add(body)
        await self.session.flush()
        for s in scopes:
            s.body_id = body.id
            self.session.add(s)
        await self.session.flush()
        return body

    async def by_code(self, code: str, *, for_update: bool = False) -> Body | None:
        q = select(Body).where(Body.code == code)
        if for_update:
            q = q.with_for_update()
        return (await self.session.execute(q)).scalar_one_or_none()

    async def by_id(self, body_id: int) -> Body | None:
        return await self.session.get(Body, body_id)

    async def scopes(self, body_id: int) -> list[BodyScope]:
        q = select(BodyScope).where(BodyScope.body_id == body_id).order_by(BodyScope.occupation_code)
        return list((await self.session.execute(q)).scalars())

    async def replace_scopes(self, body_id: int, scopes: Sequence[BodyScope]) -> None:
        await self.session.execute(delete(BodyScope).where(BodyScope.body_id == body_id))
        for s in scopes:
            s.body_id = body_id
            self.session.add(s)
        await self.session.flush()

    async def retire(self, body: Body, retired_on: date, reason: str) -> None:
        self.session.add(
            RetiredCode(
                code=body.code,
                place_code=body.place_code,
                sequence=body.sequence,
                body_id=body.id,
                retired_on=retired_on,
                reason=reason,
            )
        )
        await self.session.flush()

    async def retired_page(
        self, place: str | None, page: PageParams
    ) -> tuple[list[tuple[RetiredCode, str]], int]:
        """One page of the retired pool, with each retired body's name."""
        q = select(RetiredCode, Body.name).join(Body, Body.id == RetiredCode.body_id)
        if place is not None:
            q = q.where(RetiredCode.place_code == place)
        rows, total = await paged(
            self.session, q.order_by(RetiredCode.place_code, RetiredCode.sequence), page
        )
        return [(r, name) for r, name in rows], total

    async def retired_code(self, code: str) -> RetiredCode | None:
        return await self.session.get(RetiredCode, code)

    async def page(
        self, *, places: set[str] | None, status: str | None, limit: int, offset: int
    ) -> tuple[list[Body], int]:
        q = select(Body)
        if places is not None:
            q = q.where(Body.place_code.in_(places))
        if status is not None:
            q = q.where(Body.status == status)
        total = await self.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = await self.session.execute(q.order_by(Body.code).limit(limit).offset(offset))
        return list(rows.scalars()), int(total or 0)

    async def active_codes(self, place: str | None) -> list[str]:
        q = select(Body.code).where(Body.status == "active")
        if place is not None:
            q = q.where(Body.place_code == place)
        return list((await self.session.execute(q)).scalars())

    async def complaints_since(self, body_id: int, since: date) -> int:
        q = select(func.count()).where(Complaint.body_id == body_id, Complaint.received_on >= since)
        return int(await self.session.scalar(q) or 0)

    async def violations_since(self, body_id: int, since: date) -> int:
        q = select(func.count()).where(Violation.body_id == body_id, Violation.found_on >= since)
        return int(await self.session.scalar(q) or 0)
