"""CR-1 certificate numbers (seed 001 附件5): build, parse, validate and explain the 22 characters."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, TypeGuard

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from skills_shared.reference import (
    BODY_CATEGORIES,
    CQ_FILING_PLACES,
    CQ_PROVINCE_CODE,
    PROVINCE_CODES,
    SkillLevel,
)

__all__ = [
    "BODY_CODE_LENGTH",
    "CHONGQING_ROUTE",
    "LENGTH",
    "RULE",
    "BodyCode",
    "CertificateNumber",
    "CertificateNumberError",
    "CertificateNumberStr",
    "body_code",
    "build",
    "decode",
    "parse",
    "parse_body_code",
    "parts",
    "validate",
    "validate_body_code",
]

RULE = "CR-1"
LENGTH = 22
BODY_CODE_LENGTH = 13
CHONGQING_ROUTE = "0000"  # 经我市人力社保部门备案的评价机构固定取值为0000


class CertificateNumberError(ValueError):
    """One problem in a certificate number (CR-1): the 1-based ``position`` of the first character at fault,
    a stable English ``code`` and a Chinese ``reason``.

    Length errors name the first position that is missing (``len + 1``) or the first one too many (23), so
    every error points at a place in the string.
    """

    rule = RULE

    def __init__(self, position: int, reason: str, code: str) -> None:
        self.position = position
        self.reason = reason
        self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"证书编号第{self.position}位：{self.reason}"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CertificateNumberError(position={self.position}, code={self.code!r}, reason={self.reason!r})"

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "code": self.code, "reason": self.reason, "rule": RULE}


@dataclass(frozen=True, slots=True)
class BodyCode:
    """The 13-character evaluation-body code (certificate positions 1–13) assigned at filing (OF-4)."""

    category: str
    route: str
    province: str
    place: str
    sequence: int

    def __post_init__(self) -> None:
        problems = _check_body_fields(self.category, self.route, self.province, self.place, self.sequence)
        if problems:
            raise problems[0]

    def __str__(self) -> str:
        return f"{self.category}{self.route}{self.province}{self.place}{self.sequence:04d}"


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    """A parsed certificate number (CR-1). ``year`` is the two-digit year of issue (0–99), ``level`` 1–5."""

    category: str
    route: str
    province: str
    place: str
    sequence: int
    year: int
    level: int
    serial: int

    def __post_init__(self) -> None:
        problems = _check_body_fields(self.category, self.route, self.province, self.place, self.sequence)
        problems += _check_tail_fields(self.year, self.level, self.serial)
        if problems:
            raise problems[0]

    @property
    def body_code(self) -> str:
        """The body's 13-character code: category + route + province + place + sequence."""
        return f"{self.category}{self.route}{self.province}{self.place}{self.sequence:04d}"

    @property
    def skill_level(self) -> SkillLevel:
        return SkillLevel(self.level)

    def __str__(self) -> str:
        return f"{self.body_code}{self.year:02d}{self.level}{self.serial:06d}"


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _digits_field(
    value: object, start: int, width: int, name: str, code: str
) -> CertificateNumberError | None:
    """A problem when ``value`` is not exactly ``width`` ASCII digits, else None."""
    if not isinstance(value, str) or len(value) != width or not value.isascii() or not value.isdigit():
        return CertificateNumberError(start, f"{name}应为{width}位数字", f"certificate_number_{code}")
    return None


def _check_body_fields(
    category: object, route: object, province: object, place: object, sequence: object
) -> list[CertificateNumberError]:
    """Field-level CR-1 checks for positions 1–13 (used when building from parts)."""
    problems: list[CertificateNumberError] = []
    if not isinstance(category, str) or category not in BODY_CATEGORIES:
        problems.append(_category_error(category))
    err = _digits_field(route, 2, 4, "备案途径代码", "route")
    if err:
        problems.append(err)
    err = _digits_field(province, 6, 2, "省级代码", "province")
    if err:
        problems.append(err)
    elif province not in PROVINCE_CODES:
        problems.append(_province_error(str(province)))
    err = _digits_field(place, 8, 2, "备案地代码", "place")
    if err:
        problems.append(err)
    elif province == CQ_PROVINCE_CODE and place not in CQ_FILING_PLACES:
        problems.append(_place_error(str(place)))
    if not _is_int(sequence) or not 1 <= sequence <= 9999:
        problems.append(
            CertificateNumberError(10, "评价机构序列码应为0001–9999", "certificate_number_sequence")
        )
    return problems


def _check_tail_fields(year: object, level: object, serial: object) -> list[CertificateNumberError]:
    problems: list[CertificateNumberError] = []
    if not _is_int(year) or not 0 <= year <= 99:
        problems.append(
            CertificateNumberError(14, "年份代码应为两位数字（公元纪年后两位）", "certificate_number_year")
        )
    if not _is_int(level) or not 1 <= level <= 5:
        problems.append(_level_error())
    if not _is_int(serial) or not 1 <= serial <= 999_999:
        problems.append(_serial_error())
    return problems


