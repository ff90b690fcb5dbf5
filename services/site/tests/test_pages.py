"""The server-rendered pages: content, escaping, CSP, languages, the render cache across
replicas, the login/admin redirects, error pages and static files."""

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from site_support import MEMBER, OWNER, Browser

from mysite_site.app import create_app
from mysite_site.config import SiteSettings
from mysite_site.profiles import example_resume
from mysite_site.resume import SECTIONS
from mysite_testing.waiting import eventually

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>{{7*7}}"


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attributes for name, attributes in self.elements if name == tag]


def assert_no_live_markup_but_ours(html: str) -> None:
    page = Page(html)
    for attributes in page.all("script"):
        assert (
            attributes.get("src", "").startswith("/static/js/")
            # Data blocks, which no browser runs: strings for our scripts, and JSON-LD.
            or attributes.get("type") in ("application/json", "application/ld+json")
        ), attributes
    for tag, attributes in page.elements:
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src", "action"):
                assert not value.lower().startswith(("javascript:", "data:")), (tag, value)
    for attributes in page.all("img"):
        assert attributes["src"].startswith("/api/site/photo/"), attributes


def import_resume(owner: Browser, resume: dict[str, Any]) -> None:
    response = owner.send("PUT", "/api/site/profile", json=resume)
    assert response.status_code == 200, response.text


def hostile_resume() -> dict[str, Any]:
    """Script in every field the page shows."""
    link = 'https://example.com/"><script>alert(3)</script>'
    basics = {
        "name": PAYLOAD,
        "label": PAYLOAD,
        "email": "a@b.co",
        "phone": PAYLOAD,
        "url": link,
        "summary": PAYLOAD + "\n\n[x](javascript:alert(4)) <a href=javascript:alert(5)>y</a>",
        "location": {"city": PAYLOAD, "region": PAYLOAD, "countryCode": PAYLOAD},
        "profiles": [{"network": PAYLOAD, "username": PAYLOAD, "url": link}],
    }
    resume: dict[str, Any] = {"basics": basics}
    for section in SECTIONS:
        item: dict[str, Any] = {}
        for spec in section.fields:
            if spec.kind == "lines":
                item[spec.key] = [PAYLOAD, PAYLOAD]
            elif spec.kind == "date":
                item[spec.key] = "2020-01"
            elif spec.kind == "url":
                item[spec.key] = link
            else:
                item[spec.key] = PAYLOAD
        resume[section.key] = [item]
    return resume


