"""The command line every service has: `python -m mysite_<name> serve|migrate ...`."""

import argparse
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

import uvicorn

from mysite_common.health import DRAINING
from mysite_common.logs import configure_logging
from mysite_common.settings import ServiceSettings

Command = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class ExtraCommand:
    help: str
    run: Command
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None


class DrainingServer(uvicorn.Server):
    """On SIGTERM, first stop being ready, so the gateway's next health check takes this
    replica out of rotation while it still answers; after `drain_seconds`, shut down as
    uvicorn does (in-flight requests finish). A second SIGTERM, or SIGINT, stops at once."""

    def __init__(self, config: uvicorn.Config, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain_seconds = drain_seconds

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGTERM and self.drain_seconds > 0 and not DRAINING.is_set():
            DRAINING.set()
            timer = threading.Timer(self.drain_seconds, super().handle_exit, args=(sig, frame))
            timer.daemon = True
            timer.start()
            return
        super().handle_exit(sig, frame)


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
    serve.add_argument("--host", help="default: MYSITE_HOST, else 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: MYSITE_SERVICE_PORT, else 8080")
    commands.add_parser("migrate", help="bring the database schema up to date")
    for name, extra in (extra_commands or {}).items():
        extra_parser = commands.add_parser(name, help=extra.help)
        if extra.add_arguments:
            extra.add_arguments(extra_parser)
    arguments = parser.parse_args(argv)

    settings = settings_type.load()
    configure_logging(settings.service_name, settings.log_level)
    if arguments.command == "serve":
        config = uvicorn.Config(
            f"{package}.app:create_app",
            factory=True,
            host=arguments.host or settings.host,
            port=arguments.port if arguments.port is not None else settings.service_port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            timeout_graceful_shutdown=20,
            server_header=False,
        )
        DrainingServer(config, settings.drain_seconds).run()
        return 0
    if arguments.command == "migrate":
        # Imported here: alembic takes a few hundred ms to import, which `serve` never needs.
        from mysite_common import migrations

        migrations.upgrade(settings.database_url, package)
        return 0
    return (extra_commands or {})[arguments.command].run(arguments)
