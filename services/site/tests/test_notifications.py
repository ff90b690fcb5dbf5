"""A new guestbook entry is told to the owner: the site reports it to kakao's
/internal/notifications (here a recording stand-in, a real HTTP server)."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from site_support import MEMBER, OWNER, Browser

from mysite_testing.notification_recorder import NotificationRecorder


@pytest.fixture
def kakao() -> Iterator[NotificationRecorder]:
    with NotificationRecorder() as recorder:
        yield recorder


@pytest.fixture
def notifying_client(
    make_client: Callable[..., TestClient], kakao: NotificationRecorder
) -> TestClient:
    return make_client(kakao_url=kakao.url)


def test_an_entry_written_through_the_api_is_reported(
    notifying_client: TestClient, kakao: NotificationRecorder
) -> None:
    member = Browser(notifying_client, MEMBER)
    response = member.send("POST", "/api/site/guestbook", json={"body": "반가워요! 👋"})
    assert response.status_code == 201, response.text
    entry_id = response.json()["id"]
    [event] = kakao.wait_for(1)
    assert event["kind"] == "guestbook_entry"
    assert event["text"] == "반가워요! 👋"
    assert event["author"] == "방문자 🙂"
    assert event["event_id"].startswith(f"guestbook-entry-{entry_id}-")


def test_an_entry_written_through_the_page_form_is_reported(
    notifying_client: TestClient, kakao: NotificationRecorder
) -> None:
    member = Browser(notifying_client, MEMBER)
    response = member.submit("/guestbook", {"body": "폼으로 쓴 글"})
    assert response.status_code == 303, response.text
    [event] = kakao.wait_for(1)
    assert event["text"] == "폼으로 쓴 글"


def test_kakao_briefly_down_the_entry_is_still_reported_once(
    notifying_client: TestClient, kakao: NotificationRecorder
) -> None:
    kakao.fail_next(2, "unavailable")
    kakao.fail_next(1, "hang_up")
    member = Browser(notifying_client, MEMBER)
    response = member.send("POST", "/api/site/guestbook", json={"body": "still told"})
    assert response.status_code == 201
    [event] = kakao.wait_for(1)
    assert event["text"] == "still told"
    assert kakao.requests == 4


def test_kakao_down_does_not_stop_a_visitor_writing(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(kakao_url="http://127.0.0.1:9")  # nothing listens there
    member = Browser(client, MEMBER)
    response = member.send("POST", "/api/site/guestbook", json={"body": "written anyway"})
    assert response.status_code == 201


def test_bad_entries_and_the_owners_own_entries_are_not_reported(
    notifying_client: TestClient, kakao: NotificationRecorder
) -> None:
    member = Browser(notifying_client, MEMBER)
    owner = Browser(notifying_client, OWNER)
    assert member.send("POST", "/api/site/guestbook", json={"body": "  "}).status_code == 422
    assert owner.send("POST", "/api/site/guestbook", json={"body": "my own"}).status_code == 201
    assert (
        member.send("POST", "/api/site/guestbook", json={"body": "a real one"}).status_code == 201
    )
    events = kakao.wait_for(1)
    notifying_client.app.state.notifier.flush()  # type: ignore[attr-defined]
    assert [event["text"] for event in events] == ["a real one"]
    assert kakao.requests == 1
