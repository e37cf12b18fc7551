"""Claim and redeem a voucher through the voucher service."""

from __future__ import annotations

from typing import Any

from gateway import paths
from gateway.keys import hop_key, workflow_key
from gateway.relay import json_or_problem
from gateway.upstreams import Upstreams
from gateway.vouchers import rules
from gateway.vouchers.schemas import RedeemIn, VoucherClaimIn
from skills_shared.auth import Principal
from skills_shared.problems import forbidden


class VoucherWorkflow:
    """The institution is checked with voucher before the redeem moves anything."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.voucher = upstreams.voucher
        self.principal = principal
        self.key = workflow_key(key)

    async def claim(self, data: VoucherClaimIn) -> dict[str, Any]:
        """V-4: the holder claims; voucher enforces once per type per year."""
        claimed: dict[str, Any] = json_or_problem(
            await self.voucher.request(
                "POST",
                paths.VOUCHER_CLAIMS,
                json=data.model_dump(),
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "voucher-claim"),
            )
        )
        return claimed

    async def redeem(self, data: RedeemIn) -> dict[str, Any]:
        """V-6 institution active, V-5 class its own, then the redeem (voucher checks the permission)."""
        code = self.principal.institution
        if code is None:
            raise forbidden("令牌未绑定培训机构", code="forbidden_institution")
        token = self.principal.token
        institution = json_or_problem(
            await self.voucher.request("GET", paths.VOUCHER_INSTITUTION.format(code=code), token=token)
        )
        rules.require_redeeming_institution(institution)
        training_class = json_or_problem(
            await self.voucher.request("GET", paths.VOUCHER_CLASS.format(class_id=data.class_id), token=token)
        )
        rules.require_own_class(code, training_class)
        redeemed: dict[str, Any] = json_or_problem(
            await self.voucher.request(
                "POST",
                paths.VOUCHER_REDEMPTIONS,
                json=data.model_dump(),
                token=token,
                idempotency_key=hop_key(self.key, "redeem"),
            )
        )
        return redeemed
