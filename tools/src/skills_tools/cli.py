"""The `skills` command: run, test, token, migrate."""

from __future__ import annotations

import argparse
import sys

from skills_shared.auth import Role, mint_token
from skills_shared.devtokens import TokenRequestError, check_request
from skills_shared.settings import ServiceSettings


def _token(args: argparse.Namespace) -> int:
    """Print a development token the services accept, or one line saying what is missing (exit 2)."""
    try:
        request = check_request(
            args.role,
            sub=args.sub,
            district=args.district,
            body=args.body,
            institution=args.institution,
            perms=args.perms,
        )
    except TokenRequestError as exc:
        print(f"make token: {exc}", file=sys.stderr)
        return 2
    settings = ServiceSettings()
    print(
        mint_token(
            settings.jwt_secret,
            sub=request.sub,
            role=request.role,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            ttl_s=args.ttl,
            perms=list(request.perms) or None,
            body=request.scopes.get("body"),
            institution=request.scopes.get("institution"),
            district=request.scopes.get("district"),
        )
    )
    return 0


def _clock(args: argparse.Namespace) -> int:
    """Move the sandbox business date forward (or back to real time with --reset), as `make run` sees it."""
    from datetime import date

    from skills_shared.clock import SANDBOX_FILE_ENV, SandboxClock, move_to, reset, sandbox_path, today_of
    from skills_tools.run import sandbox_file

    path = sandbox_path() or sandbox_file()
    if args.reset:
        reset(path)
    elif args.date:
        try:
            move_to(path, date.fromisoformat(args.date))
        except ValueError as exc:
            print(f"make clock: {exc}", file=sys.stderr)
            return 2
    print(f"business date {today_of(SandboxClock(path)).isoformat()} ({SANDBOX_FILE_ENV}={path})")
    return 0


def _migrate(_: argparse.Namespace) -> int:
    import os

    from skills_tools.database import embedded_server_url
    from skills_tools.run import prepare

    prepare(os.environ.get("DATABASE_URL") or embedded_server_url("pg"))
    print("all service databases migrated")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `skills`."""
    parser = argparse.ArgumentParser(prog="skills", description="Run and test the vocational-skills suite.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="database, migrations, reference data, and all five services")
    test = sub.add_parser("test", help="every test suite against real PostgreSQL")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments")
    sub.add_parser("migrate", help="create and migrate every service database")
    tok = sub.add_parser("token", help="mint a development JWT")
    tok.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
    tok.add_argument("--sub", default="")
    tok.add_argument("--district", default="")
    tok.add_argument("--body", default="")
    tok.add_argument("--institution", default="")
    tok.add_argument("--perms", default="", help="comma-separated, e.g. unit_head")
    tok.add_argument("--ttl", type=int, default=3600)
    scan = sub.add_parser("logscan", help="fail when logs hold a resident ID or mobile number in the clear")
    scan.add_argument("paths", nargs="+", help="log files or folders")
    clk = sub.add_parser("clock", help="the sandbox business date of `make run` (development and demos only)")
    clk.add_argument("--date", default="", help="move the business date forward to YYYY-MM-DD")
    clk.add_argument("--reset", action="store_true", help="back to real time")
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["job"]:  # scheduled work has its own parser (skills_tools.jobs)
        from skills_tools.jobs import main as job_main

        return job_main(argv[1:])
    sub.add_parser("job", help="scheduled work: skills job NAME | --loop | --list")
    args = parser.parse_args(argv)
    if args.command == "run":
        from skills_tools.run import main as run_main

        return run_main()
    if args.command == "test":
        from skills_tools.testrun import main as test_main

        return test_main(args.pytest_args)
    if args.command == "migrate":
        return _migrate(args)
    if args.command == "clock":
        return _clock(args)
    if args.command == "logscan":
        from skills_tools.logscan import main as scan_main

        return scan_main(args.paths)
    return _token(args)


if __name__ == "__main__":
    sys.exit(main())
