"""FastAPI dependencies of the registry: who may call a route, and the neighbours a request talks to."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from certificate_registry.plans.check import PlanChecker
from skills_shared.auth import Role, require

body_staff = require(Role.ORG_STAFF, Role.ORG_ADMIN)
officers = require(Role.DISTRICT_OFFICER, Role.CITY_OFFICER)
viewers = require(
    Role.ORG_STAFF, Role.ORG_ADMIN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR, Role.SERVICE
)
record_readers = require(Role.SERVICE, Role.PARTNER, Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR)
revokers = require(Role.ORG_ADMIN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER)
citizens = require(Role.CITIZEN)
services = require(Role.SERVICE)
reporters = require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR, Role.SERVICE)


async def plan_checker(request: Request) -> PlanChecker:
    """org-filing's plan check, built once per process in the app's lifespan."""
    checker: PlanChecker = request.app.state.plan_checker
    return checker


PlanCheckerDep = Annotated[PlanChecker, Depends(plan_checker)]
