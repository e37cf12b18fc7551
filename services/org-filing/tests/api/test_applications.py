"""Applications (OF-1, OF-2, OF-3) over HTTP against the real database."""

from __future__ import annotations

import httpx
from of_factories import (
    TODAY,
    applicant,
    city,
    credit_code,
    district,
    filed_body,
    full_form,
    published_application,
    resident_id,
)

from skills_shared.testing import auth_headers


async def test_draft_saved_completed_and_submitted(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code)
    partial = {"level_scope": "city", "basic": form["basic"]}
    r = await client.post("/v1/applications", json=partial, headers=applicant(code))
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    assert r.json()["status"] == "draft"

    # an incomplete draft cannot be submitted: one 422 listing every missing section, nothing changes
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "application_incomplete" and problem["rule"] == "OF-1"
    missing = {tuple(e["loc"]) for e in problem["errors"]}
    for section in (
        "occupations",
        "sites",
        "equipment",
        "staff",
        "experts",
        "assessors",
        "supervisors",
        "pledge",
        "attachments",
        "systems",
        "exam_systems",
    ):
        assert ("body", section) in missing, section
    assert (await client.get(f"/v1/applications/{app_id}", headers=applicant(code))).json()[
        "status"
    ] == "draft"

    rest = {k: v for k, v in form.items() if k not in partial}
    r = await client.patch(f"/v1/applications/{app_id}", json=rest, headers=applicant(code))
    assert r.status_code == 200, r.text
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "submitted" and out["district_code"] == "00"
    checks = {v["check"]: v["outcome"] for v in out["eligibility"]}
    assert checks["min_years"] == checks["min_total"] == checks["min_per_occupation"] == "pass"
    assert checks["sound_finances"] == "undetermined"
    # ID numbers are masked in every response
    staff_id = out["form"]["staff"][0]["id_number"]
    assert "*" in staff_id and staff_id != form["staff"][0]["id_number"]

    # a submitted application can no longer be edited: 409 naming the state
    r = await client.patch(f"/v1/applications/{app_id}", json={"systems": "x"}, headers=applicant(code))
    assert r.status_code == 409 and r.json()["current_state"] == "submitted"


async def test_every_bad_field_is_listed_and_nothing_is_stored(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code)
    good_id = form["staff"][0]["id_number"]
    form["staff"][0]["id_number"] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # wrong check digit
    form["experts"][0]["id_number"] = "123"
    form["supervisors"][0]["id_number"] = resident_id()[:17] + "Z"
    form["occupations"][0]["code"] = "6-31-1-03"
    form["basic"]["credit_code"] = code[:-1] + ("0" if code[-1] != "0" else "1")
    form["assessors"][0].pop("agreement")
    r = await client.post("/v1/applications", json=form, headers=applicant(code))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    locs = {tuple(str(p) for p in e["loc"]) for e in r.json()["errors"]}
    assert ("body", "staff", "0", "id_number") in locs
    assert ("body", "experts", "0", "id_number") in locs
    assert ("body", "supervisors", "0", "id_number") in locs
    assert ("body", "occupations", "0", "code") in locs
    assert ("body", "basic", "credit_code") in locs
    assert ("body", "assessors", "0") in locs
    listed = await client.get("/v1/applications", headers=applicant(code))
    assert listed.json()["total"] == 0


async def test_credit_code_must_be_the_applicants_own(client: httpx.AsyncClient) -> None:
    mine, other = credit_code(), credit_code()
    r = await client.post("/v1/applications", json=full_form(other), headers=applicant(mine))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "basic", "credit_code"]


async def test_city_thresholds_refuse_with_every_verdict(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code, people=5_000, start=__import__("datetime").date(2023, 1, 1))
    r = await client.post("/v1/applications", json=form, headers=applicant(code))
    app_id = r.json()["id"]
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "not_eligible" and body["rule"] == "OF-2"
    failed = {e["type"] for e in body["errors"]}
    assert failed == {"min_years", "min_total", "min_per_occupation"}
    assert (await client.get(f"/v1/applications/{app_id}", headers=applicant(code))).json()[
        "status"
    ] == "draft"


