"""The gateway behind a load balancer, as on ECS: a second Traefik in front plays the AWS
ALB (it keeps whatever X-Forwarded-For a client sends and appends the client's address),
the gateway trusts it (forwardedHeaders.trustedIPs) and MYSITE_CLIENT_IP_DEPTH is 1.

Login regulation and the gateway's rate limits must both see each visitor's own address:
not the balancer's (then one attacker locks everyone out), and not one a client wrote (then
rotating it escapes every counter).
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from mysite_stack.processes import ManagedProcess, wait_for
from mysite_stack.stack import Stack, StackOptions, free_port

pytestmark = pytest.mark.e2e

OWNER_PASSWORD = "an owner passphrase for the balancer tests"
WRONG_PASSWORD = "certainly not the owner's passphrase"
LOGIN_LIMIT_PER_MINUTE = 8


def load_balancer_config(directory: Path, port: int, gateway_url: str) -> Path:
    dynamic = directory / "lb-dynamic.yml"
    dynamic.write_text(
        yaml.safe_dump(
            {
                "http": {
                    "routers": {
                        "all": {"entryPoints": ["web"], "rule": "PathPrefix(`/`)", "service": "gw"}
                    },
                    "services": {"gw": {"loadBalancer": {"servers": [{"url": gateway_url}]}}},
                }
            }
        )
    )
    static = directory / "lb.yml"
    static.write_text(
        yaml.safe_dump(
            {
                "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
                "entryPoints": {
                    # Like the ALB: a client's X-Forwarded-For is kept and the client appended.
                    "web": {
                        "address": f"127.0.0.1:{port}",
                        "forwardedHeaders": {"insecure": True},
                    }
                },
                "log": {"level": "WARN"},
                "providers": {"file": {"filename": str(dynamic)}},
            }
        )
    )
    return static


@pytest.fixture(scope="module")
def balanced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    """(the stack, the load balancer's URL)"""
    directory = tmp_path_factory.mktemp("balanced")
    stack = Stack(
        StackOptions(
            data_dir=directory,
            port=free_port(),
            services=("auth", "site"),
            extra_env={
                "MYSITE_ADMIN_USERNAME": "owner",
                "MYSITE_ADMIN_PASSWORD": OWNER_PASSWORD,
                "MYSITE_CLIENT_IP_DEPTH": "1",
                "MYSITE_RATE_LOGIN_PER_MINUTE": str(LOGIN_LIMIT_PER_MINUTE),
            },
            # The balancer connects from 127.0.0.1; visitors come from other 127.0.0.X.
            trusted_proxies=("127.0.0.1/32",),
        )
    )
    port = free_port()
    balancer = ManagedProcess(
        name="load-balancer",
        command=[
            str(Path(sys.executable).parent / "traefik"),
            f"--configFile={load_balancer_config(directory, port, stack.url)}",
        ],
        env={},
        log_path=directory / "lb.log",
    )
    try:
        stack.prepare()
        stack.start()
        balancer.start()
        url = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: _status(url) == 401, 30), balancer.last_lines()
        yield stack, url
    finally:
        balancer.stop()
        stack.stop()


