"""The site found, shared and read in the visitor's language, through the real gateway and in
Debian's Chromium: robots.txt, the sitemap, the preview image and every language version of
the profile for the chatbot, through the gateway's routes; in the browser, the page in the
visitor's language with its JSON-LD under the CSP, a link preview card drawn from the page's
own tags (screenshots in test-artifacts/site/), and the owner translating the profile beside
the primary text.

The tests share the session's stack with the other browser tests, so each one puts the
profile back as it found it.
"""

import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from mysite_stack.stack import Stack
from mysite_testing.browser import log_in, png_photo, screenshot, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "site"

PRIMARY: dict[str, Any] = {
    "basics": {
        "name": "Minji Kim",
        "label": "Backend engineer who likes small, sturdy systems",
        "summary": "I build and run **web services** in Seoul.",
        "location": {"city": "Seoul", "countryCode": "KR"},
        "profiles": [{"network": "GitHub", "url": "https://github.com/minji-example"}],
    },
    "work": [
        {"name": "Example Cloud", "position": "Backend Engineer", "startDate": "2022-03",
         "highlights": ["Billing API for 20,000 teams"]},
        {"name": "Old Corp", "position": "Intern", "startDate": "2020-01", "endDate": "2020-06"},
    ],
    "skills": [{"name": "Python", "keywords": ["FastAPI", "SQLAlchemy"]}],
}  # fmt: skip
KOREAN: dict[str, Any] = {
    "basics": {
        "name": "김민지",
        "label": "작고 단단한 시스템을 좋아하는 백엔드 엔지니어",
        "summary": "서울에서 **웹 서비스**를 만들고 운영합니다.",
        "location": {"city": "서울"},
    },
    "work": [{"name": "예시 클라우드", "position": "백엔드 엔지니어",
              "highlights": ["2만 개 팀이 쓰는 과금 API"]}],
}  # fmt: skip


