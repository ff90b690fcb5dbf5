"""Operating the local stack: scaling single services and surviving faults under load.

Each fault runs under steady load from a second process (bench.loadgen) and the test counts
the requests that failed.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.operations import Load
from mysite_stack.processes import wait_for
from mysite_stack.stack import Stack
from mysite_testing.mariadb_server import PrivateMariaDB

from .conftest import OWNER_PASSWORD, start_stack

pytestmark = pytest.mark.e2e
WHOAMI = "/api/chat/whoami"


def near_zero(summary: dict[str, int]) -> bool:
    """Requests in flight on a killed process may fail; nothing more (at most 2%)."""
    return summary["failed"] <= max(5, summary["requests"] // 50)


def requests_logged(stack: Stack, service: str, index: int, path: str) -> int:
    log = stack.logs_dir / f"{service}-{index + 1}.log"
    return sum(1 for line in log.read_text().splitlines() if f'"path": "{path}"' in line)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("scaled"), scale={"chatbot": 2, "auth": 2})
    yield stack
    stack.stop()
    stack.drop_databases()


def test_scale_spreads_requests_over_replicas_of_one_service(scaled: Stack) -> None:
    assert [len(scaled.replicas[name]) for name in ("auth", "chatbot")] == [2, 2]
    others = [name for name in scaled.replicas if name not in ("auth", "chatbot")]
    assert all(len(scaled.replicas[name]) == 1 for name in others)
    token = httpx.post(
        f"{scaled.url}/api/auth/login", json={"username": "owner", "password": OWNER_PASSWORD}
    ).json()["access_token"]
    with httpx.Client(base_url=scaled.url) as client:
        for _ in range(40):
            response = client.get(WHOAMI, headers={"Authorization": f"Bearer {token}"})
            assert response.json()["authenticated"] is True
    time.sleep(0.5)
    served = [requests_logged(scaled, "chatbot", index, WHOAMI) for index in range(2)]
    assert min(served) >= 5, served
    assert sum(served) >= 40


def test_login_redirect_through_the_balanced_auth_names_the_page(scaled: Stack) -> None:
    """With two auth replicas ForwardAuth goes through the gateway's internal entry point,
    which must keep the gateway's X-Forwarded-Host and -Uri (it once answered with
    127.0.0.1:<internal port>/login?next=%2F)."""
    page = httpx.get(f"{scaled.url}/admin", follow_redirects=False)
    assert page.status_code == 302
    assert page.headers["location"] == f"{scaled.url}/login?next=%2Fadmin"


def test_killing_a_replica_under_load_loses_almost_nothing(scaled: Stack) -> None:
    load = Load(f"{scaled.url}{WHOAMI}", seconds=6)
    time.sleep(2)
    scaled.stop_replica("chatbot", 0, kill=True)
    result = load.summary()
    assert result["requests"] > 100
    # Retry sends a refused connection to the other replica; the health check then takes
    # the dead one out of rotation. Only requests in flight on the killed process can fail.
    print("kill one replica under load:", result["statuses"])
    assert near_zero(result), result
    before = requests_logged(scaled, "chatbot", 0, WHOAMI)
    scaled.start_replica("chatbot", 0)
    time.sleep(2.5)  # the next health checks bring it back into rotation
    with httpx.Client(base_url=scaled.url) as client:
        for _ in range(30):
            assert client.get(WHOAMI).status_code == 200
    time.sleep(0.5)
    assert requests_logged(scaled, "chatbot", 0, WHOAMI) > before


def test_sigterm_lets_in_flight_requests_finish(scaled: Stack) -> None:
    load = Load(f"{scaled.url}{WHOAMI}", seconds=5)
    time.sleep(1.5)
    scaled.stop_replica("chatbot", 1)  # SIGTERM: graceful
    result = load.summary()
    print("SIGTERM one replica under load:", result["statuses"])
    assert near_zero(result), result
    scaled.start_replica("chatbot", 1)


def test_auth_down_fails_closed_but_public_routes_stay_up(scaled: Stack) -> None:
    token = httpx.post(
        f"{scaled.url}/api/auth/login", json={"username": "owner", "password": OWNER_PASSWORD}
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for index in range(2):
        scaled.stop_replica("auth", index)
    time.sleep(2.5)  # the health checks notice
    with httpx.Client(base_url=scaled.url) as client:
        protected = client.get("/api/auth/me", headers=bearer)
        assert protected.status_code in (500, 502, 503)
        public = client.get(WHOAMI, headers=bearer)
        assert public.status_code == 200
        assert public.json() == {"authenticated": False}
    for index in range(2):
        scaled.start_replica("auth", index)
    time.sleep(2.5)
    with httpx.Client(base_url=scaled.url) as client:
        assert client.get("/api/auth/me", headers=bearer).status_code == 200
        assert client.get(WHOAMI, headers=bearer).json()["authenticated"] is True


@pytest.mark.skipif(not PrivateMariaDB.available(), reason="needs the mariadb-server package")
def test_services_survive_a_mariadb_restart(tmp_path: Path) -> None:
    database = PrivateMariaDB(tmp_path / "mariadb")
    database.install()
    database.start()
    stack = start_stack(
        tmp_path / "stack",
        extra_env={},
        mariadb_admin_url=database.admin_url,
    )
    try:
        login = {"username": "owner", "password": OWNER_PASSWORD}
        assert httpx.post(f"{stack.url}/api/auth/login", json=login).status_code == 200
        load = Load(f"{stack.url}{WHOAMI}", seconds=8)
        database.stop()
        time.sleep(1.0)
        down = httpx.post(f"{stack.url}/api/auth/login", json=login)
        assert down.status_code == 503  # a clear, retryable failure; nothing half-done
        assert down.json()["error"] == "unavailable"
        database.start()
        assert wait_for(
            lambda: httpx.post(f"{stack.url}/api/auth/login", json=login).status_code == 200,
            timeout=20,
            interval=0.5,
        ), "auth did not recover after MariaDB came back"
        result = load.summary()
        assert result["failed"] == 0, result  # whoami needs no database
        for replicas in stack.replicas.values():
            for replica in replicas:
                assert replica.process.running, replica.process.name  # recovered, not restarted
    finally:
        stack.stop()
        database.stop()
