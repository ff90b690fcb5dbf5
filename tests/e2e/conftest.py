"""The whole stack, started once per test session on free ports behind the real Traefik.

It uses MariaDB (databases and users named e2e<random>_<service>, dropped afterwards), so it
never collides with a running `make up`.
"""

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from mysite_common.services import SERVICES
from mysite_stack.stack import Stack, StackOptions, free_port
from mysite_testing.databases import mariadb_admin_url as default_mariadb_url

OWNER_PASSWORD = "an owner passphrase for the end-to-end tests"
MEMBER_PASSWORD = "a member passphrase for the end-to-end tests"

# Realistic limits, a little looser for login so the browser tests (all from 127.0.0.1) fit.
E2E_RATES = {
    "MYSITE_RATE_LOGIN_PER_MINUTE": "60",
    "MYSITE_RATE_SIGNUP_PER_HOUR": "200",
    "MYSITE_RATE_CHAT_PER_MINUTE": "60",
    "MYSITE_RATE_MESSAGES_PER_HOUR": "500",
}


def start_stack(
    directory: Path,
    *,
    scale: dict[str, int] | None = None,
    extra_env: dict[str, str] | None = None,
    mariadb_admin_url: str | None = None,
) -> Stack:
    services = tuple(os.environ.get("MYSITE_E2E_SERVICES", ",".join(SERVICES)).split(","))
    stack = Stack(
        StackOptions(
            data_dir=directory,
            port=free_port(),
            scale=scale or {},
            mariadb_admin_url=mariadb_admin_url or default_mariadb_url(),
            database_prefix=f"e2e{secrets.token_hex(3)}",
            extra_env={
                "MYSITE_ADMIN_USERNAME": "owner",
                "MYSITE_ADMIN_PASSWORD": OWNER_PASSWORD,
                "MYSITE_ADMIN_DISPLAY_NAME": "김주인",
                "MYSITE_LOG_LEVEL": "INFO",
                **E2E_RATES,
                **(extra_env or {}),
            },
            services=services,
        )
    )
    try:
        stack.prepare()
        stack.start()
    except BaseException:
        stack.stop()
        stack.drop_databases()
        raise
    return stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()
    running.drop_databases()


# Debian's Chromium, headless, without the background traffic it would otherwise make.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One browser for every browser test of the session (each test opens its own contexts)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


_next_address = iter(range(2, 250))


@pytest.fixture
def client_address() -> str:
    """A loopback source address of this test's own (127.0.0.X), so per-address rate limits
    and brute-force counters of one test never touch another's."""
    return f"127.0.0.{next(_next_address)}"


@pytest.fixture
def gateway(stack: Stack, client_address: str) -> Iterator[httpx.Client]:
    """An HTTP client talking to the gateway from this test's own address."""
    transport = httpx.HTTPTransport(local_address=client_address)
    with httpx.Client(base_url=stack.url, transport=transport, timeout=10) as client:
        yield client


@pytest.fixture
def new_member(gateway: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Signs a new member up through the gateway; returns {username, password, ...}."""

    def make(display_name: str = "방문자") -> dict[str, Any]:
        username = f"member{secrets.token_hex(4)}"
        response = gateway.post(
            "/api/auth/signup",
            json={"username": username, "password": MEMBER_PASSWORD, "display_name": display_name},
        )
        assert response.status_code == 201, response.text
        return {**response.json(), "password": MEMBER_PASSWORD}

    return make


@pytest.fixture
def log_in(gateway: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Logs in through the gateway (the client keeps the cookies); returns the token body."""

    def log_in_as(username: str, password: str) -> dict[str, Any]:
        response = gateway.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return log_in_as
