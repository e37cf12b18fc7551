"""The issuer record sent to the registry."""

from __future__ import annotations

from datetime import date

from org_filing.issuer_sync.rules import ScopeItem, issuer_body, issuer_path


def test_issuer_body_shape_is_stable_and_sorted():
    body = issuer_body(
        name="重庆某评价中心",
        status="active",
        scope=[
            ScopeItem("6-31-01-03", "电工", ("维修电工",), (5, 3, 4)),
            ScopeItem("4-01-01-01", "X", (), (1,)),
        ],
        level_scope="city",
        valid_from=date(2026, 1, 1),
        valid_to=date(2028, 12, 31),
    )
    assert body.model_dump(mode="json", exclude_none=True) == {
        "name": "重庆某评价中心",
        "status": "active",
        "scope": [
            {"occupation_code": "4-01-01-01", "occupation_name": "X", "work_types": [], "levels": [1]},
            {
                "occupation_code": "6-31-01-03",
                "occupation_name": "电工",
                "work_types": ["维修电工"],
                "levels": [3, 4, 5],
            },
        ],
        "level_scope": "city",
        "valid_from": "2026-01-01",
        "valid_to": "2028-12-31",
    }
    assert issuer_path("S000050000001") == "/v1/issuers/S000050000001"


def test_a_merged_body_is_sent_as_merged_with_the_new_code():
    body = issuer_body(
        name="被合并机构",
        status="cancelled",
        scope=[ScopeItem("6-31-01-03", "电工", (), (3,))],
        level_scope="district",
        valid_from=date(2026, 1, 1),
        valid_to=date(2028, 12, 31),
        merged_into="S000050020003",
    )
    assert (body.status, body.merged_into) == ("merged", "S000050020003")
