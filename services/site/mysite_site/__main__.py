"""`python -m mysite_site serve|migrate|seed-example|import-resume FILE [--lang L]|export-resume
[--lang L]`."""

import argparse
import json
import logging
import sys
from pathlib import Path

from mysite_common.cli import ExtraCommand, run_service_cli
from mysite_common.db import Database
from mysite_common.errors import ApiError
from mysite_site import i18n, profiles
from mysite_site.config import SiteSettings
from mysite_site.resume import parse_resume_json
from mysite_site.translations import merge_translation

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
    language = arguments.lang
    if language == SiteSettings.load().profile_language:
        language = None  # the primary document's own language: the primary document
    database = _database()
    try:
        with database.session() as session:
            if language is None:
                version = profiles.replace_profile(session, resume)
            else:
                version = profiles.replace_translation(session, language, resume)
    except ApiError as exc:  # the merged translation is invalid, or there is no primary yet
        print(exc.message, file=sys.stderr)
        for field, problem in (exc.fields or {}).items():
            print(f"  {field}: {problem}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    logger.info(
        "resume imported and published",
        extra={"version": version, "file": str(path), "language": language or "primary"},
    )
    return 0


def _export_resume(arguments: argparse.Namespace) -> int:
    database = _database()
    try:
        with database.session() as session:
            published = profiles.load_published(session)
    finally:
        database.dispose()
    resume = published.resume
    if arguments.lang in published.translations:
        resume = merge_translation(resume, published.translations[arguments.lang])
    sys.stdout.write(json.dumps(resume, ensure_ascii=False, indent=2) + "\n")
    return 0


def _language_argument(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None, help=help_text)


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a JSON Resume (v1.0.0) document")
    _language_argument(parser, "import it as the translation into this language")


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    _language_argument(parser, "the profile as a visitor reading this language sees it")


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
                _import_arguments,
            ),
            "export-resume": ExtraCommand(
                "print the published profile as JSON Resume", _export_resume, _export_arguments
            ),
        },
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
