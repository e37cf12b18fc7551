"""CR-1 certificate numbers: build/parse round trip, every position's checks, decode, the pydantic type."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from skills_shared.certnumber import (
    CertificateNumber,
    CertificateNumberError,
    CertificateNumberStr,
    body_code,
    build,
    decode,
    parse,
    parse_body_code,
    validate,
    validate_body_code,
)
from skills_shared.reference import CQ_FILING_PLACES, PROVINCE_CODES

# S, route 0000, Chongqing 50, 沙坪坝区 07, body 0012, 2025, level 3, serial 000123.
GOOD = "S000050070012253000123"


def _first(s: str) -> CertificateNumberError:
    with pytest.raises(CertificateNumberError) as info:
        parse(s)
    return info.value


def test_parse_good_number() -> None:
    cn = parse(GOOD)
    assert cn == CertificateNumber("S", "0000", "50", "07", 12, 25, 3, 123)
    assert cn.body_code == "S000050070012"
    assert str(cn) == GOOD
    assert cn.skill_level.label == "3 三级/高级工"


def test_build() -> None:
    assert build("S", "0000", "50", "07", 12, 25, 3, 123) == GOOD
    assert build("S", "0000", "50", "07", 12, 2025, 3, 123) == GOOD  # a full year is reduced to two digits
    assert build("Y", "1234", "31", "99", 9999, 0, 1, 999_999) == "Y123431999999001999999"


def test_decode_names_every_part_in_chinese() -> None:
    assert decode(GOOD) == {
        "category": "S 社会培训评价组织",
        "route": "0000 重庆市人力社保部门备案",
        "province": "50 重庆市",
        "place": "07 沙坪坝区",
        "sequence": "0012",
        "year": "2025年",
        "level": "3 三级/高级工",
        "serial": "000123",
        "body_code": "S000050070012",
    }


def test_decode_ministry_route_and_other_province() -> None:
    parts = decode("Y123431990001265000001")
    assert parts["category"] == "Y 用人单位"
    assert parts["route"] == "1234 人力资源社会保障部赋码"
    assert parts["province"] == "31 上海市"
    assert parts["place"] == "99（上海市备案地代码）"
    assert parts["level"] == "5 五级/初级工"


def test_body_code_helpers() -> None:
    assert body_code("S", "0000", "50", "41", 1) == "S000050410001"
    parsed = parse_body_code("S000050410001")
    assert (parsed.place, parsed.sequence) == ("41", 1)
    assert str(parsed) == "S000050410001"
    assert validate_body_code("S000050420001")[0].position == 8
    assert validate_body_code("S00005041000")[0].code == "certificate_number_length"


# --- table: one test per position ------------------------------------------------------------------------


def _with(pos: int, text: str, base: str = GOOD) -> str:
    return base[: pos - 1] + text + base[pos - 1 + len(text) :]


@pytest.mark.parametrize(
    ("number", "position", "code"),
    [
        (_with(1, "s"), 1, "certificate_number_category_lowercase"),
        (_with(1, "X"), 1, "certificate_number_category"),
        (_with(1, "5"), 1, "certificate_number_category"),
        (_with(1, "Ｓ"), 1, "certificate_number_fullwidth"),
        (_with(1, "\x00"), 1, "certificate_number_control_character"),
        (_with(2, "A"), 2, "certificate_number_not_digit"),
        (_with(5, "-"), 5, "certificate_number_not_digit"),
        (_with(6, "99"), 6, "certificate_number_province"),
        (_with(6, "00"), 6, "certificate_number_province"),
        (_with(7, "x"), 7, "certificate_number_not_digit"),
        (_with(8, "42"), 8, "certificate_number_place"),
        (_with(8, "99"), 8, "certificate_number_place"),
        (_with(9, "\u200b"), 9, "certificate_number_control_character"),
        (_with(10, "0000"), 10, "certificate_number_sequence"),
        (_with(13, "O"), 13, "certificate_number_not_digit"),
        (_with(14, "２"), 14, "certificate_number_fullwidth"),
        (_with(15, " "), 15, "certificate_number_not_digit"),
        (_with(16, "0"), 16, "certificate_number_level"),
        (_with(16, "6"), 16, "certificate_number_level"),
        (_with(16, "9"), 16, "certificate_number_level"),
        (_with(17, "000000"), 17, "certificate_number_serial"),
        (_with(22, "a"), 22, "certificate_number_not_digit"),
        (GOOD[:21], 22, "certificate_number_length"),
        (GOOD + "1", 23, "certificate_number_length"),
        ("", 1, "certificate_number_length"),
        ("S", 2, "certificate_number_length"),
    ],
)
def test_each_position(number: str, position: int, code: str) -> None:
    err = _first(number)
    assert (err.position, err.code) == (position, code)
    assert err.reason
    assert str(err) == f"证书编号第{position}位：{err.reason}"
    assert err.rule == "CR-1"


def test_other_provinces_take_any_place_code() -> None:
    assert parse(_with(6, "3142")).place == "42"
    assert parse(_with(6, "3199")).place == "99"


def test_every_chongqing_place_is_accepted() -> None:
    for place in CQ_FILING_PLACES:
        assert parse(_with(8, place)).place == place


def test_validate_lists_every_problem_in_position_order() -> None:
    bad = "s" + "0000" + "50" + "00" + "0000" + "25" + "3" + "000000" + "X"  # 4 problems, 23 chars
    problems = validate(bad)
    assert [(p.position, p.code) for p in problems] == [
        (1, "certificate_number_category_lowercase"),
        (10, "certificate_number_sequence"),
        (17, "certificate_number_serial"),
        (23, "certificate_number_length"),
    ]
    assert problems[0].as_dict()["rule"] == "CR-1"
    assert validate(GOOD) == []


def test_short_number_still_reports_earlier_characters_first() -> None:
    problems = validate("S00005007")
    assert [(p.position, p.code) for p in problems] == [(10, "certificate_number_length")]
    assert [p.position for p in validate("s000050")] == [1, 8]


def test_leading_or_trailing_space_is_not_stripped_by_parse() -> None:
    assert _first(" " + GOOD[:21]).position == 1
    assert _first(GOOD + " ").position == 23


def test_non_string() -> None:
    assert validate(123)[0].code == "certificate_number_type"  # type: ignore[arg-type]


def test_building_from_bad_parts_names_the_position() -> None:
    cases: list[tuple[dict[str, object], int]] = [
        ({"category": "s"}, 1),
        ({"route": "000"}, 2),
        ({"province": "5O"}, 6),
        ({"province": "99"}, 6),
        ({"place": "42"}, 8),
        ({"sequence": 0}, 10),
        ({"sequence": 10_000}, 10),
        ({"year": 100}, 14),
        ({"year": -1}, 14),
        ({"level": 6}, 16),
        ({"serial": 0}, 17),
        ({"serial": 1_000_000}, 17),
    ]
    base: dict[str, object] = {
        "category": "S",
        "route": "0000",
        "province": "50",
        "place": "07",
        "sequence": 12,
        "year": 25,
        "level": 3,
        "serial": 123,
    }
    for change, position in cases:
        with pytest.raises(CertificateNumberError) as info:
            build(**{**base, **change})  # type: ignore[arg-type]
        assert info.value.position == position, change


# --- properties ------------------------------------------------------------------------------------------


@st.composite
def certificate_numbers(draw: st.DrawFn) -> CertificateNumber:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    # Chongqing takes only 表2 places; another province's places are any two digits.
    places = sorted(CQ_FILING_PLACES) if province == "50" else [f"{n:02d}" for n in range(100)]
    place = draw(st.sampled_from(places))
    return CertificateNumber(
        category=draw(st.sampled_from(["S", "Y"])),
        route=draw(st.sampled_from(["0000"]) | st.integers(0, 9999).map(lambda n: f"{n:04d}")),
        province=province,
        place=place,
        sequence=draw(st.integers(1, 9999)),
        year=draw(st.integers(0, 99)),
        level=draw(st.integers(1, 5)),
        serial=draw(st.integers(1, 999_999)),
    )


@settings(deadline=None)
@given(certificate_numbers())
def test_round_trip(cn: CertificateNumber) -> None:
    s = build(cn.category, cn.route, cn.province, cn.place, cn.sequence, cn.year, cn.level, cn.serial)
    assert len(s) == 22
    assert s[0] in "SY" and s[1:].isdigit()
    assert parse(s) == cn
    assert validate(s) == []
    assert s.startswith(cn.body_code)
    assert parse_body_code(cn.body_code).sequence == cn.sequence


_BAD_CHARS = st.sampled_from(
    ["\x00", "\t", "\n", "\u200b", "\uff10", "\uff15", "\u3000", "a", "s", "-", " ", "é"]
)


@settings(deadline=None)
@given(certificate_numbers(), st.integers(0, 21), _BAD_CHARS)
def test_any_bad_character_is_rejected_at_its_position(cn: CertificateNumber, i: int, ch: str) -> None:
    s = str(cn)
    corrupted = s[:i] + ch + s[i + 1 :]
    err = _first(corrupted)
    assert err.position == i + 1
    assert err.reason


@settings(deadline=None)
@given(certificate_numbers(), st.integers(0, 21), st.integers(1, 9))
def test_digit_changes_are_rejected_or_still_a_well_formed_number(
    cn: CertificateNumber, i: int, delta: int
) -> None:
    # CR-1 has no check digit, so a changed digit can give another valid number; when it does not, the
    # error names a position inside the field that was changed.
    s = str(cn)
    if i == 0:
        corrupted = ("Y" if s[0] == "S" else "S") + s[1:]
        assert parse(corrupted).category != cn.category
        return
    corrupted = s[:i] + str((int(s[i]) + delta) % 10) + s[i + 1 :]
    problems = validate(corrupted)
    if problems:
        fields = [(1, 1), (2, 5), (6, 7), (8, 9), (10, 13), (14, 15), (16, 16), (17, 22)]
        start = next(a for a, b in fields if a <= i + 1 <= b)
        # a changed province may also invalidate the place (province 50 needs a 表2 place)
        assert problems[0].position in (start, 8)
    else:
        assert parse(corrupted) != cn


@settings(deadline=None)
@given(certificate_numbers(), st.integers(0, 21))
def test_deleted_or_extra_character_is_rejected(cn: CertificateNumber, i: int) -> None:
    s = str(cn)
    assert validate(s[:i] + s[i + 1 :])  # 21 characters
    assert any(p.code == "certificate_number_length" for p in validate(s[:i] + "1" + s[i:]))


@settings(deadline=None)
@given(certificate_numbers())
def test_lowercase_is_rejected(cn: CertificateNumber) -> None:
    err = _first(str(cn).lower())
    assert (err.position, err.code) == (1, "certificate_number_category_lowercase")


# --- pydantic --------------------------------------------------------------------------------------------


class Lookup(BaseModel):
    number: CertificateNumberStr


def test_pydantic_accepts_and_strips() -> None:
    assert Lookup.model_validate({"number": f"  {GOOD} "}).number == GOOD


def test_pydantic_error_gives_position_and_reason() -> None:
    with pytest.raises(ValidationError) as info:
        Lookup.model_validate({"number": _with(16, "7")})
    (err,) = info.value.errors()
    assert err["type"] == "certificate_number_level"
    assert err["msg"] == "证书编号第16位：等级代码应为1–5"
    assert err["ctx"]["position"] == 16
    assert err["ctx"]["rule"] == "CR-1"


def test_pydantic_schema() -> None:
    prop = Lookup.model_json_schema()["properties"]["number"]
    assert prop["pattern"] == "^[SY][0-9]{21}$"
    assert prop["examples"] == [GOOD]


def test_parts_name_each_part_under_the_contract_keys() -> None:
    from skills_shared.certnumber import parts
    from skills_shared.contracts.v1.registry import CertificateNumberParts

    decoded = CertificateNumberParts.model_validate(parts(GOOD))
    assert (decoded.district_code, decoded.district_name) == ("07", "沙坪坝区")
    assert (decoded.body_sequence, decoded.year, decoded.level_code, decoded.serial) == (
        "0012",
        2025,
        3,
        "000123",
    )
    assert decoded.route_name == "重庆市人力社保部门备案" and decoded.body_code == "S000050070012"
    other = parts("S000031050001251000001")
    assert (other["province_name"], other["district_name"]) == ("上海市", "上海市备案地代码05")
    with pytest.raises(CertificateNumberError):
        parts("S00005007001225300012")


@given(st.sampled_from(sorted(CQ_FILING_PLACES)), st.integers(1, 9999), st.integers(0, 99), st.integers(1, 5))
def test_parts_agree_with_decode(place: str, sequence: int, year: int, level: int) -> None:
    from skills_shared.certnumber import parts

    number = build("S", "0000", "50", place, sequence, year, level, 1)
    named = decode(number)
    split = parts(number)
    assert named["place"] == f"{split['district_code']} {split['district_name']}"
    assert named["level"] == f"{split['level_code']} {split['level_name']}"
    assert named["year"] == f"{split['year']}年" and named["body_code"] == split["body_code"]
