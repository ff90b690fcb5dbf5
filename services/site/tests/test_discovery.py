"""Found and shared: OpenGraph/Twitter tags, canonical and hreflang links, schema.org JSON-LD
(parsed by extruct, as crawlers would), robots.txt, sitemap.xml, the preview image, and each
page in the visitor's language."""

import io
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import extruct
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from site_support import OWNER, Browser, image_bytes

PUBLIC_URL = "https://minji.example.org"

PRIMARY: dict[str, Any] = {
    "basics": {
        "name": "Minji Kim",
        "label": "Backend Engineer",
        "email": "minji@example.com",
        "url": "https://minji.example.com",
        "summary": "I build **web services** and run them.",
        "location": {"city": "Seoul", "region": "Seoul", "countryCode": "KR"},
        "profiles": [{"network": "GitHub", "url": "https://github.com/minji-example"}],
    },
    "work": [
        {"name": "Example Cloud", "position": "Engineer", "startDate": "2022-03",
         "url": "https://cloud.example.com"},
        {"name": "Old Corp", "position": "Intern", "startDate": "2020-01", "endDate": "2020-06"},
    ],
    "education": [{"institution": "Seoul National University", "area": "CS"}],
    "skills": [{"name": "Python"}, {"name": "MariaDB"}],
    "languages": [{"language": "Korean"}, {"language": "English"}],
}  # fmt: skip
KOREAN: dict[str, Any] = {
    "basics": {"name": "김민지", "label": "백엔드 엔지니어", "summary": "웹 서비스를 만듭니다."},
    "work": [{"name": "예시 클라우드", "position": "엔지니어"}],
}
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