def test_the_home_page_shows_the_profile(anonymous: Browser, owner: Browser) -> None:
    import_resume(owner, example_resume())
    response = anonymous.get("/")
    assert response.status_code == 200
    html = response.text
    assert "Minji Kim (김민지)" in html
    assert "Software Engineer · 소프트웨어 엔지니어" in html
    assert "<strong>소프트웨어 엔지니어</strong>" in html  # Markdown summary
    for section in ("about", "work", "projects", "skills", "education", "contact"):
        assert f'id="{section}"' in html
    assert "Mar 2022 – Present" in html
    assert 'href="https://github.com/minji-example/mysite"' in html
    assert "<li>FastAPI</li>" in html  # project tags
    assert 'href="mailto:minji@example.com"' in html
    assert "🏃" in html
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_script_in_every_field_stays_text(anonymous: Browser, owner: Browser) -> None:
    import_resume(owner, hostile_resume())
    for browser in (anonymous, owner):
        html = browser.get("/").text
        assert_no_live_markup_but_ours(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "{{7*7}}" in html  # no template injection either
    assert_no_live_markup_but_ours(owner.get("/admin").text)
    assert_no_live_markup_but_ours(owner.get("/admin/preview").text)


def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(
    anonymous: Browser, owner: Browser, member: Browser
) -> None:
    import_resume(owner, example_resume())
    pages = [
        (anonymous, "/"),
        (member, "/"),
        (anonymous, "/guestbook"),
        (anonymous, "/login"),
        (anonymous, "/signup"),
        (member, "/logout"),
        (owner, "/admin"),
        (owner, "/admin/preview"),
        (owner, "/admin/theme"),
        (owner, "/admin/chatbot"),
        (owner, "/admin/messages"),
        (owner, "/admin/messages/42"),
        (anonymous, "/errors/503"),
        (anonymous, "/no-such-page"),
    ]
    for browser, path in pages:
        response = browser.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert_no_live_markup_but_ours(response.text)
        assert (
            re.search(r"<script(?![^>]*\b(src|type=\"application/(ld\+)?json\"))", response.text)
            is None
        ), path


def test_korean_or_english_by_accept_language(anonymous: Browser, owner: Browser) -> None:
    import_resume(owner, example_resume())
    korean = anonymous.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).text
    assert '<html lang="ko"' in korean
    assert "경력" in korean
    assert "2022년 3월 – 현재" in korean
    english = anonymous.get("/", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="en"' in english
    assert "Career" in english


def test_the_language_toggle_is_remembered(anonymous: Browser, owner: Browser) -> None:
    import_resume(owner, example_resume())
    response = anonymous.submit("/lang", {"lang": "ko", "next": "/guestbook?page=1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/guestbook?page=1"
    assert "mysite_lang=ko" in response.headers["set-cookie"]
    page = anonymous.get("/", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="ko"' in page
    assert anonymous.submit("/lang", {"lang": "fr", "next": "/"}).status_code == 400
    outside = anonymous.submit("/lang", {"lang": "en", "next": "https://evil.example/"})
    assert outside.headers["location"] == "/"


def test_home_is_cached_with_etag_and_revalidated(anonymous: Browser, owner: Browser) -> None:
    import_resume(owner, example_resume())
    first = anonymous.get("/")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first.headers["Vary"]
    again = anonymous.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    import_resume(owner, {**example_resume(), "basics": {"name": "Changed Name"}})
    changed = anonymous.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Changed Name" in changed.text


def test_no_stale_page_on_any_replica_after_an_edit(
    make_client: Callable[..., TestClient],
) -> None:
    replicas = [make_client(), make_client(), make_client()]
    owner = Browser(replicas[0], OWNER)
    import_resume(owner, example_resume())
    readers = [Browser(replica, None) for replica in replicas]
    for reader in readers:  # every replica caches the page and the profile
        assert "Software Engineer · 소프트웨어 엔지니어" in reader.get("/").text
        assert reader.get("/api/site/profile").status_code == 200
    for round_number in range(3):
        headline = f"New headline {round_number} 🎉"
        edited = {**example_resume()}
        edited["basics"] = {**edited["basics"], "label": headline}
        import_resume(Browser(replicas[round_number], OWNER), edited)
        for reader in readers:
            assert headline in reader.get("/").text
            assert reader.get("/api/site/profile").json()["basics"]["label"] == headline


def test_a_replica_serves_its_cached_page_while_the_database_is_unreachable(
    client: TestClient, anonymous: Browser, owner: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_resume(owner, example_resume())
    assert anonymous.get("/").status_code == 200

    def unreachable() -> int:
        raise ConnectionError("database is down")

    probe = client.app.state.profile_cache._probe  # type: ignore[attr-defined]
    monkeypatch.setattr(probe, "_read", unreachable)
    response = anonymous.get("/")
    assert response.status_code == 200
    assert "Minji Kim" in response.text


def test_each_visitor_gets_their_own_header_and_token(
    client: TestClient, make_client: Callable[..., TestClient], owner: Browser
) -> None:
    import_resume(owner, example_resume())
    anonymous_page = Browser(make_client(), None).get("/").text
    member_page = Browser(make_client(), MEMBER).get("/").text
    owner_page = owner.get("/").text
    assert "Log in" in anonymous_page
    assert "Logged in as 방문자 🙂" not in anonymous_page
    assert "Logged in as 방문자 🙂" in member_page
    assert 'href="/admin"' not in member_page
    assert 'href="/admin"' in owner_page
    assert "data-message-form" in member_page
    assert "data-message-form" not in anonymous_page
    tokens = {
        re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for page in (anonymous_page, member_page, owner_page)
    }
    assert len(tokens) == 3


def test_the_token_in_the_cached_page_is_the_visitors_cookie(
    anonymous: Browser, owner: Browser
) -> None:
    import_resume(owner, example_resume())
    html = anonymous.get("/").text
    token = anonymous.client.cookies.get("mysite_csrf")
    assert f'<meta name="csrf-token" content="{token}">' in html
    assert f'name="csrf_token" value="{token}"' in html


def test_an_empty_site_still_renders(anonymous: Browser, owner: Browser) -> None:
    page = anonymous.get("/")
    assert page.status_code == 200
    assert "no profile yet" in page.text
    assert 'href="/admin"' in owner.get("/").text


def test_chat_and_message_parts_can_be_turned_off(
    make_client: Callable[..., TestClient], owner: Browser
) -> None:
    import_resume(owner, example_resume())
    on = Browser(make_client(), MEMBER).get("/").text
    assert "data-chat" in on
    assert "/static/js/chat.js" in on
    off = Browser(make_client(chat_enabled=False, messages_enabled=False), MEMBER).get("/").text
    assert "data-chat" not in off
    assert "data-message-form" not in off


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/guestbook?page=2", "/guestbook?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login", "/"),
        ("/errors/403", "/"),
        ("", "/"),
    ],
)
def test_login_returns_only_to_same_site_paths(anonymous: Browser, raw: str, expected: str) -> None:
    for form in ("/login", "/signup"):
        html = anonymous.get(form, params={"next": raw}).text
        assert f'data-next="{expected}"' in html


def test_login_and_signup_forms_are_labelled(anonymous: Browser) -> None:
    for path in ("/login", "/signup"):
        page = Page(anonymous.get(path).text)
        labelled = {attributes.get("for") for attributes in page.all("label")}
        for attributes in page.all("input"):
            if attributes.get("type") != "hidden":
                assert attributes["id"] in labelled, (path, attributes)


def test_a_logged_in_visitor_is_told_so_on_login(member: Browser) -> None:
    html = member.get("/login?next=/guestbook").text
    assert "You are logged in as 방문자 🙂" in html
    assert 'href="/guestbook"' in html


def test_posting_the_auth_forms_without_script_returns_to_them(anonymous: Browser) -> None:
    for path in ("/login", "/signup", "/logout"):
        response = anonymous.client.post(path, data={}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == path


def test_admin_is_for_the_owner(anonymous: Browser, member: Browser, owner: Browser) -> None:
    redirect = anonymous.get("/admin", follow_redirects=False)
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "/login?next=/admin"
    deep = anonymous.get("/admin/messages/7", follow_redirects=False)
    assert deep.headers["location"] == "/login?next=/admin/messages/7"
    forbidden = member.get("/admin")
    assert forbidden.status_code == 403
    assert "text/html" in forbidden.headers["content-type"]
    assert "Not allowed" in forbidden.text
    assert '<link rel="stylesheet" href="/static/css/site.css' in forbidden.text
    for path in (
        "/admin/preview",
        "/admin/theme",
        "/admin/chatbot",
        "/admin/messages",
        "/admin/messages/1",
    ):
        assert member.get(path).status_code == 403
    editor = owner.get("/admin")
    assert editor.status_code == 200
    assert 'id="profile-editor"' in editor.text


def test_the_admin_editor_shows_every_section(owner: Browser) -> None:
    import_resume(owner, example_resume())
    html = owner.get("/admin").text
    for section in SECTIONS:
        assert f'data-list="{section.key}"' in html
    assert 'data-list="basics.profiles"' in html
    assert 'value="Example Cloud (예시 클라우드)"' in html
    assert 'id="draft-data"' in html


def test_message_page_ids_are_sanitised(owner: Browser) -> None:
    html = owner.get("/admin/messages/12%22%3E%3Cscript%3E").text
    assert 'data-message-id="12script"' in html


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 502, 503, 504])
def test_error_pages_for_the_gateway(anonymous: Browser, status: int) -> None:
    response = anonymous.get(f"/errors/{status}", headers={"Accept-Language": "ko"})
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]
    assert f"오류 {status}" in response.text
    assert "홈으로 돌아가기" in response.text


def test_error_page_login_link_returns_to_the_original_page(anonymous: Browser) -> None:
    html = anonymous.get(
        "/errors/401", params={"url": "http://site.example/admin/chatbot?x=1"}
    ).text
    assert 'href="/login?next=/admin/chatbot%3Fx%3D1"' in html
    assert anonymous.get("/errors/999").status_code == 500
    assert anonymous.get("/errors/418").status_code == 404


def test_unknown_pages_are_html_and_unknown_apis_json(anonymous: Browser) -> None:
    page = anonymous.get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    api = anonymous.get("/api/site/no-such-thing")
    assert api.status_code == 404
    assert api.json()["error"] == "not_found"


def test_static_files_are_fingerprinted(anonymous: Browser) -> None:
    html = anonymous.get("/login").text
    css_url = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]
    css = anonymous.get(css_url)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    unversioned = anonymous.get("/static/css/site.css")
    assert unversioned.headers["Cache-Control"] == "public, no-cache"
    assert (
        anonymous.get(
            "/static/css/site.css", headers={"If-None-Match": css.headers["ETag"]}
        ).status_code
        == 304
    )
    for script in re.findall(r'src="(/static/js/[^"]+)"', html):
        response = anonymous.get(script)
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
    assert anonymous.get("/static/nope.js").status_code == 404
    assert anonymous.get("/static/../app.py").status_code == 404


