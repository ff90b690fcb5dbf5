"""Messages: accepted durably with 202, delivered in the background, listed by permission."""

import json
import uuid

import pytest
from fastapi.testclient import TestClient
from kakao_support import (
    MEMBER,
    OTHER_MEMBER,
    OWNER,
    SITE,
    connect,
    make_settings,
    member_headers,
    message,
    owner_headers,
    send,
    status,
    wait_until,
)

from mysite_kakao.app import create_app
from mysite_testing.fake_kakao import FakeKakao


def test_a_member_message_is_accepted_then_delivered_with_name_text_and_link(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    response = client.post(
        "/api/kakao/messages", json={"text": "안녕하세요! 잘 지내시죠?"}, headers=member_headers()
    )
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["status"] == "queued"
    assert isinstance(accepted["id"], int)
    assert response.headers["location"] == f"/api/kakao/messages/{accepted['id']}"
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    delivered = fake.delivered[0]
    assert "방문자 🙂" in delivered.text
    assert "@visitor" in delivered.text
    assert delivered.text.endswith("안녕하세요! 잘 지내시죠?")
    read_url = f"{SITE}/admin/messages/{accepted['id']}"
    assert delivered.link == {"web_url": read_url, "mobile_web_url": read_url}
    assert delivered.button_title
    shown = message(client, accepted["id"])
    assert shown["attempts"] == 1
    assert shown["delivered_at"] is not None
    assert shown["last_error"] is None


def test_a_long_message_is_cut_to_kakaos_limit_without_breaking_a_character(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    # Family emoji (ZWJ sequence, 11 UTF-16 units) and flags must not be split.
    text = "가" * 120 + "👨‍👩‍👧‍👦" * 20 + "🇰🇷" * 10
    accepted = send(client, text)
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    delivered = fake.delivered[0].text
    assert len(delivered.encode("utf-16-le")) // 2 <= 200
    assert delivered.endswith("…")
    body = delivered.split("\n", 1)[1].removesuffix("…")
    assert text.startswith(body)
    remainder = text[len(body) :]
    assert remainder.startswith(("👨", "🇰"))  # the cut fell between whole characters
    # The whole text stays on the site.
    assert message(client, accepted["id"])["text"] == text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n  "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "bell \x07 character"}, "text"),
        ({"text": 42}, "text"),
        ({"text": None}, "text"),
        ({}, "text"),
        ({"text": ["a"]}, "text"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    client: TestClient, body: dict, field: str
) -> None:
    response = client.post("/api/kakao/messages", json=body, headers=member_headers())
    assert response.status_code == 422
    assert field in response.json().get("fields", {})
    assert status(client)["messages"]["queued"] == 0


def test_malformed_json_and_oversized_bodies_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/kakao/messages",
        content=b"{not json",
        headers={**member_headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    big = client.post("/api/kakao/messages", json={"text": "x" * 100_000}, headers=member_headers())
    assert big.status_code == 413
    assert status(client)["messages"]["queued"] == 0


def test_anonymous_visitors_cannot_send_or_list(client: TestClient) -> None:
    assert client.post("/api/kakao/messages", json={"text": "hi"}).status_code == 401
    assert client.get("/api/kakao/messages").status_code == 401
    assert client.get("/api/kakao/messages/1").status_code == 401


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/kakao/messages",
        json={"text": "hi"},
        headers={**member_headers(), "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert status(client)["messages"]["queued"] == 0


def test_the_same_idempotency_key_returns_the_first_message(client: TestClient) -> None:
    key = str(uuid.uuid4())
    first = client.post(
        "/api/kakao/messages",
        json={"text": "only once"},
        headers={**member_headers(), "Idempotency-Key": key},
    )
    again = client.post(
        "/api/kakao/messages",
        json={"text": "only once"},
        headers={**member_headers(), "Idempotency-Key": key},
    )
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    # Keys belong to their sender: another member's same key is a new message.
    other = client.post(
        "/api/kakao/messages",
        json={"text": "only once"},
        headers={**member_headers(OTHER_MEMBER), "Idempotency-Key": key},
    )
    assert other.json()["id"] != first.json()["id"]
    assert status(client)["messages"]["queued"] + status(client)["messages"]["delivered"] == 2


def test_a_reused_idempotency_key_with_other_text_is_refused(client: TestClient) -> None:
    headers = {**member_headers(), "Idempotency-Key": "key-1"}
    client.post("/api/kakao/messages", json={"text": "first"}, headers=headers)
    response = client.post("/api/kakao/messages", json={"text": "second"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["", "x" * 129, "has space", "ключ".encode(), "a/b"])
def test_malformed_idempotency_keys_are_refused(client: TestClient, key: str | bytes) -> None:
    response = client.post(
        "/api/kakao/messages",
        json={"text": "hi"},
        headers={**member_headers(), "Idempotency-Key": key},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_idempotency_key"


def test_messages_are_rate_limited_per_user(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, rate_limit_count=3, worker_threads=0)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        for number in range(3):
            send(client, f"message {number}")
        limited = client.post(
            "/api/kakao/messages", json={"text": "one more"}, headers=member_headers()
        )
        assert limited.status_code == 429
        assert limited.json()["error"] == "too_many_messages"
        assert 1 <= int(limited.headers["retry-after"]) <= 600
        # Another member is not affected, and a replay of an accepted message is not counted.
        send(client, "hello", OTHER_MEMBER)
        replay_key = {"Idempotency-Key": "k"}
        other = client.post(
            "/api/kakao/messages",
            json={"text": "hello again"},
            headers={**member_headers(OTHER_MEMBER), **replay_key},
        )
        assert other.status_code == 202
        again = client.post(
            "/api/kakao/messages",
            json={"text": "hello again"},
            headers={**member_headers(OTHER_MEMBER), **replay_key},
        )
        assert again.status_code == 202


def test_members_see_their_own_messages_and_the_owner_sees_all(client: TestClient) -> None:
    mine = send(client, "from visitor")
    theirs = send(client, "from another", OTHER_MEMBER)
    listed = client.get("/api/kakao/messages", headers=member_headers()).json()
    assert [item["id"] for item in listed["items"]] == [mine["id"]]
    assert (
        client.get(f"/api/kakao/messages/{theirs['id']}", headers=member_headers()).status_code
        == 404
    )
    assert (
        client.get(f"/api/kakao/messages/{mine['id']}", headers=member_headers()).status_code == 200
    )
    everything = client.get("/api/kakao/messages", headers=owner_headers()).json()
    assert {item["id"] for item in everything["items"]} == {mine["id"], theirs["id"]}
    sender = everything["items"][0]["sender"]
    assert sender == {"id": OTHER_MEMBER.user_id, "username": "another", "display_name": "Another"}
    own = client.get("/api/kakao/messages?mine=true", headers=owner_headers()).json()
    assert own["items"] == []
    assert client.get("/api/kakao/messages/999999", headers=owner_headers()).status_code == 404


def test_listing_pages_newest_first_and_filters_by_status(client: TestClient) -> None:
    ids = [send(client, f"number {number}")["id"] for number in range(5)]
    first = client.get("/api/kakao/messages?limit=2", headers=owner_headers()).json()
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    second = client.get(
        f"/api/kakao/messages?limit=2&before_id={first['next_before_id']}", headers=owner_headers()
    ).json()
    assert [item["id"] for item in second["items"]] == ids[::-1][2:4]
    last = client.get(
        f"/api/kakao/messages?limit=2&before_id={second['next_before_id']}", headers=owner_headers()
    ).json()
    assert [item["id"] for item in last["items"]] == ids[:1]
    assert last["next_before_id"] is None
    failed = client.get("/api/kakao/messages?status=failed", headers=owner_headers()).json()
    assert failed["items"] == []
    for bad in ("limit=0", "limit=101", "status=lost", "before_id=-1"):
        assert client.get(f"/api/kakao/messages?{bad}", headers=owner_headers()).status_code == 422


def test_messages_wait_while_kakao_is_not_connected(client: TestClient, fake: FakeKakao) -> None:
    accepted = send(client, "waiting for the owner")
    assert message(client, accepted["id"])["status"] == "queued"
    assert status(client)["messages"]["queued"] == 1
    connect(client)
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    assert len(fake.delivered) == 1


@pytest.mark.parametrize("kind", ["bad_parameter"])
def test_a_malformed_message_fails_without_retry(
    client: TestClient, fake: FakeKakao, kind: str
) -> None:
    connect(client)
    fake.fail_next(1, kind)
    accepted = send(client, "refused")
    shown = wait_until(lambda: (m := message(client, accepted["id"]))["status"] == "failed" and m)
    assert shown["attempts"] == 1
    assert shown["last_error_code"] == "-2"
    assert "malformed" in shown["last_error"]
    # Delivery goes on for the next message.
    following = send(client, "next one")
    wait_until(lambda: message(client, following["id"])["status"] == "delivered")


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("insufficient_scope", "-402", "consent to send messages was withdrawn"),
        ("app_consent_disabled", "-3", "consent item"),
    ],
)
def test_missing_consent_fails_the_message_and_asks_the_owner_to_connect_again(
    client: TestClient, fake: FakeKakao, kind: str, code: str, words: str
) -> None:
    connect(client)
    fake.fail_next(1, kind)
    first = send(client, "hits the missing consent")
    wait_until(lambda: message(client, first["id"])["status"] == "failed")
    shown = message(client, first["id"])
    assert shown["last_error_code"] == code
    assert shown["attempts"] == 1
    connection = status(client)
    assert connection["state"] == "reconnect_required"
    assert connection["needs_reconnect"] is True
    assert words in connection["last_error"].lower()
    # Later messages wait instead of failing too; connecting again sends them.
    waiting = send(client, "waits for the owner")
    assert message(client, waiting["id"])["status"] == "queued"
    connect(client)
    wait_until(lambda: message(client, waiting["id"])["status"] == "delivered")
    # The owner can send the failed one again.
    retried = client.post(f"/api/kakao/messages/{first['id']}/retry", headers=owner_headers())
    assert retried.status_code == 202
    wait_until(lambda: message(client, first["id"])["status"] == "delivered")
    assert (
        client.post(f"/api/kakao/messages/{first['id']}/retry", headers=owner_headers()).status_code
        == 409
    )
    assert (
        client.post("/api/kakao/messages/999999/retry", headers=owner_headers()).status_code == 404
    )


def test_consent_withdrawn_in_kakaotalk(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    fake.withdraw_consent()
    lost = send(client, "after withdrawal")
    wait_until(lambda: message(client, lost["id"])["status"] == "failed")
    assert status(client)["last_error"] == "Consent to send messages was withdrawn: connect again."
    connect(client)
    assert status(client)["state"] == "connected"


@pytest.mark.parametrize(
    "kind", ["internal", "rate_limited", "maintenance", "server_error", "disconnect", "hang"]
)
def test_temporary_failures_are_retried_until_delivered_once(
    client: TestClient, fake: FakeKakao, kind: str
) -> None:
    connect(client)
    fake.hang_seconds = 2.5  # longer than the service's read timeout (2 s in tests)
    fake.fail_next(2, kind)
    accepted = send(client, f"survives {kind}")
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered", timeout=20)
    shown = message(client, accepted["id"])
    assert shown["attempts"] == 3
    assert len(fake.delivered) == 1


def test_a_message_that_keeps_failing_gives_up_with_the_reason(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, max_attempts=3)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        connect(client)
        fake.fail_next(3, "internal")
        accepted = send(client, "unlucky")
        wait_until(lambda: message(client, accepted["id"])["status"] == "failed")
        shown = message(client, accepted["id"])
        assert shown["attempts"] == 3
        assert shown["last_error"].startswith("Gave up after 3 attempts")


def test_template_object_is_valid_json_text_template(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    accepted = send(client, 'quotes " and \\ and newlines\nare fine')
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    template = fake.delivered[0].template
    assert template["object_type"] == "text"
    assert json.loads(json.dumps(template)) == template
    assert template["text"].endswith('quotes " and \\ and newlines\nare fine')


def test_owner_can_message_too(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    accepted = send(client, "note to self", OWNER)
    wait_until(lambda: message(client, accepted["id"])["status"] == "delivered")
    assert MEMBER.username not in fake.delivered[0].text
