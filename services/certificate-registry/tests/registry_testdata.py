"""Valid resident ID numbers with a correct GB 11643 checksum, for tests, demo data and benchmarks."""

from __future__ import annotations

import random

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def with_checksum(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK[total % 11]


def make_id(seq: int, *, male: bool = True, birth: str = "19900307", area: str = "500106") -> str:
    """A valid ID number; `seq` picks the 3-digit order code (odd for men, even for women)."""
    order = (seq * 2 + (1 if male else 0)) % 1000
    return with_checksum(f"{area}{birth}{order:03d}")


def bad_checksum(id_number: str) -> str:
    last = id_number[-1]
    replacement = "0" if last != "0" else "1"
    return id_number[:-1] + replacement


def check_id(id_number: str) -> str | None:
    """Reference checker used by pure tests (the service uses skills_shared.validators)."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return "身份证号码格式不正确"
    if with_checksum(id_number[:17]) != id_number:
        return "身份证号码校验位不正确"
    return None


def random_ids(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        birth = f"{rng.randint(1960, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        candidate = with_checksum(f"500{rng.randint(100, 299)}{birth}{rng.randint(0, 999):03d}")
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out
