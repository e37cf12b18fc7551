# locust's decorators carry no type hints:
# mypy: disable-error-code="untyped-decorator"
"""The mixed day's load for locust (run by ``bench/mixed.py`` as ``locust -f … --headless``, one process per step).

Every user paces itself with ``constant_throughput(rate)``: a request is started every ``1 / rate`` seconds
whatever the answer took, as long as the answer took less than that. With ten requests a second per user, pacing
dominates until latencies near 100 ms, so the arrival rate is close to constant (open loop); past that, a slow
answer delays its user's next request (locust is closed loop per user), which the step's achieved rate shows. Few
users keep locust's own latency small: it grows with the number of greenlets (`bench/mixed.py`, PER_USER_RATE).

The plan (``BENCH_MIXED_PLAN``, JSON written by ``bench/mixed.py``) holds prepared requests: look-up and verify
paths, subsidy applications, redeems and approvals (each used once), the officer's queue read. Every answer is
recorded (start time, route class, status, milliseconds, and for a 5xx the start of its body) and written to
``BENCH_MIXED_OUT`` when locust quits; the bench computes every figure from those records.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant_throughput, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_MIXED_PLAN"]).read_text("utf-8"))
RECORDS: list[tuple[float, str, int, float, str]] = []
EXHAUSTED: dict[str, int] = {}


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    response: Any = None,
    exception: Any = None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    status = int(getattr(response, "status_code", 0) or 0) if response is not None else 0
    detail = ""
    if status >= 500 or status == 0:
        try:
            detail = (response.text or "")[:200] if status else str(exception)[:200]
        except Exception:  # a body that cannot be decoded still counts
            detail = str(exception)[:200]
    RECORDS.append((start_time or time.time(), name, status, float(response_time), detail))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    out = {"records": RECORDS, "exhausted": EXHAUSTED}
    Path(os.environ["BENCH_MIXED_OUT"]).write_text(json.dumps(out), "utf-8")


def _take(kind: str) -> Any:
    """The next prepared request of a kind that can be sent only once; None (counted) when they ran out."""
    items: list[Any] = PLAN[kind]
    if items:
        return items.pop()
    EXHAUSTED[kind] = EXHAUSTED.get(kind, 0) + 1
    return None


W = PLAN["weights"]


class Citizen(FastHttpUser):
    """One caller of the day's mix: each iteration picks a route class by its share."""

    wait_time = constant_throughput(PLAN["per_user_rate"])
    count = 0

    def on_start(self) -> None:
        """Each user is a caller of its own: its address (the gateway trusts X-Forwarded-For from the loopback
        proxy), and one of the officers and scanner desks."""
        Citizen.count += 1
        n = Citizen.count
        self.address = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
        self.officer = PLAN["officers"][n % len(PLAN["officers"])]
        self.scanner = PLAN["scanners"][n % len(PLAN["scanners"])]
        # Users spawned together would pace in step: a wave of every user's request once a second. A random
        # phase spreads their arrivals evenly over the pacing interval, as independent callers' are.
        gevent.sleep(random.random() / PLAN["per_user_rate"])

    def _send(self, method: str, path: str, name: str, **kw: Any) -> None:
        """Every answer is recorded as it is: a 4xx or 5xx is a figure here, not a failed assertion."""
        kw["headers"] = {**self.address, **kw.get("headers", {})}
        with self.client.request(method, path, name=name, catch_response=True, **kw) as resp:
            resp.success()

    @task(W["lookup"])
    def lookup(self) -> None:
        self._send("GET", random.choice(PLAN["lookup"]), "lookup")

    @task(W["verify"])
    def verify(self) -> None:
        self._send("GET", random.choice(PLAN["verify"]), "verify")

    @task(W["claim"])
    def claim(self) -> None:
        item = _take("claims")
        if item is not None:
            headers = {**item["headers"], "Idempotency-Key": str(uuid.uuid4())}
            self._send("POST", item["path"], "claim", json=item["body"], headers=headers)

    @task(W["redeem"])
    def redeem(self) -> None:
        item = _take("redeems")
        if item is not None:
            headers = {**self.scanner, "Idempotency-Key": str(uuid.uuid4())}
            self._send("POST", PLAN["redeem_path"], "redeem", json=item, headers=headers)

    @task(W["queue"])
    def queue(self) -> None:
        self._send("GET", PLAN["queue_path"], "officer_queue", headers=self.officer)

    @task(W["approve"])
    def approve(self) -> None:
        path = _take("approvals")
        if path is not None:
            headers = {**self.officer, "Idempotency-Key": str(uuid.uuid4())}
            self._send("POST", path, "officer_approve", json={}, headers=headers)
