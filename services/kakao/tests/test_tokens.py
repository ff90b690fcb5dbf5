"""Tokens look after themselves: refreshed ahead of expiry and on -401, the refresh token kept
until Kakao renews it, dead or ending connections reported, and encrypted at rest."""

from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from kakao_support import (
    SITE,
    TEST_TOKEN_KEY,
    connect,
    make_settings,
    message,
    send,
    status,
    wait_until,
)
from pydantic import ValidationError
from sqlalchemy import create_engine, text

from mysite_kakao.app import create_app
from mysite_kakao.config import KakaoSettings
from mysite_testing.fake_kakao import FakeKakao

HOUR = 3600
DAY = 24 * HOUR


def when(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


def upkeep(client: TestClient) -> None:
    client.app.state.worker.upkeep()  # type: ignore[attr-defined]


def test_access_token_is_refreshed_ahead_of_expiry_and_the_refresh_token_kept(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    before = status(client)
    upkeep(client)
    assert fake.stats.refreshes == 0  # six hours left: nothing to do
    fake.advance(5.6 * HOUR)  # under 30 minutes left
    upkeep(client)
    assert fake.stats.refreshes == 1
    assert fake.stats.refresh_token_renewals == 0
    after = status(client)
    assert when(after["access_token_expires_at"]) > when(before["access_token_expires_at"])
    # Kakao sent no new refresh token, so the old one and its expiry stay.
    assert after["refresh_token_expires_at"] == before["refresh_token_expires_at"]
    assert after["last_refresh_at"] is not None
    upkeep(client)
    assert fake.stats.refreshes == 1
    # The kept refresh token still works for the next refresh.
    fake.advance(5.8 * HOUR)
    upkeep(client)
    assert fake.stats.refreshes == 2
    accepted = send(client, "still connected")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")


def test_a_minus_401_refreshes_and_sends_again(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    fake.expire_access_tokens()  # Kakao ends the token early; the service cannot know
    accepted = send(client, "after -401")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    assert fake.stats.refreshes == 1
    assert message(client, accepted["id"])["attempts"] == 2
    assert status(client)["state"] == "connected"


def test_an_expired_access_token_is_refreshed_before_sending(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    fake.advance(7 * HOUR)
    accepted = send(client, "after a quiet night")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    assert fake.stats.refreshes == 1
    assert fake.stats.send_attempts == 1  # never sent with the dead token
    assert message(client, accepted["id"])["attempts"] == 1


def test_the_refresh_token_is_renewed_in_its_last_month(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    connected = status(client)
    fake.advance(29 * DAY)  # 31 days left: Kakao does not renew yet
    upkeep(client)
    assert fake.stats.refresh_token_renewals == 0
    assert status(client)["refresh_token_expires_at"] == connected["refresh_token_expires_at"]
    fake.advance(2 * DAY)  # 29 days left: the next refresh renews it
    upkeep(client)
    assert fake.stats.refresh_token_renewals == 1
    renewed = status(client)
    assert when(renewed["refresh_token_expires_at"]) > when(connected["refresh_token_expires_at"])
    assert renewed["state"] == "connected"
    # The old refresh token is dead now; the service uses the new one.
    fake.advance(6 * HOUR)
    upkeep(client)
    assert fake.stats.refreshes == 3
    assert status(client)["last_error"] is None


def test_kept_alive_for_months_by_upkeep_alone(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    for _ in range(4 * 70):  # 70 days of upkeep every 6 hours
        fake.advance(6 * HOUR)
        upkeep(client)
    shown = status(client)
    assert shown["state"] == "connected"
    assert fake.stats.refresh_token_renewals >= 2
    accepted = send(client, "seventy days later")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")


def test_a_dead_refresh_token_asks_for_reconnect_and_messages_wait(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    fake.unlink()  # every token dies: -401, then KOE322 on refresh
    accepted = send(client, "waits for reconnect")
    wait_until(lambda: status(client)["state"] == "reconnect_required")
    shown = status(client)
    assert shown["needs_reconnect"] is True
    assert shown["last_error_code"] == "KOE322"
    assert "connect again" in shown["last_error"]
    assert message(client, accepted["id"])["status"] == "queued"  # not dropped
    later = send(client, "also waits")
    assert message(client, later["id"])["status"] == "queued"
    connect(client)
    wait_until(lambda: message(client, later["id"])["status"] == "delivered")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    assert len(fake.delivered) == 2
    assert status(client)["last_error"] is None


def test_a_refresh_token_nearing_its_end_without_renewal_asks_for_reconnect(
    client: TestClient, fake: FakeKakao, settings: KakaoSettings
) -> None:
    connect(client)
    # As if Kakao had stopped renewing: the stored refresh token ends in 3 days.
    ends = (fake.now() + timedelta(days=3)).replace(tzinfo=None)
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE kakao_connection SET refresh_token_expires_at = :ends"), {"ends": ends}
        )
    engine.dispose()
    shown = status(client)
    assert shown["state"] == "reconnect_soon"
    assert shown["needs_reconnect"] is True
    assert shown["connected"] is True
    assert "connect again before then" in shown["last_error"]
    accepted = send(client, "still delivered meanwhile")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    fake.advance(4 * DAY)
    upkeep(client)
    shown = status(client)
    assert shown["state"] == "reconnect_required"
    assert "expired" in shown["last_error"]
    waiting = send(client, "waits")
    assert message(client, waiting["id"])["status"] == "queued"
    connect(client)
    wait_until(lambda: message(client, waiting["id"])["status"] == "delivered")


@pytest.mark.parametrize("kind", ["KOE237", "server_error", "disconnect"])
def test_a_temporary_refresh_failure_is_retried_and_shown(
    client: TestClient, fake: FakeKakao, kind: str
) -> None:
    connect(client)
    fake.advance(7 * HOUR)
    fake.fail_next(1, kind, endpoint="token")
    upkeep(client)
    shown = status(client)
    assert shown["state"] == "connected"
    assert shown["last_error"]
    accepted = send(client, "after the hiccup")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    assert status(client)["last_error"] is None


def test_a_wrong_client_secret_at_refresh_is_reported_and_messages_wait(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    fake.client_secret = "enabled-later"  # the owner enabled the secret but did not set it
    try:
        fake.advance(7 * HOUR)
        accepted = send(client, "waits for the secret")
        wait_until(lambda: status(client)["last_error_code"] == "KOE010")
        assert "KAKAO_CLIENT_SECRET" in status(client)["last_error"]
        assert message(client, accepted["id"])["status"] in ("queued", "sending")
        assert message(client, accepted["id"])["attempts"] == 0
        assert fake.delivered == []
    finally:
        fake.client_secret = None
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered", timeout=15)


def test_kakao_token_issue_limit_is_enforced_by_the_fake(fake: FakeKakao) -> None:
    import httpx

    fake.fail_next(1, "KOE237", endpoint="token")
    answer = httpx.post(f"{fake.url}/oauth/token", data={"grant_type": "refresh_token"})
    assert answer.json()["error_code"] == "KOE237"


def test_tokens_survive_a_key_rotation_and_a_wrong_key_asks_for_reconnect(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    with TestClient(
        create_app(make_settings(database_url, fake), clock=fake.now), base_url=SITE
    ) as client:
        connect(client)
    new_key = Fernet.generate_key().decode()
    rotated = make_settings(database_url, fake, token_key=f"{new_key},{TEST_TOKEN_KEY}")
    with TestClient(create_app(rotated, clock=fake.now), base_url=SITE) as client:
        accepted = send(client, "after rotation")
        wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    wrong = make_settings(database_url, fake, token_key=Fernet.generate_key().decode())
    with TestClient(create_app(wrong, clock=fake.now), base_url=SITE) as client:
        send(client, "cannot be sent")
        wait_until(lambda: status(client)["state"] == "reconnect_required")
        assert "KAKAO_TOKEN_KEY" in status(client)["last_error"]


@pytest.mark.parametrize("key", ["", "   ", "not-a-key", "c2hvcnQ=", TEST_TOKEN_KEY + ",bad"])
def test_the_service_refuses_to_start_without_a_valid_token_key(key: str) -> None:
    with pytest.raises(ValidationError, match="KAKAO_TOKEN_KEY"):
        KakaoSettings.load(token_key=key, database_url="sqlite:///unused.sqlite3")


def test_the_token_key_can_come_from_a_file(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "kakao_token_key"  # type: ignore[operator]
    key_file.write_text(TEST_TOKEN_KEY + "\n")
    monkeypatch.setenv("KAKAO_TOKEN_KEY_FILE", str(key_file))
    monkeypatch.setenv("KAKAO_DATABASE_URL", "sqlite:///unused.sqlite3")
    settings = KakaoSettings.load()
    assert settings.token_key.get_secret_value() == TEST_TOKEN_KEY
    assert TEST_TOKEN_KEY not in repr(settings)


def test_production_runs_unconfigured_until_the_owner_sets_kakao_up() -> None:
    settings = KakaoSettings.load(
        token_key=TEST_TOKEN_KEY, MYSITE_ENV="production", database_url="sqlite:///x.sqlite3"
    )
    assert settings.is_production
    assert not settings.is_configured


def test_urls_lose_their_trailing_slash_and_the_redirect_uri_follows_the_site() -> None:
    settings = KakaoSettings.load(
        token_key=TEST_TOKEN_KEY,
        database_url="sqlite:///x.sqlite3",
        auth_url="https://kauth.example/",
        KAKAO_SITE_URL="https://me.example/",
    )
    assert settings.auth_url == "https://kauth.example"
    assert settings.site_url == "https://me.example"
    assert settings.redirect_uri == "https://me.example/api/kakao/oauth/callback"
    assert settings.is_configured is False  # no REST API key yet
    given = KakaoSettings.load(
        token_key=TEST_TOKEN_KEY,
        database_url="sqlite:///x.sqlite3",
        KAKAO_SITE_URL="https://me.example",
        redirect_uri="https://me.example/kakao/",
    )
    assert given.redirect_uri == "https://me.example/kakao/"  # compared as registered
    with pytest.raises(ValidationError, match="KAKAO_REDIRECT_URI must be an http"):
        KakaoSettings.load(token_key=TEST_TOKEN_KEY, redirect_uri="ftp://me.example/cb")
