"""The question log for the owner: unanswered questions, turned into entries of the owner's
FAQ in the site."""

from datetime import timedelta
from typing import Any

import pytest
from chatbot_support import MEMBER, OWNER, FakeSite, ask, eventually, logged_questions
from fastapi.testclient import TestClient

from mysite_chatbot.models import QuestionLog, wording_key
from mysite_common.db import utcnow


def test_the_owner_sees_unanswered_questions_newest_first(client: TestClient) -> None:
    ask(client, "where do you work?")
    ask(client, "what's your favorite movie?")
    ask(client, "do you have a cat?")
    unanswered = logged_questions(client, unanswered="true")
    assert [row["question"] for row in unanswered] == [
        "do you have a cat?",
        "what's your favorite movie?",
    ]
    assert all(row["answered"] is False and row["resolved"] is False for row in unanswered)
    assert len(logged_questions(client)) == 3


def test_an_unanswered_question_becomes_an_faq_entry(client: TestClient, site: FakeSite) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq",
        json={"answer": "Yes, a grey cat called Dubu."},
        headers=OWNER,
    )
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["question"] == "do you have a cat?"
    assert entry["answer"] == "Yes, a grey cat called Dubu."

    assert logged_questions(client, unanswered="true") == []
    [resolved] = logged_questions(client)
    assert resolved["resolved"] is True
    assert resolved["faq_id"] == entry["id"]

    body = ask(client, "do you have a cat?")
    assert body["answered"] is True
    assert body["answer"] == "Yes, a grey cat called Dubu."
    assert body["sources"][0] == {
        "type": "faq",
        "id": entry["id"],
        "key": f"faq:{entry['id']}",
        "title": "do you have a cat?",
    }
    # The next visitor words it differently and is answered from the new entry too.
    paraphrased = ask(client, "Do you have any cats?")
    assert paraphrased["answered"] is True
    assert paraphrased["sources"][0]["id"] == entry["id"]

    again = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "again"}, headers=OWNER
    )
    assert again.status_code == 409
    assert again.json()["error"] == "already_in_faq"
    assert [entry["question"] for entry in site.faqs.values()] == ["do you have a cat?"]


def test_a_retry_after_a_failure_makes_no_second_entry(client: TestClient, site: FakeSite) -> None:
    """The site already made the entry but the chatbot never marked the question (it stopped,
    say): the owner's second try finds the same entry."""
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    first = client.app.state.knowledge.site.hand_over_faq(
        key=f"question:{row['id']}:{_epoch(client, row['id'])}",
        question="do you have a cat?",
        answer="Yes.",
    )
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "Yes."}, headers=OWNER
    )
    assert response.status_code == 201
    assert response.json()["id"] == first["id"]
    assert len(site.faqs) == 1


def _epoch(client: TestClient, question_id: int) -> int:
    with client.app.state.database.session() as session:
        return int(session.get(QuestionLog, question_id).asked_at.timestamp())


def test_the_sites_refusal_reaches_the_owner_and_changes_nothing(
    client: TestClient, site: FakeSite
) -> None:
    site.max_faq_entries = 0
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "Yes."}, headers=OWNER
    )
    assert response.status_code == 409
    assert response.json()["error"] == "faq_full"
    assert logged_questions(client, unanswered="true") == [row]


def test_a_site_that_is_down_is_a_clear_503(client: TestClient, site: FakeSite) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    site.stop()
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "Yes."}, headers=OWNER
    )
    assert response.status_code == 503
    assert response.json()["error"] == "site_unavailable"
    assert logged_questions(client, unanswered="true") == [row]


def test_the_owner_may_reword_the_question_of_the_new_entry(client: TestClient) -> None:
    ask(client, "cat??")
    [row] = logged_questions(client, unanswered="true")
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq",
        json={"question": "Do you have a cat?", "answer": "Yes, Dubu."},
        headers=OWNER,
    )
    assert response.json()["question"] == "Do you have a cat?"


def test_a_bad_answer_changes_nothing(client: TestClient, site: FakeSite) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "  "}, headers=OWNER
    )
    assert response.status_code == 422
    assert response.json()["error"] == "empty_text"
    assert logged_questions(client, unanswered="true") == [row]
    assert site.faqs == {}


def test_deleting_an_entry_keeps_the_question_but_forgets_the_link(
    client: TestClient, site: FakeSite
) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client, unanswered="true")
    entry = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "Yes."}, headers=OWNER
    ).json()
    assert logged_questions(client)[0]["faq_id"] == entry["id"]
    site.delete_faq(entry["id"])  # the owner deletes it in the site's admin page
    assert eventually(lambda: logged_questions(client)[0]["faq_id"] is None)
    [kept] = logged_questions(client)
    assert kept["resolved"] is True


