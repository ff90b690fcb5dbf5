"""The kakao service through the real Traefik: connect, send, permissions, two replicas.

Its own stack (two kakao replicas, one MariaDB database) pointed at a fake Kakao on
127.0.0.1, so the whole OAuth round trip and delivery run as they would in production.
"""

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, expect

from mysite_stack.stack import Stack
from mysite_testing.browser import log_in as log_in_browser
from mysite_testing.fake_kakao import FakeKakao

from .conftest import MEMBER_PASSWORD, OWNER_PASSWORD, start_stack

pytestmark = pytest.mark.e2e
CALLBACK_PATH = "/api/kakao/oauth/callback"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "kakao"


@pytest.fixture(scope="module")
def kakao() -> Iterator[FakeKakao]:
    with FakeKakao() as fake:
        yield fake


@pytest.fixture(scope="module")
def kakao_stack(kakao: FakeKakao, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(
        tmp_path_factory.mktemp("kakao-stack"),
        scale={"kakao": 2},
        extra_env={
            "KAKAO_REST_API_KEY": kakao.client_id,
            "KAKAO_AUTH_URL": kakao.url,
            "KAKAO_API_URL": kakao.url,
            "KAKAO_POLL_SECONDS": "0.1",
            "KAKAO_BACKOFF_BASE_SECONDS": "0.05",
            "KAKAO_BACKOFF_MAX_SECONDS": "0.5",
            "MYSITE_RATE_MESSAGES_PER_HOUR": "500",
        },
    )
    kakao.redirect_uris.add(stack.url + CALLBACK_PATH)
    yield stack
    stack.stop()
    stack.drop_databases()


def log_in(stack: Stack, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.url, timeout=15)
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client


def logged_in(stack: Stack, username: str, password: str) -> closing[httpx.Client]:
    return closing(log_in(stack, username, password))


def new_member(stack: Stack, name: str) -> closing[httpx.Client]:
    return closing(sign_up(stack, name))


def sign_up(stack: Stack, name: str) -> httpx.Client:
    username = f"{name}{int(time.time() * 1000) % 10**8}"
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        response = client.post(
            "/api/auth/signup",
            json={"username": username, "password": MEMBER_PASSWORD, "display_name": "방문자"},
        )
        assert response.status_code == 201, response.text
    return log_in(stack, username, MEMBER_PASSWORD)


def connect(stack: Stack, owner: httpx.Client) -> str:
    start = owner.get("/api/kakao/oauth/start")
    assert start.status_code == 302, start.text
    at_kakao = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_kakao.status_code == 302, at_kakao.text
    back = at_kakao.headers["location"]
    assert back.startswith(stack.url + CALLBACK_PATH)
    parts = urlsplit(back)
    done = owner.get(f"{parts.path}?{parts.query}")
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def wait_until(condition, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
    return value


def test_the_owner_connects_through_the_gateway(kakao_stack: Stack, kakao: FakeKakao) -> None:
    with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
        assert connect(kakao_stack, owner) == "/admin?kakao=connected&reason=connected#kakao"
        status = owner.get("/api/kakao/status").json()
        assert status["state"] == "connected"
        assert status["kakao_user_id"] == kakao.user_id
        # A reload of the callback does not burn the code into KOE320.
        exchanges = kakao.stats.code_exchanges
        start = owner.get("/api/kakao/oauth/start")
        back = urlsplit(httpx.get(start.headers["location"]).headers["location"])
        first = owner.get(f"{back.path}?{back.query}")
        again = owner.get(f"{back.path}?{back.query}")
        assert first.headers["location"] == again.headers["location"]
        assert kakao.stats.code_exchanges == exchanges + 1


def test_connect_routes_are_for_the_owner_only(kakao_stack: Stack) -> None:
    with httpx.Client(base_url=kakao_stack.url) as anonymous:
        start = anonymous.get("/api/kakao/oauth/start")
        assert start.status_code == 302
        assert "/login?next=" in start.headers["location"]
        assert anonymous.get("/api/kakao/status").status_code == 401
        assert anonymous.post("/api/kakao/messages", json={"text": "hi"}).status_code == 401
        assert anonymous.get("/api/kakao/messages").status_code == 401
    with new_member(kakao_stack, "curious") as member:
        assert member.get("/api/kakao/oauth/start").status_code in (302, 403)
        assert member.get("/api/kakao/status").status_code == 403
        assert member.post("/api/kakao/disconnect").status_code == 403


def test_a_member_message_arrives_once_with_a_link_to_the_site(
    kakao_stack: Stack, kakao: FakeKakao
) -> None:
    with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
        if owner.get("/api/kakao/status").json()["state"] != "connected":
            connect(kakao_stack, owner)
    before = len(kakao.delivered)
    with new_member(kakao_stack, "writer") as member:
        response = member.post(
            "/api/kakao/messages",
            json={"text": "게이트웨이를 거쳐 보낸 메시지"},
            headers={"Idempotency-Key": "e2e-once"},
        )
        assert response.status_code == 202, response.text
        message_id = response.json()["id"]
        replay = member.post(
            "/api/kakao/messages",
            json={"text": "게이트웨이를 거쳐 보낸 메시지"},
            headers={"Idempotency-Key": "e2e-once"},
        )
        assert replay.json()["id"] == message_id
        wait_until(
            lambda: member.get(f"/api/kakao/messages/{message_id}").json()["status"] == "delivered"
        )
        mine = member.get("/api/kakao/messages").json()["items"]
        assert [item["id"] for item in mine] == [message_id]
    delivered = kakao.delivered[before:]
    assert len(delivered) == 1
    assert delivered[0].text.endswith("게이트웨이를 거쳐 보낸 메시지")
    assert delivered[0].link["web_url"] == f"{kakao_stack.url}/admin/messages/{message_id}"


def test_messages_are_rate_limited_per_user(kakao_stack: Stack) -> None:
    with new_member(kakao_stack, "chatty") as member:
        statuses = [
            member.post("/api/kakao/messages", json={"text": f"number {n}"}).status_code
            for n in range(8)
        ]
    assert statuses[:5] == [202] * 5
    assert 429 in statuses[5:]


def test_two_replicas_deliver_a_burst_exactly_once_across_a_kakao_outage(
    kakao_stack: Stack, kakao: FakeKakao
) -> None:
    with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
        if owner.get("/api/kakao/status").json()["state"] != "connected":
            connect(kakao_stack, owner)
    before = len(kakao.delivered)
    kakao.outage("reset")
    ids: list[int] = []
    members = [sign_up(kakao_stack, f"burst{n}") for n in range(6)]
    try:
        for number in range(30):
            member = members[number % len(members)]
            response = member.post("/api/kakao/messages", json={"text": f"burst {number}"})
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
    finally:
        for member in members:
            member.close()
    time.sleep(1)
    assert len(kakao.delivered) == before
    kakao.recover()
    wait_until(lambda: len(kakao.delivered) >= before + 30)
    time.sleep(0.5)
    links = [item.link["web_url"] for item in kakao.delivered[before:]]
    delivered_ids = [int(re.search(r"/(\d+)$", link).group(1)) for link in links]  # type: ignore[union-attr]
    assert Counter(delivered_ids) == Counter(ids)
    # Each replica logs what it delivered: together, every message once.
    logged: list[int] = []
    for number in (1, 2):
        for line in (kakao_stack.logs_dir / f"kakao-{number}.log").read_text().splitlines():
            if '"msg": "message delivered"' in line:
                logged.append(int(re.search(r'"message_id": (\d+)', line).group(1)))  # type: ignore[union-attr]
    assert Counter(item for item in logged if item in set(ids)) == Counter(ids)


# --- the owner's notifications (kept last: they add messages the tests above do not expect) ---


def csrf_headers(client: httpx.Client) -> dict[str, str]:
    client.get("/login")
    return {"X-CSRF-Token": client.cookies["mysite_csrf"]}


def test_a_guestbook_entry_and_a_declined_question_arrive_as_kakaotalk_messages(
    kakao_stack: Stack, kakao: FakeKakao
) -> None:
    with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
        if owner.get("/api/kakao/status").json()["state"] != "connected":
            connect(kakao_stack, owner)
        settings = owner.get("/api/kakao/notifications/settings")
        assert settings.status_code == 200, settings.text
        assert settings.json()["delivering"] is True
        # Bad input through the gateway: a clear 422, nothing changed.
        refused = owner.put("/api/kakao/notifications/settings", json={"digest": "often"})
        assert refused.status_code == 422
        assert owner.get("/api/kakao/notifications/settings").json() == settings.json()
    before = len(kakao.delivered)
    with new_member(kakao_stack, "guest") as member:
        written = member.post(
            "/api/site/guestbook",
            json={"body": "게이트웨이 너머에서 쓴 방명록"},
            headers=csrf_headers(member),
        )
        assert written.status_code == 201, written.text
        # The settings are the owner's; /internal/ is never routed from outside.
        assert member.get("/api/kakao/notifications/settings").status_code == 403
        forged = member.post(
            "/internal/notifications",
            json={"kind": "guestbook_entry", "event_id": "forged-1", "text": "spam"},
        )
        assert forged.status_code == 403
    with httpx.Client(base_url=kakao_stack.url, timeout=15) as visitor:
        reply = visitor.post("/api/chat/ask", json={"question": "좋아하는 영화는 뭐예요?"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["answered"] is False
    wait_until(lambda: len(kakao.delivered) >= before + 2)
    arrived = kakao.delivered[before:]
    texts = sorted(item.text for item in arrived)
    assert texts == [
        "❓ 챗봇이 답하지 못한 질문\n좋아하는 영화는 뭐예요?",
        "📒 방명록 새 글\n방문자: 게이트웨이 너머에서 쓴 방명록",
    ]
    links = {item.link["web_url"] for item in arrived}
    assert links == {f"{kakao_stack.url}/guestbook", f"{kakao_stack.url}/admin/chatbot"}
    assert not any("spam" in item.text for item in kakao.delivered)


@pytest.mark.browser
def test_the_owner_switches_notifications_in_the_admin_page(
    kakao_stack: Stack, kakao: FakeKakao, chromium: Browser
) -> None:
    with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
        owner.post("/api/kakao/disconnect")
    context = chromium.new_context(base_url=kakao_stack.url, locale="en-US")
    try:
        page = context.new_page()
        log_in_browser(page, "owner", OWNER_PASSWORD, "/admin/messages")
        section = page.locator("[data-kakao-notify]")
        expect(section).to_be_visible()
        # Not connected: the page says why no notification arrives.
        why = page.locator("[data-kakao-notify-why]")
        expect(why).to_contain_text("No notification arrives until you connect KakaoTalk")
        guestbook = page.get_by_role("switch", name="A new guestbook entry")
        questions = page.get_by_role("switch", name="A question the chatbot could not answer")
        digest = page.get_by_role("switch", name="Digest: gather them up")
        expect(guestbook).to_be_checked()
        expect(questions).to_be_checked()
        expect(digest).not_to_be_checked()
        expect(page.locator("[data-kakao-notify-digest-about]")).to_contain_text("60 minutes")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / "admin-notifications-not-connected.png"), full_page=True
        )

        guestbook.uncheck()
        expect(page.locator("[data-kakao-notify-status]")).to_have_text("Saved.")
        digest.check()
        expect(digest).to_be_checked()
        with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
            wait_until(
                lambda: owner.get("/api/kakao/notifications/settings").json()["digest"] is True
            )
            saved = owner.get("/api/kakao/notifications/settings").json()
            assert (saved["guestbook_entry"], saved["declined_question"]) == (False, True)
            connect(kakao_stack, owner)

        # Connected: the reason is gone, and the switches show what was saved.
        page.reload()
        expect(page.get_by_role("switch", name="A new guestbook entry")).not_to_be_checked()
        expect(page.get_by_role("switch", name="Digest: gather them up")).to_be_checked()
        expect(why).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "admin-notifications.png"), full_page=True)

        # Back to the defaults for whatever runs next.
        # (Each switch is disabled while its change is being saved.)
        page.get_by_role("switch", name="A new guestbook entry").check()
        expect(page.get_by_role("switch", name="A new guestbook entry")).to_be_enabled()
        page.get_by_role("switch", name="Digest: gather them up").uncheck()
        expect(page.get_by_role("switch", name="Digest: gather them up")).to_be_enabled()

        # A notification is listed among the messages as what it is about.
        before = len(kakao.delivered)
        with httpx.Client(base_url=kakao_stack.url, timeout=15) as visitor:
            reply = visitor.post("/api/chat/ask", json={"question": "좋아하는 색은 뭐예요?"})
            assert reply.json()["answered"] is False
        wait_until(lambda: len(kakao.delivered) > before)
        page.reload()
        listed = page.locator("[data-kakao-messages] li", has_text="좋아하는 색은 뭐예요?")
        expect(listed).to_contain_text("Notification: unanswered questions")
    finally:
        context.close()
    with logged_in(kakao_stack, "owner", OWNER_PASSWORD) as owner:
        restored = owner.get("/api/kakao/notifications/settings").json()
        assert (restored["guestbook_entry"], restored["digest"]) == (True, False)
