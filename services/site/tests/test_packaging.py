"""The site's installed package (what the container images run) carries every file it needs:
a template, stylesheet or data file left out of pyproject.toml's package-data works from the
source tree (`make up`) and fails only in the images (found by the Compose tests: the themes'
stylesheets were missing, and every page answered 500)."""

import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "mysite_site"


def test_package_data_covers_every_file_that_is_not_python() -> None:
    settings = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = settings["package-data"]["mysite_site"] + settings["package-data"]["*"]
    covered = {path for pattern in patterns for path in PACKAGE.rglob("*") if path.match(pattern)}
    needed = {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert sorted(str(path.relative_to(PACKAGE)) for path in needed - covered) == []