def test_the_owner_deletes_a_logged_question(client: TestClient) -> None:
    ask(client, "spam spam spam")
    [row] = logged_questions(client)
    assert client.delete(f"/api/chat/questions/{row['id']}", headers=OWNER).status_code == 204
    assert logged_questions(client) == []
    assert client.delete(f"/api/chat/questions/{row['id']}", headers=OWNER).status_code == 404


def test_a_question_asked_again_and_again_is_one_line_of_the_owners_list(
    client: TestClient,
) -> None:
    for question in [
        "do you have a cat?",
        "Do you have a cat",
        "what's your favorite movie?",
        "DO YOU HAVE A CAT?!",
    ]:
        ask(client, question)
    unanswered = logged_questions(client, unanswered="true")
    # The latest asking stands for the wording, with how often it was asked.
    assert [(row["question"], row["times_asked"]) for row in unanswered] == [
        ("DO YOU HAVE A CAT?!", 3),
        ("what's your favorite movie?", 1),
    ]
    page = client.get("/api/chat/questions", params={"unanswered": "true"}, headers=OWNER)
    assert page.json()["total"] == 2
    # The whole log still lists every asking.
    everything = logged_questions(client)
    assert len(everything) == 4
    assert {row["times_asked"] for row in everything} == {1}


def test_the_most_asked_questions_may_come_first(client: TestClient) -> None:
    for question in ["do you have a cat?", "do you have a dog?", "Do you have a dog", "a horse?"]:
        ask(client, question)

    def listed(**params: str) -> list[tuple[str, int]]:
        rows = logged_questions(client, unanswered="true", **params)
        return [(row["question"], row["times_asked"]) for row in rows]

    assert listed() == [("a horse?", 1), ("Do you have a dog", 2), ("do you have a cat?", 1)]
    # Equally asked: newest first.
    assert listed(order="most_asked") == [
        ("Do you have a dog", 2),
        ("a horse?", 1),
        ("do you have a cat?", 1),
    ]


def test_the_answered_questions_are_one_line_per_wording_too(client: TestClient) -> None:
    for question in ["What's your email?", "what is your email", "do you have a cat?"]:
        ask(client, question)
    ask(client, "WHAT'S YOUR EMAIL??")
    answered = logged_questions(client, answered="true")
    assert [(row["question"], row["times_asked"]) for row in answered] == [
        ("WHAT'S YOUR EMAIL??", 2),
        ("what is your email", 1),
    ]
    assert all(row["answered"] is True for row in answered)
    assert [row["question"] for row in logged_questions(client, unanswered="true")] == [
        "do you have a cat?"
    ]


def test_unanswered_and_answered_at_once_is_a_clear_422(client: TestClient) -> None:
    ask(client, "What's your email?")
    response = client.get(
        "/api/chat/questions", params={"unanswered": "true", "answered": "true"}, headers=OWNER
    )
    assert response.status_code == 422
    assert response.json()["error"] == "conflicting_filters"
    assert len(logged_questions(client)) == 1