async def test_national_base_is_exempt(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code, people=10, start=__import__("datetime").date(2025, 1, 1))
    form["national_base"] = "high_skill_training_base"
    app_id = (await client.post("/v1/applications", json=form, headers=applicant(code))).json()["id"]
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 200, r.text
    assert {v["outcome"] for v in r.json()["eligibility"] if v["check"].startswith("min_")} == {"exempt"}


async def test_district_body_levels_3_to_5_only(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code, level_scope="district", district="05", levels=(2, 3))
    app_id = (await client.post("/v1/applications", json=form, headers=applicant(code))).json()["id"]
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 422 and r.json()["rule"] == "CR-3"


async def test_district_thresholds_are_data(client: httpx.AsyncClient) -> None:
    r = await client.put(
        "/v1/districts/05/thresholds",
        json={"min_years": 2, "min_total": 100_000, "min_per_occupation": 1},
        headers=district("06"),
    )
    assert r.status_code == 403
    r = await client.put(
        "/v1/districts/05/thresholds",
        json={"min_years": 2, "min_total": 100_000, "min_per_occupation": 1},
        headers=district("05"),
    )
    assert r.status_code == 200, r.text
    assert (await client.get("/v1/districts/05/thresholds")).json()["min_total"] == 100_000
    code = credit_code()
    form = full_form(code, level_scope="district", district="05", levels=(3, 4, 5))
    app_id = (await client.post("/v1/applications", json=form, headers=applicant(code))).json()["id"]
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 422 and [e["type"] for e in r.json()["errors"]] == ["min_total"]


async def test_who_accepts_evaluates(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code, level_scope="district", district="07", levels=(3, 4, 5))
    app_id = (await client.post("/v1/applications", json=form, headers=applicant(code))).json()["id"]
    assert (
        await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    ).status_code == 200
    evaluation = {
        "selected": True,
        "sound_finances": True,
        "good_credit": True,
        "no_violation_record": True,
        "opinion": "同意",
    }
    # another district's officer may neither see nor evaluate it; body staff may not evaluate at all
    assert (await client.get(f"/v1/applications/{app_id}", headers=district("08"))).status_code == 403
    r = await client.post(f"/v1/applications/{app_id}/evaluation", json=evaluation, headers=district("08"))
    assert r.status_code == 403
    r = await client.post(f"/v1/applications/{app_id}/evaluation", json=evaluation, headers=applicant(code))
    assert r.status_code == 403
    listed = await client.get("/v1/applications", headers=district("08"))
    assert listed.json()["total"] == 0
    assert (await client.get("/v1/applications", headers=district("07"))).json()["total"] == 1
    # publish before evaluation is an illegal move
    r = await client.post(
        f"/v1/applications/{app_id}/publication",
        json={"publicity_from": "2026-01-05", "publicity_to": "2026-01-09"},
        headers=district("07"),
    )
    assert r.status_code == 409 and r.json()["current_state"] == "submitted"
    # a finding of bad credit blocks the selection with OF-2
    r = await client.post(
        f"/v1/applications/{app_id}/evaluation",
        json={**evaluation, "good_credit": False},
        headers=district("07"),
    )
    assert r.status_code == 422 and r.json()["rule"] == "OF-2"
    r = await client.post(f"/v1/applications/{app_id}/evaluation", json=evaluation, headers=district("07"))
    assert r.status_code == 200 and r.json()["status"] == "evaluated"


async def test_not_selected_is_rejected(client: httpx.AsyncClient) -> None:
    code = credit_code()
    app_id = (await client.post("/v1/applications", json=full_form(code), headers=applicant(code))).json()[
        "id"
    ]
    await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    r = await client.post(
        f"/v1/applications/{app_id}/evaluation",
        json={
            "selected": False,
            "sound_finances": True,
            "good_credit": True,
            "no_violation_record": True,
            "opinion": "择优未入选",
        },
        headers=city(),
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=city()
    )
    assert r.status_code == 409 and r.json()["current_state"] == "rejected"


