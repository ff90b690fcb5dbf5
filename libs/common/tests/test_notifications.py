"""The notification sender: fire-and-forget, retried while kakao is briefly away, bounded."""

import socket
from collections.abc import Iterator

import pytest

from mysite_common.logs import request_id_var
from mysite_common.notifications import NotificationSender
from mysite_testing.notification_recorder import NotificationRecorder


@pytest.fixture
def kakao() -> Iterator[NotificationRecorder]:
    with NotificationRecorder() as recorder:
        yield recorder


def sender_for(url: str, **options: float) -> NotificationSender:
    sender = NotificationSender(
        url, first_retry_seconds=0.01, max_retry_wait_seconds=0.05, **options
    )
    sender.start()
    return sender


def test_an_event_arrives_with_its_request_id(kakao: NotificationRecorder) -> None:
    sender = sender_for(kakao.url)
    token = request_id_var.set("req-123")
    try:
        sender.notify(kind="guestbook_entry", event_id="guestbook-entry-1", text="hi", author="A")
    finally:
        request_id_var.reset(token)
    assert sender.flush()
    sender.stop()
    assert kakao.events == [
        {"kind": "guestbook_entry", "event_id": "guestbook-entry-1", "text": "hi", "author": "A"}
    ]
    assert kakao.request_ids == ["req-123"]
    assert sender.sent == 1


@pytest.mark.parametrize("mode", ["unavailable", "hang_up"])
def test_kakao_briefly_down_loses_nothing_and_tells_once(
    kakao: NotificationRecorder, mode: str
) -> None:
    kakao.fail_next(4, mode)
    sender = sender_for(kakao.url)
    sender.notify(kind="declined_question", event_id="question-1", text="연봉은?")
    sender.notify(kind="guestbook_entry", event_id="guestbook-entry-2", text="two")
    assert sender.flush()
    sender.stop()
    assert [event["event_id"] for event in kakao.events] == ["question-1", "guestbook-entry-2"]
    assert kakao.requests == 6
    assert (sender.sent, sender.dropped) == (2, 0)


def test_kakao_down_for_longer_than_the_retry_window_gives_up(kakao: NotificationRecorder) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    sender = sender_for(f"http://127.0.0.1:{closed_port}", retry_seconds=0.3)
    sender.notify(kind="guestbook_entry", event_id="guestbook-entry-3", text="lost")
    assert sender.flush(timeout=10)
    sender.stop()
    assert (sender.sent, sender.dropped) == (0, 1)


def test_an_event_kakao_refuses_is_not_retried(kakao: NotificationRecorder) -> None:
    sender = sender_for(kakao.url)
    sender.notify(kind="guestbook_entry", event_id="has space", text="bad id")
    assert sender.flush()
    sender.stop()
    assert kakao.requests == 1
    assert (sender.sent, sender.dropped) == (0, 1)


def test_without_a_kakao_url_notify_does_nothing() -> None:
    sender = NotificationSender("")
    sender.start()
    sender.notify(kind="guestbook_entry", event_id="guestbook-entry-4", text="nowhere")
    assert not sender.enabled
    assert sender.flush(timeout=0.1)
    sender.stop()