@pytest.mark.parametrize("order", ["oldest", "", "MOST_ASKED"])
def test_an_unknown_order_is_a_clear_422(client: TestClient, order: str) -> None:
    response = client.get(
        "/api/chat/questions", params={"unanswered": "true", "order": order}, headers=OWNER
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("action", ["faq", "entry", "dismiss"])
def test_dealing_with_a_question_deals_with_its_repeats(client: TestClient, action: str) -> None:
    for question in ["do you have a cat?", "Do you have a cat", "do you have a dog?"]:
        ask(client, question)
    [cat] = [row for row in logged_questions(client, unanswered="true") if row["times_asked"] == 2]
    if action == "faq":
        response = client.post(
            f"/api/chat/questions/{cat['id']}/faq", json={"answer": "A grey cat."}, headers=OWNER
        )
        assert response.status_code == 201, response.text
    elif action == "entry":
        response = client.post(
            f"/api/chat/questions/{cat['id']}/entry", json={"entry_key": "work:0"}, headers=OWNER
        )
        assert response.status_code == 201, response.text
    else:
        response = client.delete(f"/api/chat/questions/{cat['id']}", headers=OWNER)
        assert response.status_code == 204, response.text
    assert [row["question"] for row in logged_questions(client, unanswered="true")] == [
        "do you have a dog?"
    ]
    everything = logged_questions(client)
    if action == "dismiss":
        assert [row["question"] for row in everything] == ["do you have a dog?"]
    else:
        cats = [row for row in everything if "cat" in row["question"].lower()]
        assert len(cats) == 2
        assert all(row["resolved"] for row in cats)


def test_questions_an_older_replica_logged_without_a_key_stand_alone(
    client: TestClient,
) -> None:
    """During an upgrade, a replica of the previous version logs rows without the key."""
    log_question_asked_days_ago(client, "do you have a cat?", 0)
    log_question_asked_days_ago(client, "do you have a cat?", 0)
    with client.app.state.database.session() as session:
        for row in session.query(QuestionLog):
            row.question_key = ""
    unanswered = logged_questions(client, unanswered="true")
    assert [(row["question"], row["times_asked"]) for row in unanswered] == [
        ("do you have a cat?", 1),
        ("do you have a cat?", 1),
    ]
    # Dismissing one leaves the other: without a key, nothing says they are one question.
    assert (
        client.delete(f"/api/chat/questions/{unanswered[0]['id']}", headers=OWNER).status_code
        == 204
    )
    assert len(logged_questions(client, unanswered="true")) == 1


def test_deleting_an_answered_question_leaves_the_waiting_ones(client: TestClient) -> None:
    ask(client, "do you have a cat?")
    log_question_asked_days_ago(client, "Do you have a cat", 0)
    with client.app.state.database.session() as session:
        # As if answered once (from an FAQ entry since deleted, say).
        row = session.query(QuestionLog).filter(QuestionLog.question == "Do you have a cat").one()
        row.answered = True
        session.flush()
        answered_id = row.id
    assert client.delete(f"/api/chat/questions/{answered_id}", headers=OWNER).status_code == 204
    assert [row["question"] for row in logged_questions(client, unanswered="true")] == [
        "do you have a cat?"
    ]


def test_paging(client: TestClient) -> None:
    for number in range(5):
        ask(client, f"unknown question number {number} about cats?")
    client.app.state.question_log.flush()
    page = client.get("/api/chat/questions", params={"limit": 2, "offset": 1}, headers=OWNER).json()
    assert page["total"] == 5
    assert page["limit"] == 2
    assert page["offset"] == 1
    assert len(page["items"]) == 2


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "x"}, {"unanswered": "maybe"}],
)
def test_bad_paging_is_refused(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/api/chat/questions", params=params, headers=OWNER)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), (MEMBER, 403)], ids=["anonymous", "member"]
)
def test_only_the_owner_sees_and_handles_the_log(
    client: TestClient, site: FakeSite, headers: dict[str, str], status: int
) -> None:
    ask(client, "do you have a cat?")
    [row] = logged_questions(client)
    assert client.get("/api/chat/questions", headers=headers).status_code == status
    response = client.post(
        f"/api/chat/questions/{row['id']}/faq", json={"answer": "x"}, headers=headers
    )
    assert response.status_code == status
    assert client.delete(f"/api/chat/questions/{row['id']}", headers=headers).status_code == status
    assert logged_questions(client) == [row]
    assert site.faqs == {}


def log_question_asked_days_ago(client: TestClient, question: str, days: int) -> None:
    """A declined question in the log as if asked ``days`` ago."""
    with client.app.state.database.session() as session:
        session.add(
            QuestionLog(
                question=question,
                answer="",
                answered=False,
                confidence=0.0,
                language="en",
                latency_ms=1.0,
                asked_at=utcnow() - timedelta(days=days),
                question_key=wording_key(question),
            )
        )


def test_questions_older_than_the_retention_period_are_deleted(client: TestClient) -> None:
    ask(client, "do you have a cat?")
    log_question_asked_days_ago(client, "an old question", 400)
    assert client.app.state.question_log.purge() == 1
    assert [row["question"] for row in logged_questions(client)] == ["do you have a cat?"]


def summary(client: TestClient, **params: Any) -> Any:
    client.app.state.question_log.flush()
    return client.get("/api/chat/questions/summary", params=params, headers=OWNER)


def test_the_owner_sees_how_the_chatbot_did_lately(client: TestClient) -> None:
    empty = summary(client)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {
        "days": 7,
        "asked": 0,
        "answered": 0,
        "declined": 0,
        "declined_with_suggestions": 0,
        "suggestion_picked": 0,
    }
    ask(client, "What's your email address?")
    ask(client, "what's your favorite movie?")
    ask(client, "what's your favorite movie?")
    log_question_asked_days_ago(client, "a question from before the period", 31)
    body = summary(client, days=30).json()
    assert (body["days"], body["asked"], body["answered"], body["declined"]) == (30, 3, 1, 2)
    assert body["declined_with_suggestions"] == body["suggestion_picked"] == 0
    assert summary(client, days=365).json()["asked"] == 4


@pytest.mark.parametrize("days", ["0", "366", "-1", "week"])
def test_a_bad_period_is_a_clear_422(client: TestClient, days: str) -> None:
    response = summary(client, days=days)
    assert response.status_code == 422
    assert response.json()["message"]


def test_only_the_owner_sees_the_summary(client: TestClient) -> None:
    assert client.get("/api/chat/questions/summary").status_code == 401
    assert client.get("/api/chat/questions/summary", headers=MEMBER).status_code == 403
