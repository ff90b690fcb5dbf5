"""Owner notifications: events in over /internal/notifications, one message per kind through
the durable queue, digest mode, the daily limit, and the owner's settings API."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kakao_support import (
    MEMBER,
    SITE,
    connect,
    make_settings,
    member_headers,
    owner_headers,
    wait_until,
)
from sqlalchemy import select, update

from mysite_common.db import Database, utcnow
from mysite_kakao.app import create_app
from mysite_kakao.models import Message, NotificationEvent
from mysite_testing.fake_kakao import FakeKakao

SETTINGS_PATH = "/api/kakao/notifications/settings"


def report(
    client: TestClient, kind: str, event_id: str, text: str, author: str | None = None
) -> Any:
    body: dict[str, Any] = {"kind": kind, "event_id": event_id, "text": text}
    if author is not None:
        body["author"] = author
    response = client.post("/internal/notifications", json=body)
    assert response.status_code in (200, 202), response.text
    return response.json()


def notification_settings(client: TestClient) -> Any:
    response = client.get(SETTINGS_PATH, headers=owner_headers())
    assert response.status_code == 200, response.text
    return response.json()


def change_settings(client: TestClient, **changes: bool) -> Any:
    response = client.put(SETTINGS_PATH, json=changes, headers=owner_headers())
    assert response.status_code == 200, response.text
    return response.json()


def notifications_sent(fake: FakeKakao) -> list[str]:
    return [item.text for item in fake.delivered]


def events(database_url: str) -> list[NotificationEvent]:
    database = Database(database_url)
    try:
        with database.session() as session:
            rows = list(session.scalars(select(NotificationEvent).order_by(NotificationEvent.id)))
            session.expunge_all()
            return rows
    finally:
        database.dispose()


def age_notifications(database_url: str, hours: float) -> None:
    """Makes every notification sent so far look `hours` old (instead of waiting an hour)."""
    database = Database(database_url)
    try:
        with database.session() as session:
            session.execute(
                update(Message)
                .where(Message.kind != "visitor")
                .values(created_at=utcnow() - timedelta(hours=hours))
            )
    finally:
        database.dispose()


def test_a_guestbook_entry_and_a_declined_question_arrive_as_kakaotalk_messages(
    client: TestClient, fake: FakeKakao
) -> None:
    connect(client)
    assert report(client, "guestbook_entry", "guestbook-entry-1", "반가워요!", "방문자") == {
        "status": "queued",
        "reason": None,
    }
    report(client, "declined_question", "question-7", "연봉이 얼마인가요?")
    wait_until(lambda: len(fake.delivered) == 2)
    by_text = {item.text.split("\n")[0]: item for item in fake.delivered}
    guestbook = by_text["📒 방명록 새 글"]
    assert guestbook.text == "📒 방명록 새 글\n방문자: 반가워요!"
    assert guestbook.link == {"web_url": f"{SITE}/guestbook", "mobile_web_url": f"{SITE}/guestbook"}
    question = by_text["❓ 챗봇이 답하지 못한 질문"]
    assert question.text.endswith("연봉이 얼마인가요?")
    assert question.link["web_url"] == f"{SITE}/admin/chatbot"

    # The owner sees them among the messages, from the site itself; a member never does.
    def listed() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = client.get(
            "/api/kakao/messages", headers=owner_headers()
        ).json()["items"]
        return items

    assert {item["sender"]["username"] for item in listed()} == {"mysite"}
    assert {item["kind"] for item in listed()} == {"guestbook_entry", "declined_question"}
    # Kakao has them; the worker marks each delivered just after Kakao answered.
    wait_until(lambda: all(item["status"] == "delivered" for item in listed()))
    mine = client.get("/api/kakao/messages", headers=member_headers()).json()["items"]
    assert mine == []


def test_a_retried_report_is_told_once(
    client: TestClient, fake: FakeKakao, database_url: str
) -> None:
    connect(client)
    first = client.post(
        "/internal/notifications",
        json={"kind": "guestbook_entry", "event_id": "guestbook-entry-9", "text": "hello"},
    )
    again = client.post(
        "/internal/notifications",
        json={"kind": "guestbook_entry", "event_id": "guestbook-entry-9", "text": "hello"},
    )
    assert first.status_code == again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    wait_until(lambda: len(fake.delivered) == 1)
    wait_until(lambda: all(event.message_id for event in events(database_url)))
    assert len(events(database_url)) == 1
    assert len(fake.delivered) == 1


def test_while_kakao_is_not_connected_events_wait_and_then_go_as_one_summary(
    client: TestClient, fake: FakeKakao
) -> None:
    assert notification_settings(client)["delivery_state"] == "not_connected"
    assert notification_settings(client)["delivering"] is False
    for number in range(1, 4):
        report(
            client, "guestbook_entry", f"guestbook-entry-{number}", f"글 {number}", f"손님{number}"
        )
    assert notification_settings(client)["pending"] == {
        "guestbook_entry": 3,
        "declined_question": 0,
    }
    assert fake.delivered == []
    connect(client)
    wait_until(lambda: len(fake.delivered) == 1)
    summary = fake.delivered[0].text
    assert summary.startswith("📒 방명록 새 글 3건\n")
    assert "- 손님1: 글 1" in summary
    assert "- 손님3: 글 3" in summary
    assert notification_settings(client)["pending"]["guestbook_entry"] == 0


def test_digest_mode_sends_at_most_one_message_per_kind_per_period(
    client: TestClient, fake: FakeKakao, database_url: str
) -> None:
    connect(client)
    assert change_settings(client, digest=True)["digest"] is True
    report(client, "declined_question", "question-1", "첫 질문")
    wait_until(lambda: len(fake.delivered) == 1)  # the first of the hour goes at once
    report(client, "declined_question", "question-2", "둘째 질문")
    report(client, "declined_question", "question-3", "셋째 질문")
    report(client, "guestbook_entry", "guestbook-entry-1", "다른 종류는 따로")
    wait_until(lambda: len(fake.delivered) == 2)
    assert fake.delivered[1].text.startswith("📒 방명록 새 글")
    wait_until(lambda: notification_settings(client)["pending"]["declined_question"] == 2)
    # Within the hour the questions wait, however often the worker looks.
    client.app.state.worker.run_once()  # type: ignore[attr-defined]
    assert len(fake.delivered) == 2
    age_notifications(database_url, hours=1.01)
    client.app.state.worker.wake()  # type: ignore[attr-defined]
    wait_until(lambda: len(fake.delivered) == 3)
    digest = fake.delivered[2].text
    assert digest.startswith("❓ 챗봇이 답하지 못한 질문 2건\n")
    assert "- 둘째 질문" in digest
    assert "- 셋째 질문" in digest


@pytest.fixture
def small_budget_client(
    database_url: str, fake: FakeKakao, clean_database: None
) -> Iterator[TestClient]:
    settings = make_settings(database_url, fake, notification_daily_limit=2)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as test_client:
        yield test_client


def test_the_daily_limit_holds_events_back_and_never_loses_them(
    small_budget_client: TestClient, fake: FakeKakao, database_url: str
) -> None:
    client = small_budget_client
    connect(client)
    report(client, "guestbook_entry", "guestbook-entry-1", "one")
    wait_until(lambda: len(fake.delivered) == 1)
    report(client, "declined_question", "question-1", "two")
    wait_until(lambda: len(fake.delivered) == 2)
    report(client, "guestbook_entry", "guestbook-entry-2", "three")
    report(client, "guestbook_entry", "guestbook-entry-3", "four")
    client.app.state.worker.run_once()  # type: ignore[attr-defined]
    assert len(fake.delivered) == 2  # the day's budget is spent
    assert notification_settings(client)["pending"]["guestbook_entry"] == 2
    age_notifications(database_url, hours=24.5)
    client.app.state.worker.wake()  # type: ignore[attr-defined]
    wait_until(lambda: len(fake.delivered) == 3)
    assert fake.delivered[2].text == "📒 방명록 새 글 2건\n- three\n- four"


def test_a_kind_switched_off_is_not_stored_and_its_waiting_events_are_dropped(
    client: TestClient, fake: FakeKakao, database_url: str
) -> None:
    report(client, "guestbook_entry", "guestbook-entry-1", "waiting while not connected")
    report(client, "declined_question", "question-1", "also waiting")
    settings = change_settings(client, guestbook_entry=False)
    assert settings["guestbook_entry"] is False
    assert settings["declined_question"] is True
    assert settings["pending"] == {"guestbook_entry": 0, "declined_question": 1}
    assert report(client, "guestbook_entry", "guestbook-entry-2", "off") == {
        "status": "ignored",
        "reason": "disabled",
    }
    connect(client)
    wait_until(lambda: len(fake.delivered) == 1)
    assert fake.delivered[0].text.endswith("also waiting")
    assert [event.kind for event in events(database_url)] == ["declined_question"]


def test_nothing_is_kept_when_kakao_is_not_configured(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, rest_api_key="")
    with TestClient(create_app(settings), base_url=SITE) as client:
        answer = client.post(
            "/internal/notifications",
            json={"kind": "guestbook_entry", "event_id": "guestbook-entry-1", "text": "hi"},
        )
        assert answer.status_code == 200
        assert answer.json() == {"status": "ignored", "reason": "not_configured"}
        shown = notification_settings(client)
        assert shown["delivery_state"] == "not_configured"
        assert shown["delivering"] is False
    assert events(database_url) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "birthday", "event_id": "x-1", "text": "hi"}, "kind"),
        ({"kind": "visitor", "event_id": "x-1", "text": "hi"}, "kind"),
        ({"kind": "guestbook_entry", "event_id": "has space", "text": "hi"}, "event_id"),
        ({"kind": "guestbook_entry", "event_id": "", "text": "hi"}, "event_id"),
        ({"kind": "guestbook_entry", "event_id": "x-1\n", "text": "hi"}, "event_id"),
        ({"kind": "guestbook_entry", "event_id": "x-1", "text": "   "}, "text"),
        ({"kind": "guestbook_entry", "event_id": "x-1", "text": "x" * 2001}, "text"),
        ({"kind": "guestbook_entry", "event_id": "x-1", "text": "bell \x07"}, "text"),
        ({"kind": "guestbook_entry", "event_id": "x-1", "text": 5}, "text"),
        (
            {"kind": "guestbook_entry", "event_id": "x-1", "text": "hi", "author": "a" * 200},
            "author",
        ),
        ({"kind": "guestbook_entry", "event_id": "x-1", "text": "hi", "extra": 1}, "extra"),
        ({"kind": "guestbook_entry", "event_id": "x-1"}, "text"),
    ],
)
def test_a_bad_event_gets_a_clear_422_and_stores_nothing(
    client: TestClient, database_url: str, body: dict[str, Any], field: str
) -> None:
    response = client.post("/internal/notifications", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request"
    assert field in response.json().get("fields", {}) or field in response.text
    assert events(database_url) == []


def test_the_owner_reads_and_changes_the_settings(client: TestClient) -> None:
    shown = notification_settings(client)
    assert shown["guestbook_entry"] is True
    assert shown["declined_question"] is True
    assert shown["digest"] is False
    assert shown["digest_minutes"] == 60
    assert shown["daily_limit"] == 50
    changed = change_settings(client, declined_question=False, digest=True)
    assert (changed["guestbook_entry"], changed["declined_question"], changed["digest"]) == (
        True,
        False,
        True,
    )
    assert notification_settings(client) == changed


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"digest": "yes"},
        {"digest": 1},
        {"guestbook_entry": None},
        {"guestbook_entry": False, "sound": True},
        [True],
    ],
)
def test_bad_settings_get_a_clear_422_and_change_nothing(client: TestClient, body: Any) -> None:
    before = notification_settings(client)
    response = client.put(SETTINGS_PATH, json=body, headers=owner_headers())
    assert response.status_code == 422, response.text
    assert response.json()["message"]
    assert notification_settings(client) == before


def test_only_the_owner_sees_or_changes_the_settings(client: TestClient) -> None:
    assert client.get(SETTINGS_PATH).status_code == 401
    assert client.get(SETTINGS_PATH, headers=member_headers(MEMBER)).status_code == 403
    response = client.put(SETTINGS_PATH, json={"digest": True}, headers=member_headers())
    assert response.status_code == 403
    assert notification_settings(client)["digest"] is False


def test_two_replicas_tell_every_event_exactly_once(
    settings: Any, fake: FakeKakao, database_url: str, clean_database: None
) -> None:
    """Events reported at once to two replicas, both composing and delivering: each event
    is in exactly one delivered message, and none is left waiting."""
    with (
        TestClient(create_app(settings, clock=fake.now), base_url=SITE) as first,
        TestClient(create_app(settings, clock=fake.now), base_url=SITE) as second,
    ):
        connect(first)
        replicas = [first, second]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(
                pool.map(
                    lambda number: report(
                        replicas[number % 2],
                        ("guestbook_entry", "declined_question")[number % 3 == 0],
                        f"event-{number}",
                        f"«{number:02d}»",
                    ),
                    range(40),
                )
            )
        wait_until(lambda: all(event.message_id for event in events(database_url)), timeout=20)
        told = {event.message_id for event in events(database_url)}
        wait_until(lambda: len(fake.delivered) >= len(told), timeout=20)
        for replica in replicas:
            replica.app.state.worker.run_once()  # type: ignore[attr-defined]
    texts = "\n".join(item.text for item in fake.delivered)
    for number in range(40):
        assert texts.count(f"«{number:02d}»") == 1, number
    assert len(fake.delivered) == len(told)


def test_a_long_summary_lists_the_newest_and_counts_the_rest(
    client: TestClient, fake: FakeKakao
) -> None:
    for number in range(25):
        report(client, "declined_question", f"question-{number}", f"질문 {number}")
    connect(client)
    wait_until(lambda: len(fake.delivered) == 1)
    listed = client.get("/api/kakao/messages", headers=owner_headers()).json()["items"]
    [summary] = listed
    lines = summary["text"].split("\n")
    assert lines[0] == "❓ 챗봇이 답하지 못한 질문 25건"
    assert lines[1] == "- 질문 5"
    assert lines[-2] == "- 질문 24"
    assert lines[-1] == "… 외 5건"
    # Kakao gets what fits in its 200 units, cut between whole characters.
    assert len(fake.delivered[0].text.encode("utf-16-le")) // 2 <= 200
