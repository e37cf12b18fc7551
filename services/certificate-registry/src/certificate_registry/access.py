"""Object-level access checks shared by the registry's domains (who may see or act on a body's records)."""

from __future__ import annotations

from skills_shared.auth import Principal, Role
from skills_shared.problems import forbidden

BODY_ROLES = (Role.ORG_STAFF, Role.ORG_ADMIN)
OVERSIGHT_ROLES = (Role.CITY_OFFICER, Role.SERVICE, Role.INSPECTOR)


def require_view(principal: Principal, *, body_code: str, place: str) -> None:
    """Body staff see their own body; a district officer the bodies filed in their district; city roles all."""
    if principal.role in BODY_ROLES:
        principal.require_body(body_code)
    elif principal.role is Role.DISTRICT_OFFICER:
        principal.require_district(place)
    elif principal.role not in OVERSIGHT_ROLES:
        raise forbidden(f"角色 {principal.role.value} 无权查看该评价机构的记录", code="forbidden_role")


def require_officer_for(principal: Principal, *, place: str) -> None:
    """A district officer acts for bodies filed in their district (the body's filing place); city officers for all."""
    if principal.role is Role.CITY_OFFICER:
        return
    if principal.role is Role.DISTRICT_OFFICER:
        principal.require_district(place)
        return
    raise forbidden("只有区县或市级人力社保部门可以审核", code="forbidden_role")
