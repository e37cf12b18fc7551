"""Signed checkpoints outside the database find what the chain alone cannot (issue 20, item 5).

Each attack leaves chains that link perfectly — the verifier without checkpoints says ``ok: true`` — and each is
found and named once the newest checkpoint is compared.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from skills_shared.anchors import Checkpoint, LocalAnchorStore, Signer, read_checkpoints
from skills_shared.audit import _digest, verify_chain
from skills_shared.db.tables import audit_log
from skills_shared.settings import DEV_AUDIT_ANCHOR_KEY, ServiceSettings
from skills_shared.testing import auth_headers, running_app

OFFICER = auth_headers("city_officer", "officer-1")
INSPECTOR = auth_headers("inspector", "insp-1")
MIGRATIONS = Path(__file__).parent / "platform_migrations"
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # a test key, not the development one


@pytest.fixture
async def anchored(
    settings: ServiceSettings, engine: AsyncEngine, tmp_path: Path, app_factory: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The platform test app keeping checkpoints in a directory of its own (the loop's interval far away, so
    the test decides when a checkpoint is written)."""
    anchored_settings = settings.model_copy(
        update={"audit_anchor_dir": str(tmp_path), "audit_anchor_key": KEY, "audit_anchor_interval_s": 3600}
    )
    app = app_factory(anchored_settings, MIGRATIONS)
    async with running_app(app) as client:
        yield app, client


async def _rows(client: httpx.AsyncClient, n: int) -> None:
    for i in range(n):
        response = await client.post("/v1/items", json={"name": f"a{i}", "count": i}, headers=OFFICER)
        assert response.status_code == 201


async def _busiest_chain(engine: AsyncEngine) -> tuple[int, list[int]]:
    async with engine.connect() as conn:
        chain = (
            await conn.execute(
                text("SELECT chain FROM audit_log GROUP BY chain ORDER BY count(*) DESC LIMIT 1")
            )
        ).scalar_one()
        ids = (
            (await conn.execute(text("SELECT id FROM audit_log WHERE chain = :c ORDER BY id"), {"c": chain}))
            .scalars()
            .all()
        )
    return chain, list(ids)


async def _as_owner(engine: AsyncEngine, sql: str, params: dict[str, Any]) -> None:
    """What someone holding the database role can do: switch the append-only trigger off and write."""
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(sql), params)