def test_scripts_are_plain_and_small() -> None:
    from importlib import resources

    folder = resources.files("mysite_site").joinpath("static/js")
    total = 0
    for entry in folder.iterdir():
        text = entry.read_text(encoding="utf-8")
        total += len(text.encode())
        assert "jquery" not in text.lower()
        assert "innerHTML" not in text  # text goes in as text, never as markup
        assert "eval(" not in text
    # A budget, not a target: every script is small, and a page loads only its own (the
    # admin pages' translation, theme, security and notification scripts grew it past 60 kB).
    assert total < 80_000


@pytest.mark.parametrize("path", ["/", "/guestbook", "/login", "/signup", "/static/css/site.css"])
def test_every_page_and_static_file_answers_head(anonymous: Browser, path: str) -> None:
    # Uptime monitors, crawlers and link checkers send HEAD.
    response = anonymous.client.head(path)
    assert response.status_code == 200, path
    assert response.content == b""
    assert response.headers["content-type"].startswith(("text/html", "text/css"))


def test_pages_get_html_errors_and_apis_the_shared_json_ones(anonymous: Browser) -> None:
    page = anonymous.get("/guestbook?page=first")
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    api = anonymous.get("/api/site/guestbook?page=first")
    assert api.status_code == 422
    assert api.json()["error"] == "invalid_request"
    assert list(api.json()["fields"]) == ["page"]


