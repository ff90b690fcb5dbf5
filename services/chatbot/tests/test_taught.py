"""Teaching the chatbot from its question log: the owner says which entry answers a question
it missed, and it answers that question, and questions like it, from that entry."""

from typing import Any

import pytest
from chatbot_support import (
    MEMBER,
    OWNER,
    PROFILE,
    FakeSite,
    ask,
    eventually,
    logged_questions,
)
from fastapi.testclient import TestClient

QUESTION = "Who signs your paycheck these days?"


def teach(client: TestClient, question_id: int, entry_key: str, **headers: str) -> Any:
    return client.post(
        f"/api/chat/questions/{question_id}/entry",
        json={"entry_key": entry_key},
        headers=headers or OWNER,
    )


def taught(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/chat/taught", headers=OWNER)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def source_key(body: dict[str, Any]) -> str | None:
    if not body["answered"] or not body["sources"]:
        return None
    key: str = body["sources"][0]["key"]
    return key


def test_the_owner_sees_the_entries_to_choose_from(client: TestClient) -> None:
    response = client.get("/api/chat/entries", headers=OWNER)
    assert response.status_code == 200
    entries = {item["key"]: item for item in response.json()["items"]}
    assert entries["work:0"] == {
        "key": "work:0",
        "title": "Acme Payments",
        "type": "profile",
        "section": "work",
    }
    assert "basics.email" in entries
    assert not any(key.startswith("smalltalk") for key in entries)


def test_the_likely_entries_for_a_logged_question_come_first(client: TestClient) -> None:
    ask(client, "Which company pays your salary?")
    client.app.state.question_log.flush()
    [row] = logged_questions(client)
    response = client.get(f"/api/chat/questions/{row['id']}/suggestions", headers=OWNER)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == 3
    assert items[0]["key"] == "work:0"
    assert items[0]["title"] == "Acme Payments"
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    one = client.get(
        f"/api/chat/questions/{row['id']}/suggestions", params={"count": 1}, headers=OWNER
    )
    assert [item["key"] for item in one.json()["items"]] == ["work:0"]
    for params in ({"count": 0}, {"count": 11}, {"count": "x"}):
        refused = client.get(
            f"/api/chat/questions/{row['id']}/suggestions", params=params, headers=OWNER
        )
        assert refused.status_code == 422
    missing = client.get("/api/chat/questions/999999/suggestions", headers=OWNER)
    assert missing.status_code == 404
    assert client.get(f"/api/chat/questions/{row['id']}/suggestions").status_code == 401
    member = client.get(f"/api/chat/questions/{row['id']}/suggestions", headers=MEMBER)
    assert member.status_code == 403


def test_a_taught_question_and_its_paraphrase_are_answered_from_the_entry(
    start_app: Any,
) -> None:
    first, second = start_app(), start_app()
    before = ask(first, QUESTION)
    assert before["answered"] is False
    first.app.state.question_log.flush()
    [row] = [item for item in logged_questions(first) if item["question"] == QUESTION]

    response = teach(first, row["id"], "work:0")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["question"] == QUESTION
    assert (body["entry_key"], body["title"]) == ("work:0", "Acme Payments")
    assert [item["id"] for item in taught(first)] == [body["id"]]
    assert all(item["id"] != row["id"] for item in logged_questions(first, unanswered="true"))

    # This replica at once, the other at its next poll.
    answer = ask(first, QUESTION)
    assert (source_key(answer), answer["confidence"]) == ("work:0", 1.0)
    assert "Acme Payments" in answer["answer"]
    assert eventually(
        lambda: source_key(ask(second, "who signs your paycheck these days")) == "work:0"
    )
    assert source_key(ask(second, "Who signs your paychecks nowadays?")) == "work:0"

    # Forgotten, the wording is the engine's to judge again.
    assert client_delete(first, body["id"]) == 204
    assert taught(first) == []
    assert ask(first, QUESTION)["confidence"] < 1.0
    assert client_delete(first, body["id"]) == 404


def client_delete(client: TestClient, taught_id: int) -> int:
    return client.delete(f"/api/chat/taught/{taught_id}", headers=OWNER).status_code


def test_the_same_wording_taught_again_moves_to_the_new_entry(client: TestClient) -> None:
    ask(client, QUESTION)
    client.app.state.question_log.flush()
    [row] = logged_questions(client)
    assert teach(client, row["id"], "work:0").status_code == 201
    ask(client, "who signs your paycheck these days")
    client.app.state.question_log.flush()
    newest = logged_questions(client)[0]
    assert teach(client, newest["id"], "basics.email").status_code == 201
    assert [(item["question"], item["entry_key"]) for item in taught(client)] == [
        (QUESTION, "basics.email")
    ]
    assert "minji@example.dev" in ask(client, QUESTION)["answer"]


@pytest.mark.parametrize(
    ("entry_key", "status", "error"),
    [
        ("work:7", 422, "unknown_entry"),
        ("smalltalk:greeting", 422, "unknown_entry"),
        ("", 422, None),
        ("x" * 101, 422, None),
    ],
)
def test_a_bad_entry_changes_nothing(
    client: TestClient, entry_key: str, status: int, error: str | None
) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    response = teach(client, row["id"], entry_key)
    assert response.status_code == status
    if error:
        assert response.json()["error"] == error
    assert taught(client) == []
    assert logged_questions(client, unanswered="true") == [row]


def test_bad_requests_are_refused_clearly(client: TestClient) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    assert teach(client, 999_999, "work:0").json()["error"] == "question_not_found"
    not_a_string = client.post(
        f"/api/chat/questions/{row['id']}/entry", json={"entry_key": 3}, headers=OWNER
    )
    assert not_a_string.status_code == 422
    assert client.post(f"/api/chat/questions/{row['id']}/entry", headers=OWNER).status_code == 422
    assert client.delete("/api/chat/taught/0", headers=OWNER).status_code == 422
    assert taught(client) == []


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), (MEMBER, 403)], ids=["anonymous", "member"]
)
def test_only_the_owner_teaches(client: TestClient, headers: dict[str, str], status: int) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    assert client.get("/api/chat/entries", headers=headers).status_code == status
    assert client.get("/api/chat/taught", headers=headers).status_code == status
    response = client.post(
        f"/api/chat/questions/{row['id']}/entry", json={"entry_key": "work:0"}, headers=headers
    )
    assert response.status_code == status
    body = teach(client, row["id"], "work:0").json()
    assert client.delete(f"/api/chat/taught/{body['id']}", headers=headers).status_code == status
    assert len(taught(client)) == 1


def test_an_entry_the_profile_lost_is_shown_as_gone(client: TestClient, site: FakeSite) -> None:
    ask(client, QUESTION)
    client.app.state.question_log.flush()
    [row] = logged_questions(client)
    assert teach(client, row["id"], "work:0").status_code == 201
    without_work = {key: value for key, value in PROFILE.items() if key != "work"}
    site.publish(without_work)
    assert eventually(lambda: taught(client)[0]["title"] == "")
    assert ask(client, QUESTION)["confidence"] < 1.0
