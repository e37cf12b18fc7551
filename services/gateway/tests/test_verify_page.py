"""The public verify page, rendered by a real uvicorn and read by a real headless browser (Debian chromium)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from gateway_fakes import Certificate, FakeSuite
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import GatewaySettings
from gateway.upstreams import REGISTRY
from skills_shared.testing import served

NUMBER = "S000050050001253000001"
ID_NUMBER = "500101199001011234"
XSS_NAME = "<img src=x onerror=document.title='pwned'>"
XSS_STORED = '<script>document.title="pwned"</script><img src=x>'

CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"


def chromium() -> str:
    """The browser binary; its absence fails the test with the install step (nothing here is ever skipped)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise AssertionError(f"the verify-page test needs Debian chromium: {CHROMIUM_INSTALL}")
    return path


@dataclass
class Served:
    base: str
    suite: FakeSuite


@pytest.fixture
async def site(database_url: str, engine: AsyncEngine) -> AsyncIterator[Served]:
    """The gateway (fakes behind it) served by uvicorn on a free port, in this test's event loop."""
    suite = FakeSuite()
    suite.registry.certificates[NUMBER] = Certificate(number=NUMBER, holder_name="张三", id_number=ID_NUMBER)
    settings = GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        upstream_retries=0,
        upstream_backoff_s=0,
    )
    app = create_app(settings, transports=suite.switches)
    async with served(app, lifespan="on") as url:
        yield Served(url, suite)


async def dump_dom(url: str) -> str:
    """What the browser built from the page (after parsing and any script, which must not run)."""
    proc = await asyncio.create_subprocess_exec(
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--dump-dom",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, f"chromium exited with {proc.returncode}"
    return out.decode("utf-8")


async def test_browser_qr_landing_shows_the_certificate_with_a_valid_signature(site: Served) -> None:
    token = site.suite.registry.qr_token(NUMBER)
    dom = await dump_dom(f"{site.base}/verify?{urlencode({'n': NUMBER, 't': token})}")
    assert '<html lang="zh-CN">' in dom
    assert "电子签名有效" in dom
    assert "500***********1234" in dom and ID_NUMBER not in dom
    assert 'data-status="valid"' in dom and "有效" in dom
    assert "重庆市某某职业技能评价中心" in dom and "2025年10月20日" in dom
    assert 'id="c-authority">重庆市大渡口区人力社保部门<' in dom, "the office that filed the body"
    assert "12333" in dom.split('id="contact"')[1], "a contact line"
    assert "中式烹调师" in dom and "4-01-02-01" not in dom, "occupation by name, not code"


def visible_text(dom: str) -> str:
    """What a reader sees: the body's text without tags, styles or attribute values."""
    body = dom.split("<body>", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


async def test_nothing_a_citizen_reads_names_a_rule_or_an_english_word(site: Served) -> None:
    token = site.suite.registry.qr_token(NUMBER)
    pages = [
        await dump_dom(f"{site.base}/verify"),
        await dump_dom(f"{site.base}/verify?{urlencode({'n': NUMBER, 't': token})}"),
        await dump_dom(f"{site.base}/verify?{urlencode({'n': NUMBER, 'name': '李四'})}"),
        await dump_dom(f"{site.base}/verify?{urlencode({'n': 'bad', 'name': '张三'})}"),
    ]
    for dom in pages:
        text = visible_text(dom)
        assert not re.search(r"\b(CR|OF|CQ|SH|V|P)-\d+", dom), "no internal rule ID anywhere on the page"
        assert not re.search(r"[A-Za-z]{2,}", text.replace(NUMBER, "")), re.findall(r"[A-Za-z]{2,}", text)


async def test_browser_revoked_certificate_shows_date_and_reason(site: Served) -> None:
    cert = site.suite.registry.certificates[NUMBER]
    cert.status, cert.revoked_on, cert.revoked_reason = "revoked", "2026-03-02", "考试作弊，经查属实"
    dom = await dump_dom(
        f"{site.base}/verify?{urlencode({'n': NUMBER, 't': site.suite.registry.qr_token(NUMBER)})}"
    )
    assert 'data-status="revoked"' in dom and "已撤销（2026年3月2日撤销，原因：考试作弊，经查属实）" in dom


async def test_screenshot_of_the_qr_landing(site: Served, tmp_path: Path) -> None:
    """The page as a citizen's phone shows it, captured by chromium (also how the README's screenshot is made)."""
    token = site.suite.registry.qr_token(NUMBER)
    shot = tmp_path / "verify.png"
    proc = await asyncio.create_subprocess_exec(
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=480,1100",
        f"--screenshot={shot}",
        f"{site.base}/verify?{urlencode({'n': NUMBER, 't': token})}",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.wait_for(proc.wait(), timeout=60)
    assert proc.returncode == 0 and shot.read_bytes().startswith(b"\x89PNG")
    keep_copy(shot)


def keep_copy(shot: Path) -> None:
    """With SKILLS_SCREENSHOT_DIR set, the figure is kept for a person to look at (see the registry's README)."""
    keep = os.environ.get("SKILLS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "verify-page.png")


async def test_browser_form_escapes_hostile_input_and_stored_values(site: Served) -> None:
    site.suite.registry.certificates[NUMBER].holder_name = XSS_NAME
    site.suite.registry.certificates[NUMBER].body_name = XSS_STORED
    dom = await dump_dom(f"{site.base}/verify?{urlencode({'n': NUMBER, 'name': XSS_NAME})}")
    assert "pwned" not in dom.split("</title>")[0], "no script ran"
    assert "<img" not in dom and "<script>document" not in dom
    assert "电子签名有效" in dom, "the certificate was found by its (hostile) name and shown escaped"
    assert "&lt;script&gt;document.title" in dom


async def test_browser_tampered_document_is_flagged(site: Served) -> None:
    site.suite.registry.tamper = True
    dom = await dump_dom(f"{site.base}/verify?{urlencode({'n': NUMBER, 'name': '张三'})}")
    assert "电子签名无效" in dom


async def test_page_statuses_and_headers(site: Served) -> None:
    async with httpx.AsyncClient(base_url=site.base) as client:
        form = await client.get("/verify")
        assert form.status_code == 200 and "text/html" in form.headers["content-type"]
        assert "default-src 'none'" in form.headers["content-security-policy"]
        assert (await client.get("/verify", params={"n": NUMBER, "name": "李四"})).status_code == 404
        assert (await client.get("/verify", params={"n": "bad", "name": "张三"})).status_code == 422
        for _ in range(5):
            forged = await client.get("/verify", params={"n": NUMBER, "t": "AAAA"})
        assert site.suite.registry.key_fetches == 1, "forged tokens do not drive key fetches"
        assert forged.status_code == 400 and "二维码签名无效" in forged.text and "c-id" not in forged.text
        site.suite.switches[REGISTRY].down = True
        down = await client.get("/verify", params={"n": NUMBER, "name": "张三"})
        assert down.status_code == 503 and "暂时不可用" in down.text and down.headers["retry-after"]
