"""`python -m mysite_container run -- CMD...` | `provision`; see the package docstring."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from mysite_common.logs import configure_logging
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
        provision(dict(os.environ))
    except ContainerError as error:
        logger.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
