"""Cross-section checks of the 附件1 form (OF-1), run on the raw dict so they report alongside field errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from org_filing.applications.schemas import ApplicationForm, Expert, cross_field_errors


def locs(raw: dict) -> set[tuple]:
    return {tuple(loc) for loc, _, _ in cross_field_errors(raw)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"level_scope": "district"}, {("district_code",)}),
        ({"level_scope": "district", "district": "00"}, {("district_code",)}),
        ({"level_scope": "district", "district": "05"}, set()),
        ({"level_scope": "city", "district": "05"}, {("district_code",)}),
        ({"level_scope": "city"}, set()),
        ({"attachments": [{"kind": "work_plan"}]}, {("attachments",)}),
        (
            {
                "attachments": [
                    {"kind": k} for k in ("work_plan", "site_assets", "credit_report", "scale_evidence")
                ]
            },
            set(),
        ),
        (
            {
                "occupations": [
                    {"code": "6-31-01-03", "work_type": "a"},
                    {"code": "6-31-01-03", "work_type": "a"},
                ]
            },
            {("occupations", 1)},
        ),
        (
            {
                "occupations": [
                    {"code": "6-31-01-03", "work_type": "a"},
                    {"code": "6-31-01-03", "work_type": "b"},
                ]
            },
            set(),
        ),
        ({"staff": [{"id_number": "X1"}, {"id_number": "x1"}]}, {("staff", 1, "id_number")}),
        ({"experts": "not a list", "occupations": [1, 2]}, set()),
    ],
)
def test_cross_field_errors(raw, expected):
    assert locs(raw) == expected


def test_outsider_needs_an_agreement():
    base = {
        "name": "某",
        "id_number": "11010519491231002X",
        "title": "教授",
        "education": "博士",
        "specialty": "电气",
    }
    Expert.model_validate({**base, "in_house": True})
    with pytest.raises(ValidationError):
        Expert.model_validate({**base, "in_house": False})


def test_empty_form_reports_every_section_at_once():
    with pytest.raises(ValidationError) as e:
        ApplicationForm.model_validate({})
    missing = {err["loc"][0] for err in e.value.errors()}
    assert {
        "level_scope",
        "basic",
        "occupations",
        "sites",
        "equipment",
        "exam_systems",
        "staff",
        "experts",
        "assessors",
        "supervisors",
        "systems",
        "pledge",
        "attachments",
    } <= missing