def bearer_for(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # bearer only, as a script would call the API
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def owner(gateway: httpx.Client, stack: Stack) -> dict[str, str]:
    return bearer_for(gateway, stack.owner_username, stack.owner_password)


@pytest.fixture
def shared_profile(gateway: httpx.Client, owner: dict[str, str]) -> Iterator[dict[str, Any]]:
    """PRIMARY (with a photo) and its Korean translation, published; afterwards the profile
    and translations are what they were (the session's other tests share them)."""
    before = gateway.get("/api/site/profile?translations=true")
    assert before.status_code in (200, 404), before.text
    saved = before.json() if before.status_code == 200 else None
    photo = (saved or {}).get("profile", {}).get("basics", {}).get("image")
    if not photo:
        photo_file = ("me.png", png_photo(360, 480), "image/png")
        uploaded = gateway.post("/api/site/photo", files={"photo": photo_file}, headers=owner)
        assert uploaded.status_code == 201, uploaded.text
        photo = uploaded.json()["url"]
    primary = {**PRIMARY, "basics": {**PRIMARY["basics"], "image": photo}}
    assert gateway.put("/api/site/profile", json=primary, headers=owner).status_code == 200
    assert gateway.put("/api/site/profile?lang=ko", json=KOREAN, headers=owner).status_code == 200
    yield primary
    if saved is not None:
        gateway.put("/api/site/profile", json=saved["profile"], headers=owner)
    for language in ("ko", "en"):
        translation = (saved or {}).get("translations", {}).get(language)
        if language != (saved or {}).get("language", "en"):
            gateway.put(f"/api/site/profile?lang={language}", json=translation or {}, headers=owner)


# ---------------------------------------------------------------- through the gateway


def test_robots_and_sitemap_through_the_gateway(gateway: httpx.Client, stack: Stack) -> None:
    robots = gateway.get("/robots.txt")
    assert robots.status_code == 200
    assert f"Sitemap: {stack.url}/sitemap.xml" in robots.text.splitlines()
    sitemap = gateway.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert sitemap.headers["Content-Type"].startswith("application/xml")
    assert f"<loc>{stack.url}/?lang=ko</loc>" in sitemap.text
    assert f'hreflang="x-default" href="{stack.url}/guestbook"' in sitemap.text


def test_the_preview_image_and_every_language_through_the_gateway(
    gateway: httpx.Client, shared_profile: dict[str, Any]
) -> None:
    photo = shared_profile["basics"]["image"]
    image = gateway.get(f"{photo}/social.jpg")
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (1200, 630)

    bundle = gateway.get("/api/site/profile?translations=true")
    assert bundle.status_code == 200
    body = bundle.json()
    assert body["profile"] == shared_profile
    assert body["translations"]["ko"]["basics"]["name"] == "김민지"
    assert body["translations"]["ko"]["work"][1] == PRIMARY["work"][1]  # fell back
    again = gateway.get(
        "/api/site/profile?translations=true", headers={"If-None-Match": bundle.headers["ETag"]}
    )
    assert again.status_code == 304
    # The plain document is still the primary one, for the chatbot and any importer.
    assert gateway.get("/api/site/profile").json() == shared_profile


def test_only_the_owner_translates_through_the_gateway(
    gateway: httpx.Client, shared_profile: dict[str, Any], new_member: Any
) -> None:
    member = new_member()
    headers = bearer_for(gateway, member["username"], member["password"])
    response = gateway.put(
        "/api/site/profile?lang=ko", json={"basics": {"name": "x"}}, headers=headers
    )
    assert response.status_code == 403
    anonymous = gateway.put("/api/site/profile?lang=ko", json={"basics": {"name": "x"}})
    assert anonymous.status_code == 401
    assert gateway.get("/api/site/profile?lang=ko").json()["basics"]["name"] == "김민지"


# ---------------------------------------------------------------- in the browser


@pytest.fixture
def new_page(chromium: Browser, stack: Stack) -> Iterator[Any]:
    """Pages in fresh contexts, failing the test if any broke the Content-Security-Policy or
    any of its requests (stylesheets, scripts, the photo) failed."""
    contexts = []
    violations: list[str] = []
    failed: list[str] = []

    def make(locale: str = "en-US") -> Page:
        context = chromium.new_context(base_url=stack.url, locale=locale)
        contexts.append(context)
        page = context.new_page()
        watch_csp(page, violations)
        # An aborted request is the browser's own doing (a navigation or the context closing
        # while the favicon still loads), not a failure of the site.
        page.on(
            "requestfailed",
            lambda request: (
                failed.append(f"{request.url} failed: {request.failure}")
                if request.failure != "net::ERR_ABORTED"
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                failed.append(f"{response.url} {response.status}")
                if response.status >= 400
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "a page broke its own Content-Security-Policy"
    assert failed == [], "requests of the page failed"


TAGS_SCRIPT = """() => {
  const meta = {};
  for (const element of document.querySelectorAll("meta[property], meta[name]")) {
    meta[element.getAttribute("property") || element.getAttribute("name")] = element.content;
  }
  const ld = document.querySelector('script[type="application/ld+json"]');
  return { meta, jsonLd: ld ? ld.textContent : null, lang: document.documentElement.lang };
}"""

# A link preview as chat apps draw one: only what the page's tags say, nothing else of it.
CARD_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 24px; background: #b2c7da; font-family: "Noto Sans CJK KR", sans-serif; }
.card { width: 400px; background: #fff; border-radius: 12px; overflow: hidden;
        box-shadow: 0 1px 3px rgba(0,0,0,.25); }
.card img { display: block; width: 400px; height: 200px; object-fit: cover; }
.text { padding: 12px 14px; }
.title { font-weight: 700; font-size: 15px; margin: 0 0 4px; }
.description { color: #555; font-size: 13px; margin: 0 0 6px; }
.site { color: #999; font-size: 12px; margin: 0; }
</style></head><body><div class="card"><img alt=""><div class="text">
<p class="title"></p><p class="description"></p><p class="site"></p></div></div></body></html>"""

DRAW_CARD_SCRIPT = """(tags) => {
  document.querySelector(".card img").src = tags["og:image"];
  document.querySelector(".card img").alt = tags["og:image:alt"] || "";
  document.querySelector(".title").textContent = tags["og:title"];
  document.querySelector(".description").textContent = tags["og:description"] || "";
  document.querySelector(".site").textContent = new URL(tags["og:url"]).host;
}"""


@pytest.mark.parametrize(("language", "locale"), [("ko", "ko-KR"), ("en", "en-US")])
def test_link_preview_card_from_the_pages_own_tags(
    new_page: Any, shared_profile: dict[str, Any], stack: Stack, language: str, locale: str
) -> None:
    page = new_page(locale)
    page.goto("/")  # the browser's language picks the version, as for a visitor
    found = page.evaluate(TAGS_SCRIPT)
    meta = found["meta"]
    assert found["lang"] == language
    assert meta["og:url"] == f"{stack.url}/?lang={language}"
    assert meta["og:locale"] == {"ko": "ko_KR", "en": "en_US"}[language]
    expected_name = "김민지" if language == "ko" else "Minji Kim"
    assert meta["og:title"].startswith(expected_name)
    assert meta["og:image"] == f"{stack.url}{shared_profile['basics']['image']}/social.jpg"
    assert meta["twitter:card"] == "summary_large_image"
    # The JSON-LD block is data: the CSP lets it be (no violation), and it parses.
    person = json.loads(found["jsonLd"])["mainEntity"]
    assert person["@type"] == "Person"
    assert person["name"] == expected_name
    screenshot(page, ARTIFACTS, f"home-{language}-translated")

    card = new_page(locale)
    card.set_content(CARD_PAGE)
    card.evaluate(DRAW_CARD_SCRIPT, meta)
    card.wait_for_function(
        "() => { const image = document.querySelector('.card img');"
        " return image.complete && image.naturalWidth > 0; }"
    )
    assert card.evaluate("() => document.querySelector('.card img').naturalWidth") == 1200
    assert card.locator(".title").inner_text() == meta["og:title"]
    assert card.locator(".site").inner_text() == urlsplit(stack.url).netloc
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    card.locator(".card").screenshot(path=str(ARTIFACTS / f"link-preview-{language}.png"))


def test_untranslated_parts_are_marked_in_the_browser(
    new_page: Any, shared_profile: dict[str, Any]
) -> None:
    page = new_page("ko-KR")
    page.goto("/?lang=ko")
    assert page.locator("h1").inner_text() == "김민지"
    # The second job has no Korean version: shown in English and marked so.
    second_job = page.locator("#work .timeline-item").nth(1)
    assert second_job.get_attribute("lang") == "en"
    assert "Intern" in second_job.inner_text()
    assert page.locator("#work .timeline-item").first.get_attribute("lang") is None
    english = new_page("ko-KR")
    english.goto("/?lang=en")  # the address wins over the browser's language
    assert english.locator("h1").inner_text() == "Minji Kim"


def test_owner_translates_beside_the_primary_and_publishes(
    new_page: Any, shared_profile: dict[str, Any], stack: Stack
) -> None:
    owner = new_page("en-US")
    log_in(owner, stack.owner_username, stack.owner_password, "/admin")
    owner.goto("/admin?translation=ko")
    editor = owner.locator("#profile-editor")
    assert editor.get_attribute("data-translation") == "ko"
    label_field = owner.locator('[data-object="basics"] [data-key="label"]')
    assert label_field.input_value() == KOREAN["basics"]["label"]
    # The primary text stands beside the field, in its own language.
    primary_text = label_field.locator("xpath=ancestor::div[@class='field']").locator(
        ".primary-text"
    )
    assert PRIMARY["basics"]["label"] in primary_text.inner_text()
    assert primary_text.get_attribute("lang") == "en"
    assert owner.locator('#profile-editor button[data-action="add"]').first.is_hidden()
    screenshot(owner, ARTIFACTS, "admin-translation-ko")

    headline = f"백엔드 엔지니어 {secrets.token_hex(2)}"
    label_field.fill(headline)
    owner.on("dialog", lambda dialog: dialog.accept())
    owner.get_by_role("button", name="Publish").click()
    # The status line, not any text with the word: "the same as the published profile"
    # is on the page from the start, so waiting for it did not wait for the publish.
    expect(owner.locator("[data-editor-status]")).to_have_text("Published: visitors see it now.")

    visitor = new_page("ko-KR")
    visitor.goto("/")
    assert visitor.locator(".headline").inner_text() == headline
    english = new_page("en-US")
    english.goto("/")
    assert english.locator(".headline").inner_text() == PRIMARY["basics"]["label"]
    # Only what was changed is stored: the dates still follow the primary document.
    translation = httpx.get(f"{stack.url}/api/site/profile?lang=ko").json()
    assert translation["work"][0]["startDate"] == "2022-03"
