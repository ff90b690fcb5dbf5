"""The command line every service has: `python -m mysite_<name> serve|migrate ...`."""

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import uvicorn

from mysite_common import migrations
from mysite_common.logs import configure_logging
from mysite_common.settings import ServiceSettings

Command = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class ExtraCommand:
    help: str
    run: Command
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None


def run_service_cli(
    settings_type: type[ServiceSettings],
    *,
    package: str,
    extra_commands: dict[str, ExtraCommand] | None = None,
    argv: Sequence[str] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {package}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default=os.environ.get("MYSITE_HOST", "127.0.0.1"))
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("MYSITE_SERVICE_PORT", "8080"))
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    for name, extra in (extra_commands or {}).items():
        extra_parser = commands.add_parser(name, help=extra.help)
        if extra.add_arguments:
            extra.add_arguments(extra_parser)
    arguments = parser.parse_args(argv)

    settings = settings_type.load()
    configure_logging(settings.service_name, settings.log_level)
    if arguments.command == "serve":
        uvicorn.run(
            f"{package}.app:create_app",
            factory=True,
            host=arguments.host,
            port=arguments.port,
            log_config=None,
            access_log=False,
            # Only the gateway reaches a service, so its X-Forwarded-* are the truth.
            proxy_headers=True,
            forwarded_allow_ips="*",
            timeout_graceful_shutdown=20,
            server_header=False,
        )
        return 0
    if arguments.command == "migrate":
        migrations.upgrade(settings.database_url, package)
        return 0
    return (extra_commands or {})[arguments.command].run(arguments)
