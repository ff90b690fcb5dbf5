"""Connecting the owner's Kakao account: OAuth with state bound to the browser, PKCE, and a
callback that exchanges the code at most once."""

import threading
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient
from kakao_support import (
    CALLBACK,
    OWNER,
    SITE,
    admin_result,
    callback_path,
    connect,
    consent,
    finish_connect,
    make_settings,
    member_headers,
    owner_headers,
    start_connect,
    status,
)
from sqlalchemy import create_engine, text

from mysite_common.identity import Identity, Role
from mysite_kakao.app import create_app
from mysite_kakao.crypto import pkce_challenge
from mysite_testing.fake_kakao import FakeKakao


def test_start_redirects_to_kakao_consent_with_state_pkce_and_talk_message_scope(
    client: TestClient, fake: FakeKakao
) -> None:
    response = client.get("/api/kakao/oauth/start", headers=owner_headers(), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["cache-control"] == "no-store"
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{fake.url}/oauth/authorize"
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query["client_id"] == fake.client_id
    assert query["redirect_uri"] == CALLBACK
    assert query["response_type"] == "code"
    assert query["scope"] == "talk_message"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    assert len(query["code_challenge"]) == 43
    cookie = response.headers["set-cookie"]
    assert "mysite_kakao_oauth=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert query["state"] not in cookie  # the browser binding is a separate secret


def test_full_connect_flow_stores_encrypted_tokens_and_shows_them_on_the_status(
    client: TestClient, fake: FakeKakao, database_url: str
) -> None:
    assert status(client)["state"] == "not_connected"
    connect(client)
    assert fake.stats.code_exchanges == 1
    shown = status(client)
    assert shown["state"] == "connected"
    assert shown["connected"] is True
    assert shown["needs_reconnect"] is False
    assert shown["kakao_user_id"] == fake.user_id
    assert "talk_message" in shown["scopes"]
    assert shown["access_token_expires_at"] is not None
    assert shown["refresh_token_expires_at"] is not None
    assert shown["last_error"] is None
    assert shown["last_connect"]["result"] == "connected"
    # At rest, the tokens are ciphertext.
    engine = create_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT access_token_encrypted, refresh_token_encrypted FROM kakao_connection")
        ).one()
    engine.dispose()
    assert all(value and not value.startswith("fake-") for value in row)
    assert all("fake-" not in value for value in row)


def test_pkce_verifier_matches_the_challenge_sent_to_kakao(
    client: TestClient, fake: FakeKakao
) -> None:
    # The fake refuses a code whose verifier does not hash to the challenge; connecting works,
    # so the pair is right. Check the S256 helper against RFC 7636's own example too.
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    connect(client)


def test_reloading_the_callback_shows_the_first_result_without_a_second_exchange(
    client: TestClient, fake: FakeKakao
) -> None:
    path = callback_path(consent(start_connect(client)))
    first = admin_result(finish_connect(client, path))
    again = admin_result(finish_connect(client, path))
    assert first == again == {"kakao": "connected", "reason": "connected"}
    assert fake.stats.code_exchanges == 1
    assert fake.stats.token_requests == 1


def test_a_double_submit_exchanges_the_code_once(client: TestClient, fake: FakeKakao) -> None:
    path = callback_path(consent(start_connect(client)))
    fake.slow(0.3)  # both requests arrive while the first exchange is running
    results: list[dict[str, str]] = []

    def submit() -> None:
        results.append(admin_result(finish_connect(client, path)))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"kakao": "connected", "reason": "connected"}] * 2
    assert fake.stats.token_requests == 1


def test_a_code_used_elsewhere_is_reported_as_koe320(client: TestClient, fake: FakeKakao) -> None:
    path = callback_path(consent(start_connect(client)))
    code = parse_qs(urlsplit(path).query)["code"][0]
    # Someone (say, a browser extension replaying the URL) spends the code first.
    httpx.post(
        f"{fake.url}/oauth/token",
        data={"grant_type": "authorization_code", "client_id": fake.client_id, "code": code},
    )
    result = admin_result(finish_connect(client, path))
    assert result == {"kakao": "failed", "reason": "KOE320"}
    shown = status(client)
    assert shown["state"] == "not_connected"
    assert "already used" in shown["last_connect"]["message"]


def test_denied_consent_changes_nothing_and_says_so(client: TestClient, fake: FakeKakao) -> None:
    fake.consent = "deny"
    answer = consent(start_connect(client))
    assert "error=access_denied" in answer.headers["location"]
    result = admin_result(finish_connect(client, callback_path(answer)))
    assert result == {"kakao": "denied", "reason": "access_denied"}
    assert fake.stats.token_requests == 0
    shown = status(client)
    assert shown["connected"] is False
    assert "did not agree" in shown["last_connect"]["message"]


