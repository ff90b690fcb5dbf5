"""The profile in several languages: merging, the translation API (import, draft, publish),
the chatbot's all-languages document, and bad input that changes nothing."""

import copy
from typing import Any

import pytest
from site_support import Browser

from mysite_site.config import SiteSettings
from mysite_site.translations import merge_translation, translation_delta

PRIMARY: dict[str, Any] = {
    "basics": {
        "name": "Minji Kim",
        "label": "Software Engineer",
        "summary": "I build web services.",
        "url": "https://minji.example.com",
        "location": {"city": "Seoul", "countryCode": "KR"},
    },
    "work": [
        {"name": "Example Cloud", "position": "Backend Engineer", "startDate": "2022-03",
         "highlights": ["Billing API", "Usage API"]},
        {"name": "Old Corp", "position": "Intern", "startDate": "2020-01", "endDate": "2020-06"},
    ],
    "skills": [{"name": "Python", "keywords": ["FastAPI"]}],
}  # fmt: skip

KOREAN: dict[str, Any] = {
    "basics": {"name": "김민지", "label": "소프트웨어 엔지니어", "location": {"city": "서울"}},
    "work": [{"name": "예시 클라우드", "position": "백엔드 엔지니어", "highlights": ["과금 API"]}],
}


def test_merge_is_field_by_field_and_lists_by_position() -> None:
    merged = merge_translation(PRIMARY, KOREAN)
    assert merged["basics"] == {
        "name": "김민지",
        "label": "소프트웨어 엔지니어",
        "summary": "I build web services.",  # not translated: the primary's
        "url": "https://minji.example.com",
        "location": {"city": "서울", "countryCode": "KR"},
    }
    assert merged["work"][0] == {
        "name": "예시 클라우드",
        "position": "백엔드 엔지니어",
        "startDate": "2022-03",
        "highlights": ["과금 API", "Usage API"],
    }
    assert merged["work"][1] == PRIMARY["work"][1]  # no second item: falls back whole
    assert merged["skills"] == PRIMARY["skills"]
    assert PRIMARY["basics"]["name"] == "Minji Kim"  # the inputs are not changed


def test_a_translation_may_add_items_and_fields() -> None:
    translation = {"skills": [{}, {"name": "글쓰기"}], "basics": {"x-pronouns": "그녀"}}
    merged = merge_translation(PRIMARY, translation)
    assert merged["skills"] == [{"name": "Python", "keywords": ["FastAPI"]}, {"name": "글쓰기"}]
    assert merged["basics"]["x-pronouns"] == "그녀"


@pytest.mark.parametrize(
    "translated",
    [
        merge_translation(PRIMARY, KOREAN),
        PRIMARY,
        {**PRIMARY, "skills": [*PRIMARY["skills"], {"name": "글쓰기"}]},  # an item added
    ],
)
def test_the_delta_merges_back_into_the_translated_document(translated: dict[str, Any]) -> None:
    delta = translation_delta(PRIMARY, translated) or {}
    assert merge_translation(PRIMARY, delta) == translated


def test_the_delta_leaves_out_what_did_not_change() -> None:
    delta = translation_delta(PRIMARY, merge_translation(PRIMARY, KOREAN))
    assert delta == KOREAN
    assert translation_delta(PRIMARY, copy.deepcopy(PRIMARY)) is None


def put(owner: Browser, path: str, document: Any) -> Any:
    return owner.send("PUT", path, json=document)


def test_a_translation_is_published_and_served_merged(anonymous: Browser, owner: Browser) -> None:
    assert put(owner, "/api/site/profile", PRIMARY).status_code == 200
    response = put(owner, "/api/site/profile?lang=ko", KOREAN)
    assert response.status_code == 200, response.text
    version = response.json()["version"]

    korean = anonymous.get("/api/site/profile?lang=ko")
    assert korean.status_code == 200
    assert korean.json() == merge_translation(PRIMARY, KOREAN)
    assert korean.headers["Content-Language"] == "ko"
    assert korean.headers["X-Profile-Version"] == str(version)
    # The plain document stays the primary one, as the chatbot and importers expect.
    assert anonymous.get("/api/site/profile").json() == PRIMARY
    # English is the primary language here: its export is the primary document.
    english = anonymous.get("/api/site/profile?lang=en")
    assert english.json() == PRIMARY
    assert english.headers["Content-Language"] == "en"

    etag = korean.headers["ETag"]
    assert (
        anonymous.get("/api/site/profile?lang=ko", headers={"If-None-Match": etag}).status_code
        == 304
    )


