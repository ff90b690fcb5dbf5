"""`python -m mysite_auth serve|migrate|ensure-owner`."""

import argparse
import logging
import sys

from mysite_auth.config import AuthSettings
from mysite_auth.passwords import PasswordHashing
from mysite_auth.service import ensure_owner
from mysite_common.cli import ExtraCommand, run_service_cli
from mysite_common.db import Database
from mysite_common.errors import ApiError

logger = logging.getLogger("mysite_auth")


def _ensure_owner(_arguments: argparse.Namespace) -> int:
    settings = AuthSettings.load()
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            logger.info(ensure_owner(session, PasswordHashing(1), settings))
    except ApiError as error:
        logger.error("cannot create the owner account: %s", error.message)
        return 1
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(
        run_service_cli(
            AuthSettings,
            package="mysite_auth",
            extra_commands={
                "ensure-owner": ExtraCommand(
                    "create the owner's account from MYSITE_ADMIN_* if it does not exist",
                    _ensure_owner,
                )
            },
        )
    )
