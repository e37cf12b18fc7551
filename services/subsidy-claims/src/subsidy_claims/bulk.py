"""Bulk writes refuse a repeated key in their input, naming both rows (before any SQL runs).

A table load is one upsert; two rows with one key would either make PostgreSQL refuse the whole statement ("ON
CONFLICT DO UPDATE command cannot affect row a second time", a 500) or let the later row silently win. Neither
tells the operator which rows disagree, so the load is refused with a 422 listing every repeated row and the row
it repeats.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from skills_shared.problems import FieldError
from skills_shared.refusals import Refusal

T = TypeVar("T")


def duplicate_pairs(rows: Sequence[T], key: Callable[[T], Hashable]) -> list[tuple[int, int]]:
    """(first index, repeating index) for every row whose key an earlier row already has."""
    first: dict[Hashable, int] = {}
    pairs: list[tuple[int, int]] = []
    for index, row in enumerate(rows):
        k = key(row)
        if k in first:
            pairs.append((first[k], index))
        else:
            first[k] = index
    return pairs


def refuse_duplicates(
    rows: Sequence[T],
    key: Callable[[T], Hashable],
    *,
    field: str,
    what_zh: str,
    rule: str | None = None,
) -> None:
    """Raise a 422 ``duplicate_rows`` naming both rows of each repeated key; nothing otherwise.

    ``field`` is the body member holding the rows (``entries``, ``amounts``…), ``what_zh`` what the key is in
    Chinese (“职业（工种）”), so the detail reads “第 3 行与第 1 行的职业（工种）相同”.
    """
    pairs = duplicate_pairs(rows, key)
    if not pairs:
        return
    errors = [
        FieldError(
            loc=["body", field, later],
            msg=f"第{later + 1}行与第{earlier + 1}行的{what_zh}相同，每项只能出现一次",
            type="duplicate_row",
        )
        for earlier, later in pairs
    ]
    earlier, later = pairs[0]
    raise Refusal(
        rule,
        "duplicate_rows",
        f"第{later + 1}行与第{earlier + 1}行的{what_zh}相同，每项只能出现一次；请合并或删除重复行后重新提交",
        errors=errors,
        extra={"duplicates": [{"rows": [earlier, later], "field": field} for earlier, later in pairs]},
    )
