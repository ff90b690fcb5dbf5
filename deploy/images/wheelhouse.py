"""Fill deploy/wheelhouse/ with every third-party package the images install, at the pinned
versions, so `docker build` needs no network (PIP_NO_INDEX=true) and an air-gapped server
can build from a copied tree.

    python3 deploy/images/wheelhouse.py          # download what the pins name, once
    python3 deploy/images/wheelhouse.py --image mysite-offline/python:TAG
                                                 # ...and the builders' base image with it

Run it with a CPython 3.11 on Linux of the images' architecture (the images' Python): pip
picks the wheels for the Python that runs it. The folder's content is ignored by git; a
stamp records the pins it was filled from, so an unchanged set of pins downloads nothing,
and files of versions the pins no longer name are deleted.

The wheels never go into a build context of the services (.dockerignore leaves this folder
out): `--image PYTHON_IMAGE` builds PYTHON_IMAGE with the wheelhouse in /wheelhouse
(deploy/wheelhouse/Dockerfile), tagged by a hash of the pins and the base, and prints
`MYSITE_BUILD_IMAGE=<tag>`, the builder stage's base in services/Dockerfile (compose.yaml).
Standard library and pip only.
"""

import argparse
import hashlib
import platform
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WHEELHOUSE = REPO / "deploy" / "wheelhouse"
CONSTRAINTS = REPO / "requirements" / "constraints.txt"
# The packages the images install (services/Dockerfile: the services and the jobs image).
PROJECTS = ("libs/common", "deploy/container", *(f"services/{name}" for name in
            ("auth", "site", "chatbot", "kakao")))  # fmt: skip
# The build backend of our own packages, pinned as the Dockerfiles pin it.
BUILD_BACKEND = "setuptools==84.2.1"
# Published only as a source archive (data files, no compiler needed): kept as one.
SOURCE_ONLY = ("kiwipiepy-model",)
STAMP = ".pins"
# The builders' base with the wheelhouse in it (deploy/wheelhouse/Dockerfile).
IMAGE_REPOSITORY = "mysite-wheelhouse"


def third_party_requirements(repo: Path = REPO) -> list[str]:
    """The direct dependencies of our packages, without our packages themselves."""
    requirements = {BUILD_BACKEND}
    for project in PROJECTS:
        metadata = tomllib.loads((repo / project / "pyproject.toml").read_text())
        for requirement in metadata["project"].get("dependencies", []):
            name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
            if not name.lower().startswith("mysite"):
                requirements.add(requirement)
    return sorted(requirements)


def pins_digest(requirements: list[str], constraints: str) -> str:
    """What the folder's content follows from: a change to it means downloading again."""
    digest = hashlib.sha256()
    digest.update("\n".join(requirements).encode())
    digest.update(constraints.encode())
    digest.update(f"{sys.implementation.name}{sys.version_info[:2]}{platform.machine()}".encode())
    return digest.hexdigest()


def fill(wheelhouse: Path = WHEELHOUSE) -> bool:
    """Downloads the pinned packages unless the stamp says they are there; True if it did."""
    if sys.version_info[:2] != (3, 11) or sys.platform != "linux":
        raise SystemExit("run the wheelhouse with Python 3.11 on Linux (the images' Python)")
    requirements = third_party_requirements()
    digest = pins_digest(requirements, CONSTRAINTS.read_text())
    stamp = wheelhouse / STAMP
    if stamp.exists() and stamp.read_text().strip() == digest:
        return False
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--dest", str(wheelhouse), "--only-binary=:all:",
         f"--no-binary={','.join(SOURCE_ONLY)}", "-c", str(CONSTRAINTS), *requirements],
        check=True,
    )  # fmt: skip
    prune(wheelhouse, CONSTRAINTS.read_text())
    stamp.write_text(digest + "\n")
    return True


def normalized(name: str) -> str:
    """A distribution's name as PEP 503 compares them (wheel files write `_` for `-`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(constraints: str) -> dict[str, str]:
    pins = {}
    for line in [*constraints.splitlines(), BUILD_BACKEND]:
        name, separator, version = line.split("#", 1)[0].strip().partition("==")
        if separator:
            pins[normalized(name)] = version.strip()
    return pins


def distribution(filename: str) -> tuple[str, str] | None:
    """(name, version) of a wheel or a source archive, from its file name."""
    if filename.endswith(".whl"):
        name, version = filename.split("-")[:2]
        return normalized(name), version
    if filename.endswith(".tar.gz"):
        name, _, version = filename.removesuffix(".tar.gz").rpartition("-")
        return normalized(name), version
    return None


def prune(wheelhouse: Path, constraints: str) -> list[str]:
    """Deletes the files of versions the pins no longer name (pip download only adds), so
    the image built from the folder carries only what the builds install. Returns them."""
    pins = pinned_versions(constraints)
    stale = []
    for path in sorted(wheelhouse.iterdir()):
        found = distribution(path.name)
        if found and found[0] in pins and pins[found[0]] != found[1]:
            path.unlink()
            stale.append(path.name)
    return stale


def image_tag(python_image: str, wheelhouse: Path = WHEELHOUSE) -> str:
    """The builders' base for one Python base and one set of pins (the stamp)."""
    base = python_image  # its content where the engine has it, else its name
    try:
        inspected = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Id}}", python_image],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if inspected.returncode == 0:
            base = inspected.stdout.strip()
    except OSError:
        pass  # no Docker here
    digest = hashlib.sha256()
    for part in (base, (wheelhouse / STAMP).read_text()):
        digest.update(part.encode())
    for recipe in ("Dockerfile", ".dockerignore"):
        digest.update((wheelhouse / recipe).read_bytes())
    return f"{IMAGE_REPOSITORY}:{digest.hexdigest()[:12]}"


def build_image(python_image: str, wheelhouse: Path = WHEELHOUSE) -> str:
    """PYTHON_IMAGE with the wheelhouse in /wheelhouse, built unless it exists."""
    tag = image_tag(python_image, wheelhouse)
    exists = subprocess.run(["docker", "image", "inspect", tag], capture_output=True, check=False)
    if exists.returncode != 0:
        subprocess.run(
            ["docker", "build", "--quiet", "--build-arg", f"PYTHON_IMAGE={python_image}",
             "--tag", tag, str(wheelhouse)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--image",
        metavar="PYTHON_IMAGE",
        help="also build the builders' base on PYTHON_IMAGE and print MYSITE_BUILD_IMAGE",
    )
    arguments = parser.parse_args(argv)
    filled = fill()
    files = [path for path in WHEELHOUSE.iterdir() if distribution(path.name)]
    state = "filled" if filled else "up to date"
    # On stderr: stdout is only the Compose variable, for scripts and .env.
    print(
        f"wheelhouse {state}: {len(files)} packages in {WHEELHOUSE.relative_to(REPO)}",
        file=sys.stderr,
    )
    if arguments.image:
        print(f"MYSITE_BUILD_IMAGE={build_image(arguments.image)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
