"""``python -m gateway.openapi [--write]``: check (or rewrite) the committed copies of the services' documents."""

from __future__ import annotations

import argparse
import sys

from gateway.openapi.snapshot import SNAPSHOT_DIR, stale, write


def main(argv: list[str] | None = None) -> int:
    """Exit 1 when a committed document is out of date (and ``--write`` was not given)."""
    parser = argparse.ArgumentParser(prog="python -m gateway.openapi", description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate the committed documents")
    args = parser.parse_args(argv)
    if args.write:
        changed = write()
        print(f"{SNAPSHOT_DIR}: {', '.join(changed) if changed else 'already current'}")
        return 0
    out_of_date = stale()
    if out_of_date:
        print(
            f"out of date: {', '.join(out_of_date)}; run `python -m gateway.openapi --write`", file=sys.stderr
        )
        return 1
    print("the committed service documents are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
