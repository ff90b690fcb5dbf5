"""Fill deploy/wheelhouse/ with every third-party package the images install, at the pinned
versions, so `docker build` needs no network (PIP_NO_INDEX=true) and an air-gapped server
can build from a copied tree.

    python3 deploy/images/wheelhouse.py          # download what the pins name, once

Run it with a CPython 3.11 on Linux of the images' architecture (the images' Python): pip
picks the wheels for the Python that runs it. The folder's content is ignored by git; a
stamp records the pins it was filled from, so an unchanged set of pins downloads nothing.
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
# The packages the images install (services/Dockerfile, deploy/jobs/Dockerfile).
PROJECTS = ("libs/common", "deploy/container", *(f"services/{name}" for name in
            ("auth", "site", "chatbot", "kakao")))  # fmt: skip
# The build backend of our own packages, pinned as the Dockerfiles pin it.
BUILD_BACKEND = "setuptools==84.2.1"
# Published only as a source archive (data files, no compiler needed): kept as one.
SOURCE_ONLY = ("kiwipiepy-model",)
STAMP = ".pins"


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
    stamp.write_text(digest + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    filled = fill()
    files = [path for path in WHEELHOUSE.iterdir() if path.suffix in {".whl", ".gz"}]
    state = "filled" if filled else "up to date"
    print(f"wheelhouse {state}: {len(files)} packages in {WHEELHOUSE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
