"""Pure shape of the issuer record the registry keeps for each body (what `PUT /v1/issuers/{code}` receives)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

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
) -> dict[str, Any]:
    """The full issuer state: a PUT of the whole record, so replays and reordering converge (CR-3 scope)."""
    return {
        "name": name,
        "status": status,
        "scope": [
            {
                "occupation_code": s.occupation_code,
                "occupation_name": s.occupation_name,
                "work_types": list(s.work_types),
                "levels": sorted(s.levels),
            }
            for s in sorted(scope, key=lambda s: s.occupation_code)
        ],
        "level_scope": level_scope,
        "valid_from": valid_from.isoformat(),
        "valid_to": valid_to.isoformat(),
    }
