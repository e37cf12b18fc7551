"""The pieces every service shares for refusing, moving states, telling the date, paging and parsing contracts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from skills_shared.clock import FixedClock, TodayDep, today_of
from skills_shared.contracts.parsing import ContractMismatch, parse_contract
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.errors import install_error_handlers
from skills_shared.refusals import Refusal, Verdict, any_failed, refuse_verdicts
from skills_shared.testing import running_app
from skills_shared.transitions import IllegalTransition, StateMachine


class Light(StrEnum):
    RED = "red"
    GREEN = "green"


MACHINE: StateMachine[Light] = StateMachine(
    entity_zh="信号灯",
    moves={"go": (frozenset({Light.RED}), Light.GREEN), "stop": (frozenset({Light.GREEN}), Light.RED)},
    actions_zh={"go": "放行"},
    rule="X-1",
    states_zh={"green": "绿灯"},
)


def test_a_refusal_names_rule_code_field_and_reason() -> None:
    r = Refusal(
        "OF-5", "plan_filed_late", "须提前 10 个工作日备案", field=("body", "plan_id"), extra={"x": 1}
    )
    body = r.body("rid")
    assert (r.status, body["rule"], body["code"], body["x"]) == (422, "OF-5", "plan_filed_late", 1)
    assert body["errors"] == [
        {"loc": ["body", "plan_id"], "msg": "须提前 10 个工作日备案", "type": "plan_filed_late"}
    ]


def test_verdicts_become_one_refusal_listing_every_failed_check() -> None:
    verdicts = [
        Verdict("CQ-1", "certificate", "pass", "证书有效"),
        Verdict("CQ-3", "age", "fail", "年龄不符"),
        Verdict("CQ-8", "repeat", "fail", "已领取"),
    ]
    assert any_failed(verdicts)
    r = refuse_verdicts(verdicts, code="not_eligible", fields={"age": ("birth_date",)})
    assert r.rule == "CQ-3"
    assert [e.loc for e in r.errors] == [["body", "birth_date"], ["body", "repeat"]]
    assert len(r.extra["verdicts"]) == 3
    with pytest.raises(ValueError):
        refuse_verdicts(verdicts[:1], code="not_eligible")


def test_a_state_machine_moves_only_along_its_table() -> None:
    assert MACHINE.next(Light.RED, "go") is Light.GREEN
    assert MACHINE.actions_from("green") == ["stop"]
    with pytest.raises(IllegalTransition) as caught:
        MACHINE.next(Light.GREEN, "go")
    err = caught.value
    assert (err.status, err.code, err.rule) == (409, "illegal_state", "X-1")
    assert err.extra == {"current_state": "green", "action": "go"}
    assert err.detail == "信号灯当前状态为“绿灯”，不能放行"


def test_the_business_date_is_shanghais() -> None:
    late_utc = FixedClock(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    assert today_of(late_utc) == date(2027, 1, 1)
    assert today_of(FixedClock.on(date(2026, 12, 7))) == date(2026, 12, 7)


class Item(BaseModel):
    n: int


async def test_routes_read_the_apps_clock_and_page_in_one_envelope() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/today")
    async def _today(today: TodayDep) -> dict[str, str]:
        return {"today": today.isoformat()}

    @app.get("/items", response_model=Page[Item])
    async def _items(page: PageDep) -> Page[Item]:
        everything = [Item(n=i) for i in range(7)]
        return page.wrap(everything[page.offset : page.offset + page.limit], total=len(everything))

    app.state.clock = FixedClock.on(date(2026, 1, 5))
    async with running_app(app) as client:
        assert (await client.get("/today")).json() == {"today": "2026-01-05"}
        got = (await client.get("/items", params={"page": 2, "page_size": 3})).json()
        assert got == {"items": [{"n": 3}, {"n": 4}, {"n": 5}], "page": 2, "page_size": 3, "total": 7}
        refused = await client.get("/items", params={"page_size": 201})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"] == ["query", "page_size"]


def test_an_answer_off_contract_is_a_502_naming_the_provider() -> None:
    assert parse_contract(Item, {"n": 3}, service="voucher") == Item(n=3)
    assert parse_contract(list[Item], [{"n": 1}], service="voucher") == [Item(n=1)]
    with pytest.raises(ContractMismatch) as caught:
        parse_contract(Item, {"number": 3}, service="voucher")
    body = caught.value.body()
    assert (caught.value.status, body["code"], body["service"]) == (
        502,
        "upstream_contract_mismatch",
        "voucher",
    )
    assert body["fields"] == ["n"]
