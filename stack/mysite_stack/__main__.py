"""`python -m mysite_stack up [--port N] [--scale chatbot=2,...]` (what `make up` runs)."""

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from mysite_common.services import SERVICES
from mysite_stack.stack import Stack, StackError, StackOptions, parse_scale


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("process", "pid", "address", "state")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


class _StopRequestedError(Exception):
    pass


def _raise_stop(_signum: int, _frame: FrameType | None) -> None:
    # Once: a second Ctrl-C (or SIGTERM after SIGINT) must not interrupt the shutdown itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _StopRequestedError


def up(arguments: argparse.Namespace) -> int:
    options = StackOptions(
        data_dir=Path(arguments.data_dir),
        port=arguments.port,
        scale=parse_scale(arguments.scale),
        mariadb_admin_url=os.environ.get("MYSITE_DATABASE_URL") or None,
    )
    fake_kakao = None
    if arguments.fake_kakao:
        # A stand-in for Kakao on loopback, so "send me a message" can be tried offline.
        from mysite_testing.fake_kakao import FakeKakao

        fake_kakao = FakeKakao(
            redirect_uris=[f"http://127.0.0.1:{options.port}/api/kakao/oauth/callback"]
        )
        fake_kakao.start()
        options.extra_env.update(
            {
                "KAKAO_REST_API_KEY": fake_kakao.client_id,
                "KAKAO_AUTH_URL": fake_kakao.url,
                "KAKAO_API_URL": fake_kakao.url,
                "KAKAO_REDIRECT_URI": f"http://127.0.0.1:{options.port}/api/kakao/oauth/callback",
            }
        )
    stack = Stack(options)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    began = time.monotonic()
    try:
        database = "MariaDB" if options.mariadb_admin_url else "SQLite (embedded)"
        print(f"mysite: preparing ({database}, data in {stack.data_dir})", flush=True)
        stack.prepare()
        print("mysite: starting services and gateway", flush=True)
        stack.start()
        print(f"\nmysite is up in {time.monotonic() - began:.1f}s: {stack.url}\n")
        _print_table(stack.status_rows())
        print(f"\n  owner account: {stack.owner_username}", end="")
        if not os.environ.get("MYSITE_ADMIN_PASSWORD"):
            print(f" (password in {stack.secrets_dir / 'admin_password'})", end="")
        print(f"\n  logs: {stack.logs_dir}/\n\nPress Ctrl-C to stop.", flush=True)
        _supervise(stack)
    except _StopRequestedError:
        print("\nmysite: stopping...", flush=True)
    except StackError as error:
        print(f"\nmysite: {error}", file=sys.stderr, flush=True)
        stack.stop()
        if fake_kakao is not None:
            fake_kakao.stop()
        return 1
    stack.stop()
    if fake_kakao is not None:
        fake_kakao.stop()
    print("mysite: stopped", flush=True)
    return 0


def _supervise(stack: Stack) -> None:
    """Restarts a replica that dies (as Compose's restart policy would), saying why."""
    restarts: list[float] = []
    while True:
        time.sleep(1)
        dead = stack.crashed()
        if dead is None:
            continue
        if dead is stack.gateway:
            raise StackError(f"the gateway stopped (exit {dead.exit_code}):\n{dead.last_lines()}")
        restarts = [moment for moment in restarts if time.monotonic() - moment < 60] + [
            time.monotonic()
        ]
        if len(restarts) > 5:
            raise StackError(f"{dead.name} keeps crashing:\n{dead.last_lines()}")
        print(f"mysite: {dead.name} stopped (exit {dead.exit_code}); restarting", flush=True)
        service, _, number = dead.name.rpartition("-")
        stack.start_replica(service, int(number) - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mysite", description="Run mysite locally.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("up", help="run every service behind the gateway")
    run.add_argument("--port", type=int, default=int(os.environ.get("MYSITE_PORT", "8000")))
    run.add_argument(
        "--scale",
        default=os.environ.get("MYSITE_SCALE", ""),
        help=f"replicas per service, e.g. chatbot=2,site=2 (services: {', '.join(SERVICES)})",
    )
    run.add_argument("--data-dir", default=os.environ.get("MYSITE_DATA_DIR", ".data"))
    run.add_argument(
        "--fake-kakao",
        action="store_true",
        help="connect the kakao service to a local stand-in for Kakao (to try it offline)",
    )
    arguments = parser.parse_args(argv)
    try:
        return up(arguments)
    except StackError as error:
        print(f"mysite: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
