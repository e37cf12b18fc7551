"""Which webhook URLs a partner may register: HTTPS, or plain http on loopback outside production."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, production: bool) -> str | None:
    """Why ``url`` cannot be a webhook endpoint (in Chinese, for the 422), or None when it can."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "地址格式无效"
    if not parts.hostname:
        return "地址须包含主机名"
    if parts.username or parts.password:
        return "地址中不能包含用户名或密码"
    if parts.fragment:
        return "地址中不能包含 # 片段"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        if production:
            return "生产环境只接受 HTTPS 地址"
        return None
    return "须为 HTTPS 地址（仅开发和测试环境可使用本机回环的 http 地址）"
