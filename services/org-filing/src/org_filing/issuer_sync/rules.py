"""The issuer record org-filing sends the registry for each body (``PUT /v1/issuers/{code}``), built as the
registry's own contract (``skills_shared.contracts.v1.registry.IssuerSync``), so a field the registry renames or
drops fails here, at build time and in the contract test, rather than in a message the registry refuses later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from skills_shared.contracts.v1.registry import IssuerScopeItem, IssuerStatus, IssuerSync, Jurisdiction

ISSUER_TARGET = "registry"


@dataclass(frozen=True, slots=True)
class ScopeItem:
    occupation_code: str
    occupation_name: str
    work_types: tuple[str, ...]
    levels: tuple[int, ...]


def issuer_path(code: str) -> str:
    return f"/v1/issuers/{code}"


def issuer_body(
    *,
    name: str,
    status: str,
    scope: Sequence[ScopeItem],
    level_scope: str,
    valid_from: date,
    valid_to: date,
    merged_into: str | None = None,
) -> IssuerSync:
    """The full issuer state: a PUT of the whole record, so replays and reordering converge (CR-3 scope).

    A body cancelled by a merger is sent as ``merged`` with the code of the new body (OF-7, CR-2).
    """
    return IssuerSync(
        name=name,
        status=IssuerStatus.MERGED if merged_into else IssuerStatus(status),
        scope=[
            IssuerScopeItem(
                occupation_code=s.occupation_code,
                occupation_name=s.occupation_name,
                work_types=list(s.work_types),
                levels=sorted(s.levels),
            )
            for s in sorted(scope, key=lambda s: s.occupation_code)
        ],
        level_scope=Jurisdiction(level_scope),
        valid_from=valid_from,
        valid_to=valid_to,
        merged_into=merged_into,
    )
