"""The owner's FAQ in the site: anyone reads it, only the owner changes it, with the limits the
chatbot's FAQ had; the knowledge document the chatbot polls changes its ETag with every FAQ
change and every publish; other services hand entries over once per key."""

import json
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from site_support import OWNER, Browser

KAKAO = {"question": "카카오톡으로 연락할 수 있나요?", "answer": "네, 오픈채팅으로 연락 주세요."}


def create(owner: Browser, entry: dict[str, Any] | None = None) -> dict[str, Any]:
    response = owner.send("POST", "/api/site/faq", json=entry or KAKAO)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def faq_items(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/site/faq")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def knowledge(client: TestClient, etag: str | None = None) -> Any:
    headers = {"If-None-Match": etag} if etag else {}
    return client.get("/api/site/knowledge", headers=headers)


# --- the owner's API ----------------------------------------------------------------------------


def test_the_owner_creates_reads_updates_and_deletes_entries(
    client: TestClient, owner: Browser
) -> None:
    created = create(owner)
    assert created["question"] == KAKAO["question"]
    assert created["answer"] == KAKAO["answer"]
    assert created["created_at"] == created["updated_at"]
    assert faq_items(client) == [created]
    assert client.get(f"/api/site/faq/{created['id']}").json() == created

    response = owner.send(
        "PUT",
        f"/api/site/faq/{created['id']}",
        json={"question": "카톡 되나요?", "answer": "네, 오픈채팅 링크로 연락 주세요."},
    )
    assert response.status_code == 200, response.text
    assert response.json()["question"] == "카톡 되나요?"
    assert faq_items(client)[0]["answer"] == "네, 오픈채팅 링크로 연락 주세요."

    response = owner.send("DELETE", f"/api/site/faq/{created['id']}")
    assert response.status_code == 204
    assert faq_items(client) == []
    assert client.get(f"/api/site/faq/{created['id']}").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_the_owner_changes_the_faq(
    client: TestClient, owner: Browser, anonymous: Browser, member: Browser, who: str
) -> None:
    created = create(owner)
    browser, status = (anonymous, 401) if who == "anonymous" else (member, 403)
    attempts = [
        browser.send("POST", "/api/site/faq", json=KAKAO),
        browser.send(
            "PUT",
            f"/api/site/faq/{created['id']}",
            json={"question": "hijacked?", "answer": "hijacked"},
        ),
        browser.send("DELETE", f"/api/site/faq/{created['id']}"),
    ]
    for response in attempts:
        assert response.status_code == status
        assert response.json()["message"]
    assert faq_items(client) == [created]


def test_a_change_without_the_csrf_token_is_refused(client: TestClient, owner: Browser) -> None:
    owner.csrf_token()  # the cookie is there, the header is not
    response = client.post("/api/site/faq", json=KAKAO, headers=owner.headers())
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_token_invalid"
    assert faq_items(client) == []


def test_anyone_may_read_the_faq(owner: Browser, anonymous: Browser, member: Browser) -> None:
    created = create(owner)
    for browser in (anonymous, member, owner):
        assert browser.get("/api/site/faq").json()["items"] == [created]


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
    client: TestClient, owner: Browser, body: dict[str, Any], error: str
) -> None:
    created = create(owner)
    for method, path in (("POST", "/api/site/faq"), ("PUT", f"/api/site/faq/{created['id']}")):
        response = owner.send(
            method,
            path,
            content=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == error
        assert response.json()["message"]
    assert faq_items(client) == [created]


def test_answers_keep_their_line_breaks_and_text_is_trimmed(owner: Browser) -> None:
    created = create(
        owner, {"question": "  How to reach you?\n", "answer": " Email.\r\nOr Kakao. "}
    )
    assert created["question"] == "How to reach you?"
    assert created["answer"] == "Email.\nOr Kakao."


def test_limits_are_exactly_the_documented_ones(owner: Browser) -> None:
    create(owner, {"question": "q" * 500, "answer": "가" * 4000})


@pytest.mark.parametrize("faq_id", ["0", "-1", "abc", str(2**40)])
def test_bad_ids_are_refused(client: TestClient, owner: Browser, faq_id: str) -> None:
    assert client.get(f"/api/site/faq/{faq_id}").status_code == 422
    assert owner.send("DELETE", f"/api/site/faq/{faq_id}").status_code == 422


def test_missing_entries_are_404(client: TestClient, owner: Browser) -> None:
    assert client.get("/api/site/faq/999").json()["error"] == "faq_not_found"
    assert owner.send("PUT", "/api/site/faq/999", json=KAKAO).status_code == 404
    assert owner.send("DELETE", "/api/site/faq/999").status_code == 404


def test_the_faq_has_a_size_limit(make_client: Any) -> None:
    client = make_client(max_faq_entries=2)
    owner = Browser(client, OWNER)
    create(owner)
    create(owner, {"question": "Do you work remotely?", "answer": "Yes."})
    response = owner.send("POST", "/api/site/faq", json=KAKAO)
    assert response.status_code == 409
    assert response.json()["error"] == "faq_full"
    assert len(faq_items(client)) == 2


# --- the knowledge document -----------------------------------------------------------------------


def test_the_knowledge_document_holds_the_profile_and_the_faq(
    client: TestClient, owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    empty = knowledge(client)
    assert empty.status_code == 200
    assert empty.json()["profile"] is None
    assert empty.json()["faq"] == []

    created = create(owner)
    assert owner.send("PUT", "/api/site/profile", json=minimal_resume).status_code == 200
    response = knowledge(client)
    document = response.json()
    assert document["profile"]["basics"]["name"] == "Test Person"
    assert document["faq"] == [
        {"id": created["id"], "question": KAKAO["question"], "answer": KAKAO["answer"]}
    ]
    assert document["translations"] == {}
    assert response.headers["cache-control"] == "no-cache"


def test_the_etag_changes_with_every_faq_change_and_every_publish(
    client: TestClient, owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    etags = [knowledge(client).headers["etag"]]

    def changed() -> str:
        etag: str = knowledge(client).headers["etag"]
        assert etag not in etags
        etags.append(etag)
        return etag

    created = create(owner)
    changed()
    owner.send("PUT", f"/api/site/faq/{created['id']}", json={"question": "Q?", "answer": "A."})
    changed()
    owner.send("PUT", f"/api/site/faq/{created['id']}", json={"question": "Q?", "answer": "B."})
    changed()
    owner.send("PUT", "/api/site/profile", json=minimal_resume)
    changed()
    owner.send("DELETE", f"/api/site/faq/{created['id']}")
    etag = changed()
    unchanged = knowledge(client, etag)
    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == etag


def test_every_replica_serves_the_change_at_once(make_client: Any, owner: Browser) -> None:
    other = make_client()
    before = knowledge(other).headers["etag"]
    create(owner)  # through the first replica
    after = knowledge(other)
    assert after.headers["etag"] != before
    assert after.json()["faq"][0]["question"] == KAKAO["question"]


# --- hand-over from other services ---------------------------------------------------------------


def test_a_handed_over_entry_is_made_once_per_key(client: TestClient) -> None:
    entry = {"key": "question:7:1700000000", **KAKAO}
    first = client.post("/internal/faq", json=entry)
    assert first.status_code == 201, first.text
    assert first.json()["created"] is True
    again = client.post("/internal/faq", json={**entry, "answer": "a different answer"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert [item["answer"] for item in faq_items(client)] == [KAKAO["answer"]]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"key": "k:1", "question": "", "answer": "a"}, "empty_text"),
        ({"key": "bad key with spaces", "question": "q?", "answer": "a"}, "invalid_request"),
        ({"question": "q?", "answer": "a"}, "invalid_request"),
    ],
)
def test_a_bad_hand_over_is_a_clear_422_in_json(
    client: TestClient, body: dict[str, Any], error: str
) -> None:
    response = client.post("/internal/faq", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == error
    assert faq_items(client) == []


def test_the_hand_over_keeps_to_the_size_limit(make_client: Any) -> None:
    client = make_client(max_faq_entries=1)
    assert client.post("/internal/faq", json={"key": "q:1", **KAKAO}).status_code == 201
    response = client.post("/internal/faq", json={"key": "q:2", **KAKAO})
    assert response.status_code == 409
    assert response.json()["error"] == "faq_full"


def legacy(legacy_id: int, question: str, answer: str = "An answer.") -> dict[str, Any]:
    return {
        "legacy_id": legacy_id,
        "question": question,
        "answer": answer,
        "created_at": "2026-01-02T03:04:05+00:00",
        "updated_at": "2026-01-03T03:04:05+00:00",
    }


def test_the_legacy_import_keeps_every_entry_exactly_once(make_client: Any) -> None:
    client = make_client(max_faq_entries=2)  # the size limit never loses an old entry
    entries = [legacy(number, f"Old question {number}?") for number in range(1, 6)]
    first = client.post("/internal/faq/import", json={"entries": entries})
    assert first.status_code == 200, first.text
    assert first.json()["refused"] == []
    mapping = {item["legacy_id"]: item["id"] for item in first.json()["imported"]}
    assert sorted(mapping) == [1, 2, 3, 4, 5]
    retried = client.post("/internal/faq/import", json={"entries": entries[2:]})
    assert {item["legacy_id"]: item["id"] for item in retried.json()["imported"]} == {
        number: mapping[number] for number in (3, 4, 5)
    }
    items = faq_items(client)
    assert sorted(item["question"] for item in items) == [
        f"Old question {number}?" for number in range(1, 6)
    ]
    assert items[0]["created_at"].startswith("2026-01-02T03:04:05")
    assert items[0]["updated_at"].startswith("2026-01-03T03:04:05")


def test_concurrent_imports_of_the_same_entries_make_one_copy(make_client: Any) -> None:
    replicas = [make_client(), make_client()]
    entries = [legacy(number, f"Old question {number}?") for number in range(1, 21)]
    answers: list[dict[str, Any]] = []

    def run(replica: TestClient) -> None:
        answers.append(replica.post("/internal/faq/import", json={"entries": entries}).json())

    threads = [threading.Thread(target=run, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(faq_items(replicas[0])) == 20
    assert answers[0]["imported"] == answers[1]["imported"]


def test_an_entry_that_fails_the_checks_is_refused_not_dropped(client: TestClient) -> None:
    response = client.post(
        "/internal/faq/import",
        json={"entries": [legacy(1, "Fine?"), legacy(2, "q" * 600), legacy(3, "Also fine?")]},
    )
    body = response.json()
    assert [item["legacy_id"] for item in body["imported"]] == [1, 3]
    assert [(item["legacy_id"], item["error"]) for item in body["refused"]] == [
        (2, "text_too_long")
    ]


def test_the_internal_routes_are_not_in_the_public_schema(client: TestClient) -> None:
    paths = client.get("/api/site/openapi.json").json()["paths"]
    assert "/api/site/faq" in paths
    assert not any(path.startswith("/internal/") for path in paths)
