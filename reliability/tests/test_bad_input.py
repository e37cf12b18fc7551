"""Hostile and malformed input, one table: each row is refused with a problem+json 4xx and the service's database
is left exactly as it was (row counts of every table before and after). Names with the middle dot "·" are valid
Chinese names (e.g. Uyghur names) and must be accepted wherever names are taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from registry_testkit import EVALUATION_DAY, Registry
from rel_support import Service, assert_problem, bearer, row_counts

from skills_shared.certnumber import build
from skills_shared.validators import make_credit_code, make_resident_id

GOOD_ID = make_resident_id("500103", date(1990, 3, 7), 21)
BAD_ID_CHECKSUM = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
BAD_ID_BIRTH = GOOD_ID[:6] + "19901345" + GOOD_ID[14:]
GOOD_CREDIT = make_credit_code("91500000MA0000001")
BAD_CREDIT = GOOD_CREDIT[:-1] + ("0" if GOOD_CREDIT[-1] != "0" else "1")
NUMBER = build("S", "0000", "50", "07", 1, 2025, 3, 1)
DOT_NAME = "阿依古丽·买买提"

CITY = bearer("city_officer", "city-1")
SERVICE = bearer("service", "org-filing")
DISTRICT_04 = bearer("district_officer", "district-04", district="04")


DEEP = b'{"name":' + b'{"a":' * 5000 + b"1" + b"}" * 5001
"""JSON nested 5,000 levels deep (written as bytes: the encoder itself would recurse too far)."""

OVER_LIMIT = b"over-limit"
"""Placeholder: replaced by a body one kilobyte past the service's own ``max_body_bytes``."""


def institution(**overrides: Any) -> dict[str, Any]:
    body = {
        "code": "5000901",
        "name": "重庆市测试职业培训学校",
        "district_code": "04",
        "address": "重庆市渝中区解放碑街道民族路1号",
        "phone": "023-88126902",
        "type": "private_training_school",
        "admin_name": "王专员",
        "admin_id_number": GOOD_ID,
        "sites": [{"name": "朝天门教学点", "latitude": 29.5653, "longitude": 106.5878}],
    }
    body.update(overrides)
    return body


def issuer(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "重庆市某职业技能评价中心",
        "status": "active",
        "scope": [
            {
                "occupation_code": "4-01-01-01",
                "occupation_name": "电工",
                "work_types": [],
                "levels": [3, 4, 5],
            }
        ],
        "level_scope": "district",
        "valid_from": "2025-01-01",
        "valid_to": "2027-12-31",
    }
    body.update(overrides)
    return body


@dataclass
class Row:
    """One hostile request and the statuses it may get."""

    label: str
    service: str
    method: str
    path: str
    statuses: tuple[int, ...] = (422,)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


