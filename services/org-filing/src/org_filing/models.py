"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from org_filing.applications.models import Application, DistrictThreshold
from org_filing.bodies.models import Body, BodyScope, PlaceCounter, RetiredCode
from org_filing.db import Base
from org_filing.guantong.models import GuantongBody, GuantongQuota
from org_filing.plans.models import Plan
from org_filing.supervision.models import Complaint, Inspection, InspectionAssignment, Violation

__all__ = [
    "Application",
    "Base",
    "Body",
    "BodyScope",
    "Complaint",
    "DistrictThreshold",
    "GuantongBody",
    "GuantongQuota",
    "Inspection",
    "InspectionAssignment",
    "PlaceCounter",
    "Plan",
    "RetiredCode",
    "Violation",
]
