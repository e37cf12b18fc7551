"""Pure rules of the subsidy, body, 'my things' and verify-page workflows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.bodies.rules import require_officer_of_place
from gateway.mine.rules import complete, part_ok, part_unavailable
from gateway.subsidy.rules import claim_draft, declared_certificate
from gateway.verify.rules import Mode, public_card, read_query
from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.gateway import SubsidyApplication
from skills_shared.contracts.v1.registry import PublicCertificate
from skills_shared.problems import Problem
from skills_shared.reference import CertificateKind
from skills_shared.validators import make_resident_id

NUMBER = "S000050050001253000001"
VIEW: dict[str, Any] = {
    "number": NUMBER,
    "holder_name": "张三",
    "id_number_masked": "500***********1234",
    "occupation_code": "4-01-02-01",
    "occupation_name": "中式烹调师",
    "work_type": None,
    "level": 3,
    "level_name": "三级/高级工",
    "issue_date": "2025-10-20",
    "body_name": "某评价中心",
    "status": "valid",
}


def view(**over: Any) -> PublicCertificate:
    return PublicCertificate.model_validate({**VIEW, **over})


def test_the_declared_certificate_is_what_the_registry_showed() -> None:
    cert = declared_certificate(view())
    assert (cert.kind, cert.level, cert.issue_date, cert.work_type) == (
        CertificateKind.SKILL_LEVEL,
        3,
        date(2025, 10, 20),
        None,
    )
    assert declared_certificate(view(work_type="——")).work_type is None
    assert declared_certificate(view(work_type="维修电工")).work_type == "维修电工"


def test_the_draft_takes_the_applicant_from_the_token_and_the_certificate_from_the_registry() -> None:
    application = SubsidyApplication.model_validate(
        {
            "policy": "cq-eval",
            "certificate_number": NUMBER,
            "holder_name": "张三",
            "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150000},
            "payout": {"bank_account": "62220000"},
        }
    )
    applicant = make_resident_id("500101", date(1990, 1, 1), 123)
    draft = claim_draft(application, applicant, declared_certificate(view()))
    dumped = draft.model_dump(mode="json", exclude_none=True)
    assert dumped["applicant"] == {"id_number": applicant, "name": "张三"}
    assert dumped["certificate"] == {
        "number": NUMBER,
        "occupation_code": "4-01-02-01",
        "occupation_name": "中式烹调师",
        "kind": "skill_level",
        "issue_date": "2025-10-20",
        "level": 3,
    }
    assert dumped["cq"]["district_code"] == "05"
    with pytest.raises(Problem) as caught:
        claim_draft(application, "not-an-id-number", declared_certificate(view()))
    assert (caught.value.status, caught.value.code) == (403, "forbidden_subject")


def test_the_application_refuses_a_forged_applicant_and_names_each_bad_field() -> None:
    with pytest.raises(ValueError, match="applicant") as caught:
        SubsidyApplication.model_validate(
            {
                "policy": "cq-eval",
                "certificate_number": "X1",
                "holder_name": "张三",
                "payout": {},
                "applicant": {"id_number": "forged"},
            }
        )
    assert "certificate_number" in str(caught.value)


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
    parts = [part_ok([]) if ok else part_unavailable("voucher", "timeout") for ok in flags]
    assert complete(*parts) is all(flags)
    for part, ok in zip(parts, flags, strict=True):
        assert part.status.value == ("ok" if ok else "unavailable")
        assert (part.service is None) is ok


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
