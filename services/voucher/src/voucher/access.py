"""Who may call what: the role groups of the routes, and the object-level checks the use cases make.

Roles are checked twice on purpose: the route's dependency refuses a wrong role before any work, and the use case
checks the object (which district, which institution, whose voucher), since only it has loaded the object.
"""

from __future__ import annotations

from fastapi import Depends

from skills_shared.auth import Principal, Role, require
from skills_shared.problems import forbidden
from skills_shared.validators import InvalidValue, validate_resident_id

CityOfficer = Depends(require(Role.CITY_OFFICER))
Citizen = Depends(require(Role.CITIZEN))
Officer = Depends(require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER))
OfficerOrAdmin = Depends(require(Role.INSTITUTION_ADMIN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER))
InstitutionAdmin = Depends(require(Role.INSTITUTION_ADMIN))
InstitutionPeople = Depends(require(Role.INSTITUTION_ADMIN, Role.INSTITUTION_STAFF))
DistrictOfficer = Depends(require(Role.DISTRICT_OFFICER))
Watchers = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR, Role.SERVICE))
"""Officers, inspectors and services: campaigns, the institution list, targets."""
InstitutionViewers = Depends(
    require(
        Role.INSTITUTION_STAFF,
        Role.INSTITUTION_ADMIN,
        Role.DISTRICT_OFFICER,
        Role.CITY_OFFICER,
        Role.INSPECTOR,
        Role.SERVICE,
    )
)
"""An institution's own staff, officers, inspectors and services (the gateway reads institution facts)."""
ClassViewers = Depends(
    require(
        Role.INSTITUTION_ADMIN,
        Role.INSTITUTION_STAFF,
        Role.DISTRICT_OFFICER,
        Role.CITY_OFFICER,
        Role.INSPECTOR,
    )
)
SettlementViewers = Depends(
    require(
        Role.INSTITUTION_ADMIN,
        Role.INSTITUTION_STAFF,
        Role.DISTRICT_OFFICER,
        Role.CITY_OFFICER,
        Role.INSPECTOR,
    )
)
Redeemers = Depends(require(Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN))


def citizen_id(principal: Principal) -> str:
    """A citizen's subject is their ID number (DESIGN.md); anything else cannot hold vouchers."""
    if principal.role != Role.CITIZEN:
        raise forbidden("只有持券人本人可以执行此操作", code="forbidden_role")
    try:
        return validate_resident_id(principal.sub)
    except InvalidValue as exc:
        raise forbidden("令牌主体不是有效的身份证号码", code="citizen_subject_invalid") from exc


def require_officer_of(principal: Principal, district_code: str) -> None:
    """Officers act on institutions of their own district; the city office on all."""
    if principal.role not in (Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.SERVICE):
        raise forbidden("只有区县或市级经办人员可以执行此操作", code="forbidden_role")
    principal.require_district(district_code)


def require_institution_viewer(
    principal: Principal, institution_code: str, district_code: str | None
) -> None:
    """Staff of the institution, officers of its district, the city office, inspectors and services."""
    if principal.role in (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN):
        principal.require_institution(institution_code)
        return
    if principal.role in (Role.INSPECTOR, Role.CITY_OFFICER, Role.SERVICE):
        return
    principal.require_district(district_code)


def require_settlement_viewer(principal: Principal, institution_code: str, district_code: str) -> None:
    """The institution itself, officers of its district, the city office and inspectors."""
    if principal.role in (Role.INSTITUTION_ADMIN, Role.INSTITUTION_STAFF):
        principal.require_institution(institution_code)
    elif principal.role != Role.INSPECTOR:
        principal.require_district(district_code)


def redeeming_institution(principal: Principal) -> str:
    """The institution a scanner's token is bound to; a token without one cannot redeem."""
    if principal.role not in (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN) or not principal.institution:
        raise forbidden("只有培训机构核券人员可以核销培训券", code="forbidden_role")
    return principal.institution