def _category_error(ch: object) -> CertificateNumberError:
    if isinstance(ch, str) and ch.upper() in BODY_CATEGORIES:
        return CertificateNumberError(
            1, f"机构类别代码应为大写字母{ch.upper()}", "certificate_number_category_lowercase"
        )
    return CertificateNumberError(
        1, "机构类别代码应为大写字母S（社会培训评价组织）或Y（用人单位）", "certificate_number_category"
    )


def _province_error(province: str) -> CertificateNumberError:
    return CertificateNumberError(6, f"省级代码{province}不存在", "certificate_number_province")


def _place_error(place: str) -> CertificateNumberError:
    return CertificateNumberError(
        8, f"备案地代码{place}不在重庆市备案地代码表（00–41）中", "certificate_number_place"
    )


def _level_error() -> CertificateNumberError:
    return CertificateNumberError(16, "等级代码应为1–5", "certificate_number_level")


def _serial_error() -> CertificateNumberError:
    return CertificateNumberError(17, "证书序列码应为000001–999999", "certificate_number_serial")


def _char_error(pos: int, ch: str) -> CertificateNumberError | None:
    """Problem with one character that should be an ASCII digit, or None."""
    if "0" <= ch <= "9":
        return None
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return CertificateNumberError(pos, "含有控制字符或不可见字符", "certificate_number_control_character")
    if "\uff01" <= ch <= "\uff5e" or ch == "\u3000":
        return CertificateNumberError(pos, "含有全角字符，请使用半角数字", "certificate_number_fullwidth")
    return CertificateNumberError(pos, "应为数字0–9", "certificate_number_not_digit")


def _scan(s: str, width: int) -> list[CertificateNumberError]:
    """All problems of a certificate number (width 22) or body code (width 13), ordered by position."""
    problems: list[CertificateNumberError] = []
    n = len(s)
    first = s[:1]
    if n >= 1 and first not in BODY_CATEGORIES:
        # A control or full-width character says more than "not S or Y"; a wrong letter or digit does not.
        err = _char_error(1, first)
        if err is None or err.code == "certificate_number_not_digit":
            err = _category_error(first)
        problems.append(err)
    for i in range(1, min(n, width)):
        err = _char_error(i + 1, s[i])
        if err:
            problems.append(err)

    def field(a: int, b: int) -> str | None:
        """Characters at positions a..b (1-based), if all present and ASCII digits."""
        part = s[a - 1 : b]
        return part if len(part) == b - a + 1 and part.isascii() and part.isdigit() else None

    province = field(6, 7)
    if province is not None and province not in PROVINCE_CODES:
        problems.append(_province_error(province))
    place = field(8, 9)
    if place is not None and province == CQ_PROVINCE_CODE and place not in CQ_FILING_PLACES:
        problems.append(_place_error(place))
    if field(10, 13) == "0000":
        problems.append(
            CertificateNumberError(
                10, "评价机构序列码应为0001–9999，不能为0000", "certificate_number_sequence"
            )
        )
    if width == LENGTH:
        level = field(16, 16)
        if level is not None and level not in "12345":
            problems.append(_level_error())
        if field(17, 22) == "000000":
            problems.append(
                CertificateNumberError(
                    17, "证书序列码应为000001–999999，不能为000000", "certificate_number_serial"
                )
            )
    what = "证书编号" if width == LENGTH else "机构编码"
    if n < width:
        problems.append(
            CertificateNumberError(n + 1, f"{what}应为{width}位，实际只有{n}位", "certificate_number_length")
        )
    elif n > width:
        problems.append(
            CertificateNumberError(
                width + 1, f"{what}应为{width}位，实际为{n}位", "certificate_number_length"
            )
        )
    problems.sort(key=lambda e: e.position)  # stable: within a position, character problems come first
    return problems


def validate(s: str) -> list[CertificateNumberError]:
    """CR-1: every problem of ``s`` as a certificate number, ordered by position; empty when valid.

    Strict: no stripping, no case folding — the caller decides whether to clean input first.
    """
    if not isinstance(s, str):
        return [CertificateNumberError(1, "证书编号必须是字符串", "certificate_number_type")]
    return _scan(s, LENGTH)


def parse(s: str) -> CertificateNumber:
    """CR-1: parse a 22-character certificate number; raises the first problem (lowest position)."""
    problems = validate(s)
    if problems:
        raise problems[0]
    return CertificateNumber(
        category=s[0],
        route=s[1:5],
        province=s[5:7],
        place=s[7:9],
        sequence=int(s[9:13]),
        year=int(s[13:15]),
        level=int(s[15]),
        serial=int(s[16:22]),
    )


