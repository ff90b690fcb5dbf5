"""How a replica serves questions: repeats come from the answer cache, which never outlives
the document it was answered from, and every question is still logged."""

from typing import Any

from chatbot_support import OWNER, FakeSite, ask, eventually, logged_questions
from chatbot_support import profile_with_employer as employer_profile
from fastapi.testclient import TestClient

from mysite_chatbot.answering import AnswerCache, ChatReply
from mysite_chatbot.question_log import WRITE_CHUNK

WHERE = "where do you work?"


def cache_status(client: TestClient) -> dict[str, int]:
    status: dict[str, int] = client.get("/api/chat/status", headers=OWNER).json()["answer_cache"]
    return status


def reply(answer: str) -> ChatReply:
    return ChatReply(answer, True, 0.9, [], "en", "offline")


def test_a_repeated_question_is_answered_from_the_cache(client: TestClient) -> None:
    first = ask(client, WHERE)
    # Whitespace is collapsed before the look-up: the same question as the engine sees it.
    second = ask(client, "  where   do you work?")
    assert second == first
    assert cache_status(client)["hits"] == 1


def test_the_cache_is_invalidated_when_the_profile_changes(
    client: TestClient, site: FakeSite
) -> None:
    assert "Acme Payments" in ask(client, WHERE)["answer"]
    assert "Acme Payments" in ask(client, WHERE)["answer"]
    site.publish(employer_profile("Globex Robotics"))
    assert eventually(lambda: "Globex Robotics" in ask(client, WHERE)["answer"])
    assert "Acme Payments" not in ask(client, WHERE)["answer"]


def test_answers_from_the_cache_are_logged_like_any_other(client: TestClient) -> None:
    for _ in range(3):
        ask(client, WHERE)
    assert [item["question"] for item in logged_questions(client)] == [WHERE] * 3


def test_a_cache_of_size_zero_is_off(start_app: Any) -> None:
    client = start_app(answer_cache_size=0)
    assert ask(client, WHERE) == ask(client, WHERE)
    assert cache_status(client) == {"size": 0, "entries": 0, "hits": 0, "misses": 0}


def test_the_cache_keeps_the_newest_questions_and_the_generation_they_belong_to() -> None:
    cache = AnswerCache(2)
    cache.put("a", 1, reply("A"))
    cache.put("b", 1, reply("B"))
    assert cache.get("a", 1) == reply("A")  # "a" is now the most recently used
    cache.put("c", 1, reply("C"))
    assert cache.get("b", 1) is None
    assert cache.get("a", 1) == reply("A")
    assert cache.get("c", 2) is None  # answered from an older index: stale
    assert cache.status() == {"size": 2, "entries": 2, "hits": 2, "misses": 2}


def test_the_question_log_writes_everything_recorded_before_stop(client: TestClient) -> None:
    writer = client.app.state.question_log
    for number in range(5):
        writer.record(f"question {number}?", reply("answer"), 1.0)
    writer.stop()
    writer.start()
    assert len(logged_questions(client)) == 5


def test_a_backlog_larger_than_one_insert_is_written_whole(client: TestClient) -> None:
    writer = client.app.state.question_log
    count = 2 * WRITE_CHUNK + 7
    for number in range(count):
        writer.record(f"question {number}?", reply("answer"), 1.0)
    assert writer.flush()
    questions = {
        entry["question"]
        for offset in range(0, count, 200)
        for entry in logged_questions(client, limit=200, offset=offset)
    }
    assert questions == {f"question {number}?" for number in range(count)}
