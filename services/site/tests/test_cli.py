"""`python -m mysite_site seed-example | import-resume FILE | export-resume`, as the launcher
and an owner run them."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mysite_common.db import Database
from mysite_site import profiles
from mysite_site.__main__ import main
from mysite_site.profiles import example_resume


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """The command line, in this process (a new interpreter per call would be slow)."""
    monkeypatch.setenv("SITE_DATABASE_URL", database_url)
    monkeypatch.setenv("MYSITE_LOG_LEVEL", "WARNING")

    def run(*arguments: str) -> Run:
        capsys.readouterr()
        code = main(list(arguments))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_the_module_runs_as_a_program(database_url: str, client: Any) -> None:
    env = {**os.environ, "SITE_DATABASE_URL": database_url, "MYSITE_LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [sys.executable, "-m", "mysite_site", "seed-example"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def published(database_url: str) -> profiles.PublishedProfile:
    database = Database(database_url)
    try:
        with database.session() as session:
            return profiles.load_published(session)
    finally:
        database.dispose()


def test_seed_example_only_when_empty(database_url: str, client: Any, run_cli: Any) -> None:
    assert run_cli("seed-example").returncode == 0
    first = published(database_url)
    assert first.resume == example_resume()
    assert run_cli("seed-example").returncode == 0
    assert published(database_url).version == first.version


def test_import_and_export_a_resume_file(
    database_url: str, tmp_path: Path, client: Any, run_cli: Any
) -> None:
    resume = {"basics": {"name": "파일에서 📄"}, "x-extra": True}
    path = tmp_path / "resume.json"
    path.write_text(json.dumps(resume, ensure_ascii=False), encoding="utf-8")
    result = run_cli("import-resume", str(path))
    assert result.returncode == 0, result.stderr
    assert published(database_url).resume == resume
    # Seeding never overwrites an owner's profile.
    run_cli("seed-example")
    assert published(database_url).resume == resume
    exported = run_cli("export-resume")
    assert json.loads(exported.stdout) == resume


def test_import_refuses_a_bad_file_and_says_why(
    database_url: str, tmp_path: Path, client: Any, run_cli: Any
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"work": [{"startDate": "someday"}]}), encoding="utf-8")
    result = run_cli("import-resume", str(bad))
    assert result.returncode == 1
    assert "work.0.startDate" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert run_cli("import-resume", str(broken)).returncode == 1
    assert run_cli("import-resume", str(tmp_path / "missing.json")).returncode == 2
    assert not published(database_url).exists


def test_import_and_export_a_translation(
    database_url: str, tmp_path: Path, client: Any, run_cli: Any
) -> None:
    korean = tmp_path / "resume.ko.json"
    korean.write_text(json.dumps({"basics": {"name": "김민지"}}), encoding="utf-8")
    # No primary profile yet: nothing to translate.
    refused = run_cli("import-resume", str(korean), "--lang", "ko")
    assert refused.returncode == 1
    assert "primary" in refused.stderr
    primary = tmp_path / "resume.json"
    primary.write_text(json.dumps({"basics": {"name": "Minji", "label": "Dev"}}), encoding="utf-8")
    assert run_cli("import-resume", str(primary)).returncode == 0
    result = run_cli("import-resume", str(korean), "--lang", "ko")
    assert result.returncode == 0, result.stderr
    assert published(database_url).translations == {"ko": {"basics": {"name": "김민지"}}}
    merged = json.loads(run_cli("export-resume", "--lang", "ko").stdout)
    assert merged == {"basics": {"name": "김민지", "label": "Dev"}}
    assert json.loads(run_cli("export-resume").stdout) == {
        "basics": {"name": "Minji", "label": "Dev"}
    }
