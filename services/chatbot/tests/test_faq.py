"""The owner's FAQ: anyone reads it, only the owner changes it, every change is answerable
at once on the replica that made it and within seconds on the others."""

import json
import threading
from typing import Any

import pytest
from chatbot_support import MEMBER, OWNER, ask, eventually
from fastapi.testclient import TestClient

KAKAO = {"question": "카카오톡으로 연락할 수 있나요?", "answer": "네, 오픈채팅으로 연락 주세요."}


def create(client: TestClient, entry: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/api/chat/faq", json=entry or KAKAO, headers=OWNER)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def faq_items(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/chat/faq")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_the_owner_creates_reads_updates_and_deletes_entries(client: TestClient) -> None:
    created = create(client)
    assert created["question"] == KAKAO["question"]
    assert created["answer"] == KAKAO["answer"]
    assert created["created_at"] == created["updated_at"]
    assert faq_items(client) == [created]
    assert client.get(f"/api/chat/faq/{created['id']}").json() == created

    response = client.put(
        f"/api/chat/faq/{created['id']}",
        json={"question": "카톡 되나요?", "answer": "네, 오픈채팅 링크로 연락 주세요."},
        headers=OWNER,
    )
    assert response.status_code == 200
    assert response.json()["question"] == "카톡 되나요?"
    assert faq_items(client)[0]["answer"] == "네, 오픈채팅 링크로 연락 주세요."

    response = client.delete(f"/api/chat/faq/{created['id']}", headers=OWNER)
    assert response.status_code == 204
    assert faq_items(client) == []
    assert client.get(f"/api/chat/faq/{created['id']}").status_code == 404


def test_a_new_entry_is_answered_at_once_and_cited(client: TestClient) -> None:
    created = create(client)
    body = ask(client, "카카오톡으로 연락할 수 있나요?")
    assert body["answered"] is True
    assert body["answer"] == KAKAO["answer"]
    assert body["sources"] == [{"type": "faq", "id": created["id"], "title": KAKAO["question"]}]


def test_an_edit_and_a_delete_change_the_answer_at_once(client: TestClient) -> None:
    created = create(client, {"question": "What is your favorite food?", "answer": "Kimchi stew."})
    assert ask(client, "what's your favorite food?")["answer"] == "Kimchi stew."
    client.put(
        f"/api/chat/faq/{created['id']}",
        json={"question": "What is your favorite food?", "answer": "Naengmyeon."},
        headers=OWNER,
    )
    assert ask(client, "what's your favorite food?")["answer"] == "Naengmyeon."
    client.delete(f"/api/chat/faq/{created['id']}", headers=OWNER)
    assert ask(client, "what's your favorite food?")["answered"] is False


def test_faq_changes_reach_the_other_replicas_within_seconds(start_app: Any) -> None:
    first, second = start_app(), start_app()
    question = "what's your favorite food?"
    assert ask(second, question)["answered"] is False
    created = create(first, {"question": "What is your favorite food?", "answer": "Kimchi stew."})
    assert eventually(lambda: ask(second, question)["answer"] == "Kimchi stew.")
    first.put(
        f"/api/chat/faq/{created['id']}",
        json={"question": "What is your favorite food?", "answer": "Naengmyeon."},
        headers=OWNER,
    )
    assert eventually(lambda: ask(second, question)["answer"] == "Naengmyeon.")
    first.delete(f"/api/chat/faq/{created['id']}", headers=OWNER)
    assert eventually(lambda: ask(second, question)["answered"] is False)


def test_two_edits_within_one_second_both_reach_the_other_replica(start_app: Any) -> None:
    first, second = start_app(), start_app()
    created = create(first, {"question": "What is your favorite food?", "answer": "Kimchi stew."})
    assert eventually(lambda: ask(second, "favorite food?")["answer"] == "Kimchi stew.")
    for answer in ("Bibimbap.", "Naengmyeon."):
        first.put(
            f"/api/chat/faq/{created['id']}",
            json={"question": "What is your favorite food?", "answer": answer},
            headers=OWNER,
        )
    assert eventually(lambda: ask(second, "favorite food?")["answer"] == "Naengmyeon.")


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), (MEMBER, 403)], ids=["anonymous", "member"]
)
def test_only_the_owner_changes_the_faq(
    client: TestClient, headers: dict[str, str], status: int
) -> None:
    created = create(client)
    attempts = [
        client.post("/api/chat/faq", json=KAKAO, headers=headers),
        client.put(
            f"/api/chat/faq/{created['id']}",
            json={"question": "hijacked?", "answer": "hijacked"},
            headers=headers,
        ),
        client.delete(f"/api/chat/faq/{created['id']}", headers=headers),
    ]
    for response in attempts:
        assert response.status_code == status
        assert response.json()["message"]
    assert faq_items(client) == [created]


