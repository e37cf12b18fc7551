"""When a failed delivery is tried again, and when the endpoint is given up on: pure, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_wait_s(attempts: int, *, base_s: float, max_s: float) -> float:
    """Exponential back-off: ``base_s`` after the first failure, doubling, never more than ``max_s``."""
    exponent = min(max(attempts, 1) - 1, 60)  # 2**60 × base is past any cap; keeps the float finite
    return float(min(max_s, base_s * (2**exponent)))


def gives_up(first_queued: datetime, now: datetime, *, window_s: float) -> bool:
    """A delivery still failing after the retry window (three days) is abandoned and its endpoint disabled."""
    return now - first_queued >= timedelta(seconds=window_s)


def disabled_reason(first_queued: datetime, last_error: str) -> str:
    """What the partner reads on its subscription after it was disabled (Chinese, full, never cut off)."""
    since = first_queued.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    return (
        f"自{since}起持续投递失败，已超过重试期限，端点已停用。最后一次错误：{last_error}。"
        "修复端点后可通过 PATCH 将 enabled 设为 true 重新启用，停用期间的事件可用重放接口补发。"
    )
