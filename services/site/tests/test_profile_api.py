"""GET /api/site/profile (public, ETag/304) and the owner's import, draft and publish."""

import copy
import json
from typing import Any

from fastapi.testclient import TestClient
from site_support import Browser

from mysite_site.profiles import example_resume


def import_resume(owner: Browser, resume: dict[str, Any]) -> int:
    response = owner.send("PUT", "/api/site/profile", json=resume)
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


def test_no_profile_yet_is_a_clear_404(anonymous: Browser) -> None:
    response = anonymous.get("/api/site/profile")
    assert response.status_code == 404
    assert response.json()["error"] == "no_profile"


def test_published_profile_with_version_and_etag(
    anonymous: Browser, owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    version = import_resume(owner, minimal_resume)
    response = anonymous.get("/api/site/profile")
    assert response.status_code == 200
    assert response.json() == minimal_resume
    assert response.headers["X-Profile-Version"] == str(version)
    etag = response.headers["ETag"]
    assert etag.startswith('"v')
    assert "no-cache" in response.headers["Cache-Control"]
    assert "Last-Modified" in response.headers

    again = anonymous.get("/api/site/profile", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    changed = copy.deepcopy(minimal_resume)
    changed["basics"]["label"] = "Changed"
    import_resume(owner, changed)
    after = anonymous.get("/api/site/profile", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.json()["basics"]["label"] == "Changed"


def test_import_keeps_unknown_fields_and_utf8(owner: Browser) -> None:
    resume = {
        "basics": {"name": "한지우 🚀", "x-pronouns": "they/them"},
        "x-site": {"theme": "minimal"},
        "meta": {"version": "v1.0.0"},
    }
    import_resume(owner, resume)
    response = owner.get("/api/site/profile")
    assert response.json() == resume
    assert "한지우 🚀".encode() in response.content  # real UTF-8, not \\u escapes


def test_only_the_owner_may_import(
    anonymous: Browser, member: Browser, minimal_resume: dict[str, Any]
) -> None:
    assert anonymous.send("PUT", "/api/site/profile", json=minimal_resume).status_code == 401
    response = member.send("PUT", "/api/site/profile", json=minimal_resume)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert anonymous.get("/api/site/profile").status_code == 404


def test_cookie_clients_need_the_csrf_token(
    client: TestClient, owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    owner.csrf_token()  # the browser has the cookie, but the page's token is not sent
    response = client.put("/api/site/profile", json=minimal_resume, headers=owner.headers())
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_token_invalid"
    wrong = client.put(
        "/api/site/profile",
        json=minimal_resume,
        headers=owner.headers({"X-CSRF-Token": "x" * 43}),
    )
    assert wrong.status_code == 403


def test_a_cross_site_request_is_refused_even_with_the_token(
    owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    response = owner.send(
        "PUT", "/api/site/profile", json=minimal_resume, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_rejected"


def test_bearer_clients_need_no_csrf_token(
    client: TestClient, owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    client.cookies.clear()
    response = client.put(
        "/api/site/profile",
        json=minimal_resume,
        headers=owner.headers({"Authorization": "Bearer some.access.token"}),
    )
    assert response.status_code == 200


def test_bad_documents_store_nothing(owner: Browser, minimal_resume: dict[str, Any]) -> None:
    version = import_resume(owner, minimal_resume)
    bad_documents: list[Any] = [
        {"basics": {"name": 1}},
        {"work": [{"startDate": "yesterday"}]},
        {"basics": {"url": "javascript:alert(1)"}},
        ["not", "an", "object"],
    ]
    for document in bad_documents:
        response = owner.send("PUT", "/api/site/profile", json=document)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error"] == "invalid_resume"
        assert body["message"]
    assert owner.send("PUT", "/api/site/profile", content=b"{oops",
                      headers={"Content-Type": "application/json"}).status_code == 422  # fmt: skip
    assert owner.send("PUT", "/api/site/profile", content=b"name=x",
                      headers={"Content-Type": "text/plain"}).status_code == 415  # fmt: skip
    current = owner.get("/api/site/profile")
    assert current.json() == minimal_resume
    assert current.headers["X-Profile-Version"] == str(version)


def test_oversized_documents_are_refused(owner: Browser) -> None:
    huge = {"basics": {"name": "x"}, "x-padding": ["y" * 10_000] * 60}
    response = owner.send("PUT", "/api/site/profile", json=huge)
    assert response.status_code == 413
    assert owner.get("/api/site/profile").status_code == 404


def test_draft_preview_publish_flow(
    anonymous: Browser, owner: Browser, minimal_resume: dict[str, Any]
) -> None:
    import_resume(owner, minimal_resume)
    state = owner.get("/api/site/admin/draft").json()
    assert state["has_changes"] is False
    assert state["resume"] == minimal_resume

    edited = copy.deepcopy(minimal_resume)
    edited["basics"]["label"] = "Draft headline ✍️"
    saved = owner.send("PUT", "/api/site/admin/draft", json=edited)
    assert saved.status_code == 200
    assert saved.json()["has_changes"] is True
    # Not visible yet: not in the API, not on the page; visible in the owner's preview.
    assert anonymous.get("/api/site/profile").json()["basics"]["label"] == "Tester"
    assert "Draft headline" not in anonymous.get("/").text
    preview = owner.get("/admin/preview")
    assert preview.status_code == 200
    assert "Draft headline ✍️" in preview.text

    published = owner.send("POST", "/api/site/admin/publish")
    assert published.status_code == 200
    assert anonymous.get("/api/site/profile").json()["basics"]["label"] == "Draft headline ✍️"
    assert "Draft headline ✍️" in anonymous.get("/").text
    assert owner.get("/api/site/admin/draft").json()["has_changes"] is False
    # Nothing left to publish.
    again = owner.send("POST", "/api/site/admin/publish")
    assert again.status_code == 409


def test_a_bad_draft_is_refused(owner: Browser, minimal_resume: dict[str, Any]) -> None:
    import_resume(owner, minimal_resume)
    response = owner.send("PUT", "/api/site/admin/draft", json={"work": [{"endDate": "now"}]})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "work.0.endDate": "must be a date like 2024, 2024-05 or 2024-05-31"
    }
    assert owner.get("/api/site/admin/draft").json()["has_changes"] is False


def test_discarding_the_draft(owner: Browser, minimal_resume: dict[str, Any]) -> None:
    import_resume(owner, minimal_resume)
    owner.send("PUT", "/api/site/admin/draft", json={"basics": {"name": "Other"}})
    response = owner.send("DELETE", "/api/site/admin/draft")
    assert response.status_code == 200
    assert response.json()["resume"] == minimal_resume


def test_draft_endpoints_are_for_the_owner(member: Browser, anonymous: Browser) -> None:
    assert member.get("/api/site/admin/draft").status_code == 403
    assert anonymous.get("/api/site/admin/draft").status_code == 401
    assert member.send("POST", "/api/site/admin/publish").status_code == 403
    assert member.send("PUT", "/api/site/admin/draft", json={}).status_code == 403


def test_draft_download(owner: Browser) -> None:
    import_resume(owner, example_resume())
    response = owner.get("/api/site/admin/draft?download=1")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.content) == example_resume()


def test_hello_is_tiny_and_constant(anonymous: Browser) -> None:
    response = anonymous.get("/api/site/hello")
    assert response.status_code == 200
    assert response.text == "hello\n"
