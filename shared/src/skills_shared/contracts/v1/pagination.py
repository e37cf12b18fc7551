"""The one pagination envelope of every list in the suite: page number and page size, with the total.

Page numbers were chosen over cursors because offices page through rosters and queues by number ("第 3 页，共
12 页") and every list here is bounded (a district's claims, a body's batches); the envelope is the same on every
service and on the gateway, so a generated client has one ``Page`` shape to handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, where they sit, and how many there are in all."""

    model_config = ConfigDict(extra="forbid")

    items: list[T]
    page: int = Field(ge=1, description="This page's number, from 1.")
    page_size: int = Field(ge=1, le=MAX_PAGE_SIZE, description="Items per page asked for.")
    total: int = Field(ge=0, description="Items in the whole list under the same filters.")


@dataclass(frozen=True, slots=True)
class PageParams:
    """``?page=&page_size=`` of a list route, with the SQL offset and limit they mean."""

    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size

    def wrap(self, items: Sequence[T], total: int) -> Page[T]:
        """The envelope for ``items`` of this page out of ``total``."""
        return Page[T](items=list(items), page=self.page, page_size=self.page_size, total=total)


async def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}.")
    ] = 50,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


PageDep = Annotated[PageParams, Depends(page_params)]
