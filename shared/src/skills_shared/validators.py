"""Identifier checks (resident ID, credit code, institution and occupation codes) and their pydantic types."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_WEIGHTS",
    "RESIDENT_ID_WEIGHTS",
    "CreditCode",
    "InstitutionCode",
    "InvalidValue",
    "IsoDate",
    "OccupationCode",
    "PersonName",
    "ResidentId",
    "clean_text",
    "credit_code_check_char",
    "make_credit_code",
    "make_resident_id",
    "mask_resident_id",
    "resident_id_birth_date",
    "resident_id_check_char",
    "resident_id_gender",
    "validate_credit_code",
    "validate_institution_code",
    "validate_occupation_code",
    "validate_person_name",
    "validate_resident_id",
]

_SHANGHAI = ZoneInfo("Asia/Shanghai")


class InvalidValue(ValueError):
    """A value failed validation.

    ``code`` is stable snake_case English for clients and tests; ``reason`` is the Chinese message a citizen
    reads, and is also ``str(exc)``.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"InvalidValue(code={self.code!r}, reason={self.reason!r})"


def _is_fullwidth_ascii(ch: str) -> bool:
    return "\uff01" <= ch <= "\uff5e"


def clean_text(value: str, prefix: str, label: str) -> str:
    """Strip surrounding whitespace and refuse control, invisible or full-width characters.

    Codes that travel through logs, databases and URLs must be plain ASCII; a full-width digit typed in a
    Chinese input method looks right on screen but is a different character, so it is refused with a message
    that says so rather than silently mismatching later. ``prefix`` builds the error code, ``label`` names the
    field in the Chinese reason.
    """
    if not isinstance(value, str):
        raise InvalidValue(f"{prefix}_type", f"{label}必须是字符串")
    text = value.strip()
    if not text:
        raise InvalidValue(f"{prefix}_empty", f"{label}不能为空")
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InvalidValue(f"{prefix}_control_character", f"{label}含有控制字符或不可见字符")
        if _is_fullwidth_ascii(ch) or ch == "\u3000":
            raise InvalidValue(f"{prefix}_fullwidth", f"{label}含有全角字符，请使用半角数字和字母")
    return text


# --- Resident ID (GB 11643-1999) -------------------------------------------------------------------------

RESIDENT_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"  # index = weighted sum mod 11 (ISO 7064 MOD 11-2)
_RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


