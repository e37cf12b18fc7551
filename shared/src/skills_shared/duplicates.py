"""Every bulk write of the suite refuses a repeated row in its input, naming both rows, before anything is written.

A list that names the same holder, site, voucher type or voucher twice is a mistake in the sender's file: storing
one of the two silently would hide it, and an upsert that meets the same key twice in one statement fails with a
500 (issue 20 item 4). So each bulk route of every service runs :func:`refuse_repeats` on its list first; the
answer is one 422 ``duplicate_rows`` listing every repeated row, each pointing at the later row (``loc``) and
naming the earlier one, with ``duplicates`` carrying both 0-based indexes for a program.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from skills_shared.problems import FieldError
from skills_shared.refusals import Refusal

T = TypeVar("T")

CODE = "duplicate_rows"


def find_repeats(rows: Sequence[T], key: Callable[[T], Hashable]) -> list[tuple[int, int]]:
    """(earlier index, later index) for every row whose key an earlier row already had."""
    first: dict[Hashable, int] = {}
    pairs: list[tuple[int, int]] = []
    for index, row in enumerate(rows):
        earlier = first.setdefault(key(row), index)
        if earlier != index:
            pairs.append((earlier, index))
    return pairs


def refuse_repeats(
    rows: Sequence[T],
    key: Callable[[T], Hashable],
    *,
    field: str,
    member: str | None,
    what_zh: str,
    list_zh: str,
    rule: str | None = None,
) -> None:
    """Raise a 422 naming both rows of every repeat in ``rows`` (the body member ``field``); nothing otherwise.

    ``member`` is the row's member the key is made of (``id_number``), or None when the rows are plain values;
    ``what_zh`` names the key in Chinese (身份证号), ``list_zh`` the list (发放名单) and ``rule`` the policy rule
    the uniqueness comes from, when one does.
    """
    pairs = find_repeats(rows, key)
    if not pairs:
        return
    tail = [member] if member else []
    errors = [
        FieldError(
            loc=["body", field, later, *tail],
            msg=f"{list_zh}第{later + 1}项与第{earlier + 1}项的{what_zh}重复",
            type=CODE,
        )
        for earlier, later in pairs
    ]
    duplicates: list[dict[str, Any]] = [
        {"rows": [earlier, later], "field": field, "member": member} for earlier, later in pairs
    ]
    earlier, later = pairs[0]
    more = f"等{len(pairs)}处" if len(pairs) > 1 else ""
    raise Refusal(
        rule,
        CODE,
        f"{list_zh}第{later + 1}项与第{earlier + 1}项的{what_zh}重复{more}；"
        "请删去重复的项后重新提交，本次未保存任何内容",
        errors=errors,
        extra={"duplicates": duplicates},
    )
