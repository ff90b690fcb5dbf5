"""What the browser tests do alike: log in through the site's form, wait for a page, watch
for Content-Security-Policy violations, save a screenshot, make a photo to upload.
Playwright is imported by the tests that use these."""

import io
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import ConsoleMessage, Page, expect


def wait_for_path(page: Page, path: str) -> None:
    """Waits until the page's address is ``path`` (any query string)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def watch_csp(page: Page, violations: list[str]) -> None:
    """Adds to ``violations`` every Content-Security-Policy violation ``page`` reports: a
    page that breaks its own policy has a script or style the browser refused."""

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", note)


def log_in(
    page: Page, username: str, password: str, next_path: str = "/", otp: str | None = None
) -> None:
    """Logs in through /login and waits for the site to send the browser on to
    ``next_path``."""
    page.goto(f"/login?next={next_path}")
    submit_login(page, username, password, otp)
    wait_for_path(page, next_path)


def submit_login(page: Page, username: str, password: str, otp: str | None = None) -> None:
    """Fills in the login form the page shows and sends it, with the authenticator ``otp``
    when the form asks for one."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    if otp is not None:
        # Auth answers otp_required: the form keeps the password and asks for the code.
        code = page.get_by_label("Code from your authenticator app")
        expect(code).to_be_visible()
        code.fill(otp)
        page.get_by_role("button", name="Log in", exact=True).click()


def screenshot(page: Page, folder: Path, name: str, *, full_page: bool = True) -> None:
    """Saves the page as ``folder/name.png`` (test-artifacts/, for people to look at)."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def png_photo(width: int, height: int) -> bytes:
    """A PNG of a yellow square on blue, the square half the picture's size."""
    image = Image.new("RGB", (width, height), (40, 110, 200))
    for x in range(width // 4, width * 3 // 4):
        for y in range(height // 4, height * 3 // 4):
            image.putpixel((x, y), (250, 200, 60))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()
