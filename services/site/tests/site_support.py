"""Helpers the site's tests share (imported by name: tests run with --import-mode=importlib)."""

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from mysite_common.identity import Identity, Role

OWNER = Identity(user_id=1, username="owner", role=Role.owner, display_name="김주인 🏠")
MEMBER = Identity(user_id=2, username="visitor", role=Role.member, display_name="방문자 🙂")
OTHER_MEMBER = Identity(user_id=3, username="other", role=Role.member, display_name="Other")


class Browser:
    """A browser's view of the site: its cookie jar (CSRF token) plus who the gateway says
    it is (identity headers, as after ForwardAuth)."""

    def __init__(self, client: TestClient, identity: Identity | None) -> None:
        self.client = client
        self.identity = identity

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = self.identity.to_headers() if self.identity else {}
        return {**headers, **(extra or {})}

    def csrf_token(self) -> str:
        token = self.client.cookies.get("mysite_csrf")
        if not token:
            self.client.get("/login", headers=self.headers())
            token = self.client.cookies.get("mysite_csrf")
        assert token
        return token

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return self.client.get(url, **kwargs)

    def send(self, method: str, url: str, **kwargs: Any) -> Any:
        """A state-changing call from the page's script: with the CSRF header."""
        kwargs["headers"] = self.headers(
            {"X-CSRF-Token": self.csrf_token(), **kwargs.get("headers", {})}
        )
        return self.client.request(method, url, **kwargs)

    def submit(self, url: str, data: dict[str, str], **kwargs: Any) -> Any:
        """An HTML form post: the token travels as a form field."""
        headers = self.headers(kwargs.pop("headers", None))
        return self.client.post(
            url,
            data={"csrf_token": self.csrf_token(), **data},
            headers=headers,
            follow_redirects=False,
            **kwargs,
        )


def image_bytes(image_format: str, size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    output = io.BytesIO()
    image.save(output, image_format, **save)
    return output.getvalue()
