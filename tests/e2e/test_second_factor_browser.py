"""The owner turns two-step login on from the admin page in a real browser (Chromium), and
logs in with a code; then turns it off again, so the other tests' owner logins still work."""

from collections.abc import Iterator

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from mysite_stack.stack import Stack
from mysite_testing.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OWNER_PASSWORD = "an owner passphrase for the end-to-end tests"  # as conftest.py sets it


@pytest.fixture
def page(chromium: Browser, stack: Stack) -> Iterator[Page]:
    context = chromium.new_context(base_url=stack.url, locale="en-US")
    yield context.new_page()
    context.close()


def test_owner_turns_on_two_step_login_and_logs_in_with_a_code(page: Page, stack: Stack) -> None:
    log_in(page, "owner", OWNER_PASSWORD, "/admin/security")
    expect(page.get_by_text("Two-step login is off.")).to_be_visible()
    page.get_by_role("button", name="Set up two-step login").click()
    # The QR code is drawn by the auth service and shown inline: no other server is asked.
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("[data-otp-secret]").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_role("textbox", name="Code", exact=True).fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("Two-step login is on.")).to_be_visible()
    recovery_codes = page.locator("[data-otp-code-list] li").all_inner_texts()
    assert len(recovery_codes) == 10
    try:
        page.context.clear_cookies()
        # The code that turned it on is spent; a recovery code stands in for the next one.
        log_in(page, "owner", OWNER_PASSWORD, "/admin", otp=recovery_codes[0])
        expect(page.get_by_role("link", name="Security")).to_be_visible()
    finally:
        with httpx.Client(base_url=stack.url, timeout=10) as client:
            tokens = client.post(
                "/api/auth/login",
                json={"username": "owner", "password": OWNER_PASSWORD, "otp": recovery_codes[1]},
            )
            assert tokens.status_code == 200, tokens.text
            off = client.post(
                "/api/auth/otp/disable",
                json={"password": OWNER_PASSWORD, "code": recovery_codes[2]},
            )
            assert off.status_code == 204, off.text
