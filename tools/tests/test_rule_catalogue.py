"""Every rule ID the code cites is defined in the repository's own rule catalogue, docs/DOMAIN.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE_ID = re.compile(r"\b(?:CR|OF|CQ|SH|V|P)-\d+\b")
DEFINED = re.compile(r"^- \*\*((?:CR|OF|CQ|SH|V|P)-\d+)\b", re.MULTILINE)


def cited_ids() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top in ("shared/src", "services", "tools/src"):
        for path in (ROOT / top).rglob("*.py"):
            if "/tests/" in path.as_posix():
                continue
            for rule in RULE_ID.findall(path.read_text("utf-8")):
                found.setdefault(rule, path)
    return found


def test_every_cited_rule_is_defined_in_docs_domain() -> None:
    defined = set(DEFINED.findall((ROOT / "docs" / "DOMAIN.md").read_text("utf-8")))
    cited = cited_ids()
    assert len(cited) > 40  # the scan found the code's citations at all
    missing = {rule: str(path.relative_to(ROOT)) for rule, path in cited.items() if rule not in defined}
    assert not missing, f"rule IDs cited but not defined in docs/DOMAIN.md: {missing}"


def test_the_policy_texts_are_in_the_repository() -> None:
    texts = sorted((ROOT / "docs" / "policies").glob("*.txt"))
    assert len(texts) == 5
    assert all(t.stat().st_size > 1000 for t in texts)
