"""Wire shapes of the issuer list: the v1 contract org-filing PUTs and the record a look-up returns."""

from __future__ import annotations

from skills_shared.contracts.v1.registry import IssuerRecord, IssuerScopeItem, IssuerSync

__all__ = ["IssuerRecord", "IssuerScopeItem", "IssuerSync"]
