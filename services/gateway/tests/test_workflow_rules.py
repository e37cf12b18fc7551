"""Pure rules of the subsidy, voucher, body, 'my things' and verify-page workflows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.bodies.rules import require_officer_of_place
from gateway.mine.rules import assemble, part_ok, part_unavailable
from gateway.subsidy.rules import (
    claim_payload,
    require_holder_name,
    require_usable,
    verified_from_registry,
)
from gateway.verify.rules import Mode, public_card, read_query
from gateway.vouchers.rules import require_own_class, require_redeeming_institution
from skills_shared.auth import Principal, Role
from skills_shared.problems import Problem
from skills_shared.reference import CertificateKind

NUMBER = "S000050050001253000001"
VIEW: dict[str, Any] = {
    "number": NUMBER,
    "holder_name": "张三",
    "id_number_masked": "500***********1234",
    "occupation_code": "4-01-02-01",
    "occupation_name": "中式烹调师",
    "work_type": None,
    "level": 3,
    "issue_date": "2025-10-20",
    "body_name": "某评价中心",
    "status": "valid",
}


def test_verified_facts_from_the_registry() -> None:
    cert = verified_from_registry(VIEW)
    assert (cert.kind, cert.level, cert.issue_date, cert.work_type) == (
        CertificateKind.SKILL_LEVEL,
        3,
        date(2025, 10, 20),
        None,
    )
    assert verified_from_registry({**VIEW, "level": None}).kind is CertificateKind.SPECIAL_ABILITY
    assert verified_from_registry({**VIEW, "work_type": "——"}).work_type is None


@pytest.mark.parametrize(("policy", "rule"), [("cq-eval", "CQ-1"), ("sh-upgrade", "SH-2")])
def test_revoked_certificate_is_refused_naming_the_policy_rule(policy: str, rule: str) -> None:
    with pytest.raises(Problem) as caught:
        require_usable(verified_from_registry({**VIEW, "status": "revoked"}), policy)
    assert (caught.value.status, caught.value.code, caught.value.rule) == (409, "certificate_not_valid", rule)
    require_usable(verified_from_registry(VIEW), policy)


def test_holder_name_must_match_the_record() -> None:
    require_holder_name(VIEW, " 张三 ")
    with pytest.raises(Problem) as caught:
        require_holder_name(VIEW, "李四")
    assert caught.value.errors[0].loc == ["body", "holder_name"]


def test_claim_payload_takes_applicant_from_token_and_certificate_from_registry() -> None:
    payload = claim_payload(
        policy="cq-eval",
        applicant_id="500101199001011234",
        applicant_name="张三",
        certificate=verified_from_registry(VIEW),
        facts={
            "payout": {"bank_account": "62220000"},
            "cq": {"evaluation_district": "05"},
            "applicant": {"id_number": "forged"},
        },
    )
    assert payload["applicant"] == {"id_number": "500101199001011234", "name": "张三"}
    assert payload["certificate"] == {
        "number": NUMBER,
        "occupation_code": "4-01-02-01",
        "occupation_name": "中式烹调师",
        "kind": "skill_level",
        "issue_date": "2025-10-20",
        "level": 3,
    }
    assert payload["cq"] == {"evaluation_district": "05"}


@pytest.mark.parametrize("status", ["suspended", "closed", ""])
def test_only_an_active_institution_redeems(status: str) -> None:
    with pytest.raises(Problem) as caught:
        require_redeeming_institution({"status": status})
    assert caught.value.rule == "V-6"
    require_redeeming_institution({"status": "active"})


def test_class_must_be_the_institutions_own() -> None:
    require_own_class("5000001", {"institution_code": "5000001"})
    with pytest.raises(Problem) as caught:
        require_own_class("5000001", {"institution_code": "5000002"})
    assert caught.value.status == 403


@pytest.mark.parametrize(
    ("principal", "place", "allowed"),
    [
        (Principal(sub="o", role=Role.CITY_OFFICER), "06", True),
        (Principal(sub="o", role=Role.DISTRICT_OFFICER, district="05"), "05", True),
        (Principal(sub="o", role=Role.DISTRICT_OFFICER, district="05"), "06", False),
    ],
)
def test_officer_of_place(principal: Principal, place: str, allowed: bool) -> None:
    if allowed:
        require_officer_of_place(principal, place)
    else:
        with pytest.raises(Problem):
            require_officer_of_place(principal, place)


@given(flags=st.lists(st.booleans(), min_size=3, max_size=3))
def test_my_things_is_complete_only_when_every_part_arrived(flags: list[bool]) -> None:
    names = ["certificates", "claims", "vouchers"]
    parts = {
        n: part_ok([]) if ok else part_unavailable(n, "timeout") for n, ok in zip(names, flags, strict=True)
    }
    answer = assemble(parts)
    assert answer["complete"] is all(flags)
    for name, ok in zip(names, flags, strict=True):
        assert answer[name]["status"] == ("ok" if ok else "unavailable")


@pytest.mark.parametrize(
    ("n", "name", "t", "mode"),
    [
        (None, None, None, Mode.FORM),
        (NUMBER, "张三", None, Mode.BY_NAME),
        (NUMBER.lower(), "张三", None, Mode.BY_NAME),
        (NUMBER, None, "abc", Mode.BY_QR),
        (NUMBER, None, None, Mode.INVALID),
        ("S123", "张三", None, Mode.INVALID),
        ("<script>", "x", None, Mode.INVALID),
        (NUMBER, "张" * 51, None, Mode.INVALID),
        (NUMBER, None, "x" * 201, Mode.INVALID),
    ],
)
def test_read_query_table(n: str | None, name: str | None, t: str | None, mode: Mode) -> None:
    assert read_query(n, name, t).mode is mode


def test_public_card_masks_the_id_number() -> None:
    card = public_card(
        {
            "number": NUMBER,
            "id_number": "500101199001011234",
            "work_type": "——",
            "status": "revoked",
            "revoked_on": "2026-01-02",
            "level_name": "三级/高级工",
        }
    )
    assert card["id_number_masked"] == "500***********1234"
    assert "199001" not in str(card)
    assert card["status_zh"] == "已撤销"
