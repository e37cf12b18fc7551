"""The relay end to end through the gateway app: what reaches the service, what comes back, and the failures.

Behind each service name sits a recording app that answers any path (the relay decides what reaches it), so each
test sees exactly what the gateway sent: method, encoded path, query, headers and body bytes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response
from gateway_fakes import problem
from gateway_suite import Switch
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import GatewaySettings
from gateway.upstreams import ORG_FILING, REGISTRY, SUBSIDY, VOUCHER
from skills_shared.testing import auth_headers, running_app

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\x00\xff" * 64
CITY = auth_headers("city_officer", "city-1")
CITIZEN = auth_headers("citizen", "110101199003070011")


@dataclass
class Seen:
    """One request as the service received it."""

    method: str
    raw_path: bytes
    query: bytes
    headers: dict[str, str]
    body: bytes


Answer = Callable[[Request, bytes], Response]


@dataclass
class Recorder:
    """A stand-in service: records every request, answers from ``answers`` (by path) or echoes what it got."""

    seen: list[Seen] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        async def anything(rest: str, request: Request) -> Response:
            body = await request.body()
            self.seen.append(
                Seen(
                    request.method,
                    request.scope["raw_path"],
                    request.scope["query_string"],
                    dict(request.headers),
                    body,
                )
            )
            answer = self.answers.get(request.url.path)
            if answer is not None:
                return answer(request, body)
            echo = {
                "method": request.method,
                "path": request.url.path,
                "body": body.decode("utf-8", "replace"),
            }
            return Response(json.dumps(echo), media_type="application/json")

        return app


@dataclass
class Suite:
    """The four recorders and the switches in front of them."""

    recorders: dict[str, Recorder]
    switches: dict[str, Switch]


@pytest.fixture
def services() -> Suite:
    recorders = {name: Recorder() for name in (REGISTRY, ORG_FILING, SUBSIDY, VOUCHER)}
    return Suite(recorders, {name: Switch(r.app()) for name, r in recorders.items()})


@pytest.fixture
async def relay(
    services: Suite, fake_settings: GatewaySettings, engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(fake_settings, transports=services.switches)
    async with running_app(app) as client:
        yield client


async def test_a_get_reaches_the_service_path_with_query_token_and_request_id(
    relay: httpx.AsyncClient, services: Suite
) -> None:
    response = await relay.get(
        "/api/v1/voucher/institutions?district=05&name=%E4%B8%AD%E5%BF%83&page=2",
        headers={**CITY, "X-Request-ID": "trace-relay-1"},
    )
    assert response.status_code == 200
    assert response.json() == {"method": "GET", "path": "/v1/institutions", "body": ""}
    (seen,) = services.recorders[VOUCHER].seen
    assert seen.raw_path == b"/v1/institutions"
    assert seen.query == b"district=05&name=%E4%B8%AD%E5%BF%83&page=2"
    assert seen.headers["authorization"] == CITY["Authorization"]
    assert seen.headers["x-request-id"] == "trace-relay-1" == response.headers["x-request-id"]
    assert "idempotency-key" not in seen.headers
    assert all(not r.seen for name, r in services.recorders.items() if name != VOUCHER)


async def test_a_post_passes_the_body_bytes_key_and_content_type(
    relay: httpx.AsyncClient, services: Suite
) -> None:
    body = '{"lat": 29.56,  "lng":106.55, "note": "签到"}'.encode()
    services.recorders[VOUCHER].answers["/v1/classes/7/check-ins"] = lambda request, got: Response(
        json.dumps({"id": 1}), status_code=201, media_type="application/json"
    )
    response = await relay.post(
        "/api/v1/voucher/classes/7/check-ins",
        content=body,
        headers={**CITIZEN, "Content-Type": "application/json", "Idempotency-Key": "k-check-in-1"},
    )
    assert (response.status_code, response.json()) == (201, {"id": 1})
    (seen,) = services.recorders[VOUCHER].seen
    assert (seen.method, seen.raw_path, seen.body) == ("POST", b"/v1/classes/7/check-ins", body)
    assert seen.headers["idempotency-key"] == "k-check-in-1"
    assert seen.headers["content-type"] == "application/json"


async def test_a_put_and_a_patch_and_a_delete_go_to_their_services(
    relay: httpx.AsyncClient, services: Suite
) -> None:
    put = await relay.put("/api/v1/filing/districts/05/thresholds", json={"years": 3}, headers=CITY)
    assert put.json() == {"method": "PUT", "path": "/v1/districts/05/thresholds", "body": '{"years":3}'}
    patch = await relay.patch("/api/v1/voucher/institutions/5000001", json={"phone": "1"}, headers=CITY)
    assert patch.json()["method"] == "PATCH"
    delete = await relay.delete("/api/v1/voucher/institutions/5000001/redeemers/staff-9", headers=CITY)
    assert delete.json() == {
        "method": "DELETE",
        "path": "/v1/institutions/5000001/redeemers/staff-9",
        "body": "",
    }
    assert [s.method for s in services.recorders[VOUCHER].seen] == ["PATCH", "DELETE"]
    assert services.recorders[ORG_FILING].seen[0].body == b'{"years":3}'


async def test_path_parameters_are_passed_encoded(relay: httpx.AsyncClient, services: Suite) -> None:
    await relay.get("/api/v1/voucher/institutions/%E4%B8%AD%20x", headers=CITY)
    await relay.get("/api/v1/registry/batches/%2E%2E", headers=CITY)
    paths = [s.raw_path for s in services.recorders[VOUCHER].seen + services.recorders[REGISTRY].seen]
    assert paths == [b"/v1/institutions/%E4%B8%AD%20x", b"/v1/batches/%2E%2E"]


async def test_binary_answers_pass_byte_for_byte(relay: httpx.AsyncClient, services: Suite) -> None:
    services.recorders[VOUCHER].answers["/v1/targets/chart.png"] = lambda request, got: Response(
        PNG, media_type="image/png", headers={"Cache-Control": "no-store"}
    )
    services.recorders[REGISTRY].answers["/v1/certificates/S000050050001253000001/document.pdf"] = (
        lambda request, got: Response(b"%PDF-1.7\n\x00\x01binary", media_type="application/pdf")
    )
    csv = "编号,姓名\r\nS000050050001253000001,张三\r\n".encode()
    services.recorders[REGISTRY].answers["/v1/batches/b-1/roster"] = lambda request, got: Response(
        csv,
        headers={"content-type": "text/csv", "Content-Disposition": 'attachment; filename="roster-b-1.csv"'},
    )
    chart = await relay.get("/api/v1/voucher/targets/chart.png", headers=CITY)
    assert (chart.status_code, chart.content, chart.headers["content-type"]) == (200, PNG, "image/png")
    assert chart.headers["cache-control"] == "no-store"
    pdf = await relay.get("/api/v1/registry/certificates/S000050050001253000001/document.pdf", headers=CITY)
    assert (pdf.content, pdf.headers["content-type"]) == (b"%PDF-1.7\n\x00\x01binary", "application/pdf")
    roster = await relay.get("/api/v1/registry/batches/b-1/roster?format=csv", headers=CITY)
    assert roster.content == csv
    assert roster.headers["content-type"] == "text/csv", "no charset added on the way"
    assert roster.headers["content-disposition"] == 'attachment; filename="roster-b-1.csv"'
    assert services.recorders[REGISTRY].seen[-1].query == b"format=csv"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["no token", "forged token", "not bearer"],
)
async def test_a_protected_relayed_route_needs_a_valid_token(
    relay: httpx.AsyncClient, services: Suite, headers: dict[str, str]
) -> None:
    for method, path in (
        ("GET", "/api/v1/voucher/targets"),
        ("POST", "/api/v1/subsidy/claims/c-1/confirm"),
        ("GET", "/api/v1/registry/certificates/S000050050001253000001/qr.png"),
    ):
        response = await relay.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] in ("token_missing", "token_invalid")
    assert all(not r.seen for r in services.recorders.values()), "nothing reached a service"


async def test_public_relayed_routes_need_no_token(relay: httpx.AsyncClient, services: Suite) -> None:
    for path, service in (
        ("/api/v1/voucher/voucher-types", VOUCHER),
        ("/api/v1/registry/signing-key", REGISTRY),
        ("/api/v1/subsidy/publicity?format=csv", SUBSIDY),
        ("/api/v1/filing/bodies/S000050050001", ORG_FILING),
        ("/api/v1/filing/inspections/3", ORG_FILING),
    ):
        response = await relay.get(path)
        assert response.status_code == 200, path
        assert "authorization" not in services.recorders[service].seen[-1].headers


async def test_a_route_with_an_optional_token_refuses_a_forged_one(
    relay: httpx.AsyncClient, services: Suite
) -> None:
    """An inspection is public once published and visible to officers before: a token sent must be valid."""
    forged = await relay.get("/api/v1/filing/inspections/3", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    good = await relay.get("/api/v1/filing/inspections/3", headers=CITY)
    assert good.status_code == 200
    assert services.recorders[ORG_FILING].seen[-1].headers["authorization"] == CITY["Authorization"]
    assert len(services.recorders[ORG_FILING].seen) == 1


@pytest.mark.parametrize(
    ("status", "code", "extra"),
    [
        (403, "forbidden_district", {"rule": "CQ-4"}),
        (404, "claim_not_found", {}),
        (409, "idempotency_in_flight", {}),
        (
            422,
            "validation_failed",
            {"errors": [{"loc": ["body", "reason"], "msg": "必填字段缺失", "type": "missing"}]},
        ),
    ],
)
async def test_a_service_problem_passes_through_unchanged(
    relay: httpx.AsyncClient, services: Suite, status: int, code: str, extra: dict[str, object]
) -> None:
    sent = problem(status, code, "服务给出的说明", **extra)
    sent.headers["Retry-After"] = "3"
    services.recorders[SUBSIDY].answers["/v1/claims/c-1/reject"] = lambda request, got: sent
    response = await relay.post("/api/v1/subsidy/claims/c-1/reject", json={"reason": "x"}, headers=CITY)
    assert response.status_code == status
    assert response.content == sent.body
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "3"


async def test_a_service_that_is_down_is_a_503_naming_it(relay: httpx.AsyncClient, services: Suite) -> None:
    services.switches[VOUCHER].down = True
    get = await relay.get("/api/v1/voucher/targets", headers=CITY)
    assert get.status_code == 503
    assert get.headers["content-type"] == "application/problem+json"
    assert get.headers["retry-after"].isdigit()
    assert (get.json()["code"], get.json()["service"]) == ("service_unavailable", "voucher")
    assert services.switches[VOUCHER].calls == 2, "a GET is tried again (one retry in these settings)"
    post = await relay.post("/api/v1/voucher/settlements", json={}, headers=CITY)
    assert post.status_code == 503
    assert services.switches[VOUCHER].calls == 3, "a write without a key goes once"


async def test_a_keyed_write_is_retried_with_its_key_and_done_once(
    relay: httpx.AsyncClient, services: Suite
) -> None:
    stored: dict[str, bytes] = {}
    created: list[str] = []
    attempts: list[str] = []

    def settle(request: Request, body: bytes) -> Response:
        key = request.headers["idempotency-key"]
        attempts.append(key)
        if len(attempts) == 1:
            return Response(b"upstream hiccup", status_code=502)  # lost on the way: the gateway tries again
        if key in stored:
            return Response(
                stored[key],
                status_code=201,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        created.append(key)
        stored[key] = json.dumps({"id": len(created), "body": body.decode()}).encode()
        return Response(stored[key], status_code=201, media_type="application/json")

    services.recorders[VOUCHER].answers["/v1/settlements"] = settle
    headers = {**CITY, "Idempotency-Key": "settle-2026-05"}
    first = await relay.post("/api/v1/voucher/settlements", json={"district": "05"}, headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    again = await relay.post("/api/v1/voucher/settlements", json={"district": "05"}, headers=headers)
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert attempts == ["settle-2026-05"] * 3
    assert created == ["settle-2026-05"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/voucher/no-such-route",
        "/api/v1/registry/healthz",
        "/api/v1/registry/metrics",
        "/api/v1/voucher/audit/verify",
        "/api/v1/elsewhere/targets",
        "/api/v1/voucher/classes/7/check-ins/extra",
    ],
)
async def test_unknown_and_platform_paths_are_404_problems(
    relay: httpx.AsyncClient, services: Suite, path: str
) -> None:
    response = await relay.get(path, headers=CITY)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    assert all(not r.seen for r in services.recorders.values())


async def test_a_method_the_route_lacks_is_a_405_problem(relay: httpx.AsyncClient, services: Suite) -> None:
    response = await relay.delete("/api/v1/voucher/targets", headers=CITY)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET" in response.headers["allow"]
    assert not services.recorders[VOUCHER].seen