def resident_id_check_char(first17: str) -> str:
    """Check character of a resident ID from its first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidValue("resident_id_format", "身份证号前17位必须是数字")
    total = sum(int(ch) * w for ch, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


_today_cache: list[Any] = [float("-inf"), date.min]


def _today() -> date:
    """Today in Shanghai, read from the clock at most once a second: bulk lists validate 300,000 IDs at once."""
    now = time.monotonic()
    if now - _today_cache[0] > 1.0:
        _today_cache[0], _today_cache[1] = now, datetime.now(_SHANGHAI).date()
    today: date = _today_cache[1]
    return today


_CANONICAL_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")


def validate_resident_id(value: str) -> str:
    """Validate an 18-character resident ID number and return it normalised (upper-case X).

    Checks, in order: length, digits (last may be X or x), the birth date inside it (a real date, not before
    1900, not in the future in Asia/Shanghai), then the check character. The region code (first 6 digits) is
    deliberately not checked against a region table: region codes are retired and renumbered over time (people
    born in Chongqing before 1997 carry 51… numbers) and a valid person must never be turned away; the
    checksum already catches typing errors.
    """
    if isinstance(value, str) and len(value) == 18 and _CANONICAL_RESIDENT_ID.fullmatch(value):
        text = value  # already canonical ASCII: nothing to strip or refuse, so skip the per-character scan
    else:
        text = clean_text(value, "resident_id", "身份证号").upper()
    if len(text) != 18:
        raise InvalidValue("resident_id_length", f"身份证号应为18位，实际为{len(text)}位")
    if not _RESIDENT_ID_RE.fullmatch(text):
        raise InvalidValue("resident_id_format", "身份证号前17位必须是数字，最后一位为数字或X")
    _birth_date_of(text)
    if resident_id_check_char(text[:17]) != text[17]:
        raise InvalidValue("resident_id_checksum", "身份证号校验位错误")
    return text


def _birth_date_of(text: str) -> date:
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidValue("resident_id_birth_date", "身份证号中的出生日期无效") from None
    if born < _EARLIEST_BIRTH:
        raise InvalidValue("resident_id_birth_date", "身份证号中的出生日期早于1900年")
    if born > _today():
        raise InvalidValue("resident_id_birth_date", "身份证号中的出生日期晚于今天")
    return born


def resident_id_birth_date(value: str) -> date:
    """Birth date carried in a resident ID (digits 7–14); validates the whole ID first."""
    return _birth_date_of(validate_resident_id(value))


def resident_id_gender(value: str) -> Literal["M", "F"]:
    """'M' or 'F' from the parity of the 17th digit (odd = male); validates the whole ID first."""
    return "M" if int(validate_resident_id(value)[16]) % 2 == 1 else "F"


def mask_resident_id(value: str) -> str:
    """Mask an ID number for public output and logs: first 3 and last 4 characters kept, "500***********123X".

    Never raises and never returns the input unmasked, whatever it is: masking happens on output paths where
    an exception would be worse than an over-masked value. Anything shorter than 8 characters is fully masked.
    """
    text = str(value).strip().upper()
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def make_resident_id(region6: str, birth: date, seq3: str | int) -> str:
    """A valid resident ID from region, birth date and 3-digit sequence (odd = male); for test fixtures."""
    seq = f"{seq3:03d}" if isinstance(seq3, int) else seq3
    first17 = f"{region6}{birth:%Y%m%d}{seq}"
    if len(region6) != 6 or not region6.isdigit() or len(seq) != 3 or not seq.isdigit():
        raise InvalidValue("resident_id_format", "地区码应为6位数字，顺序码应为3位数字")
    return first17 + resident_id_check_char(first17)


# --- Unified social credit code (GB 32100-2015) ----------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
CREDIT_CODE_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}


def credit_code_check_char(first17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015): 31 - (weighted sum mod 31), 31 → 0."""
    text = first17.upper()
    if len(text) != 17 or any(ch not in _CREDIT_VALUE for ch in text):
        raise InvalidValue("credit_code_format", "统一社会信用代码前17位含有不允许的字符")
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(text, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code and return it upper-cased.

    Only the length, the 31-character alphabet and the GB 32100 check character are enforced; the embedded
    organisation code is not checked separately, since the check character already covers all 17 characters.
    """
    text = clean_text(value, "credit_code", "统一社会信用代码").upper()
    if len(text) != 18:
        raise InvalidValue("credit_code_length", f"统一社会信用代码应为18位，实际为{len(text)}位")
    if any(ch not in _CREDIT_VALUE for ch in text):
        raise InvalidValue(
            "credit_code_format", "统一社会信用代码只能由数字和大写字母组成（不含I、O、Z、S、V）"
        )
    if credit_code_check_char(text[:17]) != text[17]:
        raise InvalidValue("credit_code_checksum", "统一社会信用代码校验位错误")
    return text


def make_credit_code(first17: str) -> str:
    """A valid credit code from its first 17 characters; for fixtures and tests."""
    return first17.upper() + credit_code_check_char(first17)


# --- Training-institution code (seed 004 附件2) ------------------------------------------------------------

_INSTITUTION_RE = re.compile(r"[0-9]{7}")


def validate_institution_code(value: str) -> str:
    """Validate a training institution's code (V-6): exactly 7 ASCII digits.

    Seed 004 附件2 says only "必须使用培训系统中的培训机构7位编码"; it defines no check digit, so none is
    invented here — a made-up checksum would reject real codes issued by the training system.
    """
    text = clean_text(value, "institution_code", "培训机构编码")
    if not _INSTITUTION_RE.fullmatch(text):
        raise InvalidValue("institution_code_format", "培训机构编码应为7位数字")
    return text


# --- Occupation code (职业分类大典) -------------------------------------------------------------------------

_OCCUPATION_RE = re.compile(r"[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}")


def validate_occupation_code(value: str) -> str:
    """Validate an occupation code in 大典 format, e.g. "4-09-10-05": major group 1–8, three 2-digit groups.

    Only the 4-part occupation (细类) code is accepted: none of the seeds gives a 工种 a code of its own
    (forms carry the 工种 by name, "——" when there is none), so a 5-part form is not invented.
    """
    text = clean_text(value, "occupation_code", "职业编码")
    if not _OCCUPATION_RE.fullmatch(text):
        raise InvalidValue(
            "occupation_code_format", "职业编码格式应为“4-09-10-05”（1位大类，再加三组2位数字）"
        )
    return text


# --- Personal names -----------------------------------------------------------------------------------

PERSON_NAME_MAX = 50
_NAME_MARKS = frozenset("·•・.-'")
"""Separators that occur inside real names: the middle dot of transliterated and minority names (阿卜杜·热合曼),
its katakana and bullet look-alikes, and the period, hyphen and apostrophe of Latin-script names."""


def validate_person_name(value: str) -> str:
    """A person's name as printed on an ID card or certificate, NFC-normalised and stripped.

    Built from the certificate registry's name check (no control or invisible character), tightened for
    names: only letters (any script), combining marks, the separators of ``_NAME_MARKS`` and single inner ASCII
    spaces. That refuses right-to-left overrides and zero-width joiners (category Cf), which make a name
    display differently from what is stored; full-width Latin and the ideographic space U+3000, which look
    like their half-width twins but never match a record; digits; and emoji and other symbols, which no ID
    card carries. Each refusal names what was wrong, in Chinese.
    """
    if not isinstance(value, str):
        raise InvalidValue("person_name_type", "姓名必须是字符串")
    text = unicodedata.normalize("NFC", value).strip(" ")
    if not text:
        raise InvalidValue("person_name_empty", "姓名不能为空")
    if len(text) > PERSON_NAME_MAX:
        raise InvalidValue("person_name_length", f"姓名不能超过{PERSON_NAME_MAX}个字符")
    previous = ""
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "C":
            raise InvalidValue(
                "person_name_invisible", "姓名含有控制字符或不可见字符（如方向控制符、零宽字符）"
            )
        if _is_fullwidth_ascii(ch) or ch == "\u3000":
            raise InvalidValue("person_name_fullwidth", "姓名含有全角字母、符号或全角空格，请使用半角字符")
        if ch == " ":
            if previous == " ":
                raise InvalidValue("person_name_spaces", "姓名中不能有连续空格")
        elif category[0] == "Z":
            raise InvalidValue("person_name_space", "姓名中只能使用普通半角空格")
        elif category[0] == "N":
            raise InvalidValue("person_name_digit", "姓名不能含有数字")
        elif category[0] == "S" or ch in "\u200d\ufe0f":
            raise InvalidValue("person_name_symbol", "姓名不能含有表情符号或其他符号")
        elif category[0] not in "LM" and ch not in _NAME_MARKS:
            raise InvalidValue("person_name_character", f"姓名不能含有字符“{ch}”")
        previous = ch
    return text


# --- pydantic types --------------------------------------------------------------------------------------


def _pydantic(check: Callable[[str], str]) -> Callable[[str], str]:
    """Turn InvalidValue into PydanticCustomError, so a 422 carries the Chinese reason and a stable type."""

    def run(value: str) -> str:
        try:
            return check(value)
        except InvalidValue as exc:
            raise PydanticCustomError(exc.code, exc.reason) from None

    return run


def _schema(description: str, pattern: str, examples: list[str]) -> WithJsonSchema:
    schema: dict[str, Any] = {
        "type": "string",
        "description": description,
        "pattern": pattern,
        "examples": examples,
    }
    return WithJsonSchema(schema)


ResidentId = Annotated[
    str,
    AfterValidator(_pydantic(validate_resident_id)),
    _schema(
        "居民身份证号码（GB 11643-1999，含校验位，末位X大写）", r"^[0-9]{17}[0-9Xx]$", ["11010519491231002X"]
    ),
]
CreditCode = Annotated[
    str,
    AfterValidator(_pydantic(validate_credit_code)),
    _schema(
        "统一社会信用代码（GB 32100-2015，含校验位）",
        r"^[0-9A-HJ-NPQRTUWXY]{18}$",
        ["91350100M000100Y43"],
    ),
]
InstitutionCode = Annotated[
    str,
    AfterValidator(_pydantic(validate_institution_code)),
    _schema("培训机构7位编码（培训系统编码）", r"^[0-9]{7}$", ["5000123"]),
]
OccupationCode = Annotated[
    str,
    AfterValidator(_pydantic(validate_occupation_code)),
    _schema("职业编码（职业分类大典格式）", r"^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$", ["4-09-10-05"]),
]
PersonName = Annotated[
    str,
    AfterValidator(_pydantic(validate_person_name)),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": PERSON_NAME_MAX,
            "description": "姓名：文字、中间点（·）及半角空格；"
            "不含控制字符、零宽字符、全角字母、全角空格、数字或表情符号",
            "examples": ["张三", "阿卜杜·热合曼"],
        }
    ),
]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_only(value: Any) -> Any:
    """Let only a ``YYYY-MM-DD`` string (or a date) through to pydantic's date parsing.

    Pydantic's lax date also takes integers and floats as Unix timestamps, so ``{"as_of": 0}`` became
    1970-01-01 and ``true`` a day in 1970; a client that sends a number meant something else, and is told.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "日期应为“YYYY-MM-DD”格式的字符串")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
"""A calendar date given only as an ISO ``YYYY-MM-DD`` string: numbers and booleans are refused."""