def test_the_chatbot_gets_every_language_with_one_etag(anonymous: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    first = anonymous.get("/api/site/profile?translations=true")
    assert first.status_code == 200
    body = first.json()
    assert body == {"version": body["version"], "language": "en", "profile": PRIMARY,
                    "translations": {}}  # fmt: skip
    etag = first.headers["ETag"]
    assert etag != anonymous.get("/api/site/profile").headers["ETag"]
    unchanged = anonymous.get(
        "/api/site/profile?translations=true", headers={"If-None-Match": etag}
    )
    assert unchanged.status_code == 304

    version = put(owner, "/api/site/profile?lang=ko", KOREAN).json()["version"]
    changed = anonymous.get("/api/site/profile?translations=true", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.json() == {
        "version": version,
        "language": "en",
        "profile": PRIMARY,
        "translations": {"ko": merge_translation(PRIMARY, KOREAN)},
    }


def test_an_unknown_language_is_a_clear_422(anonymous: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    for query in ("lang=fr", "lang=", "lang=" + "k" * 9):
        response = anonymous.get(f"/api/site/profile?{query}")
        assert response.status_code == 422, query
        assert response.json()["error"] in ("invalid_language", "invalid_request"), query


def test_an_empty_translation_removes_it(anonymous: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    put(owner, "/api/site/profile?lang=ko", KOREAN)
    assert put(owner, "/api/site/profile?lang=ko", {}).status_code == 200
    assert anonymous.get("/api/site/profile?translations=true").json()["translations"] == {}
    assert anonymous.get("/api/site/profile?lang=ko").headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("path", "document", "status", "error"),
    [
        ("/api/site/profile?lang=fr", KOREAN, 422, "invalid_language"),
        ("/api/site/profile?lang=en", KOREAN, 422, "invalid_language"),  # the primary's own
        ("/api/site/profile?lang=ko", {"work": [{"startDate": "May"}]}, 422, "invalid_resume"),
        ("/api/site/profile?lang=ko", {"basics": {"url": "javascript:alert(1)"}}, 422,
         "invalid_resume"),
        ("/api/site/profile?lang=ko", ["not", "a", "resume"], 422, "invalid_resume"),
        ("/api/site/admin/draft?lang=ko", {"basics": {"name": 5}}, 422, "invalid_resume"),
        ("/api/site/admin/draft?lang=xx", KOREAN, 422, "invalid_language"),
    ],
)  # fmt: skip
def test_bad_translations_are_refused_and_change_nothing(
    anonymous: Browser, owner: Browser, path: str, document: Any, status: int, error: str
) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    put(owner, "/api/site/profile?lang=ko", KOREAN)
    before = anonymous.get("/api/site/profile?translations=true").json()
    draft_before = owner.get("/api/site/admin/draft?lang=ko").json()

    response = put(owner, path, document)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error

    assert anonymous.get("/api/site/profile?translations=true").json() == before
    assert owner.get("/api/site/admin/draft?lang=ko").json() == draft_before


def test_field_errors_name_the_path(owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    response = put(owner, "/api/site/profile?lang=ko", {"work": [{}, {"endDate": "soon"}]})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "work.1.endDate": "must be a date like 2024, 2024-05 or 2024-05-31"
    }


def test_no_translation_before_the_primary_profile(anonymous: Browser, owner: Browser) -> None:
    response = put(owner, "/api/site/profile?lang=ko", KOREAN)
    assert response.status_code == 409
    assert response.json()["error"] == "no_profile"
    assert anonymous.get("/api/site/profile").status_code == 404


def test_not_json_is_refused(owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    response = owner.send(
        "PUT",
        "/api/site/profile?lang=ko",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_json"


def test_only_the_owner_translates(anonymous: Browser, member: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    assert put(anonymous, "/api/site/profile?lang=ko", KOREAN).status_code == 401
    assert put(member, "/api/site/profile?lang=ko", KOREAN).status_code == 403
    assert member.get("/api/site/admin/draft?lang=ko").status_code == 403
    assert anonymous.get("/api/site/profile?translations=true").json()["translations"] == {}


def test_translation_drafts_follow_the_draft_flow(anonymous: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    saved = put(owner, "/api/site/admin/draft?lang=ko", KOREAN)
    assert saved.status_code == 200, saved.text
    draft = saved.json()
    assert draft["has_changes"] is True
    assert draft["language"] == "ko"
    assert draft["translation"] == KOREAN
    assert draft["primary"] == PRIMARY
    assert draft["resume"] == merge_translation(PRIMARY, KOREAN)
    # Visitors do not see a draft.
    assert anonymous.get("/api/site/profile?translations=true").json()["translations"] == {}

    # A draft of the primary and of the translation are published together.
    changed = copy.deepcopy(PRIMARY)
    changed["basics"]["summary"] = "I build and run web services."
    put(owner, "/api/site/admin/draft", changed)
    published = owner.send("POST", "/api/site/admin/publish")
    assert published.status_code == 200
    bundle = anonymous.get("/api/site/profile?translations=true").json()
    assert bundle["version"] == published.json()["version"]
    assert bundle["profile"] == changed
    assert bundle["translations"]["ko"] == merge_translation(changed, KOREAN)
    assert owner.get("/api/site/admin/draft?lang=ko").json()["has_changes"] is False

    # Discarding drops the translation's draft and leaves what visitors see.
    put(owner, "/api/site/admin/draft?lang=ko", {"basics": {"name": "다른 이름"}})
    assert owner.send("DELETE", "/api/site/admin/draft?lang=ko").json()["has_changes"] is False
    assert owner.send("POST", "/api/site/admin/publish").json()["error"] == "no_draft"
    assert anonymous.get("/api/site/profile?lang=ko").json()["basics"]["name"] == "김민지"


def test_a_translation_draft_alone_can_be_published(anonymous: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    put(owner, "/api/site/admin/draft?lang=ko", KOREAN)
    assert owner.send("POST", "/api/site/admin/publish").status_code == 200
    assert anonymous.get("/api/site/profile?lang=ko").json()["basics"]["name"] == "김민지"
    # Discarding every draft (no lang) also drops the translations' drafts.
    put(owner, "/api/site/admin/draft?lang=ko", {"basics": {"name": "초안"}})
    owner.send("DELETE", "/api/site/admin/draft")
    assert owner.get("/api/site/admin/draft?lang=ko").json()["has_changes"] is False


def test_the_translation_draft_downloads_merged(owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    put(owner, "/api/site/profile?lang=ko", KOREAN)
    response = owner.get("/api/site/admin/draft?lang=ko&download=1")
    assert response.json() == merge_translation(PRIMARY, KOREAN)
    assert 'filename="resume-draft.ko.json"' in response.headers["Content-Disposition"]


def test_the_admin_edits_a_translation_beside_the_primary(owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    put(owner, "/api/site/admin/draft?lang=ko", KOREAN)
    html = owner.get("/admin?translation=ko").text
    assert 'data-translation="ko"' in html
    assert 'data-primary-language="en"' in html
    assert 'id="primary-data"' in html
    assert 'value="김민지"' in html  # the translation's draft, merged over the primary
    assert 'value="2022-03"' in html  # what it leaves out shows the primary's
    assert "data-photo-form" not in html  # the photo is shared: edited on the primary's page
    assert 'href="/admin?translation=ko" aria-current="page"' in html
    assert 'href="/api/site/profile?lang=ko"' in html  # the export in each language
    assert 'href="/api/site/profile?lang=en"' in html
    primary_page = owner.get("/admin").text
    assert 'value="Minji Kim"' in primary_page
    assert "data-translation" not in primary_page
    # The primary's own language, or an unknown one, is the primary editor.
    assert "data-translation" not in owner.get("/admin?translation=en").text
    assert "data-translation" not in owner.get("/admin?translation=xx").text


def test_the_preview_shows_the_translation_draft(anonymous: Browser, owner: Browser) -> None:
    put(owner, "/api/site/profile", PRIMARY)
    put(owner, "/api/site/admin/draft?lang=ko", KOREAN)
    assert "<h1>김민지</h1>" in owner.get("/admin/preview?lang=ko").text
    assert "<h1>Minji Kim</h1>" in owner.get("/admin/preview?lang=en").text
    assert "<h1>Minji Kim</h1>" in anonymous.get("/?lang=ko").text  # not published yet


def test_the_profile_language_defaults_to_the_sites_language() -> None:
    assert SiteSettings.load(default_language="ko").profile_language == "ko"
    assert SiteSettings.load(default_language="ko", profile_language="en").profile_language == "en"