class HeadReader(HTMLParser):
    """<meta name=...>, <link rel=...> and element lang attributes of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.langs: list[tuple[str, str]] = []
        self.html_lang = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        elif "lang" in attributes:
            self.langs.append((tag, attributes["lang"]))
        if tag == "meta" and ("name" in attributes or "property" in attributes):
            key = attributes.get("name") or attributes["property"]
            self.meta.setdefault(key, []).append(attributes.get("content", ""))
        if tag == "link":
            self.links.append(attributes)

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if link.get("hreflang")}

    def canonical(self) -> str | None:
        found = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        return found[0] if found else None


@pytest.fixture
def site(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(public_url=PUBLIC_URL)


@pytest.fixture
def owner_at(site: TestClient) -> Browser:
    return Browser(site, OWNER)


@pytest.fixture
def visitor(site: TestClient) -> Browser:
    return Browser(site, None)


def publish(owner: Browser, *, korean: bool = True, photo: bool = True) -> str | None:
    assert owner.send("PUT", "/api/site/profile", json=PRIMARY).status_code == 200
    if korean:
        assert owner.send("PUT", "/api/site/profile?lang=ko", json=KOREAN).status_code == 200
    if not photo:
        return None
    response = owner.send(
        "POST",
        "/api/site/photo",
        files={"photo": ("me.png", image_bytes("PNG", (300, 400)), "image/png")},
    )
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


def opengraph(html: str) -> dict[str, list[str]]:
    """OpenGraph properties as extruct reads them (with_og_array: repeated ones kept)."""
    found = extruct.extract(html, syntaxes=["opengraph"], with_og_array=True)["opengraph"]
    assert len(found) == 1
    properties: dict[str, list[str]] = {}
    for key, value in found[0]["properties"]:
        properties.setdefault(key, []).append(value)
    return properties


def json_ld(html: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    return found


def test_home_has_opengraph_and_twitter_cards_from_the_profile(
    owner_at: Browser, visitor: Browser
) -> None:
    photo = publish(owner_at)
    html = visitor.get("/?lang=en").text
    og = opengraph(html)
    assert og["og:type"] == ["profile"]
    assert og["og:title"] == ["Minji Kim · Backend Engineer"]
    assert og["og:description"] == ["Backend Engineer"]
    assert og["og:site_name"] == ["Minji Kim"]
    assert og["og:url"] == [f"{PUBLIC_URL}/?lang=en"]
    assert og["og:locale"] == ["en_US"]
    assert og["og:locale:alternate"] == ["ko_KR"]
    assert og["og:image"] == [f"{PUBLIC_URL}{photo}/social.jpg"]
    assert og["og:image:width"] == ["1200"]
    assert og["og:image:height"] == ["630"]
    assert og["og:image:type"] == ["image/jpeg"]
    head = HeadReader(html)
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("twitter:title") == "Minji Kim · Backend Engineer"
    assert head.one("twitter:image") == f"{PUBLIC_URL}{photo}/social.jpg"
    assert head.one("description") == "Backend Engineer"
    assert head.canonical() == f"{PUBLIC_URL}/?lang=en"


def test_each_language_has_its_own_tags_and_alternates(owner_at: Browser, visitor: Browser) -> None:
    publish(owner_at)
    html = visitor.get("/?lang=ko").text
    og = opengraph(html)
    assert og["og:title"] == ["김민지 · 백엔드 엔지니어"]
    assert og["og:locale"] == ["ko_KR"]
    assert og["og:locale:alternate"] == ["en_US"]
    head = HeadReader(html)
    assert head.html_lang == "ko"
    assert head.canonical() == f"{PUBLIC_URL}/?lang=ko"
    assert head.alternates() == {
        "ko": f"{PUBLIC_URL}/?lang=ko",
        "en": f"{PUBLIC_URL}/?lang=en",
        "x-default": f"{PUBLIC_URL}/",
    }


def test_addresses_come_from_settings_never_from_the_host_header(
    owner_at: Browser, visitor: Browser
) -> None:
    publish(owner_at)
    for path in ("/?lang=en", "/guestbook?lang=en", "/robots.txt", "/sitemap.xml"):
        body = visitor.get(
            path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
        ).text
        assert "evil.example" not in body, path
        assert PUBLIC_URL in body, path


def test_json_ld_is_a_profile_page_about_a_person(owner_at: Browser, visitor: Browser) -> None:
    photo = publish(owner_at)
    [page] = json_ld(visitor.get("/?lang=en").text)
    assert page["@context"] == "https://schema.org"
    assert page["@type"] == "ProfilePage"
    assert page["url"] == f"{PUBLIC_URL}/?lang=en"
    assert page["inLanguage"] == "en"
    assert "dateModified" in page
    person = page["mainEntity"]
    assert person == {
        "@type": "Person",
        "name": "Minji Kim",
        "jobTitle": "Backend Engineer",
        "description": "I build web services and run them.",
        "image": f"{PUBLIC_URL}{photo}",
        "url": "https://minji.example.com",
        "email": "mailto:minji@example.com",
        "sameAs": ["https://github.com/minji-example"],
        "address": {"@type": "PostalAddress", "addressLocality": "Seoul",
                    "addressRegion": "Seoul", "addressCountry": "KR"},
        # Only the current job: the one without an end date.
        "worksFor": [{"@type": "Organization", "name": "Example Cloud",
                      "url": "https://cloud.example.com"}],
        "alumniOf": [{"@type": "EducationalOrganization", "name": "Seoul National University"}],
        "knowsAbout": ["Python", "MariaDB"],
        "knowsLanguage": ["Korean", "English"],
    }  # fmt: skip
    [korean] = json_ld(visitor.get("/?lang=ko").text)
    assert korean["inLanguage"] == "ko"
    assert korean["mainEntity"]["name"] == "김민지"
    assert korean["mainEntity"]["worksFor"][0]["name"] == "예시 클라우드"


def test_json_ld_cannot_be_closed_by_the_profile(owner_at: Browser, visitor: Browser) -> None:
    hostile = "</script><script>alert(1)</script><!--"
    resume = {"basics": {"name": hostile, "label": hostile}, "skills": [{"name": "</SCRIPT >"}]}
    assert owner_at.send("PUT", "/api/site/profile", json=resume).status_code == 200
    html = visitor.get("/").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    assert "<" not in block.group(1)
    data = json.loads(block.group(1))
    assert data["mainEntity"]["name"] == hostile
    assert data["mainEntity"]["knowsAbout"] == ["</SCRIPT >"]
    [parsed] = json_ld(html)
    assert parsed == data
    # The policy is untouched: JSON-LD is data, and no script runs but our files.
    csp = visitor.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_guestbook_and_forms(owner_at: Browser, visitor: Browser) -> None:
    publish(owner_at, photo=False)
    guestbook = HeadReader(visitor.get("/guestbook?page=2&lang=en").text)
    assert guestbook.canonical() == f"{PUBLIC_URL}/guestbook?page=2&lang=en"
    assert guestbook.alternates()["ko"] == f"{PUBLIC_URL}/guestbook?page=2&lang=ko"
    assert guestbook.one("og:title") == "Guestbook · Minji Kim"
    assert guestbook.one("twitter:card") == "summary"  # no photo, no large image
    assert "og:image" not in guestbook.meta
    assert "robots" not in guestbook.meta
    for path in ("/login", "/signup", "/logout", "/errors/404", "/no-such-page"):
        page = HeadReader(visitor.get(path).text)
        assert page.one("robots") == "noindex", path
        assert page.canonical() is None, path
        assert page.one("og:title"), path  # a link to it still previews as the site


def test_robots_txt(visitor: Browser) -> None:
    response = visitor.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /api/site/photo/" in lines  # link previews fetch the photo
    assert {"Disallow: /admin", "Disallow: /api/", "Disallow: /login"} <= set(lines)
    assert f"Sitemap: {PUBLIC_URL}/sitemap.xml" in lines
    # Crawlers and link checkers also ask with HEAD.
    assert visitor.client.head("/robots.txt").status_code == 200
    assert visitor.client.head("/sitemap.xml").status_code == 200


def test_sitemap_lists_every_language_version_with_alternates(
    owner_at: Browser, visitor: Browser
) -> None:
    response = visitor.get("/sitemap.xml")  # before any profile, too
    assert response.status_code == 200
    publish(owner_at, photo=False)
    response = visitor.get("/sitemap.xml")
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's answer
    urls = root.findall("sm:url", NS)
    locations = [url.findtext("sm:loc", namespaces=NS) for url in urls]
    assert locations == [
        f"{PUBLIC_URL}/?lang=ko",
        f"{PUBLIC_URL}/?lang=en",
        f"{PUBLIC_URL}/guestbook?lang=ko",
        f"{PUBLIC_URL}/guestbook?lang=en",
    ]
    for url, location in zip(urls, locations, strict=True):
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)
        }
        assert set(alternates) == {"ko", "en", "x-default"}
        assert location in alternates.values()
    assert urls[0].findtext("sm:lastmod", namespaces=NS)


def test_the_preview_image_is_1200_by_630(owner_at: Browser, visitor: Browser) -> None:
    photo = publish(owner_at, korean=False)
    response = visitor.get(f"{photo}/social.jpg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("JPEG", (1200, 630))
    again = visitor.get(f"{photo}/social.jpg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert visitor.get(f"/api/site/photo/{'0' * 64}/social.jpg").status_code == 404
    assert visitor.get("/api/site/photo/../social.jpg").status_code == 404
    assert visitor.get("/api/site/photo/XYZ/social.jpg").status_code == 404


def test_the_page_follows_the_visitors_language(owner_at: Browser, visitor: Browser) -> None:
    publish(owner_at, photo=False)
    # Accept-Language, then the chosen language (cookie), then ?lang= wins over both.
    korean = visitor.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).text
    assert "<h1>김민지</h1>" in korean
    english = visitor.get("/", headers={"Accept-Language": "en-US"}).text
    assert "<h1>Minji Kim</h1>" in english
    visitor.client.cookies.set("mysite_lang", "ko")
    assert "<h1>김민지</h1>" in visitor.get("/", headers={"Accept-Language": "en"}).text
    assert "<h1>Minji Kim</h1>" in visitor.get("/?lang=en").text
    # An unknown ?lang= is ignored, not an error.
    assert "<h1>김민지</h1>" in visitor.get("/?lang=fr").text


def test_untranslated_parts_carry_their_language(owner_at: Browser, visitor: Browser) -> None:
    publish(owner_at, photo=False)
    korean = HeadReader(visitor.get("/?lang=ko").text)
    assert korean.html_lang == "ko"
    # Translated: the first job and the basics. Not: the second job, school, skills, languages.
    assert sorted(korean.langs) == sorted(
        [("button", "en")]  # the language switch names English in English
        + [("li", "en")] * (1 + 1 + 2 + 2)
    )
    english = HeadReader(visitor.get("/?lang=en").text)
    assert english.langs == [("button", "ko")]  # all of it in the primary language


def test_without_a_translation_the_primary_is_shown_marked(
    owner_at: Browser, visitor: Browser
) -> None:
    publish(owner_at, korean=False, photo=False)
    korean = HeadReader(visitor.get("/?lang=ko").text)
    langs = [lang for tag, lang in korean.langs if tag != "button"]
    assert langs
    assert set(langs) == {"en"}
    assert ("div", "en") in korean.langs  # the name and headline
    assert ("section", "en") in korean.langs  # the summary


def test_language_switch_returns_without_the_lang_parameter(visitor: Browser) -> None:
    html = visitor.get("/guestbook?page=2&lang=ko").text
    assert 'name="next" value="/guestbook?page=2"' in html


def test_tags_name_the_language_the_text_is_in(owner_at: Browser, visitor: Browser) -> None:
    publish(owner_at, korean=False, photo=False)  # no Korean version: Korean readers get English
    html = visitor.get("/?lang=ko").text
    og = opengraph(html)
    assert og["og:locale"] == ["en_US"]
    assert og["og:locale:alternate"] == ["ko_KR"]
    assert og["og:url"] == [f"{PUBLIC_URL}/?lang=ko"]  # the page's address is still its own
    [page] = json_ld(html)
    assert page["inLanguage"] == "en"
    assert page["url"] == f"{PUBLIC_URL}/?lang=ko"
