"""`skills logscan FILE…`: fail when a log carries a resident ID number or a mobile number in the clear.

Personal data in a log is a reportable incident under PIPL. The services mask it on the way out
(`skills_shared.logging.mask_personal_data`); this scan is the net under that, run by CI over the whole `make test`
output and over the logs a local run leaves in `.data/logs`. Only numbers that really are IDs (GB 11643 check
digit) or mainland mobile numbers count, so serials and timestamps do not raise false alarms.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from skills_shared.validators import InvalidValue, validate_resident_id

ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def findings(lines: Iterable[str]) -> list[tuple[int, str]]:
    """(line number, what was found) for every unmasked ID number or mobile number."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        for candidate in ID_CANDIDATE.findall(line):
            try:
                validate_resident_id(candidate)
            except InvalidValue:
                continue
            found.append((number, f"resident ID {candidate[:6]}…"))
        found.extend((number, f"mobile {m[:3]}…") for m in MOBILE.findall(line))
    return found


def main(paths: Sequence[str]) -> int:
    """Scan each file (a folder: every file below it); print each finding; exit 1 if there was any."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(
            sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p] if p.exists() else []
        )
    bad = 0
    for file in files:
        with file.open(encoding="utf-8", errors="replace") as handle:
            for line_no, what in findings(handle):
                print(f"{file}:{line_no}: {what} in the clear")
                bad += 1
    print(f"logscan: {len(files)} files, {bad} findings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