def _status(url: str) -> int:
    try:
        return httpx.get(f"{url}/api/auth/me", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def visitor(url: str, address: str) -> httpx.Client:
    """A visitor at `address` reaching the site through the load balancer."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=10)


def login(client: httpx.Client, password: str, **headers: str) -> int:
    response = client.post(
        "/api/auth/login", json={"username": "owner", "password": password}, headers=headers
    )
    return response.status_code


def recorded_addresses(stack: Stack) -> set[str]:
    engine = create_engine(stack.database_urls["auth"])
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT DISTINCT ip FROM login_attempts")))
    finally:
        engine.dispose()


def test_login_regulation_counts_each_visitors_own_address(
    balanced: tuple[Stack, str],
) -> None:
    stack, url = balanced
    with visitor(url, "127.0.0.21") as attacker, visitor(url, "127.0.0.22") as owner:
        for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
            # A new claimed address every time, in both headers a client could think of.
            assert login(attacker, WRONG_PASSWORD, **{"X-Real-Ip": forged}) == 401
            assert forged not in recorded_addresses(stack)
        attacker.headers["X-Forwarded-For"] = "192.0.2.9"
        # Five failures from one visitor on one account block that visitor ...
        assert login(attacker, OWNER_PASSWORD, **{"X-Real-Ip": "192.0.2.6"}) == 401
        # ... and nobody else: the owner, elsewhere behind the same balancer, logs in.
        assert login(owner, OWNER_PASSWORD) == 200
    addresses = recorded_addresses(stack)
    assert addresses == {"127.0.0.21", "127.0.0.22"}, addresses


def test_gateway_rate_limits_each_visitor_behind_the_balancer(
    balanced: tuple[Stack, str],
) -> None:
    _, url = balanced
    with visitor(url, "127.0.0.31") as busy, visitor(url, "127.0.0.32") as other:
        statuses = [
            login(busy, WRONG_PASSWORD, **{"X-Forwarded-For": f"198.51.100.{attempt}"})
            for attempt in range(LOGIN_LIMIT_PER_MINUTE + 3)
        ]
        assert 429 in statuses
        assert login(other, WRONG_PASSWORD) == 401


def test_the_balancer_is_the_only_trusted_proxy(balanced: tuple[Stack, str]) -> None:
    """Straight to the gateway (not through the balancer), a claimed address is dropped."""
    stack, _ = balanced
    with visitor(stack.url, "127.0.0.41") as direct:
        # With depth 1 and the claim dropped, only the gateway's own entry is left: the
        # service falls back to the peer, never to the claim.
        assert login(direct, WRONG_PASSWORD, **{"X-Forwarded-For": "192.0.2.77"}) == 401
    assert "192.0.2.77" not in recorded_addresses(stack)


def test_no_process_but_auth_holds_the_owner_password(balanced: tuple[Stack, str]) -> None:
    stack, _ = balanced
    for process in stack.all_processes():
        holds = "MYSITE_ADMIN_PASSWORD" in process.env
        assert holds == process.name.startswith("auth"), process.name


def test_gateway_access_log_keeps_paths_without_their_query(balanced: tuple[Stack, str]) -> None:
    stack, url = balanced
    with visitor(url, "127.0.0.51") as client:
        client.get("/api/auth/me?code=one-time-secret-code&state=secret-state-value")
    gateway = stack.logs_dir / "gateway.log"
    assert wait_for(lambda: '"/api/auth/me"' in gateway.read_text(), 5)
    log = gateway.read_text()
    assert "one-time-secret-code" not in log
    assert "secret-state-value" not in log


def test_data_and_logs_are_private_to_their_owner(balanced: tuple[Stack, str]) -> None:
    stack, _ = balanced
    assert stack.data_dir.stat().st_mode & 0o777 == 0o700
    assert stack.logs_dir.stat().st_mode & 0o777 == 0o700
    for log in stack.logs_dir.glob("*.log"):
        assert log.stat().st_mode & 0o777 == 0o600, log
    databases = list((stack.data_dir / "db").glob("*.sqlite3*"))
    assert databases
    for database in databases:
        assert database.stat().st_mode & 0o077 == 0, database


def test_personal_answers_are_not_stored_and_the_site_keeps_its_referrer_policy(
    balanced: tuple[Stack, str],
) -> None:
    _, url = balanced
    with visitor(url, "127.0.0.61") as owner:
        assert login(owner, OWNER_PASSWORD) == 200
        me = owner.get("/api/auth/me")
        assert me.status_code == 200
        assert me.headers["cache-control"] == "no-store"
        # The gateway adds its security headers but leaves the referrer policy to the site.
        page = owner.get("/login")
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["x-frame-options"] == "DENY"


def test_current_password_checks_are_rate_limited_per_user(balanced: tuple[Stack, str]) -> None:
    _, url = balanced
    with visitor(url, "127.0.0.71") as owner:
        assert login(owner, OWNER_PASSWORD) == 200
        statuses = [
            owner.post(
                "/api/auth/password",
                json={"current_password": WRONG_PASSWORD, "new_password": "x" * 20},
            ).status_code
            for _ in range(8)
        ]
    # A burst of 5, then the gateway's limit; auth answered the first ones itself.
    assert statuses[0] == 403
    assert 429 in statuses, statuses