def test_anyone_may_read_the_faq(client: TestClient) -> None:
    created = create(client)
    for headers in ({}, MEMBER, OWNER):
        assert client.get("/api/chat/faq", headers=headers).json()["items"] == [created]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"question": "", "answer": "a"}, "empty_text"),
        ({"question": "q?", "answer": "  \n "}, "empty_text"),
        ({"question": "q" * 501, "answer": "a"}, "text_too_long"),
        ({"question": "q?", "answer": "a" * 4001}, "text_too_long"),
        ({"question": "q\x00?", "answer": "a"}, "invalid_text"),
        ({"question": "q?", "answer": "a\x1bb"}, "invalid_text"),
        ({"question": "\ud800", "answer": "a"}, "invalid_request"),
        ({"question": 5, "answer": "a"}, "invalid_request"),
        ({"question": "q?"}, "invalid_request"),
        ({"question": "q?", "answer": None}, "invalid_request"),
    ],
)
def test_bad_entries_get_a_clear_422_and_change_nothing(
    client: TestClient, body: dict[str, Any], error: str
) -> None:
    created = create(client)
    for method, path in (("POST", "/api/chat/faq"), ("PUT", f"/api/chat/faq/{created['id']}")):
        response = client.request(
            method,
            path,
            content=json.dumps(body),
            headers={**OWNER, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == error
        assert response.json()["message"]
    assert faq_items(client) == [created]


def test_answers_keep_their_line_breaks_and_text_is_trimmed(client: TestClient) -> None:
    created = create(
        client, {"question": "  How to reach you?\n", "answer": " Email.\r\nOr Kakao. "}
    )
    assert created["question"] == "How to reach you?"
    assert created["answer"] == "Email.\nOr Kakao."


def test_limits_are_exactly_the_documented_ones(client: TestClient) -> None:
    create(client, {"question": "q" * 500, "answer": "가" * 4000})


@pytest.mark.parametrize("faq_id", ["0", "-1", "abc", str(2**40)])
def test_bad_ids_are_refused(client: TestClient, faq_id: str) -> None:
    assert client.get(f"/api/chat/faq/{faq_id}").status_code == 422
    assert client.delete(f"/api/chat/faq/{faq_id}", headers=OWNER).status_code == 422


def test_missing_entries_are_404(client: TestClient) -> None:
    assert client.get("/api/chat/faq/999").json()["error"] == "faq_not_found"
    response = client.put("/api/chat/faq/999", json=KAKAO, headers=OWNER)
    assert response.status_code == 404
    assert client.delete("/api/chat/faq/999", headers=OWNER).status_code == 404


def test_the_faq_has_a_size_limit(start_app: Any) -> None:
    client = start_app(max_faq_entries=2)
    create(client)
    create(client, {"question": "Do you work remotely?", "answer": "Yes."})
    response = client.post("/api/chat/faq", json=KAKAO, headers=OWNER)
    assert response.status_code == 409
    assert response.json()["error"] == "faq_full"
    assert len(faq_items(client)) == 2


def test_questions_keep_being_answered_while_the_faq_changes(client: TestClient) -> None:
    failures: list[str] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            response = client.post("/api/chat/ask", json={"question": "where do you work?"})
            if response.status_code != 200 or "Acme Payments" not in response.json()["answer"]:
                failures.append(response.text)

    askers = [threading.Thread(target=keep_asking) for _ in range(4)]
    for asker in askers:
        asker.start()
    try:
        for number in range(10):
            create(
                client, {"question": f"Question number {number}?", "answer": f"Answer {number}."}
            )
    finally:
        stop.set()
        for asker in askers:
            asker.join()
    assert failures == []
    assert len(faq_items(client)) == 10
    assert ask(client, "question number 7?")["sources"][0]["type"] == "faq"
