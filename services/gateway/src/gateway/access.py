"""Who may call which gateway route (DESIGN.md roles); the services check again with the forwarded token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from skills_shared.auth import Principal, Role, require

CITIZEN_ROLES = (Role.CITIZEN,)
BODY_ROLES = (Role.ORG_STAFF, Role.ORG_ADMIN)
BODY_APPLICANT_ROLES = (Role.ORG_ADMIN,)
OFFICER_ROLES = (Role.DISTRICT_OFFICER, Role.CITY_OFFICER)
REDEEMER_ROLES = (Role.INSTITUTION_STAFF, Role.INSTITUTION_ADMIN)

Citizen = Annotated[Principal, Depends(require(*CITIZEN_ROLES))]
BodyStaff = Annotated[Principal, Depends(require(*BODY_ROLES))]
BodyApplicant = Annotated[Principal, Depends(require(*BODY_APPLICANT_ROLES))]
Officer = Annotated[Principal, Depends(require(*OFFICER_ROLES))]
Redeemer = Annotated[Principal, Depends(require(*REDEEMER_ROLES))]
