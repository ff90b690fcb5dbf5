"""A question the chatbot declines is told to the owner: the chatbot reports it to kakao's
/internal/notifications (here a recording stand-in, a real HTTP server)."""

from collections.abc import Iterator
from typing import Any

import pytest
from chatbot_support import ask

from mysite_testing.notification_recorder import NotificationRecorder


@pytest.fixture
def kakao() -> Iterator[NotificationRecorder]:
    with NotificationRecorder() as recorder:
        yield recorder


def test_a_declined_question_is_reported_an_answered_one_is_not(
    start_app: Any, kakao: NotificationRecorder
) -> None:
    client = start_app(kakao_url=kakao.url)
    assert ask(client, "hello!")["answered"] is True  # a greeting: answered
    assert ask(client, "what's your favorite movie?")["answered"] is False
    [event] = kakao.wait_for(1)
    client.app.state.notifier.flush()
    assert event["kind"] == "declined_question"
    assert event["text"] == "what's your favorite movie?"
    assert event["event_id"].startswith("question-")
    assert kakao.requests == 1


def test_kakao_briefly_down_the_question_is_still_reported_once(
    start_app: Any, kakao: NotificationRecorder
) -> None:
    kakao.fail_next(3, "unavailable")
    client = start_app(kakao_url=kakao.url)
    assert ask(client, "무슨 영화를 좋아하세요?")["answered"] is False
    [event] = kakao.wait_for(1)
    assert event["text"] == "무슨 영화를 좋아하세요?"
    assert kakao.requests == 4


def test_without_kakao_the_chatbot_answers_as_always(start_app: Any) -> None:
    client = start_app(kakao_url="http://127.0.0.1:9")  # nothing listens there
    assert ask(client, "what's your favorite movie?")["answered"] is False
