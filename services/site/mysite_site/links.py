"""Links and addresses a page may write: only safe schemes, only this site's photos, and
where to return after logging in."""

import re
from urllib.parse import urlsplit

from mysite_site.resume import is_own_photo, is_web_url


def safe_href(url: object) -> str | None:
    """A link the page may write into href: http(s), mailto, tel, or a path on this site."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if is_web_url(url):
        return url
    scheme = urlsplit(url).scheme
    if scheme in ("mailto", "tel") and len(url) > len(scheme) + 1:
        return url
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


def safe_next(raw: str | None, default: str = "/") -> str:
    """Where to return after login/logout: only a path on this site, never another site."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in raw):
        return default
    if parts.path in ("/login", "/signup", "/logout") or parts.path.startswith("/errors/"):
        return default
    return raw


def photo_src(url: object) -> str | None:
    """Only photos stored here are shown: the CSP allows no other image source, and a
    visitor's browser should not be sent to third parties."""
    return url if isinstance(url, str) and is_own_photo(url) else None


def display_host(url: object) -> str:
    if not isinstance(url, str):
        return ""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" if path and len(path) < 40 else host


def tel_href(phone: object) -> str | None:
    if not isinstance(phone, str):
        return None
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"tel:{digits}" if len(digits) >= 3 else None