MB = "测" * (1024 * 1024 // 3)
ROWS = [
    # certificate numbers (CR-1)
    Row(
        "number too short",
        "certificate-registry",
        "GET",
        f"/v1/certificates/{NUMBER[:-1]}?name=张三",
        (404, 422),
    ),
    Row(
        "number lower-case category",
        "certificate-registry",
        "GET",
        f"/v1/certificates/s{NUMBER[1:]}?name=张三",
        (404, 422),
    ),
    Row(
        "number province 00",
        "certificate-registry",
        "GET",
        f"/v1/certificates/{NUMBER[:5]}00{NUMBER[7:]}?name=张三",
        (404, 422),
    ),
    Row(
        "number with SQL",
        "certificate-registry",
        "GET",
        "/v1/certificates/S'%20OR%20'1'='1?name=张三",
        (404, 422),
    ),
    Row(
        "name with SQL",
        "certificate-registry",
        "GET",
        f"/v1/certificates/{NUMBER}?name=%27%20OR%201%3D1%20--",
        (404,),
    ),
    Row(
        "path traversal",
        "certificate-registry",
        "GET",
        "/v1/certificates/..%2F..%2F..%2Fetc%2Fpasswd?name=a",
        (404, 422),
    ),
    Row("NUL in URL", "certificate-registry", "GET", f"/v1/certificates/{NUMBER}?name=%00", (422,)),
    Row(
        "gateway number malformed",
        "gateway",
        "GET",
        f"/api/v1/certificates/{NUMBER[:-2]}?name=张三",
        (404, 422),
    ),
    Row(
        "gateway path traversal",
        "gateway",
        "GET",
        "/api/v1/certificates/..%2F..%2Fv1%2Faudit%2Fverify",
        (404, 422),
    ),
    # issuer writes (service token): body-level attacks
    Row(
        "issuer NUL in name",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        json=issuer(name="评价\x00中心"),
        headers=SERVICE,
    ),
    Row(
        "issuer 1 MB name",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        json=issuer(name=MB),
        headers=SERVICE,
    ),
    Row(
        "issuer deep JSON",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        content=DEEP,
        headers={**SERVICE, "Content-Type": "application/json"},
    ),
    Row(
        "issuer body over limit",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        (413,),
        content=OVER_LIMIT,
        headers={**SERVICE, "Content-Type": "application/json"},
    ),
    Row(
        "institution body over limit",
        "voucher",
        "POST",
        "/v1/institutions",
        (413,),
        content=OVER_LIMIT,
        headers={**DISTRICT_04, "Content-Type": "application/json"},
    ),
    Row(
        "claim body over limit",
        "subsidy-claims",
        "POST",
        "/v1/claims",
        (413,),
        content=OVER_LIMIT,
        headers={**bearer("citizen", GOOD_ID), "Content-Type": "application/json"},
    ),
    Row(
        "gateway body over limit",
        "gateway",
        "POST",
        "/api/v1/body-applications",
        (413,),
        content=OVER_LIMIT,
        headers={**bearer("org_admin", "a", body=GOOD_CREDIT), "Content-Type": "application/json"},
    ),
    Row(
        "gateway deep JSON",
        "gateway",
        "POST",
        "/api/v1/vouchers/claims",
        content=DEEP,
        headers={**bearer("citizen", GOOD_ID), "Content-Type": "application/json"},
    ),
    Row(
        "issuer wrong content type",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        (415, 422),
        content=b"name=x",
        headers={**SERVICE, "Content-Type": "application/x-www-form-urlencoded"},
    ),
    Row(
        "issuer not JSON",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        (422,),
        content=b"{not json",
        headers={**SERVICE, "Content-Type": "application/json"},
    ),
    Row(
        "issuer date out of range",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        json=issuer(valid_from="2025-02-30"),
        headers=SERVICE,
    ),
    Row(
        "issuer year 99999",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        json=issuer(valid_to="99999-01-01"),
        headers=SERVICE,
    ),
    Row(
        "issuer level 2**70",
        "certificate-registry",
        "PUT",
        "/v1/issuers/S000050070001",
        json=issuer(
            scope=[
                {
                    "occupation_code": "4-01-01-01",
                    "occupation_name": "电工",
                    "work_types": [],
                    "levels": [2**70],
                }
            ]
        ),
        headers=SERVICE,
    ),
    Row(
        "issuer code traversal",
        "certificate-registry",
        "PUT",
        "/v1/issuers/..%2F..%2Fbatches",
        (404, 405, 422),
        json=issuer(),
        headers=SERVICE,
    ),
    # voucher institutions: ID checksum, NUL, huge, injection
    Row(
        "institution bad ID checksum",
        "voucher",
        "POST",
        "/v1/institutions",
        json=institution(admin_id_number=BAD_ID_CHECKSUM),
        headers=DISTRICT_04,
    ),
    Row(
        "institution bad ID birth date",
        "voucher",
        "POST",
        "/v1/institutions",
        json=institution(admin_id_number=BAD_ID_BIRTH),
        headers=DISTRICT_04,
    ),
    Row(
        "institution NUL name",
        "voucher",
        "POST",
        "/v1/institutions",
        json=institution(name="学校\x00"),
        headers=DISTRICT_04,
    ),
    Row(
        "institution 1 MB address",
        "voucher",
        "POST",
        "/v1/institutions",
        json=institution(address=MB),
        headers=DISTRICT_04,
    ),
    Row(
        "institution SQL in name",
        "voucher",
        "POST",
        "/v1/institutions",
        (201, 422),
        json=institution(code="5000902", name="x'); DROP TABLE institutions; --"),
        headers=DISTRICT_04,
    ),
    Row(
        "institution latitude 1e308",
        "voucher",
        "POST",
        "/v1/institutions",
        json=institution(sites=[{"name": "点", "latitude": 1e308, "longitude": 106.5}]),
        headers=DISTRICT_04,
    ),
    Row(
        "institution code 8 digits",
        "voucher",
        "POST",
        "/v1/institutions",
        json=institution(code="50000011"),
        headers=DISTRICT_04,
    ),
    Row(
        "campaign year 2**63",
        "voucher",
        "POST",
        "/v1/campaigns",
        json={"year": 2**63, "kind": "annual", "name": "券"},
        headers=CITY,
    ),
    Row(
        "campaign year -1",
        "voucher",
        "POST",
        "/v1/campaigns",
        json={"year": -1, "kind": "annual", "name": "券"},
        headers=CITY,
    ),
    Row(
        "voucher id 2**70",
        "voucher",
        "POST",
        f"/v1/me/vouchers/{2**70}/qr-token",
        (404, 422),
        headers=bearer("citizen", GOOD_ID),
    ),
    Row("settlements page 2**70", "voucher", "GET", f"/v1/settlements?page={2**70}", (422,), headers=CITY),
    Row("settlements page_size 201", "voucher", "GET", "/v1/settlements?page_size=201", (422,), headers=CITY),
    Row("lapse as_of 0", "voucher", "POST", "/v1/lapse-runs", json={"as_of": 0}, headers=CITY),
    Row(
        "face value true",
        "voucher",
        "PUT",
        "/v1/voucher-types/entrepreneurship",
        json={"face_value_fen": True},
        headers=CITY,
    ),
    # org-filing: credit code checksum, thresholds overflow, list paging overflow
    Row(
        "application bad credit code",
        "org-filing",
        "POST",
        "/v1/applications",
        json={"level_scope": "city", "basic": {"credit_code": BAD_CREDIT}},
        headers=bearer("org_admin", "admin", body=BAD_CREDIT),
    ),
    Row(
        "thresholds integer overflow",
        "org-filing",
        "PUT",
        "/v1/districts/11/thresholds",
        json={"min_years": 3, "min_total": 2**70, "min_per_occupation": 1},
        headers=CITY,
    ),
    Row(
        "applications offset overflow",
        "org-filing",
        "GET",
        f"/v1/applications?offset={2**70}",
        (422,),
        headers=CITY,
    ),
    Row("body code traversal", "org-filing", "GET", "/v1/bodies/..%2F..%2Fapplications", (404, 422)),
    # subsidy-claims: bad applicant ID, NUL, wrong content type
    Row(
        "claim bad ID checksum",
        "subsidy-claims",
        "POST",
        "/v1/claims",
        json={"policy": "cq-eval", "applicant": {"id_number": BAD_ID_CHECKSUM, "name": "张三"}},
        headers=bearer("citizen", BAD_ID_CHECKSUM),
    ),
    Row(
        "claim NUL",
        "subsidy-claims",
        "POST",
        "/v1/claims",
        json={"policy": "cq-eval\x00"},
        headers=bearer("citizen", GOOD_ID),
    ),
    Row(
        "claim text/plain",
        "subsidy-claims",
        "POST",
        "/v1/claims",
        (415, 422),
        content=b"policy=cq-eval",
        headers={**bearer("citizen", GOOD_ID), "Content-Type": "text/plain"},
    ),
    Row(
        "claim id not uuid",
        "subsidy-claims",
        "GET",
        "/v1/claims/1%20OR%201=1",
        (404, 422),
        headers=bearer("city_officer"),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.label for r in ROWS])
async def test_hostile_input_is_refused_and_changes_nothing(row: Row, suite: dict[str, Service]) -> None:
    service = suite[row.service]
    before = await row_counts(service.database_url)
    kwargs: dict[str, Any] = {"headers": row.headers}
    if row.json is not None:
        kwargs["json"] = row.json
    if row.content is OVER_LIMIT:
        limit = service.app.state.settings.max_body_bytes
        kwargs["content"] = b'{"name":"' + b"a" * (limit + 1024) + b'"}'
    elif row.content is not None:
        kwargs["content"] = row.content
    response = await service.client.request(row.method, row.path, **kwargs)
    if response.status_code in (200, 201) and 201 in row.statuses:
        # an injection string stored as plain text is fine, as long as it is only text and the table survived
        assert "DROP TABLE" in response.text
        return
    assert_problem(response, *row.statuses)
    assert await row_counts(service.database_url) == before


async def test_middle_dot_names_are_accepted(suite: dict[str, Service]) -> None:
    """ "阿依古丽·买买提" is a real name: refused nowhere a name is taken."""
    voucher = suite["voucher"].client
    r = await voucher.post(
        "/v1/institutions",
        json=institution(
            code="5000903",
            admin_name=DOT_NAME,
            admin_id_number=make_resident_id("650102", date(1988, 5, 6), 7),
        ),
        headers=DISTRICT_04,
    )
    assert r.status_code == 201, r.text
    service = suite["certificate-registry"]
    registry = service.client
    helper = Registry(registry, service.app, suite["org-filing"].client)
    saved = service.app.state.clock
    try:
        code = await helper.new_body("07")  # filed in org-filing, so its plan clears the batch (OF-5)
        batch = await helper.open_batch(code)
        assert batch.status_code == 201, batch.text
        staff = bearer("org_staff", "staff-9", body=code)
        helper.on(EVALUATION_DAY)  # results exist once the evaluation took place (CR-4)
        uploaded = await registry.put(
            f"/v1/batches/{batch.json()['id']}/results",
            json={
                "candidates": [
                    {
                        "name": DOT_NAME,
                        "id_number": make_resident_id("650102", date(1995, 1, 2), 3),
                        "gender": "男",
                        "photo_ref": "photos/1.jpg",
                        "scores": {"theory": 80, "skill": 85},
                    }
                ]
            },
            headers=staff,
        )
    finally:
        service.app.state.clock = saved
    assert uploaded.status_code == 200, uploaded.text
