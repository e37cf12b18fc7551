"""Who may move a filed body through the gateway (the object-level check; org-filing decides the move itself)."""

from __future__ import annotations

from skills_shared.auth import Principal, Role


def require_officer_of_place(principal: Principal, district_code: str) -> None:
    """A district officer acts only on bodies filed in their district; a city officer on all (OF-6)."""
    if principal.role is Role.CITY_OFFICER:
        return
    principal.require_district(district_code)
