"""The profile document: JSON Resume v1.0.0, extra fields kept, unsafe or absurd input refused."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mysite_common.errors import ApiError
from mysite_site.profiles import example_resume
from mysite_site.resume import (
    MAX_STRING_LENGTH,
    SECTIONS,
    official_schema,
    parse_resume_json,
    validate_resume,
)

EVAL_PROFILE = Path(__file__).parents[2] / "chatbot" / "eval" / "profile.json"


def problems_of(document: Any) -> dict[str, str]:
    with pytest.raises(ApiError) as caught:
        validate_resume(document)
    assert caught.value.status_code == 422
    assert caught.value.code == "invalid_resume"
    return caught.value.fields or {}


def test_the_example_profile_is_valid_and_bilingual() -> None:
    resume = example_resume()
    text = json.dumps(resume, ensure_ascii=False)
    assert any("\uac00" <= character <= "\ud7a3" for character in text)  # Hangul
    assert "Software Engineer" in text


@pytest.mark.skipif(not EVAL_PROFILE.exists(), reason="chatbot eval data not present")
def test_a_full_resume_with_extensions_is_accepted_unchanged() -> None:
    document = json.loads(EVAL_PROFILE.read_text(encoding="utf-8"))
    original = copy.deepcopy(document)
    assert validate_resume(document) == original
    assert "x-site" in document  # top-level extension kept, though the official schema closes it


def test_unknown_fields_are_kept_at_every_level() -> None:
    document = {
        "x-custom": {"anything": [1, 2, 3]},
        "basics": {"name": "A", "pronouns": "they/them", "location": {"city": "B", "x": 1}},
        "work": [{"name": "C", "team": "Platform"}],
    }
    assert validate_resume(copy.deepcopy(document)) == document


def test_the_shipped_schema_is_the_official_shape() -> None:
    schema = official_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    for section in SECTIONS:
        assert section.key in schema["properties"]
        properties = schema["properties"][section.key]["items"]["properties"]
        for spec in section.fields:
            assert spec.key in properties, (section.key, spec.key)


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"basics": "Kim"}, "basics"),
        ({"basics": {"name": 42}}, "basics.name"),
        ({"work": {"name": "not a list"}}, "work"),
        ({"work": [{"highlights": "one string"}]}, "work.0.highlights"),
        ({"skills": [{"keywords": [1, 2]}]}, "skills.0.keywords.0"),
        ({"work": [{"startDate": "2020/01"}]}, "work.0.startDate"),
        ({"education": [{"endDate": "last year"}]}, "education.0.endDate"),
        ({"basics": {"email": "not-an-address"}}, "basics.email"),
        ({"basics": {"url": "javascript:alert(1)"}}, "basics.url"),
        ({"projects": [{"url": "data:text/html,<script>alert(1)</script>"}]}, "projects.0.url"),
        ({"basics": {"profiles": [{"url": "ftp://example.com"}]}}, "basics.profiles.0.url"),
        ({"basics": {"image": "javascript:alert(1)"}}, "basics.image"),
        ({"basics": {"name": "bell\u0007"}}, "basics.name"),
        ({"basics": {"summary": "x" * (MAX_STRING_LENGTH + 1)}}, "basics.summary"),
        ({"skills": [{"name": str(n)} for n in range(201)]}, "skills"),
    ],
)
def test_bad_documents_name_the_offending_field(document: Any, path: str) -> None:
    problems = problems_of(document)
    assert path in problems, problems


def test_the_message_is_one_a_person_can_act_on() -> None:
    with pytest.raises(ApiError) as caught:
        validate_resume({"work": [{"startDate": "2020/01"}]})
    assert "work.0.startDate" in caught.value.message
    assert "2024-05" in caught.value.message


def test_deep_nesting_is_refused() -> None:
    nested: dict[str, Any] = {}
    node = nested
    for _ in range(20):
        node["x"] = {}
        node = node["x"]
    assert problems_of({"x-deep": nested})


@pytest.mark.parametrize("document", [[], "text", 3, None])
def test_the_top_level_must_be_an_object(document: Any) -> None:
    with pytest.raises(ApiError) as caught:
        validate_resume(document)
    assert caught.value.status_code == 422


def test_script_is_text_not_a_problem() -> None:
    # Markup in text is shown escaped on the page; refusing it would refuse legitimate text.
    document = {"basics": {"name": "<script>alert(1)</script>", "summary": "<b>hi</b>"}}
    assert validate_resume(document) == document


def test_empty_optional_links_are_fine() -> None:
    validate_resume({"basics": {"email": "", "url": "", "image": ""}})


def test_own_photo_paths_are_accepted_as_images() -> None:
    validate_resume({"basics": {"image": "/api/site/photo/" + "a" * 64}})
    assert "basics.image" in problems_of({"basics": {"image": "/api/site/photo/../../etc"}})


def test_parse_rejects_invalid_json() -> None:
    with pytest.raises(ApiError) as caught:
        parse_resume_json("{not json")
    assert caught.value.code == "invalid_json"
    with pytest.raises(ApiError):
        parse_resume_json(b"\xff\xfe")
