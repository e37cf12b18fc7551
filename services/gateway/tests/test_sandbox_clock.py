"""The gateway's sandbox clock route: operators move the suite's business date forward; nobody else can."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.settings import GatewaySettings
from skills_shared.clock import SANDBOX_FILE_ENV, SYSTEM_CLOCK, today_of
from skills_shared.testing import auth_headers, running_app


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "sandbox-clock.json"
    monkeypatch.setenv(SANDBOX_FILE_ENV, str(path))
    import skills_shared.clock as clock_module

    monkeypatch.setattr(clock_module, "_process_clock", [])
    return path


async def test_an_operator_moves_the_date_forward_and_never_back(
    settings: GatewaySettings, sandbox: Path
) -> None:
    app = create_app(settings)
    real = today_of(SYSTEM_CLOCK)
    async with running_app(app) as client:
        before = (await client.get("/api/v1/sandbox/clock")).json()
        assert before == {"today": real.isoformat(), "real_today": real.isoformat(), "offset_days": 0}
        target = real + timedelta(days=21)
        moved = await client.post(
            "/api/v1/sandbox/clock", json={"today": target.isoformat()}, headers=auth_headers("city_officer")
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["today"] == target.isoformat()
        assert moved.json()["offset_days"] == 21
        back = await client.post(
            "/api/v1/sandbox/clock",
            json={"today": (target - timedelta(days=1)).isoformat()},
            headers=auth_headers("city_officer"),
        )
        assert back.status_code == 409
        assert back.json()["code"] == "sandbox_backwards"
        assert back.json()["errors"][0]["loc"] == ["body", "today"]
        assert (await client.get("/api/v1/sandbox/clock")).json()["today"] == target.isoformat()


async def test_only_operators_move_it_and_bad_dates_are_named(
    settings: GatewaySettings, sandbox: Path
) -> None:
    app = create_app(settings)
    async with running_app(app) as client:
        citizen = await client.post(
            "/api/v1/sandbox/clock",
            json={"today": "2099-01-01"},
            headers=auth_headers("citizen", sub="11010519491231002X"),
        )
        assert citizen.status_code == 403
        anonymous = await client.post("/api/v1/sandbox/clock", json={"today": "2099-01-01"})
        assert anonymous.status_code == 401
        for bad in ({"today": "2099-02-30"}, {"today": 20990101}, {"today": "next week"}, {}):
            refused = await client.post(
                "/api/v1/sandbox/clock", json=bad, headers=auth_headers("city_officer")
            )
            assert refused.status_code == 422, bad
            assert refused.json()["errors"][0]["loc"][:2] == ["body", "today"]
        assert (await client.get("/api/v1/sandbox/clock")).json()["offset_days"] == 0


async def test_without_a_sandbox_there_is_no_route(
    settings: GatewaySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SANDBOX_FILE_ENV, raising=False)
    app = create_app(settings)
    async with running_app(app) as client:
        assert (await client.get("/api/v1/sandbox/clock")).status_code == 404
