"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from subsidy_claims.claims import models as claims_models
from subsidy_claims.db import Base
from subsidy_claims.policies import models as policies_models

__all__ = ["Base", "claims_models", "policies_models"]
