"""CR-4 with P-3: a publicity started on 28 December has no known end until 2027 is loaded; the daily job then
records it, so the batch is flagged ready for approval the day after (SYNTHETIC 2027 data, this test only)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from registry_testkit import Registry, candidate
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from certificate_registry.batches.models import Batch
from certificate_registry.batches.publicity_ends import record_known_publicity_ends
from skills_shared.testing import library_calendars_only
from skills_shared.workdays import (
    covered_years,
    load_calendar_file,
)

pytestmark = pytest.mark.skipif(
    2027 in covered_years(), reason="the installed chinesecalendar covers 2027 now: nothing is uncovered"
)


@pytest.fixture
def no_operator_calendar() -> Iterator[None]:
    with library_calendars_only():
        yield


@pytest.mark.usefixtures("no_operator_calendar")
async def test_the_end_of_a_late_december_publicity_is_recorded_once_2027_is_loaded(
    registry: Registry, engine: AsyncEngine, tmp_path: Path
) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    assert (await registry.upload(batch_id, [candidate(1)])).status_code == 200
    async with (
        engine.begin() as conn
    ):  # in publicity since 28 December, end unknown (as the start records it)
        await conn.execute(
            text(
                "UPDATE batches SET status = 'publicity', publicity_starts = '2026-12-28', publicity_ends = NULL"
                " WHERE id = :id"
            ),
            {"id": uuid.UUID(batch_id)},
        )
    async with AsyncSession(engine) as session:
        assert await record_known_publicity_ends(session) == 0  # 2027 uncovered: nothing to record, no guess

    path = tmp_path / "calendar-2027.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}), encoding="utf-8")
    load_calendar_file(path)
    async with AsyncSession(engine) as session:
        assert await record_known_publicity_ends(session) == 1
        await session.commit()
    async with engine.connect() as conn:
        ends = (
            await conn.execute(select(Batch.publicity_ends).where(Batch.id == uuid.UUID(batch_id)))
        ).scalar()
    assert ends == date(2027, 1, 5)  # 29, 30, 31 December, 4 and 5 January