async def _verify(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/audit/verify", headers=INSPECTOR)
    assert response.status_code == 200
    return dict(response.json())


async def _unanchored_ok(engine: AsyncEngine) -> bool:
    async with AsyncSession(engine) as session:
        return (await verify_chain(session)).ok


async def _checkpoint(app: FastAPI) -> int:
    written = await app.state.checkpoints.once()
    assert written is not None
    return int(written["seq"])


async def test_a_cut_tail_is_named(anchored: tuple[FastAPI, httpx.AsyncClient], engine: AsyncEngine) -> None:
    app, client = anchored
    await _rows(client, 40)
    seq = await _checkpoint(app)
    assert (await _verify(client))["ok"] is True
    chain, ids = await _busiest_chain(engine)
    await _as_owner(engine, "DELETE FROM audit_log WHERE id = ANY(:ids)", {"ids": ids[-2:]})
    assert await _unanchored_ok(engine)  # the chain alone still links
    report = await _verify(client)
    assert report["ok"] is False
    assert report["checkpoint"] == seq
    assert report["missing"] == [
        f"chain {chain}: 2 rows up to id {ids[-1]} recorded in checkpoint {seq} are gone"
    ]


async def test_a_deleted_chain_is_named(
    anchored: tuple[FastAPI, httpx.AsyncClient], engine: AsyncEngine
) -> None:
    app, client = anchored
    await _rows(client, 40)
    seq = await _checkpoint(app)
    chain, ids = await _busiest_chain(engine)
    await _as_owner(engine, "DELETE FROM audit_log WHERE chain = :c", {"c": chain})
    assert await _unanchored_ok(engine)
    report = await _verify(client)
    assert report["ok"] is False
    assert report["missing"] == [f"chain {chain}: all {len(ids)} rows recorded in checkpoint {seq} are gone"]


async def test_a_rewritten_and_rehashed_suffix_is_named(
    anchored: tuple[FastAPI, httpx.AsyncClient], engine: AsyncEngine
) -> None:
    app, client = anchored
    await _rows(client, 40)
    seq = await _checkpoint(app)
    chain, ids = await _busiest_chain(engine)
    async with engine.begin() as conn:  # rewrite the chain's second row and recompute every later link
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        rows = (
            (await conn.execute(select(audit_log).where(audit_log.c.chain == chain).order_by(audit_log.c.id)))
            .mappings()
            .all()
        )
        prev = rows[0]["hash"]
        for row in rows[1:]:
            changed = dict(row)
            if row["id"] == ids[1]:
                changed["after"] = {"name": "forged", "count": 999}
            digest = _digest(prev, changed)
            await conn.execute(
                audit_log.update()
                .where(audit_log.c.id == row["id"])
                .values(after=changed["after"], prev_hash=prev, hash=digest)
            )
            prev = digest
    assert await _unanchored_ok(engine)
    report = await _verify(client)
    assert report["ok"] is False
    assert report["missing"] == [
        f"chain {chain}: rows up to id {ids[-1]} were rewritten after checkpoint {seq} (the anchored hash differs)"
    ]


async def test_damage_is_never_anchored_and_a_forged_checkpoint_is_named(
    anchored: tuple[FastAPI, httpx.AsyncClient], engine: AsyncEngine, tmp_path: Path
) -> None:
    """The next checkpoint after a cut is not written (it would hide the cut); an edited line fails its signature."""
    app, client = anchored
    await _rows(client, 10)
    seq = await _checkpoint(app)
    chain, ids = await _busiest_chain(engine)
    await _as_owner(engine, "DELETE FROM audit_log WHERE id = :id", {"id": ids[-1]})
    assert await app.state.checkpoints.once() is None
    assert (await _verify(client))["missing"][0].startswith(f"chain {chain}: 1 rows")
    store = LocalAnchorStore(tmp_path, "platform-test")
    lines = store.lines()
    store.path.write_bytes(b"\n".join([*lines[:-1], lines[-1].replace(b'"rows":', b'"rows":1')]) + b"\n")
    report = await _verify(client)
    assert f"checkpoint {seq}: signature does not verify" in report["missing"]


async def test_the_service_writes_checkpoints_on_its_own(
    settings: ServiceSettings, engine: AsyncEngine, tmp_path: Path, app_factory: Any
) -> None:
    """Started by the app's lifespan, like the outbox loop: new rows reach a checkpoint without being asked."""
    app = app_factory(
        settings.model_copy(update={"audit_anchor_dir": str(tmp_path), "audit_anchor_interval_s": 0.05}),
        MIGRATIONS,
    )
    store, signer = LocalAnchorStore(tmp_path, "platform-test"), Signer(DEV_AUDIT_ANCHOR_KEY)
    async with running_app(app) as client:
        await _rows(client, 3)
        for _ in range(400):  # wait for the loop, at most 20 s
            checkpoints = read_checkpoints(store, signer)
            if checkpoints and _anchored_rows(checkpoints[-1]) == 3:
                break
            await asyncio.sleep(0.05)
    assert all(c.valid for c in checkpoints)
    assert _anchored_rows(checkpoints[-1]) == 3


def _anchored_rows(checkpoint: Checkpoint) -> int:
    return sum(int(head["rows"]) for head in checkpoint.heads.values())


def test_production_refuses_the_development_key_or_none() -> None:
    secret = "a-production-secret-that-is-not-in-the-repository-0123"
    for key in (DEV_AUDIT_ANCHOR_KEY, None):
        with pytest.raises(ValidationError, match="audit_anchor_key"):
            ServiceSettings(
                environment="production",
                jwt_secret=secret,
                audit_anchor_dir="/srv/anchors",
                audit_anchor_key=key,
            )
    ServiceSettings(
        environment="production", jwt_secret=secret, audit_anchor_dir="/srv/anchors", audit_anchor_key=KEY
    )
