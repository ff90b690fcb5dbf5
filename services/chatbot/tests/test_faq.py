"""The owner's FAQ lives in the site (its tests are there); the chatbot answers from it: every
change reaches every replica within seconds through the one knowledge document, and the
chatbot no longer has FAQ routes of its own."""

import threading
from typing import Any

from chatbot_support import OWNER, FakeSite, ask, eventually
from fastapi.testclient import TestClient

KAKAO = {"question": "카카오톡으로 연락할 수 있나요?", "answer": "네, 오픈채팅으로 연락 주세요."}


def test_a_new_entry_is_answered_and_cited_with_the_sites_id(
    client: TestClient, site: FakeSite
) -> None:
    created = site.add_faq(**KAKAO)
    assert eventually(lambda: ask(client, KAKAO["question"])["answer"] == KAKAO["answer"])
    body = ask(client, "카카오톡으로 연락할 수 있나요?")
    assert body["answered"] is True
    assert body["sources"] == [
        {
            "type": "faq",
            "id": created["id"],
            "key": f"faq:{created['id']}",
            "title": KAKAO["question"],
        }
    ]


def test_faq_changes_reach_every_replica_within_seconds(start_app: Any, site: FakeSite) -> None:
    replicas = [start_app(), start_app()]
    question = "what's your favorite food?"
    assert all(ask(replica, question)["answered"] is False for replica in replicas)
    created = site.add_faq("What is your favorite food?", "Kimchi stew.")
    for replica in replicas:
        assert eventually(lambda r=replica: ask(r, question)["answer"] == "Kimchi stew.")
    site.update_faq(created["id"], "What is your favorite food?", "Naengmyeon.")
    for replica in replicas:
        assert eventually(lambda r=replica: ask(r, question)["answer"] == "Naengmyeon.")
    site.delete_faq(created["id"])
    for replica in replicas:
        assert eventually(lambda r=replica: ask(r, question)["answered"] is False)


def test_two_edits_within_one_poll_both_arrive(client: TestClient, site: FakeSite) -> None:
    created = site.add_faq("What is your favorite food?", "Kimchi stew.")
    assert eventually(lambda: ask(client, "favorite food?")["answer"] == "Kimchi stew.")
    for answer in ("Bibimbap.", "Naengmyeon."):
        site.update_faq(created["id"], "What is your favorite food?", answer)
    assert eventually(lambda: ask(client, "favorite food?")["answer"] == "Naengmyeon.")


def test_the_faq_and_the_profile_come_in_one_conditional_poll(
    client: TestClient, site: FakeSite
) -> None:
    site.add_faq(**KAKAO)
    assert eventually(lambda: ask(client, KAKAO["question"])["answer"] == KAKAO["answer"])
    fetched = site.full_responses
    assert eventually(lambda: site.not_modified_responses >= 3)
    assert site.full_responses == fetched
    status = client.app.state.knowledge.status()
    assert status["faq"]["entries"] == 1


def test_the_chatbot_has_no_faq_routes_of_its_own(client: TestClient) -> None:
    assert client.get("/api/chat/faq").status_code == 404
    assert client.post("/api/chat/faq", json=KAKAO, headers=OWNER).status_code == 404


def test_questions_keep_being_answered_while_the_faq_changes(
    client: TestClient, site: FakeSite
) -> None:
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
            site.add_faq(f"Question number {number}?", f"Answer {number}.")
            client.app.state.knowledge.refresh()
    finally:
        stop.set()
        for asker in askers:
            asker.join()
    assert failures == []
    assert eventually(lambda: ask(client, "question number 7?")["sources"][0]["type"] == "faq")