async def test_filing_gives_code_receipt_and_is_idempotent(client: httpx.AsyncClient) -> None:
    app_id, code, officer = await published_application(client)
    headers = {**officer, "Idempotency-Key": "file-1"}
    r = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=headers
    )
    assert r.status_code == 201, r.text
    body_code = r.json()["body_code"]
    assert body_code == "S000050000001"
    replay = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=headers
    )
    assert replay.status_code == 201 and replay.json()["body_code"] == body_code
    assert replay.headers.get("idempotent-replayed") == "true"
    again = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=officer
    )
    assert again.status_code == 409 and again.json()["current_state"] == "filed"

    public = (await client.get(f"/v1/bodies/{body_code}")).json()
    assert public["status"] == "active" and public["valid_to"] == "2029-10-31"
    assert [s["occupation_code"] for s in public["scope"]] == ["6-18-02-04", "6-31-01-03"]

    receipt = await client.get(f"/v1/bodies/{body_code}/receipt", headers=applicant(body_code))
    assert receipt.status_code == 200, receipt.text
    rj = receipt.json()
    assert rj["body_code"] == body_code and rj["credit_code"] == code
    assert rj["department"] == "重庆市职业技能鉴定指导中心"
    assert (
        await client.get(f"/v1/bodies/{body_code}/receipt", headers=applicant("S000050000999"))
    ).status_code == 403
    pdf = await client.get(f"/v1/bodies/{body_code}/receipt.pdf", headers=officer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content

    audit = await client.get("/v1/audit/verify", headers=auth_headers("inspector"))
    assert audit.json()["ok"] is True and audit.json()["checked"] >= 6


async def test_validity_longer_than_three_years_is_refused(client: httpx.AsyncClient) -> None:
    app_id, _, officer = await published_application(client)
    r = await client.post(
        f"/v1/applications/{app_id}/filing",
        json={"valid_from": "2026-11-01", "valid_to": "2029-11-01"},
        headers=officer,
    )
    assert r.status_code == 422 and r.json()["rule"] == "OF-3"
    ok = await client.post(
        f"/v1/applications/{app_id}/filing",
        json={"valid_from": "2026-11-01", "valid_to": "2029-10-31"},
        headers=officer,
    )
    assert ok.status_code == 201


async def test_publicity_must_be_over_before_filing(client: httpx.AsyncClient) -> None:
    code = credit_code()
    app_id = (await client.post("/v1/applications", json=full_form(code), headers=applicant(code))).json()[
        "id"
    ]
    await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    await client.post(
        f"/v1/applications/{app_id}/evaluation",
        json={
            "selected": True,
            "sound_finances": True,
            "good_credit": True,
            "no_violation_record": True,
            "opinion": "同意",
        },
        headers=city(),
    )
    await client.post(
        f"/v1/applications/{app_id}/publication",
        json={"publicity_from": "2026-11-20", "publicity_to": "2099-12-31"},
        headers=city(),
    )
    r = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=city()
    )
    assert r.status_code == 409 and r.json()["code"] == "publicity_not_over" and r.json()["rule"] == "OF-3"


async def test_district_body_gets_the_district_place_code(client: httpx.AsyncClient) -> None:
    body_code, _, _ = await filed_body(client, level_scope="district", place="12", levels=(3, 4, 5))
    assert body_code == "S000050120001"
    r = await client.get(f"/v1/bodies/{body_code}/receipt", headers=district("12"))
    assert r.json()["department"] == "巴南区人力资源和社会保障局"


