"""The shared library: settings, middlewares, errors, readiness, identity, provisioning."""

import secrets
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from mysite_common.client_address import client_address_from
from mysite_common.db import UtcDateTime
from mysite_common.health import Readiness
from mysite_common.identity import Identity, Role, identity_from_headers
from mysite_common.middleware import json_nesting_depth
from mysite_common.provision import drop_mariadb, provision_mariadb
from mysite_common.service_app import create_service_app
from mysite_common.settings import SecretFileError, ServiceSettings, normalize_database_url
from mysite_common.text import clean_text
from mysite_testing.databases import mariadb_admin_url


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")
    service_name = "demo"
    api_key: str = ""
    owner_password: str = Field(default="", validation_alias="MYSITE_OWNER_PASSWORD")


class Item(BaseModel):
    name: str
    count: int


def demo_app(checks: dict | None = None) -> FastAPI:
    router = APIRouter()

    @router.post("/api/demo/items")
    def create(item: Item) -> dict:
        return {"name": item.name}

    @router.get("/api/demo/broken-database")
    def broken() -> dict:
        raise OperationalError("SELECT 1", {}, Exception("server has gone away"))

    @router.get("/api/demo/crash")
    def crash() -> dict:
        raise RuntimeError("boom")

    settings = DemoSettings.load(database_url="sqlite://")
    return create_service_app(
        settings=settings, title="demo", routers=[router], readiness=checks or {}
    )


@pytest.fixture
def client() -> TestClient:
    with TestClient(demo_app(), raise_server_exceptions=False) as test_client:
        return test_client


def test_settings_read_secret_files_and_normalize_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "api_key"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("DEMO_API_KEY_FILE", str(secret))
    monkeypatch.setenv("MYSITE_DATA_DIR", str(tmp_path))
    settings = DemoSettings.load()
    assert settings.api_key == "from-a-file"
    assert settings.database_url == f"sqlite:///{tmp_path / 'db' / 'demo.sqlite3'}"
    assert normalize_database_url("mysql://u@h/db") == "mysql+pymysql://u@h/db"
    assert normalize_database_url("mariadb://u@h/db") == "mysql+pymysql://u@h/db"


