"""Sync with the site's knowledge document: an edit is answerable within seconds on every
replica, polls are conditional, and a site that is down or sends garbage leaves the last
good document."""

import copy
from typing import Any

import pytest
from chatbot_support import OWNER, PROFILE, FakeSite, ask, eventually, profile_with_employer
from fastapi.testclient import TestClient

WHERE = "where do you work?"


def employer_answer(client: TestClient) -> str:
    return str(ask(client, WHERE)["answer"])


def test_a_published_edit_reaches_every_replica_within_seconds(
    start_app: Any, site: FakeSite
) -> None:
    replicas = [start_app(), start_app()]
    for replica in replicas:
        assert "Acme Payments" in employer_answer(replica)
    site.publish(profile_with_employer("Globex Robotics"))
    for replica in replicas:
        assert eventually(lambda replica=replica: "Globex Robotics" in employer_answer(replica))
        assert "Acme Payments" not in employer_answer(replica)
    korean = ask(replicas[1], "회사가 어디예요?")
    assert "Globex Robotics" in korean["answer"]
    assert korean["language"] == "ko"


def test_polls_are_conditional_and_an_unchanged_profile_is_not_refetched(
    client: TestClient, site: FakeSite
) -> None:
    assert eventually(lambda: site.not_modified_responses >= 3)
    assert site.full_responses == 1


def test_the_owners_translations_answer_visitors_in_their_language(
    start_app: Any, site: FakeSite
) -> None:
    """The site of issue 14 sends the profile with its translations: one entry per fact,
    answered from the version in the visitor's language."""
    korean = copy.deepcopy(PROFILE)
    korean["work"][0]["summary"] = "정산 플랫폼을 만듭니다."
    site.publish(korean)
    english = copy.deepcopy(PROFILE)
    english["work"][0]["summary"] = "Builds the settlement platform for card payments."
    site.translations = {"en": english}
    client = start_app()
    assert eventually(lambda: "card payments" in employer_answer(client))
    body = ask(client, "회사가 어디예요?")
    assert "정산 플랫폼" in body["answer"]
    assert body["sources"][0]["index"] == 0
    status = client.get("/api/chat/status", headers=OWNER).json()
    assert status["engine"]["retrieval"] == "hybrid"


@pytest.mark.parametrize("behaviour", ["error", "garbage", "not_object", "huge", "stopped"])
def test_a_broken_site_leaves_the_last_good_profile_in_place(
    client: TestClient, site: FakeSite, behaviour: str
) -> None:
    assert "Acme Payments" in employer_answer(client)
    site.publish(profile_with_employer("Globex Robotics"))
    assert eventually(lambda: "Globex Robotics" in employer_answer(client))
    if behaviour == "stopped":
        site.stop()
    else:
        site.behaviour = behaviour
    status = client.app.state.knowledge.status
    assert eventually(lambda: status()["profile"]["error"] is not None)
    for _ in range(5):
        assert "Globex Robotics" in employer_answer(client)
    assert status()["ready"] is True

    # Back again with a newer profile: picked up as usual.
    site.publish(profile_with_employer("Initech"))
    if behaviour == "stopped":
        site.start()
    site.behaviour = "ok"
    assert eventually(lambda: "Initech" in employer_answer(client))
    assert eventually(lambda: status()["profile"]["error"] is None)


def test_a_slow_site_does_not_stop_answers(client: TestClient, site: FakeSite) -> None:
    site.behaviour = "slow"  # every poll now waits for the 1 s client timeout
    for _ in range(3):
        assert "Acme Payments" in employer_answer(client)


def test_odd_profile_content_does_not_crash_anything(start_app: Any, site: FakeSite) -> None:
    odd: dict[str, Any] = {
        "basics": {"name": ["not", "a", "string"], "email": 42, "profiles": "nope"},
        "work": [None, 3, "text", {"name": {"deep": True}}, {"name": "Acme Payments"}],
        "skills": {"not": "a list"},
        "unknown_section": [[[[[]]]]],
        "awards": [{"title": "\ud800 broken surrogate", "summary": "\x00\x01"}],
    }
    site.publish(odd)
    client = start_app()
    body = ask(client, WHERE)
    assert body["answered"] in (True, False)
    assert client.app.state.knowledge.status()["profile"]["loaded"] is True


def test_a_replica_started_during_a_site_outage_answers_from_the_stored_profile(
    start_app: Any, site: FakeSite
) -> None:
    first = start_app()
    site.publish(profile_with_employer("Globex Robotics"))
    assert eventually(lambda: "Globex Robotics" in employer_answer(first))
    site.stop()
    late = start_app()
    assert "Globex Robotics" in employer_answer(late)
    status = late.app.state.knowledge.status()
    assert status["profile"]["source"] == "snapshot"
    assert status["profile"]["error"]

    site.start()
    assert eventually(lambda: late.app.state.knowledge.status()["profile"]["source"] == "site")


def test_a_replica_with_no_site_and_no_snapshot_still_starts_and_declines(
    start_app: Any, site: FakeSite
) -> None:
    site.stop()
    client = start_app()
    assert client.app.state.knowledge.status()["ready"] is True
    assert ask(client, WHERE)["answered"] is False

    site.add_faq("Do you have a cat?", "Yes, Dubu.")
    site.start()
    assert eventually(lambda: client.app.state.knowledge.status()["profile"]["loaded"])
    assert eventually(lambda: ask(client, "do you have a cat?")["answer"] == "Yes, Dubu.")


def test_the_stored_document_holds_the_faq_too(start_app: Any, site: FakeSite) -> None:
    site.add_faq("Do you have a cat?", "Yes, Dubu.")
    first = start_app()
    assert eventually(lambda: ask(first, "do you have a cat?")["answer"] == "Yes, Dubu.")
    site.stop()
    late = start_app()
    assert late.app.state.knowledge.status()["profile"]["source"] == "snapshot"
    assert ask(late, "do you have a cat?")["answer"] == "Yes, Dubu."


def test_a_site_without_a_published_profile_still_gives_the_faq(
    start_app: Any, site: FakeSite
) -> None:
    site.publish(None)
    site.add_faq("Do you have a cat?", "Yes, Dubu.")
    client = start_app()
    assert ask(client, "do you have a cat?")["answer"] == "Yes, Dubu."
    assert client.app.state.knowledge.status()["profile"]["loaded"] is False


def test_a_profile_the_engine_cannot_index_leaves_the_previous_answers(
    client: TestClient, site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = client.app.state.knowledge.engine
    real_load = engine.load

    def load(profile: Any, faqs: Any, **options: Any) -> None:
        if profile and profile["work"][0]["name"] == "Broken Corp":
            raise ValueError("cannot index this")
        real_load(profile, faqs, **options)

    monkeypatch.setattr(engine, "load", load)
    site.publish(profile_with_employer("Broken Corp"))
    assert eventually(lambda: site.full_responses >= 3)  # retried, not given up on
    assert "Acme Payments" in employer_answer(client)
    site.publish(profile_with_employer("Globex Robotics"))
    assert eventually(lambda: "Globex Robotics" in employer_answer(client))
