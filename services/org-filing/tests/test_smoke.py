"""The org-filing service starts, is migrated, and speaks the suite's conventions."""

from __future__ import annotations

import httpx

from skills_shared.testing import check_platform_conventions


async def test_platform_conventions(client: httpx.AsyncClient) -> None:
    await check_platform_conventions(client, "org-filing")
