"""Wire shapes of body filing and status changes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.bodies.rules import NEEDS_REASON, StatusMove


class StatusChangeIn(BaseModel):
    """One status move of a filed body."""

    model_config = ConfigDict(extra="forbid")

    action: StatusMove
    reason: str | None = Field(
        default=None, min_length=1, max_length=2000, description="理由（暂停、恢复、注销必填）"
    )

    @model_validator(mode="after")
    def _reason_when_needed(self) -> StatusChangeIn:
        if self.action in NEEDS_REASON and not self.reason:
            raise ValueError("该操作须填写理由（reason）")
        return self
