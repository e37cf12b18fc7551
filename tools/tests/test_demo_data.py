"""The demo world's data and its calendar choice, without a running suite: every identifier is one the services
accept, nobody appears twice, every batch and claim state is present, and the synthetic calendar is used only
for years the library lacks, never over an operator's file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from skills_shared.validators import validate_credit_code, validate_resident_id
from skills_shared.workdays import CALENDAR_FILE_ENV, covered_years
from skills_tools.demo.load import BATCHES, CLAIM_STATES, REVOKED_HOLDER
from skills_tools.demo.people import CANDIDATES_LATER, HOLDERS, INSTITUTION_ADMINS, STAFF, VOUCHER_HOLDERS
from skills_tools.demo.runner import demo_calendar
from skills_tools.demo.world import BODIES, results_form

EVERYONE = HOLDERS + CANDIDATES_LATER + STAFF + VOUCHER_HOLDERS + INSTITUTION_ADMINS


def test_every_person_has_a_valid_distinct_id_number_and_a_name_without_digits() -> None:
    for person in EVERYONE:
        validate_resident_id(person.id_number)
        assert person.name and not any(ch.isdigit() for ch in person.name)
    assert len({p.id_number for p in EVERYONE}) == len(EVERYONE)


def test_every_body_has_a_valid_distinct_credit_code_and_one_is_guantong() -> None:
    for body in BODIES:
        validate_credit_code(body.credit_code)
    assert len({b.credit_code for b in BODIES}) == len(BODIES)
    assert [b.guantong for b in BODIES].count(True) == 1
    assert {b.district_code for b in BODIES} == {None, "05", "07"}


def test_the_world_has_batches_and_claims_in_every_state() -> None:
    assert {b.final_state for b in BATCHES} == {"draft", "publicity", "approved", "issued"}
    assert {s for _, s in CLAIM_STATES} == {
        "draft",
        "submitted",
        "under_review",
        "material_requested",
        "resubmitted",
        "approved",
        "rejected",
        "in_publicity",
        "confirmed",
        "payment_instructed",
        "paid",
        "payment_failed",
        "clawed_back",
    }
    issued = [p for b in BATCHES if b.final_state == "issued" for p in b.candidates]
    claimants = [HOLDERS[i] for i, _ in CLAIM_STATES]
    assert set(claimants) <= set(issued), "every claim is for an issued certificate"
    assert HOLDERS[0] in issued and HOLDERS[0] not in claimants, (
        "the README walk's applicant has no claim yet"
    )
    assert dict(CLAIM_STATES)[REVOKED_HOLDER] == "clawed_back"


def test_results_carry_the_scores_each_level_needs_and_the_gender_of_the_id() -> None:
    for batch in BATCHES:
        for row, person in zip(results_form(batch)["candidates"], batch.candidates, strict=True):
            assert ("comprehensive" in row["scores"]) == (batch.level <= 2)
            assert row["gender"] == ("男" if int(person.id_number[16]) % 2 else "女")


def test_the_synthetic_calendar_covers_only_uncovered_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CALENDAR_FILE_ENV, raising=False)
    last = max(covered_years())
    note = demo_calendar(date(last, 12, 7), tmp_path)
    written = json.loads((tmp_path / "demo-calendar.json").read_text("utf-8"))
    assert list(written) == [str(last + 1)] and written[str(last + 1)] == {"holidays": [], "workdays": []}
    assert f"{last + 1} not covered" in note and "SYNTHETIC" in note
    monkeypatch.delenv(CALENDAR_FILE_ENV)
    assert last - 1 in covered_years()
    assert demo_calendar(date(last - 1, 6, 1), tmp_path / "inside") == "", (
        "both years covered: nothing written"
    )
    assert not (tmp_path / "inside").exists()


def test_an_operators_calendar_file_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = max(covered_years())
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(tmp_path / "official.json"))
    assert demo_calendar(date(last, 12, 7), tmp_path) == ""
    assert not (tmp_path / "demo-calendar.json").exists()
