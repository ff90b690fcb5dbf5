"""`python -m mysite_container run -- CMD...` | `provision` | `docker-api`; see the package
docstring."""

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from mysite_common.logs import configure_logging
from mysite_container.docker_api import DockerApiProxy
from mysite_container.environment import ContainerError, service_environment
from mysite_container.provision import provision

logger = logging.getLogger("mysite_container")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mysite_container")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run CMD with the service's database URL")
    run.add_argument(
        "--service",
        default=os.environ.get("MYSITE_SERVICE", ""),
        help="auth, site, chatbot or kakao (default: $MYSITE_SERVICE, set by each image)",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")
    commands.add_parser("provision", help="create databases and users, migrate, create owner")
    docker_api = commands.add_parser(
        "docker-api", help="the gateway's read-only Docker API, scoped to one Compose project"
    )
    docker_api.add_argument("--project", required=True, help="the Compose project's name")
    docker_api.add_argument("--socket", default="/var/run/docker.sock")
    docker_api.add_argument("--host", default="0.0.0.0")
    docker_api.add_argument("--port", type=int, default=2375)
    arguments = parser.parse_args(argv)
    configure_logging("container", os.environ.get("MYSITE_LOG_LEVEL", "INFO"))

    try:
        if arguments.command == "run":
            cmd = list(arguments.cmd)
            if cmd and cmd[0] == "--":
                cmd = cmd[1:]
            if not cmd:
                parser.error("run needs a command after --")
            env = service_environment(arguments.service)
            os.execvpe(cmd[0], cmd, env)  # noqa: S606 (the image's own CMD)
        if arguments.command == "docker-api":
            proxy = DockerApiProxy(arguments.project, arguments.socket)
            asyncio.run(proxy.serve(arguments.host, arguments.port))
            return 0
        provision(dict(os.environ))
    except ContainerError as error:
        logger.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