def test_a_database_outage_is_a_503_page_and_the_shared_503_json(settings: SiteSettings) -> None:
    # Nothing listens on port 9: every database call fails to connect.
    unreachable = settings.model_copy(update={"database_url": "mysql+pymysql://u@127.0.0.1:9/x"})
    with TestClient(create_app(unreachable)) as client:
        api = client.get("/api/site/guestbook")
        assert api.status_code == 503
        assert api.json()["error"] == "unavailable"
        assert api.headers["Retry-After"] == "5"
        page = client.get("/guestbook")
        assert page.status_code == 503
        assert "text/html" in page.headers["content-type"]


def test_replicas_that_poll_follow_an_edit_within_their_interval(
    make_client: Callable[..., TestClient],
) -> None:
    """SITE_SYNC_SECONDS > 0: mysite_common's ReplicaSync follows the profile's version in
    the background; no request reads it, and every replica shows an edit within the interval."""
    replicas = [make_client(sync_seconds=0.2), make_client(sync_seconds=0.2)]
    import_resume(Browser(replicas[0], OWNER), example_resume())
    readers = [Browser(replica, None) for replica in replicas]
    edited = {**example_resume()}
    edited["basics"] = {**edited["basics"], "label": "Polled headline"}
    import_resume(Browser(replicas[1], OWNER), edited)
    for reader in readers:
        assert eventually(lambda reader=reader: "Polled headline" in reader.get("/").text)
        assert reader.get("/api/site/profile").json()["basics"]["label"] == "Polled headline"
    for replica in replicas:
        probe = replica.app.state.profile_cache._probe  # type: ignore[attr-defined]
        assert probe._started == 0  # requests never read the version themselves


def test_sync_seconds_must_not_be_negative(settings: SiteSettings) -> None:
    with pytest.raises(ValueError, match="sync_seconds"):
        SiteSettings.model_validate({**settings.model_dump(), "sync_seconds": -1})
