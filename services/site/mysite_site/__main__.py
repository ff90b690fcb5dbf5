"""`python -m mysite_site serve|migrate|seed-example|import-resume FILE|export-resume`."""

import argparse
import json
import logging
import sys
from pathlib import Path

from mysite_common.cli import ExtraCommand, run_service_cli
from mysite_common.db import Database
from mysite_common.errors import ApiError
from mysite_site import profiles
from mysite_site.config import SiteSettings
from mysite_site.resume import parse_resume_json

logger = logging.getLogger("mysite_site")


def _database() -> Database:
    return Database(SiteSettings.load().database_url)


def _seed_example(_arguments: argparse.Namespace) -> int:
    database = _database()
    try:
        with database.session() as session:
            created = profiles.seed_example(session)
    finally:
        database.dispose()
    logger.info("example profile loaded" if created else "a profile exists; nothing seeded")
    return 0


def _import_resume(arguments: argparse.Namespace) -> int:
    path = Path(arguments.file)
    try:
        resume = parse_resume_json(path.read_bytes())
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        for field, problem in (exc.fields or {}).items():
            print(f"  {field}: {problem}", file=sys.stderr)
        return 1
    database = _database()
    try:
        with database.session() as session:
            version = profiles.replace_profile(session, resume)
    finally:
        database.dispose()
    logger.info("resume imported and published", extra={"version": version, "file": str(path)})
    return 0


def _export_resume(_arguments: argparse.Namespace) -> int:
    database = _database()
    try:
        with database.session() as session:
            published = profiles.load_published(session)
    finally:
        database.dispose()
    sys.stdout.write(json.dumps(published.resume, ensure_ascii=False, indent=2) + "\n")
    return 0


def _file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a JSON Resume (v1.0.0) document")


def main(argv: list[str] | None = None) -> int:
    return run_service_cli(
        SiteSettings,
        package="mysite_site",
        extra_commands={
            "seed-example": ExtraCommand(
                "load the bilingual example profile if the site has none yet", _seed_example
            ),
            "import-resume": ExtraCommand(
                "validate a JSON Resume file and publish it as the profile",
                _import_resume,
                _file_argument,
            ),
            "export-resume": ExtraCommand(
                "print the published profile as JSON Resume", _export_resume
            ),
        },
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