def test_a_secret_file_wins_over_the_variable_and_an_argument_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "owner_password"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("DEMO_API_KEY", "from-the-variable")
    monkeypatch.setenv("DEMO_API_KEY_FILE", str(secret))
    # An aliased field's file is named after the field, with the service's prefix.
    monkeypatch.setenv("MYSITE_OWNER_PASSWORD", "from-the-variable")
    monkeypatch.setenv("DEMO_OWNER_PASSWORD_FILE", str(secret))
    settings = DemoSettings.load(database_url="sqlite://")
    assert (settings.api_key, settings.owner_password) == ("from-a-file", "from-a-file")
    assert DemoSettings.load(database_url="sqlite://", api_key="given").api_key == "given"
    monkeypatch.setenv("DEMO_API_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(SecretFileError, match=r"DEMO_API_KEY_FILE names .* cannot be read"):
        DemoSettings.load(database_url="sqlite://")


def test_cross_site_writes_are_refused_and_same_site_ones_pass(client: TestClient) -> None:
    body = {"name": "a", "count": 1}
    url = "/api/demo/items"
    assert client.post(url, json=body, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(url, json=body, headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert (
        client.post(url, json=body, headers={"Origin": "https://evil.example"}).status_code == 403
    )
    assert client.post(url, json=body, headers={"Origin": "null"}).status_code == 403
    assert client.post(url, json=body, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert client.post(url, json=body, headers={"Origin": "http://testserver"}).status_code == 200
    assert client.post(url, json=body).status_code == 200  # not a browser


def test_bodies_over_the_limit_are_refused_declared_or_streamed(client: TestClient) -> None:
    big = b'{"name": "' + b"a" * 70_000 + b'", "count": 1}'
    declared = client.post(
        "/api/demo/items", content=big, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        yield big[:40_000]
        yield big[40_000:]

    streamed = client.post(
        "/api/demo/items", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_deeply_nested_json_is_a_clear_400_before_any_parser(client: TestClient) -> None:
    deep = "[" * 5_000 + "]" * 5_000  # past Python's recursion limit, under the size limit
    response = client.post(
        "/api/demo/items", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "too_deeply_nested"
    nested_just_enough = {"name": "x", "count": 1, "extra": [[[[{"a": [1]}]]]]}
    assert client.post("/api/demo/items", json=nested_just_enough).status_code == 200
    # Brackets inside strings are text, not nesting.
    brackets_as_text = {"name": "[" * 1000 + '\\"{' * 100, "count": 1}
    assert client.post("/api/demo/items", json=brackets_as_text).status_code == 200


@pytest.mark.parametrize(
    ("body", "depth"),
    [(b"{}", 1), (b'{"a": [1, {"b": []}]}', 4), (b'"[[[["', 0), (b'["\\"[", [[]]]', 3)],
)
def test_json_nesting_depth(body: bytes, depth: int) -> None:
    assert json_nesting_depth(body) == depth


def test_personal_answers_are_not_stored_and_referrer_policy_is_a_default(
    client: TestClient,
) -> None:
    identity = Identity(7, "someone", Role.member, "Someone").to_headers()
    personal = client.post("/api/demo/items", json={"name": "x", "count": 1}, headers=identity)
    assert personal.headers["cache-control"] == "no-store"
    anonymous = client.post("/api/demo/items", json={"name": "x", "count": 1})
    assert "cache-control" not in anonymous.headers
    assert anonymous.headers["referrer-policy"] == "same-origin"


def test_errors_are_clear_json_and_never_echo_input(client: TestClient) -> None:
    wrong = client.post("/api/demo/items", json={"name": "secret-value", "count": "many"})
    assert wrong.status_code == 422
    body = wrong.json()
    assert body["error"] == "invalid_request"
    assert "count" in body["fields"]
    assert "secret-value" not in wrong.text
    assert client.get("/api/demo/nothing").json()["error"] == "not_found"
    unavailable = client.get("/api/demo/broken-database")
    assert unavailable.status_code == 503
    assert unavailable.headers["retry-after"] == "5"
    crashed = client.get("/api/demo/crash")
    assert crashed.status_code == 500
    assert "boom" not in crashed.text


def test_every_get_route_answers_head_with_its_headers_and_no_body(client: TestClient) -> None:
    get = client.get("/readyz")
    head = client.head("/readyz")
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
    # Only GET routes gain HEAD: a POST-only route still refuses it.
    assert client.head("/api/demo/items").status_code == 405


def test_request_ids_are_kept_when_valid_and_made_when_not(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"X-Request-Id": "bad id\nwith newline"}).headers
    assert len(made["x-request-id"]) == 32


def test_readiness_waits_for_every_check_then_reports_degradation() -> None:
    database_up = threading.Event()

    def database() -> None:
        if not database_up.is_set():
            raise ConnectionError("down")

    readiness = Readiness({"database": database}, interval=0.01)
    readiness.check_now()
    assert not readiness.ready
    database_up.set()
    readiness.check_now()
    assert readiness.ready
    assert not readiness.degraded
    database_up.clear()
    readiness.check_now()
    assert readiness.ready  # a shared outage must not take every replica out of rotation
    assert readiness.degraded


def test_readyz_and_metrics_endpoints() -> None:
    with TestClient(demo_app({"always": lambda: None})) as client:
        for _ in range(50):
            if client.get("/readyz").status_code == 200:
                break
        assert client.get("/readyz").json()["status"] == "ok"
        assert "mysite_http_requests_total" in client.get("/metrics").text


def test_identity_round_trips_through_headers() -> None:
    identity = Identity(7, "jisoo", Role.owner, "김지수 🐈")
    assert identity_from_headers(identity.to_headers()) == identity
    assert identity_from_headers({}) is None
    assert identity_from_headers({"X-User-Id": "x", "X-User-Role": "owner"}) is None
    assert identity_from_headers({"X-User-Id": "1", "X-User-Role": "admin"}) is None


def test_utc_datetimes_round_trip_and_naive_ones_are_refused() -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime)
    )
    table.create(engine)
    moment = datetime(2026, 11, 22, 10, 0, tzinfo=UTC) + timedelta(microseconds=5)
    with engine.begin() as connection:
        connection.execute(table.insert().values(at=moment))
        assert connection.execute(select(table.c.at)).scalar_one() == moment
        with pytest.raises(Exception, match="naive"):
            connection.execute(table.insert().values(at=datetime(2026, 1, 1)))


def test_provisioning_gives_each_service_only_its_own_database() -> None:
    prefix = f"t{secrets.token_hex(3)}"
    passwords = {"one": secrets.token_urlsafe(16), "two": secrets.token_urlsafe(16)}
    try:
        urls = provision_mariadb(mariadb_admin_url(), passwords, prefix)
        again = provision_mariadb(mariadb_admin_url(), passwords, prefix)  # idempotent
        assert urls == again
        engine = create_engine(urls["one"])
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE notes (id INT PRIMARY KEY)"))
            charset = connection.execute(text("SELECT @@character_set_database")).scalar_one()
            assert charset == "utf8mb4"
            with pytest.raises((OperationalError, ProgrammingError)):
                connection.execute(text(f"SHOW TABLES FROM `{prefix}_two`"))
        engine.dispose()
    finally:
        drop_mariadb(mariadb_admin_url(), list(passwords), prefix)


# --- client address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forwarded_for", "depth", "expected"),
    [
        (["203.0.113.7"], 0, "203.0.113.7"),  # the gateway appended the client it saw
        (["6.6.6.6, 203.0.113.7"], 0, "203.0.113.7"),  # the client's own entry is ignored
        (["6.6.6.6, 203.0.113.7, 10.0.1.9"], 1, "203.0.113.7"),  # behind the load balancer
        (["6.6.6.6", "203.0.113.7, 10.0.1.9"], 1, "203.0.113.7"),  # several headers, one list
        (["not-an-address, 10.0.1.9"], 1, "-"),
        ([" 2001:db8::1 , 10.0.1.9"], 1, "2001:db8::1"),
        ([], 0, "127.0.0.9"),  # not through the gateway: the peer
        (["10.0.1.9"], 1, "127.0.0.9"),  # fewer proxies than configured: the peer
    ],
)
def test_client_address_counts_from_the_right(
    forwarded_for: list[str], depth: int, expected: str
) -> None:
    assert client_address_from(forwarded_for, "127.0.0.9", depth) == expected


# --- text ----------------------------------------------------------------------------------


def test_clean_text_removes_bidi_controls_and_normalizes() -> None:
    spoofed = "\u202eevil\u202c \u2066name\u2069"
    assert clean_text(spoofed) == "evil name"
    assert clean_text("  \u1100\u1161\r\nline\rend  ") == "가\nline\nend"
    assert clean_text("שלום עולם") == "שלום עולם"  # right-to-left text needs none of them