def build(
    category: str,
    route: str,
    province: str,
    place: str,
    sequence: int,
    year: int,
    level: int,
    serial: int,
) -> str:
    """CR-1: the 22-character number from its parts. ``year`` is two-digit (0–99); a full year 2000–2099 is
    accepted and reduced to its last two digits, as the seed prescribes (取公元纪年的后两位)."""
    if _is_int(year) and 2000 <= year <= 2099:
        year -= 2000
    return str(CertificateNumber(category, route, province, place, sequence, year, level, serial))


def body_code(category: str, route: str, province: str, place: str, sequence: int) -> str:
    """CR-1 / OF-4: the 13-character body code (positions 1–13) that a filing assigns."""
    return str(BodyCode(category, route, province, place, sequence))


def validate_body_code(s: str) -> list[CertificateNumberError]:
    """Every problem of ``s`` as a 13-character body code, ordered by position; empty when valid."""
    if not isinstance(s, str):
        return [CertificateNumberError(1, "机构编码必须是字符串", "certificate_number_type")]
    return _scan(s, BODY_CODE_LENGTH)


def parse_body_code(s: str) -> BodyCode:
    """Parse a 13-character body code; raises the first problem as a CertificateNumberError."""
    problems = validate_body_code(s)
    if problems:
        raise problems[0]
    return BodyCode(category=s[0], route=s[1:5], province=s[5:7], place=s[7:9], sequence=int(s[9:13]))


def _route_label(route: str, province: str) -> str:
    if route == CHONGQING_ROUTE:
        if province == CQ_PROVINCE_CODE:
            return f"{route} 重庆市人力社保部门备案"
        return f"{route} {PROVINCE_CODES[province]}人力社保部门备案"
    return f"{route} 人力资源社会保障部赋码"


def decode(s: str) -> dict[str, str]:
    """Every part of a certificate number named in Chinese, under stable English keys.

    The year is read as 20yy: the scheme dates from 2020 and the seed gives only the last two digits.
    """
    cn = parse(s)
    province_name = PROVINCE_CODES[cn.province]
    if cn.province == CQ_PROVINCE_CODE:
        place = f"{cn.place} {CQ_FILING_PLACES[cn.place]}"
    else:
        place = f"{cn.place}（{province_name}备案地代码）"
    return {
        "category": f"{cn.category} {BODY_CATEGORIES[cn.category]}",
        "route": _route_label(cn.route, cn.province),
        "province": f"{cn.province} {province_name}",
        "place": place,
        "sequence": f"{cn.sequence:04d}",
        "year": f"{2000 + cn.year}年",
        "level": SkillLevel(cn.level).label,
        "serial": f"{cn.serial:06d}",
        "body_code": cn.body_code,
    }


def parts(s: str) -> dict[str, str | int]:
    """Every part of a certificate number as separate code and name fields (the public decode, CR-1).

    The keys are those of ``contracts.v1.registry.CertificateNumberParts``; the year is read as 20yy, as in
    :func:`decode`. Raises the first fault, like :func:`parse`; callers that list every fault use
    :func:`validate` first.
    """
    cn = parse(s)
    province_name = PROVINCE_CODES[cn.province]
    if cn.province == CQ_PROVINCE_CODE:
        district_name = CQ_FILING_PLACES[cn.place]
    else:
        district_name = f"{province_name}备案地代码{cn.place}"
    level = SkillLevel(cn.level)
    return {
        "number": s,
        "category": cn.category,
        "category_name": BODY_CATEGORIES[cn.category],
        "route": cn.route,
        "route_name": _route_label(cn.route, cn.province).split(" ", 1)[1],
        "province_code": cn.province,
        "province_name": province_name,
        "district_code": cn.place,
        "district_name": district_name,
        "body_sequence": f"{cn.sequence:04d}",
        "body_code": cn.body_code,
        "year": 2000 + cn.year,
        "level_code": cn.level,
        "level_name": level.zh,
        "serial": f"{cn.serial:06d}",
    }


def _pydantic_check(value: str) -> str:
    text = value.strip()
    problems = validate(text)
    if problems:
        first = problems[0]
        raise PydanticCustomError(
            first.code, first.message, {"position": first.position, "reason": first.reason, "rule": RULE}
        )
    return text


CertificateNumberStr = Annotated[
    str,
    AfterValidator(_pydantic_check),
    WithJsonSchema(
        {
            "type": "string",
            "description": "职业技能等级证书编号（22位：1位大写字母S/Y + 21位数字，规则CR-1）",
            "pattern": r"^[SY][0-9]{21}$",
            "minLength": LENGTH,
            "maxLength": LENGTH,
            "examples": ["S000050070012253000123"],
        }
    ),
]
