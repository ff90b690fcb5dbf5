"""The site's look in Debian's Chromium behind the real gateway: every theme, in Korean and
English, light and dark, checked by axe-core at WCAG 2.1 AA on every page; a visible keyboard
focus and no sideways scrolling on a phone in every theme; the print view as a one- or
two-page résumé (a PDF Chromium renders). Screenshots of each combination, and the PDF's pages
as PNG, go to test-artifacts/site/look/.
"""

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, StorageState, expect
from pypdf import PdfReader

from mysite_site.themes import DEFAULT_THEME, THEMES
from mysite_stack.stack import Stack
from mysite_testing.axe import axe_script, describe, run_axe
from mysite_testing.browser import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "site" / "look"
LOCALES = {"en": "en-US", "ko": "ko-KR"}
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
WHO = ("visitor", "owner")

# Every kind of page, as the visitor who sees it. The chatbot's and Kakao's admin pages fill
# themselves from those services; the error pages are the ones the gateway shows.
PAGES = (
    ("visitor", "/"),
    ("visitor", "/guestbook"),
    ("visitor", "/login"),
    ("visitor", "/signup"),
    ("visitor", "/no-such-page"),
    ("visitor", "/errors/403"),
    ("visitor", "/errors/503"),
    ("owner", "/"),
    ("owner", "/guestbook"),
    ("owner", "/admin"),
    ("owner", "/admin/theme"),
    ("owner", "/admin/chatbot"),
    ("owner", "/admin/messages"),
    ("owner", "/admin/preview"),
)
# Screenshots of these (every theme, language and scheme); the rest are only checked.
PICTURED = {("visitor", "/"), ("visitor", "/guestbook"), ("owner", "/admin/theme")}

# The focused element, and whether its focus ring is visible (a solid outline of 2px or more).
FOCUSED = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id, tag: el.tagName, text: (el.textContent || '').trim().slice(0, 30),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
}
"""


def label(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


class Visitors:
    """Browser contexts for a visitor and for the logged-in owner, in a given language and
    colour scheme, each with axe-core ready in every page, each watching the page's CSP."""

    def __init__(self, browser: Browser, stack: Stack, owner_state: StorageState) -> None:
        self.browser = browser
        self.stack = stack
        self.owner_state = owner_state
        self.opened: list[BrowserContext] = []
        self.csp_errors: list[str] = []

    def context(self, who: str, language: str, scheme: Scheme, **options: Any) -> BrowserContext:
        if who == "owner":
            options["storage_state"] = self.owner_state
        context = self.browser.new_context(
            base_url=self.stack.url, locale=LOCALES[language], color_scheme=scheme, **options
        )
        context.add_init_script(axe_script())
        context.on("console", self._console)
        self.opened.append(context)
        return context

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def close(self) -> None:
        for context in self.opened:
            context.close()
        self.opened.clear()


@pytest.fixture
def owner_state(chromium: Browser, stack: Stack) -> Iterator[StorageState]:
    """The owner's logged-in cookies for every context of one test (logged in per test: the
    access token lasts ten minutes)."""
    context = chromium.new_context(base_url=stack.url, locale="en-US")
    page = context.new_page()
    log_in(page, stack.owner_username, stack.owner_password, "/admin")
    yield context.storage_state()
    context.close()


@pytest.fixture
def visitors(chromium: Browser, stack: Stack, owner_state: StorageState) -> Iterator[Visitors]:
    opened = Visitors(chromium, stack, owner_state)
    yield opened
    opened.close()
    assert opened.csp_errors == [], "a page broke its own Content-Security-Policy"


def choose_theme(visitors: Visitors, theme: str) -> None:
    """The owner's choice, through the settings endpoint the admin page uses."""
    page = visitors.context("owner", "en", "light").new_page()
    page.goto("/admin/theme")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    response = page.request.put(
        "/api/site/admin/settings", data={"theme": theme}, headers={"X-CSRF-Token": token}
    )
    assert response.status == 200, response.text()
    page.close()


@pytest.fixture
def site_theme(visitors: Visitors, request: pytest.FixtureRequest) -> Iterator[str]:
    """The theme the test is parametrised with, chosen for the site; the default afterwards."""
    theme: str = request.param
    choose_theme(visitors, theme)
    yield theme
    choose_theme(visitors, DEFAULT_THEME)


def open_page(context: BrowserContext, path: str) -> Page:
    page = context.new_page()
    page.goto(path)
    assert urlsplit(page.url).path == path, f"{path} went to {page.url}"
    if path.startswith("/admin"):
        # These fill themselves from the other services: check what the owner sees.
        page.wait_for_load_state("networkidle")
    return page


