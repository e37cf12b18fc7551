"""Dependencies shared by this service's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from voucher.settings import VoucherSettings


async def settings_of(request: Request) -> VoucherSettings:
    settings: VoucherSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[VoucherSettings, Depends(settings_of)]