def test_consent_without_the_message_item_is_refused(client: TestClient, fake: FakeKakao) -> None:
    fake.consent = "allow_without_talk_message"
    result = admin_result(finish_connect(client, callback_path(consent(start_connect(client)))))
    assert result == {"kakao": "failed", "reason": "talk_message_not_granted"}
    assert status(client)["connected"] is False


def test_a_denied_reconnect_keeps_the_working_connection(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    fake.consent = "deny"
    admin_result(finish_connect(client, callback_path(consent(start_connect(client)))))
    assert status(client)["state"] == "connected"


def test_callback_from_another_browser_is_refused_without_exchanging(
    client: TestClient, fake: FakeKakao, settings
) -> None:
    path = callback_path(consent(start_connect(client)))
    with TestClient(client.app, base_url=SITE) as other_browser:  # no state cookie
        result = admin_result(finish_connect(other_browser, path))
    assert result == {"kakao": "failed", "reason": "state_mismatch"}
    client.cookies.set(settings.state_cookie_name, "forged-value")
    assert admin_result(finish_connect(client, path))["reason"] == "state_mismatch"
    assert fake.stats.token_requests == 0


def test_callback_for_another_owner_account_is_refused(client: TestClient, fake: FakeKakao) -> None:
    path = callback_path(consent(start_connect(client)))
    other_owner = Identity(99, "owner2", Role.owner, "Owner 2")
    response = client.get(path, headers=other_owner.to_headers(), follow_redirects=False)
    assert admin_result(response)["reason"] == "state_mismatch"
    assert fake.stats.token_requests == 0


def test_unknown_missing_and_expired_state(client: TestClient, fake: FakeKakao, settings) -> None:
    assert admin_result(finish_connect(client, "/api/kakao/oauth/callback?code=x&state=nope")) == {
        "kakao": "failed",
        "reason": "unknown_state",
    }
    assert admin_result(finish_connect(client, "/api/kakao/oauth/callback?code=x"))["reason"] == (
        "missing_state"
    )
    path = callback_path(consent(start_connect(client)))
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE kakao_oauth_states SET expires_at = created_at WHERE used_at IS NULL")
        )
    engine.dispose()
    assert admin_result(finish_connect(client, path))["reason"] == "state_expired"
    assert fake.stats.token_requests == 0


def test_wrong_client_secret_is_explained(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    fake.client_secret = "the-real-secret"
    try:
        settings = make_settings(database_url, fake, client_secret="a-wrong-secret")
        with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
            result = admin_result(
                finish_connect(client, callback_path(consent(start_connect(client))))
            )
            assert result == {"kakao": "failed", "reason": "KOE010"}
            assert "KAKAO_CLIENT_SECRET" in status(client)["last_connect"]["message"]
        settings = make_settings(database_url, fake, client_secret="the-real-secret")
        with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
            connect(client)
    finally:
        fake.client_secret = None


def test_redirect_uri_differs_from_the_registered_one(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, redirect_uri=CALLBACK + "/")
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        answer = consent(start_connect(client))
    # Kakao shows KOE006 on its own page and never comes back.
    assert answer.status_code == 400
    assert "KOE006" in answer.text


def test_unconfigured_service_sends_the_owner_back_with_the_reason(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, rest_api_key="")
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        response = client.get(
            "/api/kakao/oauth/start", headers=owner_headers(), follow_redirects=False
        )
        assert admin_result(response) == {"kakao": "failed", "reason": "kakao_not_configured"}
        shown = status(client)
        assert shown["configured"] is False
        assert shown["state"] == "not_configured"
        assert "KAKAO_REST_API_KEY" in shown["last_error"]


def test_disconnect_forgets_the_tokens_and_unlinks(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    response = client.post("/api/kakao/disconnect", headers=owner_headers())
    assert response.status_code == 200
    assert response.json()["state"] == "not_connected"
    assert response.json()["access_token_expires_at"] is None
    assert fake.live_refresh_tokens() == 0  # unlinked on Kakao's side too
    connect(client)  # and connecting again works
    assert status(client)["state"] == "connected"


def test_owner_routes_refuse_members_and_anonymous(client: TestClient) -> None:
    owner_only = [
        ("GET", "/api/kakao/oauth/start"),
        ("GET", "/api/kakao/oauth/callback?state=x&code=y"),
        ("GET", "/api/kakao/status"),
        ("POST", "/api/kakao/disconnect"),
        ("POST", "/api/kakao/messages/1/retry"),
    ]
    for method, path in owner_only:
        anonymous = client.request(method, path, follow_redirects=False)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.json()["error"] == "unauthorized"
        member = client.request(method, path, headers=member_headers(), follow_redirects=False)
        assert member.status_code == 403, (method, path)
        assert member.json()["error"] == "forbidden"


def test_cross_site_disconnect_is_refused(client: TestClient) -> None:
    connect(client)
    response = client.post(
        "/api/kakao/disconnect",
        headers={**owner_headers(), "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.test"},
    )
    assert response.status_code == 403
    assert status(client)["connected"] is True


def test_identity_is_the_owner_fixture() -> None:
    assert OWNER.is_owner
