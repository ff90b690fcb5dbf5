"""One limit for a visitor's question (mysite_common.text.MAX_QUESTION_CHARS): the chat field
of the home page stops there, and an FAQ question may be exactly as long, not longer (so any
question the chatbot accepted can become an FAQ entry)."""

import re

from fastapi.testclient import TestClient
from site_support import Browser

from mysite_common.text import MAX_QUESTION_CHARS


def test_an_faq_question_may_be_as_long_as_a_visitors_question_and_no_longer(
    client: TestClient, owner: Browser
) -> None:
    longest = "가" * MAX_QUESTION_CHARS
    created = owner.send("POST", "/api/site/faq", json={"question": longest, "answer": "네."})
    assert created.status_code == 201, created.text
    too_long = owner.send(
        "POST", "/api/site/faq", json={"question": longest + "?", "answer": "네."}
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"] == "text_too_long"
    assert str(MAX_QUESTION_CHARS) in too_long.json()["message"]
    assert [item["question"] for item in client.get("/api/site/faq").json()["items"]] == [longest]


def test_the_question_fields_stop_at_the_limit(
    owner: Browser, minimal_resume: dict[str, object]
) -> None:
    assert owner.send("PUT", "/api/site/profile", json=minimal_resume).status_code == 200
    home = owner.get("/").text
    assert re.search(rf'id="chat-question"[^>]* maxlength="{MAX_QUESTION_CHARS}"', home)
    admin = owner.get("/admin/chatbot").text
    assert re.search(rf'id="faq-question"[^>]* maxlength="{MAX_QUESTION_CHARS}"', admin)
