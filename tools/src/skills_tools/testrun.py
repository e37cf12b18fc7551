"""`skills test`: every test suite of the workspace against real PostgreSQL, two at a time, one summary line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from skills_tools.database import REPO_ROOT, check_reachable, embedded_server_url, max_connections


@dataclass
class SuiteResult:
    """One pytest process: its target, exit code, counts and output."""

    target: str
    code: int
    tests: int
    failures: int
    skipped: int
    seconds: float
    output: str


def targets() -> list[str]:
    """Each package's tests run in their own process, so fixtures of one service never hold another's connections."""
    found = [str(p.relative_to(REPO_ROOT)) for p in sorted((REPO_ROOT / "services").glob("*/tests"))]
    extra = [d for d in ("deploy/tests", "reliability/tests") if (REPO_ROOT / d).is_dir()]
    return ["shared/tests", "tools/tests", *found, *extra]


def _run(target: str, env: dict[str, str], extra: Sequence[str]) -> SuiteResult:
    report = REPO_ROOT / ".data" / "test-reports" / (target.replace("/", "_") + ".xml")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "pytest",
            target,
            "-q",
            f"--junitxml={report}",
            "-o",
            "junit_family=xunit2",
            *extra,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    tests = failures = skipped = 0
    if report.exists():
        for suite in ET.parse(report).getroot().iter("testsuite"):  # noqa: S314 - our own report file
            tests += int(suite.get("tests", 0))
            failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
    return SuiteResult(
        target,
        proc.returncode,
        tests,
        failures,
        skipped,
        time.monotonic() - started,
        proc.stdout + proc.stderr,
    )


CONNECTIONS_PER_SUITE = 120
"""Peak connections one suite may hold (race tests open 50-70 at once, plus pools): two suites at once need a
server that allows 250."""


def main(extra: Sequence[str] = (), parallel: int = 2) -> int:
    """Run all suites; exit non-zero on any failure, on a suite that collected nothing, or on a skipped test."""
    env = dict(os.environ)
    url = env.get("TEST_DATABASE_URL")
    if url:
        check_reachable(url)
        print(f"testing against TEST_DATABASE_URL ({url.split('@')[-1]})")
    else:
        env["TEST_DATABASE_URL"] = embedded_server_url("pg-test")
        print("testing against the embedded PostgreSQL in .data/pg-test")
    allowed = max_connections(env["TEST_DATABASE_URL"])
    if allowed < CONNECTIONS_PER_SUITE * parallel + 10:
        parallel = 1
        print(f"the server allows {allowed} connections: suites run one at a time")
    sys.stdout.flush()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(lambda t: _run(t, env, extra), targets()))
    bad = False
    for r in results:
        verdict = "ok" if r.code == 0 else ("NO TESTS" if r.code == 5 else "FAILED")
        if r.code != 0 or r.tests == 0 or r.skipped:
            bad = True
            print(r.output)
        counts = f"{r.tests:>5} tests  {r.failures} failed  {r.skipped} skipped"
        print(f"{verdict:>8}  {r.target:<40} {counts}  {r.seconds:6.1f}s")
    passed = sum(r.tests - r.failures - r.skipped for r in results)
    failed = sum(r.failures for r in results)
    skipped = sum(r.skipped for r in results)
    if skipped:
        print("skipped tests are not allowed here: fix or delete them")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if bad else 0
