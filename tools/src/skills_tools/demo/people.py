"""The demo world's people and organisations: realistic Chinese names with valid identifiers, always the same.

Pure data, no I/O. Every identifier is built by the suite's own validators (`make_resident_id`, GB 11643;
`make_credit_code`, GB 32100), so the services accept them exactly as they would a real one, and a second load
of the world meets the same people again (which is what makes it idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from skills_shared.validators import make_credit_code, make_resident_id


@dataclass(frozen=True, slots=True)
class Person:
    """A resident with a valid ID number; the ID's 17th digit agrees with the gender."""

    name: str
    id_number: str

    @property
    def gender(self) -> str:
        """男 for an odd sequence digit, 女 for an even one (GB 11643)."""
        return "男" if int(self.id_number[16]) % 2 else "女"

    def ref(self) -> dict[str, str]:
        """The person as the services' forms name one."""
        return {"name": self.name, "id_number": self.id_number}


def _person(name: str, region: str, born: date, seq: int) -> Person:
    return Person(name, make_resident_id(region, born, seq))


# Certificate holders of the issued batches (渝北区 and 大渡口区 residents), one of whom loses the certificate.
HOLDERS: tuple[Person, ...] = (
    _person("张伟", "500112", date(1988, 3, 14), 31),
    _person("王秀英", "500112", date(1991, 7, 2), 42),
    _person("李强", "500104", date(1985, 11, 23), 53),
    _person("刘洋", "500104", date(1993, 1, 9), 65),
    _person("陈静", "500112", date(1990, 5, 30), 86),
    _person("杨帆", "500107", date(1987, 9, 18), 97),
    _person("赵敏", "500107", date(1994, 12, 6), 108),
    _person("黄磊", "500113", date(1986, 4, 27), 119),
    _person("周杰", "500113", date(1992, 8, 15), 131),
    _person("吴婷", "500112", date(1995, 2, 11), 142),
    _person("徐明", "500104", date(1989, 6, 21), 153),
    _person("孙丽", "500107", date(1990, 10, 3), 164),
    _person("宋建军", "500104", date(1983, 8, 1), 255),
    _person("梁晓红", "500104", date(1991, 11, 19), 266),
    _person("许志强", "500107", date(1986, 3, 28), 277),
    _person("邱雨", "500113", date(1996, 5, 5), 288),
)
"""Holders of the two issued batches: the first twelve from the city body, the last four from 大渡口区's."""

CANDIDATES_LATER: tuple[Person, ...] = (
    _person("马超", "500105", date(1984, 2, 19), 175),
    _person("朱红", "500105", date(1992, 3, 8), 186),
    _person("胡军", "500106", date(1988, 12, 29), 197),
    _person("郭芳", "500106", date(1991, 4, 16), 208),
    _person("何勇", "500108", date(1987, 7, 7), 219),
    _person("高洁", "500108", date(1993, 9, 25), 220),
    _person("林涛", "500109", date(1990, 1, 31), 231),
    _person("罗娟", "500109", date(1989, 5, 12), 242),
)
"""Candidates of the batches that are not issued yet (approved, in publicity, draft)."""

STAFF: tuple[Person, ...] = (
    _person("邓建国", "500112", date(1975, 3, 3), 311),
    _person("曹志华", "500104", date(1972, 8, 8), 321),
    _person("彭文博", "500107", date(1970, 6, 16), 331),
    _person("谢晓东", "500113", date(1978, 11, 11), 341),
    _person("韩雪梅", "500112", date(1980, 2, 2), 352),
    _person("唐国强", "500104", date(1968, 9, 9), 361),
)
"""Assessors, supervisors and experts of the bodies' plans and 贯通 registration."""

VOUCHER_HOLDERS: tuple[Person, ...] = (
    _person("冯小燕", "500103", date(1996, 4, 4), 402),
    _person("董海波", "500103", date(1994, 10, 10), 411),
    _person("袁欣怡", "500105", date(1998, 1, 20), 422),
    _person("蒋宏", "500105", date(1992, 6, 6), 431),
    _person("沈玉兰", "500103", date(1990, 3, 15), 442),
    _person("韦嘉", "500105", date(1997, 7, 27), 451),
)
"""Residents issued training vouchers (渝中区 and 大渡口区)."""

INSTITUTION_ADMINS: tuple[Person, ...] = (
    _person("王晓燕", "500103", date(1979, 5, 5), 502),
    _person("蔡明亮", "500104", date(1976, 12, 12), 511),
)
"""The 专员 of the two training institutions (V-6)."""


def credit_code(serial: int) -> str:
    """A valid unified social credit code of a Chongqing enterprise (91 500000 …), one per demo body."""
    return make_credit_code(f"91500000MA6D{serial:05d}")
