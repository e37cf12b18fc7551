"""Claim and redeem a voucher through the voucher service, which decides every voucher rule (V-4 … V-6).

The institution's permission to redeem (V-6: registered, active, the scanner granted) and the class being its own
(V-5) are voucher's to decide, on this route as on the relayed ``/api/v1/voucher/redemptions``: a refusal comes
back with the same code and rule ID on both.
"""

from __future__ import annotations

from gateway import paths
from gateway.keys import hop_key, workflow_key
from gateway.relay import call
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal
from skills_shared.clients import service_path
from skills_shared.contracts.v1.gateway import RedemptionRequest, VoucherClaimRequest
from skills_shared.contracts.v1.voucher import QrTokenV1, RedemptionV1, VoucherClaimV1
from skills_shared.problems import forbidden


class VoucherWorkflow:
    """A holder's claim and an institution's redeem, each one keyed hop."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.voucher = upstreams.voucher
        self.principal = principal
        self.key = workflow_key(key)

    async def claim(self, data: VoucherClaimRequest) -> VoucherClaimV1:
        """V-4: the holder claims; voucher enforces once per type per year."""
        return await call(
            self.voucher,
            VoucherClaimV1,
            "POST",
            paths.VOUCHER_CLAIMS,
            json=data.model_dump(mode="json"),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "voucher-claim"),
        )

    async def qr_token(self, voucher_id: int) -> QrTokenV1:
        """A fresh token for one of the holder's vouchers; voucher checks that it is the caller's."""
        return await call(
            self.voucher,
            QrTokenV1,
            "POST",
            service_path(paths.VOUCHER_QR_TOKEN, voucher_id=voucher_id),
            token=self.principal.token,
        )

    async def redeem(self, data: RedemptionRequest) -> RedemptionV1:
        """The scanned voucher into the class; the token must name an institution to redeem for."""
        if self.principal.institution is None:
            raise forbidden("令牌未绑定培训机构", code="forbidden_institution")
        return await call(
            self.voucher,
            RedemptionV1,
            "POST",
            paths.VOUCHER_REDEMPTIONS,
            json=data.model_dump(mode="json"),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "redeem"),
        )
