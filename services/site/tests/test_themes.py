"""The owner's theme: chosen through /api/site/admin/settings, applied to every page on every
replica at once, previewed before it is chosen; bad input changes nothing."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from site_support import OWNER, Browser

from mysite_site.profiles import example_resume
from mysite_site.themes import DEFAULT_THEME, THEMES

PUBLIC_PAGES = ("/", "/guestbook", "/login", "/signup", "/no-such-page", "/errors/503")


def import_example(owner: Browser) -> None:
    assert owner.send("PUT", "/api/site/profile", json=example_resume()).status_code == 200


def page_theme(html: str) -> str:
    found = re.search(r'<html lang="\w+" data-theme="(\w+)">', html)
    assert found, html[:300]
    return found.group(1)


def assert_styled_with(html: str, theme: str) -> None:
    assert page_theme(html) == theme
    assert re.search(rf'href="/static/css/themes/{theme}\.css\?v=\w+" id="theme-stylesheet"', html)
    assert re.search(r'href="/static/css/print\.css\?v=\w+" media="print"', html)


def set_theme(owner: Browser, theme: Any) -> Any:
    return owner.send("PUT", "/api/site/admin/settings", json={"theme": theme})


def test_every_theme_has_its_stylesheet(anonymous: Browser) -> None:
    assert DEFAULT_THEME in THEMES
    assert len(THEMES) >= 3
    for theme in THEMES:
        response = anonymous.get(f"/static/css/themes/{theme}.css")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")
    assert anonymous.get("/static/css/print.css").status_code == 200


def test_pages_use_the_default_theme_until_the_owner_chooses(
    anonymous: Browser, owner: Browser
) -> None:
    import_example(owner)
    for path in PUBLIC_PAGES:
        assert_styled_with(anonymous.get(path).text, DEFAULT_THEME)
    settings = owner.get("/api/site/admin/settings")
    assert settings.status_code == 200
    assert settings.json() == {"theme": DEFAULT_THEME, "themes": list(THEMES)}


def test_the_chosen_theme_is_on_every_page_of_every_replica_at_once(
    make_client: Callable[..., TestClient],
) -> None:
    replicas = [make_client(), make_client()]
    owner = Browser(replicas[0], OWNER)
    import_example(owner)
    readers = [Browser(replica, None) for replica in replicas]
    for reader in readers:  # both replicas cache their pages in the default theme
        assert page_theme(reader.get("/").text) == DEFAULT_THEME
    version_before = int(readers[1].get("/api/site/profile").headers["X-Profile-Version"])
    for theme in ("classic", "card", "clean"):
        response = set_theme(owner, theme)
        assert response.status_code == 200, response.text
        assert response.json()["theme"] == theme
        assert response.json()["version"] > version_before
        version_before = response.json()["version"]
        for reader in readers:
            for path in PUBLIC_PAGES:
                assert_styled_with(reader.get(path).text, theme)
        assert owner.get("/api/site/admin/settings").json()["theme"] == theme


@pytest.mark.parametrize(
    "body",
    [
        {"theme": "neon"},
        {"theme": ""},
        {"theme": 3},
        {"theme": None},
        {"theme": "card", "colour": "pink"},
        {},
        ["card"],
        "card",
    ],
)
def test_bad_settings_are_refused_and_change_nothing(owner: Browser, body: Any) -> None:
    import_example(owner)
    assert set_theme(owner, "classic").status_code == 200
    version = owner.get("/api/site/profile").headers["X-Profile-Version"]
    response = owner.send("PUT", "/api/site/admin/settings", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert owner.get("/api/site/admin/settings").json()["theme"] == "classic"
    assert owner.get("/api/site/profile").headers["X-Profile-Version"] == version
    assert page_theme(owner.get("/").text) == "classic"


def test_a_body_that_is_not_json_is_refused(owner: Browser) -> None:
    response = owner.send(
        "PUT",
        "/api/site/admin/settings",
        content=b"theme=card",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert owner.get("/api/site/admin/settings").json()["theme"] == DEFAULT_THEME


def test_only_the_owner_may_choose_and_only_from_the_page(
    anonymous: Browser, member: Browser, owner: Browser
) -> None:
    choice = {"theme": "card"}
    assert anonymous.send("PUT", "/api/site/admin/settings", json=choice).status_code == 401
    assert member.send("PUT", "/api/site/admin/settings", json=choice).status_code == 403
    assert member.get("/api/site/admin/settings").status_code == 403
    without_token = owner.client.put(
        "/api/site/admin/settings",
        json={"theme": "card"},
        headers={**owner.headers(), "Cookie": "mysite_csrf=" + owner.csrf_token()},
    )
    assert without_token.status_code == 403
    assert owner.get("/api/site/admin/settings").json()["theme"] == DEFAULT_THEME


def test_the_theme_page_and_the_preview_in_a_theme_not_chosen_yet(
    anonymous: Browser, member: Browser, owner: Browser
) -> None:
    import_example(owner)
    page = owner.get("/admin/theme")
    assert page.status_code == 200
    for theme in THEMES:
        assert f'id="theme-{theme}"' in page.text
        assert f'data-stylesheet="/static/css/themes/{theme}.css?v=' in page.text
    assert re.search(r'value="clean" [^>]*checked', page.text)
    assert "Minji Kim" in page.text  # the sample is the owner's own profile
    assert member.get("/admin/theme").status_code == 403
    assert anonymous.get("/admin/theme", follow_redirects=False).status_code == 302

    preview = owner.get("/admin/preview?theme=card")
    assert preview.status_code == 200
    assert_styled_with(preview.text, "card")
    assert_styled_with(owner.get("/admin/preview").text, DEFAULT_THEME)
    assert owner.get("/admin/preview?theme=neon").status_code == 400
    # Previewing chooses nothing.
    assert owner.get("/api/site/admin/settings").json()["theme"] == DEFAULT_THEME
    assert_styled_with(anonymous.get("/").text, DEFAULT_THEME)
