"""Identifier validators: resident ID, credit code, institution and occupation codes, pydantic types."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from skills_shared.validators import (
    CREDIT_CODE_ALPHABET,
    CreditCode,
    InstitutionCode,
    InvalidValue,
    OccupationCode,
    ResidentId,
    credit_code_check_char,
    make_credit_code,
    make_resident_id,
    mask_resident_id,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_gender,
    validate_credit_code,
    validate_institution_code,
    validate_occupation_code,
    validate_resident_id,
)

# The worked example printed in GB 11643-1999 itself.
GB_EXAMPLE_ID = "11010519491231002X"


def _code(fn: object, value: object) -> str:
    with pytest.raises(InvalidValue) as info:
        fn(value)  # type: ignore[operator]
    return info.value.code


# --- resident ID -------------------------------------------------------------------------------------------


def test_standard_example_is_valid() -> None:
    assert validate_resident_id(GB_EXAMPLE_ID) == GB_EXAMPLE_ID
    assert resident_id_check_char(GB_EXAMPLE_ID[:17]) == "X"


def test_lower_case_x_is_normalised_and_whitespace_stripped() -> None:
    assert validate_resident_id(" 11010519491231002x\t") == GB_EXAMPLE_ID


def test_birth_date_and_gender() -> None:
    assert resident_id_birth_date(GB_EXAMPLE_ID) == date(1949, 12, 31)
    assert resident_id_gender(GB_EXAMPLE_ID) == "F"  # 17th digit 2
    male = make_resident_id("500106", date(1990, 5, 17), 123)
    assert resident_id_gender(male) == "M"
    assert resident_id_birth_date(male) == date(1990, 5, 17)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010519491231002", "resident_id_length"),
        ("11010519491231002X1", "resident_id_length"),
        ("", "resident_id_empty"),
        ("   ", "resident_id_empty"),
        ("1101051949123100XX", "resident_id_format"),
        ("A10105194912310021", "resident_id_format"),
        ("110105194912310029", "resident_id_checksum"),
        ("11010519491231002\x00", "resident_id_control_character"),
        ("1101051949\u200b1231002X", "resident_id_control_character"),
        ("１１010519491231002X", "resident_id_fullwidth"),
    ],
)
def test_resident_id_rejections(value: str, code: str) -> None:
    assert _code(validate_resident_id, value) == code


def test_resident_id_birth_date_must_be_real_and_not_future() -> None:
    feb30 = "110105" + "19900230" + "123"
    assert _code(validate_resident_id, feb30 + resident_id_check_char(feb30)) == "resident_id_birth_date"
    future = make_resident_id("110105", date.today() + timedelta(days=400), "001")
    assert _code(validate_resident_id, future) == "resident_id_birth_date"
    old = "110105" + "18991231" + "001"
    assert _code(validate_resident_id, old + resident_id_check_char(old)) == "resident_id_birth_date"


def test_error_carries_chinese_reason_and_stable_code() -> None:
    with pytest.raises(InvalidValue) as info:
        validate_resident_id("110105194912310029")
    assert info.value.code == "resident_id_checksum"
    assert info.value.reason == "身份证号校验位错误"
    assert str(info.value) == "身份证号校验位错误"
    assert isinstance(info.value, ValueError)


@settings(deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_generated_ids_validate(birth: date, seq: int) -> None:
    rid = make_resident_id("500103", birth, seq)
    assert validate_resident_id(rid) == rid
    assert resident_id_birth_date(rid) == birth
    assert resident_id_gender(rid) == ("M" if seq % 2 else "F")


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_caught(pos: int, delta: int) -> None:
    rid = make_resident_id("500103", date(1985, 6, 15), 42)
    changed = rid[:pos] + str((int(rid[pos]) + delta) % 10) + rid[pos + 1 :]
    with pytest.raises(InvalidValue):
        validate_resident_id(changed)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (GB_EXAMPLE_ID, "110***********002X"),
        ("50010319900101123x", "500***********123X"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_keeps_first_three_and_last_four(value: str, masked: str) -> None:
    assert mask_resident_id(value) == masked


@settings(deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 999))
def test_mask_never_reveals_the_middle(birth: date, seq: int) -> None:
    rid = make_resident_id("500103", birth, seq)
    masked = mask_resident_id(rid)
    assert len(masked) == 18
    assert masked[3:14] == "*" * 11
    assert rid[6:14] not in masked


# --- unified social credit code ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91330100799655058B", "9144030071526726XG", "914403001922038216"],
)
def test_published_credit_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]


def test_credit_code_lower_case_is_upper_cased() -> None:
    assert validate_credit_code("9144030071526726xg") == "9144030071526726XG"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9144030071526726X", "credit_code_length"),
        ("9144030071526726XGG", "credit_code_length"),
        ("9144030071526726XH", "credit_code_checksum"),
        ("9144030071526726XI", "credit_code_format"),  # I is not in the alphabet
        ("91440300715267260Z", "credit_code_format"),
        ("O144030071526726XG", "credit_code_format"),
        ("9144030071526726X\x00", "credit_code_control_character"),
    ],
)
def test_credit_code_rejections(value: str, code: str) -> None:
    assert _code(validate_credit_code, value) == code


def test_check_value_31_maps_to_zero() -> None:
    # Search a prefix whose weighted sum is a multiple of 31: its check character must be "0".
    for n in range(10_000):
        first17 = f"9150000{n:010d}"
        total = sum(
            CREDIT_CODE_ALPHABET.index(c) * w
            for c, w in zip(
                first17, (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), strict=True
            )
        )
        if total % 31 == 0:
            assert credit_code_check_char(first17) == "0"
            return
    pytest.fail("no prefix with sum ≡ 0 (mod 31) found")


@settings(deadline=None)
@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_generated_credit_codes_validate(first17: str) -> None:
    code = make_credit_code(first17)
    assert validate_credit_code(code) == code


@settings(deadline=None)
@given(
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17),
    st.integers(0, 17),
    st.integers(1, 30),
)
def test_any_single_character_change_is_caught(first17: str, pos: int, delta: int) -> None:
    code = make_credit_code(first17)
    new = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(code[pos]) + delta) % 31]
    with pytest.raises(InvalidValue):
        validate_credit_code(code[:pos] + new + code[pos + 1 :])


# --- institution and occupation codes ---------------------------------------------------------------------


def test_institution_code_is_seven_digits() -> None:
    assert validate_institution_code(" 5001234 ") == "5001234"
    for bad in ["500123", "50012345", "500123A", "５００１２３４", "500 1234"]:
        assert _code(validate_institution_code, bad).startswith("institution_code_")


@pytest.mark.parametrize("code", ["4-09-10-05", "6-02-06-11", "4-12-02-01", "1-01-00-01", "8-00-00-00"])
def test_occupation_codes_from_the_seeds_are_valid(code: str) -> None:
    assert validate_occupation_code(code) == code


@pytest.mark.parametrize(
    "value",
    [
        "0-09-10-05",
        "9-09-10-05",
        "4-9-10-05",
        "4-09-10",
        "4-09-10-05-01",
        "4091005",
        "4－09－10－05",
        "4.09.10.05",
    ],
)
def test_occupation_code_rejections(value: str) -> None:
    assert _code(validate_occupation_code, value).startswith("occupation_code_")


def test_non_string_is_rejected() -> None:
    assert _code(validate_resident_id, 110105194912310020) == "resident_id_type"


# --- pydantic types ---------------------------------------------------------------------------------------


class Applicant(BaseModel):
    id_number: ResidentId
    credit_code: CreditCode
    institution: InstitutionCode
    occupation: OccupationCode


GOOD = {
    "id_number": " 11010519491231002x ",
    "credit_code": "91350100M000100Y43",
    "institution": "5001234",
    "occupation": "4-09-10-05",
}


def test_model_normalises() -> None:
    a = Applicant.model_validate(GOOD)
    assert a.id_number == GB_EXAMPLE_ID
    assert a.occupation == "4-09-10-05"


def test_pydantic_error_has_chinese_message_and_stable_type() -> None:
    with pytest.raises(ValidationError) as info:
        Applicant.model_validate({**GOOD, "id_number": "110105194912310029"})
    (err,) = info.value.errors()
    assert err["type"] == "resident_id_checksum"
    assert err["msg"] == "身份证号校验位错误"
    assert err["loc"] == ("id_number",)


def test_every_bad_field_is_reported() -> None:
    bad = {"id_number": "1", "credit_code": "X", "institution": "12", "occupation": "4-09"}
    with pytest.raises(ValidationError) as info:
        Applicant.model_validate(bad)
    types = {e["type"] for e in info.value.errors()}
    assert types == {
        "resident_id_length",
        "credit_code_length",
        "institution_code_format",
        "occupation_code_format",
    }
    assert not any(e["msg"].startswith("Value error") for e in info.value.errors())


def test_control_characters_rejected_through_pydantic() -> None:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(InstitutionCode).validate_python("500\x001234")
    assert info.value.errors()[0]["type"] == "institution_code_control_character"


def test_json_schema_documents_pattern_and_examples() -> None:
    schema = Applicant.model_json_schema()["properties"]
    assert schema["id_number"]["pattern"] == r"^[0-9]{17}[0-9Xx]$"
    assert schema["id_number"]["examples"] == [GB_EXAMPLE_ID]
    assert schema["occupation"]["examples"] == ["4-09-10-05"]
    assert schema["institution"]["pattern"] == r"^[0-9]{7}$"
    for example_field, adapter in (("credit_code", CreditCode), ("occupation", OccupationCode)):
        example = schema[example_field]["examples"][0]
        assert TypeAdapter(adapter).validate_python(example) == example
