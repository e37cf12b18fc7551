"""The app factory's conventions: problem+json, field paths, body guards, request ids, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.settings import ServiceSettings
from skills_shared.testing import auth_headers, running_app

OFFICER = auth_headers("city_officer", "officer-1")


async def test_validation_error_names_every_field_in_chinese(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/items", json={"name": "x" * 51, "count": -1}, headers=OFFICER)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_failed"
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert locs == {("body", "name"), ("body", "count")}
    assert all(any("\u4e00" <= c <= "\u9fff" for c in e["msg"]) for e in body["errors"])


async def test_missing_field_and_wrong_type(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/items", json={"count": "many"}, headers=OFFICER)
    errors = {tuple(e["loc"]): e for e in response.json()["errors"]}
    assert errors[("body", "name")]["type"] == "missing"
    assert errors[("body", "name")]["msg"] == "必填字段缺失"
    assert errors[("body", "count")]["type"] == "int_parsing"


async def test_nul_bytes_are_refused_before_the_handler(client: httpx.AsyncClient, app: object) -> None:
    before = app.state.calls["n"]  # type: ignore[attr-defined]
    response = await client.post(
        "/v1/items",
        content=b'{"name": "a\\u0000b", "count": 1}',
        headers={**OFFICER, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "nul_character"
    assert app.state.calls["n"] == before  # type: ignore[attr-defined]
    assert (await client.get("/v1/district/0%005", headers=OFFICER)).status_code == 422


async def test_body_over_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/items", content=b"x" * 200_000, headers={**OFFICER, "content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_deeply_nested_json_is_a_clear_422(client: httpx.AsyncClient) -> None:
    deep = b'{"name":"a","count":1,"nested":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}"
    response = await client.post(
        "/v1/items", content=deep, headers={**OFFICER, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_too_deep"


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/items", content=b'{"name": ', headers={**OFFICER, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_request_id_is_generated_or_kept(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    kept = await client.get("/healthz", headers={"X-Request-ID": "abc-1"})
    assert kept.headers["x-request-id"] == "abc-1"
    hostile = await client.get("/healthz", headers={"X-Request-ID": 'a b"<script>'})
    assert hostile.headers["x-request-id"] != 'a b"<script>'


async def test_readiness_and_openapi_documents_problems(client: httpx.AsyncClient) -> None:
    assert (await client.get("/readyz")).json()["checks"] == {"database": "ok", "migrations": "current"}
    spec = (await client.get("/openapi.json")).json()
    responses = spec["paths"]["/v1/items"]["post"]["responses"]
    assert {"401", "403", "409", "422"} <= set(responses)
    assert "application/problem+json" in responses["409"]["content"]


async def test_an_unreachable_database_is_503_not_500(app_factory: Any) -> None:
    """The request may be retried: 503 with Retry-After, and readiness says not ready."""
    down = app_factory(
        ServiceSettings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none", log_level="WARNING"),
        Path(__file__).parent / "platform_migrations",
    )
    async with running_app(down) as client:
        response = await client.post("/v1/items", json={"name": "a", "count": 1}, headers=OFFICER)
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["retry-after"] == "2"
        ready = await client.get("/readyz")
        assert ready.status_code == 503


async def test_a_value_the_database_refuses_is_422_not_500(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/numbers/41")).json() == {"next": 42}
    for hostile in (str(2**70), str(2**63 - 1)):
        response = await client.get(f"/v1/numbers/{hostile}")
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "value_out_of_range"


async def test_a_body_that_is_not_utf8_is_a_documented_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/items", content=b"\xe6\x97", headers={**OFFICER, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_a_repeated_query_parameter_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/numbers/1?x=1&x=2")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["query", "x"], "msg": "查询参数不可重复", "type": "repeated_parameter"}
    ]
    assert (await client.get("/v1/numbers/1?x=1&y=2")).json()["errors"][0]["type"] == "unknown_parameter"


async def test_every_operation_documents_its_problem_answers(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert (
                responses["422"]["content"]["application/problem+json"] == problem["application/problem+json"]
            )
            assert "application/json" not in responses["422"]["content"], (method, path)
            assert "application/problem+json" in responses["503"]["content"], (method, path)
            if "requestBody" in operation:
                assert "application/problem+json" in responses["413"]["content"], (method, path)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


async def test_an_undeclared_query_parameter_is_refused(client: httpx.AsyncClient) -> None:
    """A misspelt filter must not silently widen the answer."""
    response = await client.get("/v1/numbers/1?nmber=2")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["query", "nmber"], "msg": "不支持的查询参数", "type": "unknown_parameter"}
    ]
    assert (await client.get("/healthz?probe=1")).status_code == 422


async def test_oversized_headers_are_431_and_oversized_tokens_401_before_any_parsing(
    client: httpx.AsyncClient,
) -> None:
    """Issue 20, item 6: multi-megabyte headers are refused on their size alone."""
    huge = await client.get("/healthz", headers={"X-Padding": "a" * 40_000})
    assert huge.status_code == 431 and huge.json()["code"] == "headers_too_large"
    token = await client.get("/v1/district/05", headers={"Authorization": "Bearer " + "a" * 9000})
    assert token.status_code == 401 and token.json()["code"] == "token_too_large"
    assert token.headers["content-type"].startswith("application/problem+json")
    eight_mb = await client.get("/v1/district/05", headers={"Authorization": "Bearer " + "a" * 8_000_000})
    assert eight_mb.status_code == 431


async def test_a_body_that_is_not_json_is_415_naming_the_accepted_types(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """An .xlsx (or a form) posted to a JSON route: 415 saying what is taken, not '422 body: 应为对象'."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for content_type, body in (
        (xlsx, b"PK\x03\x04" + b"\x00" * 64),
        ("application/x-www-form-urlencoded", b"a=1"),
    ):
        refused = await client.post(
            "/v1/items",
            content=body,
            headers={**auth_headers("city_officer", "o"), "Content-Type": content_type},
        )
        assert refused.status_code == 415, refused.text
        problem = refused.json()
        assert problem["code"] == "unsupported_media_type" and problem["accepted"] == ["application/json"]
        assert "application/json" in problem["detail"]
    ok = await client.post(
        "/v1/items",
        content=b'{"name": "j", "count": 1}',
        headers={**auth_headers("city_officer", "o"), "Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 201
