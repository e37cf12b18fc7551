"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from voucher.db import Base
from voucher.institutions.models import Institution, InstitutionSite, RedeemPermission
from voucher.settlement.models import Settlement, SettlementItem
from voucher.training.models import CheckIn, ClassSite, TrainingClass
from voucher.vouchers.models import Campaign, Grant, HolderYearUses, Voucher, VoucherType

__all__ = [
    "Base",
    "Campaign",
    "CheckIn",
    "ClassSite",
    "Grant",
    "HolderYearUses",
    "Institution",
    "InstitutionSite",
    "RedeemPermission",
    "Settlement",
    "SettlementItem",
    "TrainingClass",
    "Voucher",
    "VoucherType",
]