def test_the_owner_picks_a_theme_with_a_live_preview(visitors: Visitors) -> None:
    owner = open_page(visitors.context("owner", "en", "light"), "/admin/theme")
    visitor = visitors.context("visitor", "en", "light").new_page()
    try:
        expect(owner.get_by_label("Clean")).to_be_checked()
        owner.get_by_label("Bold card").check()
        # The page itself is in the new theme at once, before anything is saved.
        expect(owner.locator("html")).to_have_attribute("data-theme", "card")
        expect(owner.locator("#theme-stylesheet")).to_have_attribute(
            "href", re.compile(r"^/static/css/themes/card\.css\?v=")
        )
        expect(owner.locator("[data-theme-status]")).to_contain_text("Not saved yet")
        expect(
            owner.get_by_role("link", name="See the whole profile in this theme")
        ).to_have_attribute("href", "/admin/preview?theme=card")
        screenshot(owner, ARTIFACTS, "picker-card-unsaved")
        visitor.goto("/")
        expect(visitor.locator("html")).to_have_attribute("data-theme", DEFAULT_THEME)

        owner.get_by_role("button", name="Use this theme", exact=True).click()
        expect(owner.locator("[data-theme-status]")).to_have_text(
            "Saved: visitors see this theme now."
        )
        visitor.goto("/")
        expect(visitor.locator("html")).to_have_attribute("data-theme", "card")
        background = visitor.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(46, 42, 122)", background  # the card theme's page colour
    finally:
        choose_theme(visitors, DEFAULT_THEME)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("site_theme", THEMES, indirect=True)
def test_every_page_meets_wcag_21_aa(visitors: Visitors, site_theme: str, language: str) -> None:
    failures: list[str] = []
    contexts = {who: visitors.context(who, language, "light") for who in WHO}
    for who, path in PAGES:
        page = open_page(contexts[who], path)
        assert page.locator("html").get_attribute("data-theme") == site_theme, path
        assert page.locator("html").get_attribute("lang") == language, path
        # One load, both schemes: the page follows prefers-color-scheme without reloading.
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            violations = run_axe(page)
            if violations:
                failures.append(f"{who} {path} ({scheme}):\n{describe(violations)}")
            if (who, path) in PICTURED:
                screenshot(page, ARTIFACTS, f"{site_theme}-{language}-{scheme}-{who}-{label(path)}")
        page.close()
    assert not failures, f"theme {site_theme}, {language}:\n" + "\n".join(failures)


@pytest.mark.parametrize("site_theme", THEMES, indirect=True)
def test_the_keyboard_focus_is_always_visible(visitors: Visitors, site_theme: str) -> None:
    """What axe cannot see: every element the keyboard reaches shows where the focus is, on
    the home page and on the owner's theme page, in both colour schemes."""
    for scheme in SCHEMES:
        for who, path in (("visitor", "/"), ("owner", "/admin/theme")):
            page = open_page(visitors.context(who, "en", scheme), path)
            seen: list[str] = []
            for _ in range(60):
                page.keyboard.press("Tab")
                focused = page.evaluate(FOCUSED)
                if focused["tag"] == "BODY":
                    break
                assert focused["outline"], f"no visible focus on {focused} ({path}, {scheme})"
                seen.append(focused["id"] or focused["text"])
            assert len(seen) >= 8, (path, seen)
            page.close()


@pytest.mark.parametrize("site_theme", THEMES, indirect=True)
def test_phones_never_scroll_sideways(visitors: Visitors, site_theme: str) -> None:
    phone = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
    contexts = {who: visitors.context(who, "ko", "light", **phone) for who in WHO}
    for who, path in (("visitor", "/"), ("visitor", "/guestbook"), ("visitor", "/login"),
                      ("owner", "/admin"), ("owner", "/admin/theme")):  # fmt: skip
        page = open_page(contexts[who], path)
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways on a phone ({site_theme})"
        if path == "/":
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                screenshot(page, ARTIFACTS, f"{site_theme}-ko-{scheme}-phone-home")
        page.close()


def pdf_pages_as_png(pdf: bytes, name: str) -> None:
    """The PDF's pages as PNG (Poppler's pdftoppm, where installed), to look at."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(ARTIFACTS / name)],
        check=True,
        timeout=60,
    )


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("site_theme", THEMES, indirect=True)
def test_the_profile_prints_as_a_resume(visitors: Visitors, site_theme: str, language: str) -> None:
    # Dark on screen, still black on white on paper.
    page = open_page(visitors.context("visitor", language, "dark"), "/")
    name = page.locator("h1").inner_text()
    position = page.locator("#work .timeline-item h3").first.inner_text()
    expect(page.locator("[data-chat]")).to_be_visible()  # on screen, the chatbot is there
    pdf = page.pdf(format="A4", print_background=True)
    pdf_pages_as_png(pdf, f"print-{site_theme}-{language}")

    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2, f"{len(reader.pages)} pages"
    # Compared without whitespace: PDF text puts spaces around runs of Korean.
    text = squashed(" ".join(page.extract_text() for page in reader.pages))
    assert squashed(name) in text
    assert squashed(position) in text
    assert squashed("About" if language == "en" else "소개") in text
    for words in SCREEN_ONLY[language]:
        assert squashed(words) not in text, f"{words!r} is on paper"


def squashed(text: str) -> str:
    return "".join(text.split())


# What stays on screen: the menus, the chatbot, the message form, the footer.
SCREEN_ONLY = {
    "en": ("Guestbook", "Log in", "Sign up", "On this page", "Ask me anything", "Your question",
           "Send me a message", "Made with mysite", "This profile as JSON Resume"),
    "ko": ("방명록", "로그인", "회원가입", "무엇이든 물어보세요", "메시지 보내기",
           "mysite로 만들었습니다"),
}  # fmt: skip