async def test_drafts_are_the_applicants_own(client: httpx.AsyncClient) -> None:
    code = credit_code()
    app_id = (
        await client.post("/v1/applications", json={"level_scope": "city"}, headers=applicant(code))
    ).json()["id"]
    listed = (await client.get("/v1/applications", headers=city())).json()
    assert (listed["items"], listed["total"], listed["page"]) == ([], 0, 1)
    assert (await client.get(f"/v1/applications/{app_id}", headers=city())).status_code == 404
    other = credit_code()
    assert (await client.get(f"/v1/applications/{app_id}", headers=applicant(other))).status_code == 403
    r = await client.patch(f"/v1/applications/{app_id}", json={"systems": "x"}, headers=applicant(other))
    assert r.status_code == 403
    r = await client.post(f"/v1/applications/{app_id}/withdraw", headers=applicant(code))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    assert r.status_code == 409 and r.json()["current_state"] == "withdrawn"


async def test_idempotency_key_reused_with_another_body_is_refused(client: httpx.AsyncClient) -> None:
    code = credit_code()
    headers = {**applicant(code), "Idempotency-Key": "create-1"}
    first = await client.post("/v1/applications", json={"level_scope": "city"}, headers=headers)
    assert first.status_code == 201
    replay = await client.post("/v1/applications", json={"level_scope": "city"}, headers=headers)
    assert replay.json()["id"] == first.json()["id"]
    other = await client.post("/v1/applications", json={"level_scope": "district"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert (await client.get("/v1/applications", headers=applicant(code))).json()["total"] == 1


async def test_officer_routes_need_a_token_and_the_right_role(client: httpx.AsyncClient) -> None:
    app_id, _, _ = await published_application(client)
    r = await client.post(f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    r = await client.post(
        f"/v1/applications/{app_id}/filing",
        json={"valid_from": "2026-11-01"},
        headers=auth_headers("inspector"),
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden_role"
    r = await client.post(
        f"/v1/applications/{app_id}/filing", json={"valid_from": "2026-11-01"}, headers=district("05")
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden_place"


async def test_a_publicity_already_over_or_before_the_selection_is_refused(client: httpx.AsyncClient) -> None:
    code = credit_code()
    app_id = (await client.post("/v1/applications", json=full_form(code), headers=applicant(code))).json()[
        "id"
    ]
    assert (
        await client.post(f"/v1/applications/{app_id}/submit", headers=applicant(code))
    ).status_code == 200
    evaluation = {
        "selected": True,
        "sound_finances": True,
        "good_credit": True,
        "no_violation_record": True,
        "opinion": "同意",
    }
    r = await client.post(f"/v1/applications/{app_id}/evaluation", json=evaluation, headers=city())
    assert r.status_code == 200, r.text
    # the period of the old factories: it ended months before the application was even submitted
    r = await client.post(
        f"/v1/applications/{app_id}/publication",
        json={"publicity_from": "2026-01-05", "publicity_to": "2026-01-09"},
        headers=city(),
    )
    assert r.status_code == 422
    p = r.json()
    assert (p["rule"], p["code"]) == ("OF-3", "publicity_before_selection")
    assert [e["type"] for e in p["errors"]] == ["publicity_before_selection", "publicity_already_over"]
    assert (
        p["earliest_publicity_from"] == TODAY.isoformat() and p["earliest_publicity_to"] == TODAY.isoformat()
    )
    got = await client.get(f"/v1/applications/{app_id}", headers=city())
    assert got.json()["status"] == "evaluated" and got.json()["publicity_to"] is None
    r = await client.post(
        f"/v1/applications/{app_id}/publication",
        json={"publicity_from": TODAY.isoformat(), "publicity_to": "2026-09-07"},
        headers=city(),
    )
    assert r.status_code == 200 and r.json()["status"] == "published"


async def test_the_deprecated_district_name_is_still_accepted(client: httpx.AsyncClient) -> None:
    code = credit_code()
    form = full_form(code, level_scope="district", levels=(3, 4, 5))
    form["district"] = "05"  # the name before district_code, kept for one version
    r = await client.post("/v1/applications", json=form, headers=applicant(code))
    assert r.status_code == 201, r.text
    assert r.json()["form"]["district_code"] == "05" and "district" not in r.json()["form"]
    r = await client.post(f"/v1/applications/{r.json()['id']}/submit", headers=applicant(code))
    assert r.status_code == 200 and r.json()["district_code"] == "05"
