"""A visitor picks one of the entries offered with a declined question
(POST /api/chat/replies/{reply_id}/pick): the owner's question log shows the pick beside the
question, and nothing is taught until the owner says so."""

import math
import re
from dataclasses import replace
from typing import Any

import pytest
from chatbot_support import OWNER, ask, logged_questions
from fastapi.testclient import TestClient

QUESTION = "where do you work?"


@pytest.fixture
def doubtful(client: TestClient) -> TestClient:
    """A replica whose decision must be all but certain to answer, and that never answers
    from two entries: questions it would have answered are declined with their likely
    entries offered, whatever the model ships."""
    engine = client.app.state.knowledge.engine
    model = engine.model
    engine.model = replace(
        model, hybrid=replace(model.hybrid, threshold=0.999, pair_threshold=math.inf)
    )
    return client


def pick(client: TestClient, reply_id: str, entry_key: Any, **headers: str) -> Any:
    client.app.state.question_log.flush()  # the reply's row, as a second later
    return client.post(
        f"/api/chat/replies/{reply_id}/pick", json={"entry_key": entry_key}, headers=headers
    )


def offered_reply(client: TestClient) -> dict[str, Any]:
    body = ask(client, QUESTION)
    assert body["answered"] is False
    assert "work:0" in [item["key"] for item in body["suggestions"]]
    assert re.fullmatch("[0-9a-f]{32}", body["reply_id"])
    return body


def test_the_owner_sees_which_suggestion_the_visitor_picked(doubtful: TestClient) -> None:
    body = offered_reply(doubtful)
    response = pick(doubtful, body["reply_id"], "work:0")
    assert response.status_code == 204, response.text
    assert response.headers["cache-control"] == "no-store"

    [logged] = logged_questions(doubtful, unanswered=True)
    assert logged["picked"] == {"key": "work:0", "title": "Acme Payments"}
    assert logged["suggestions"] == [
        {"key": item["key"], "title": item["title"]} for item in body["suggestions"]
    ]
    doubtful.app.state.question_log.flush()
    counts = doubtful.get("/api/chat/questions/summary", headers=OWNER).json()
    assert counts["declined_with_suggestions"] == counts["suggestion_picked"] == 1
    # A hint only: nothing is taught, and the question stays unanswered until the owner acts.
    assert doubtful.get("/api/chat/taught", headers=OWNER).json()["items"] == []
    assert ask(doubtful, QUESTION)["answered"] is False


def test_the_last_pick_counts(doubtful: TestClient) -> None:
    body = offered_reply(doubtful)
    keys = [item["key"] for item in body["suggestions"]]
    other = next(key for key in keys if key != "work:0")
    assert pick(doubtful, body["reply_id"], other).status_code == 204
    assert pick(doubtful, body["reply_id"], "work:0").status_code == 204
    assert logged_questions(doubtful)[0]["picked"]["key"] == "work:0"


def test_each_reply_has_its_own_id_even_from_the_answer_cache(doubtful: TestClient) -> None:
    first, second = offered_reply(doubtful), offered_reply(doubtful)
    assert first["reply_id"] != second["reply_id"]
    assert pick(doubtful, second["reply_id"], "work:0").status_code == 204
    picked = [item["picked"] for item in logged_questions(doubtful)]
    assert picked == [{"key": "work:0", "title": "Acme Payments"}, None]  # newest first


def test_an_answer_or_a_plain_refusal_has_no_reply_id(client: TestClient) -> None:
    assert ask(client, "What's your email address?")["reply_id"] is None
    declined = ask(client, "what's your favorite movie?")
    assert declined["suggestions"] == []
    assert declined["reply_id"] is None
    assert [item["picked"] for item in logged_questions(client)] == [None, None]


@pytest.mark.parametrize(
    ("reply_id", "entry_key", "status", "code"),
    [
        ("0" * 32, "work:0", 404, "reply_not_found"),  # no such reply
        ("not-an-id", "work:0", 422, None),
        ("A" * 32, "work:0", 422, None),  # ids are lower-case hex
        (None, "basics.email", 422, "not_offered"),  # an entry, but not one offered
        (None, "no-such-entry", 422, "not_offered"),
        (None, "", 422, None),
        (None, 7, 422, None),
        (None, "x" * 101, 422, None),
    ],
)
def test_a_bad_pick_gets_a_clear_4xx_and_changes_nothing(
    doubtful: TestClient, reply_id: str | None, entry_key: Any, status: int, code: str | None
) -> None:
    body = offered_reply(doubtful)
    response = pick(doubtful, reply_id or body["reply_id"], entry_key)
    assert response.status_code == status, response.text
    assert response.json()["message"]
    if code is not None:
        assert response.json()["error"] == code
    assert logged_questions(doubtful)[0]["picked"] is None


def test_a_cross_site_pick_is_refused(doubtful: TestClient) -> None:
    body = offered_reply(doubtful)
    response = pick(doubtful, body["reply_id"], "work:0", **{"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert logged_questions(doubtful)[0]["picked"] is None
