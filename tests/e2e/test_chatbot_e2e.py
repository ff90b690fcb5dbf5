"""The chatbot through the real gateway, with two chatbot replicas on MariaDB: a profile edit
published on the site is answered by every replica within seconds; the owner's FAQ (kept by
the site) is readable by anyone and changed only by the owner, and every replica answers
from it; bad input is refused clearly."""

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mysite_common.text import MAX_QUESTION_CHARS
from mysite_stack.stack import Stack
from mysite_testing.waiting import eventually

from .conftest import MEMBER_PASSWORD, start_stack

pytestmark = pytest.mark.e2e

WHERE = "where do you work?"
_addresses = iter(range(2, 250))


@pytest.fixture(scope="module")
def chat_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("chat-stack"), scale={"chatbot": 2})
    yield running
    running.stop()
    running.drop_databases()


@pytest.fixture
def visitor(chat_stack: Stack) -> Iterator[httpx.Client]:
    """A client of the gateway from a loopback address of its own (per-address rate limits)."""
    transport = httpx.HTTPTransport(local_address=f"127.0.1.{next(_addresses)}")
    with httpx.Client(base_url=chat_stack.url, transport=transport, timeout=10) as client:
        yield client


def bearer_for(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # bearer only: what a script that is not a browser would use
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def owner(chat_stack: Stack, visitor: httpx.Client) -> dict[str, str]:
    return bearer_for(visitor, chat_stack.owner_username, chat_stack.owner_password)


@pytest.fixture
def member(visitor: httpx.Client) -> dict[str, str]:
    username = f"member{secrets.token_hex(4)}"
    response = visitor.post(
        "/api/auth/signup",
        json={"username": username, "password": MEMBER_PASSWORD, "display_name": "방문자"},
    )
    assert response.status_code == 201, response.text
    return bearer_for(visitor, username, MEMBER_PASSWORD)


def profile_working_at(company: str) -> dict[str, Any]:
    return {
        "basics": {
            "name": "Minji Park",
            "label": "Backend Engineer",
            "email": "minji@example.dev",
            "summary": "Backend engineer who builds payment systems.",
        },
        "work": [{"name": company, "position": "Senior Backend Engineer", "startDate": "2021-03"}],
        "skills": [{"name": "Languages", "keywords": ["Go", "Python"]}],
    }


def ask_replica(replica_url: str, question: str) -> dict[str, Any]:
    response = httpx.post(f"{replica_url}/api/chat/ask", json={"question": question}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def replica_answer(
    replica_url: str, question: str, check: Callable[[dict[str, Any]], bool]
) -> Callable[[], bool]:
    """A poll for `eventually`: does this replica's answer to `question` pass `check`?"""
    return lambda: check(ask_replica(replica_url, question))


def replica_urls(stack: Stack) -> list[str]:
    return [replica.url for replica in stack.replicas["chatbot"]]


def test_both_replicas_are_up(chat_stack: Stack) -> None:
    urls = replica_urls(chat_stack)
    assert len(urls) == 2
    for url in urls:
        assert httpx.get(f"{url}/readyz").status_code == 200


def test_the_example_owner_answers_each_visitor_in_their_language(visitor: httpx.Client) -> None:
    """The shipped example writes its about text in Korean, then the same in English, in
    Markdown: each visitor reads their language's half, as plain text."""
    english = visitor.post("/api/chat/ask", json={"question": "Tell me about yourself"})
    assert english.status_code == 200, english.text
    assert english.json()["answer"].startswith("Hi! I build and run web services.")
    assert "안녕하세요" not in english.json()["answer"]
    korean = visitor.post("/api/chat/ask", json={"question": "자기소개 해주세요"})
    assert korean.status_code == 200, korean.text
    assert korean.json()["answer"].startswith("안녕하세요! 웹 서비스를 만들고 운영하는")
    assert "Hi! I build" not in korean.json()["answer"]
    for body in (english.json(), korean.json()):
        assert "**" not in body["answer"]
        assert "(https://jsonresume.org)" in body["answer"]


def test_a_published_profile_edit_is_answered_by_every_replica_within_seconds(
    chat_stack: Stack, visitor: httpx.Client, owner: dict[str, str]
) -> None:
    company = f"Zentrix{secrets.token_hex(2)} Labs"
    response = visitor.put("/api/site/profile", json=profile_working_at(company), headers=owner)
    assert response.status_code == 200, response.text
    # "Within seconds": every replica within 15 s of the publish, together.
    deadline = time.monotonic() + 15
    for url in replica_urls(chat_stack):
        answered = eventually(
            replica_answer(url, WHERE, lambda body: company in body["answer"]),
            timeout=max(0.0, deadline - time.monotonic()),
        )
        assert answered, url
    through_gateway = visitor.post("/api/chat/ask", json={"question": "어디서 일하세요?"})
    assert through_gateway.status_code == 200
    body = through_gateway.json()
    assert company in body["answer"]
    assert body["language"] == "ko"
    assert body["sources"][0]["section"] == "work"


def test_faq_changes_need_the_owner_and_reach_every_replica(
    chat_stack: Stack, visitor: httpx.Client, owner: dict[str, str], member: dict[str, str]
) -> None:
    entry = {
        "question": "Do you have a cat?",
        "answer": f"Yes, a cat called Dubu{secrets.token_hex(2)}.",
    }
    assert visitor.post("/api/site/faq", json=entry).status_code == 401
    assert visitor.post("/api/site/faq", json=entry, headers=member).status_code == 403
    created = visitor.post("/api/site/faq", json=entry, headers=owner)
    assert created.status_code == 201, created.text
    faq_id = created.json()["id"]
    listed = visitor.get("/api/site/faq").json()["items"]
    assert any(item["id"] == faq_id for item in listed)
    for url in replica_urls(chat_stack):
        assert eventually(
            replica_answer(
                url, "do you have a cat?", lambda body: body["answer"] == entry["answer"]
            )
        ), url

    assert visitor.put(f"/api/site/faq/{faq_id}", json=entry, headers=member).status_code == 403
    assert visitor.delete(f"/api/site/faq/{faq_id}", headers=member).status_code == 403
    assert visitor.delete(f"/api/site/faq/{faq_id}").status_code == 401
    assert visitor.delete(f"/api/site/faq/{faq_id}", headers=owner).status_code == 204
    for url in replica_urls(chat_stack):
        assert eventually(
            replica_answer(
                url, "do you have a cat?", lambda body: body["answer"] != entry["answer"]
            )
        ), url


def test_the_owner_turns_an_unanswered_question_into_an_faq_entry(
    chat_stack: Stack, visitor: httpx.Client, owner: dict[str, str], member: dict[str, str]
) -> None:
    question = f"what is your favourite board game {secrets.token_hex(2)}?"
    body = visitor.post("/api/chat/ask", json={"question": question}).json()
    assert body["answered"] is False
    assert visitor.get("/api/chat/questions", headers=member).status_code == 403

    def logged() -> list[dict[str, Any]]:
        page = visitor.get("/api/chat/questions?unanswered=true", headers=owner).json()
        return [item for item in page["items"] if item["question"] == question]

    assert eventually(lambda: len(logged()) == 1)
    [row] = logged()
    response = visitor.post(
        f"/api/chat/questions/{row['id']}/faq",
        json={"answer": "Go, the board game."},
        headers=owner,
    )
    assert response.status_code == 201, response.text
    entry = response.json()
    # The entry is the site's: the owner sees it in the site's FAQ.
    listed = visitor.get("/api/site/faq").json()["items"]
    assert [item["answer"] for item in listed if item["id"] == entry["id"]] == [
        "Go, the board game."
    ]
    for url in replica_urls(chat_stack):
        assert eventually(
            replica_answer(url, question, lambda body: body["answer"] == "Go, the board game.")
        ), url
    # The next visitor words it a little differently and is answered from it too.
    reworded = question.replace("what is your favourite", "what's your favorite")
    assert eventually(lambda: ask_replica(replica_urls(chat_stack)[0], reworded)["answered"])


def test_the_internal_faq_routes_are_not_public(visitor: httpx.Client) -> None:
    for path in ("/internal/faq", "/internal/faq/import"):
        response = visitor.post(path, json={"key": "x:1", "question": "q?", "answer": "a"})
        assert response.status_code == 403, path


def test_bad_questions_are_refused_clearly_through_the_gateway(visitor: httpx.Client) -> None:
    for body, status in (
        ({"question": ""}, 422),
        ({"question": "a" * (MAX_QUESTION_CHARS + 1)}, 422),
        ({"question": 42}, 422),
        ({"question": "x" * 50_000}, 413),
    ):
        response = visitor.post("/api/chat/ask", json=body)
        assert response.status_code == status, response.text
        assert response.json()["message"]


def test_a_stopped_replica_is_taken_out_and_answers_keep_coming(
    chat_stack: Stack, visitor: httpx.Client
) -> None:
    chat_stack.stop_replica("chatbot", 0)
    try:
        for _ in range(4):
            response = visitor.post("/api/chat/ask", json={"question": WHERE})
            assert response.status_code == 200
    finally:
        chat_stack.start_replica("chatbot", 0)
    assert httpx.get(f"{replica_urls(chat_stack)[0]}/readyz").status_code == 200


def test_replicas_log_to_their_own_files(chat_stack: Stack) -> None:
    logs = sorted(Path(chat_stack.logs_dir).glob("chatbot-*.log"))
    assert len(logs) >= 2
