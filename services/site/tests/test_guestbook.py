"""The guestbook: public list, members write (at most 500 characters), edit and delete their
own, the owner deletes any; through the API and through the HTML forms."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from site_support import OWNER, Browser

from mysite_common.identity import Identity, Role


def write(browser: Browser, body: str) -> dict:
    response = browser.send("POST", "/api/site/guestbook", json={"body": body})
    assert response.status_code == 201, response.text
    entry: dict = response.json()
    return entry


def test_anyone_reads_members_write(anonymous: Browser, member: Browser) -> None:
    entry = write(member, "안녕하세요! 멋진 사이트네요 👍")
    assert entry["author"] == {
        "username": "visitor",
        "display_name": "방문자 🙂",
        "is_owner": False,
    }
    assert entry["can_edit"]
    assert entry["can_delete"]
    listing = anonymous.get("/api/site/guestbook").json()
    assert listing["total"] == 1
    shown = listing["entries"][0]
    assert shown["body"] == "안녕하세요! 멋진 사이트네요 👍"
    assert shown["can_edit"] is False
    assert shown["can_delete"] is False
    page = anonymous.get("/guestbook")
    assert "안녕하세요! 멋진 사이트네요 👍" in page.text
    assert "방문자 🙂" in page.text


def test_anonymous_visitors_cannot_write(anonymous: Browser) -> None:
    response = anonymous.send("POST", "/api/site/guestbook", json={"body": "hi"})
    assert response.status_code == 401
    assert anonymous.get("/api/site/guestbook").json()["total"] == 0


def test_length_limit_counts_characters(member: Browser) -> None:
    write(member, "가" * 500)
    write(member, "😀" * 500)  # 500 characters, 2000 bytes
    too_long = member.send("POST", "/api/site/guestbook", json={"body": "가" * 501})
    assert too_long.status_code == 422
    assert too_long.json()["error"] == "entry_too_long"
    assert "500" in too_long.json()["message"]


def test_bad_entries_get_clear_errors_and_store_nothing(
    member: Browser, anonymous: Browser
) -> None:
    cases = [
        ({"body": "   \n  "}, "entry_empty"),
        ({"body": "null byte \u0000 here"}, "entry_invalid"),
        ({"body": 42}, "invalid_request"),
        ({"body": "x" * 6000}, "invalid_request"),
        ({"text": "wrong field"}, "invalid_request"),
    ]
    for payload, code in cases:
        response = member.send("POST", "/api/site/guestbook", json=payload)
        assert response.status_code == 422, (payload, response.text)
        assert response.json()["error"] == code
    assert anonymous.get("/api/site/guestbook").json()["total"] == 0


def test_script_is_shown_as_text(member: Browser, anonymous: Browser) -> None:
    write(member, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    page = anonymous.get("/guestbook").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_edit_own_entry_only(member: Browser, other_member: Browser) -> None:
    entry = write(member, "first version")
    edited = member.send("PUT", f"/api/site/guestbook/{entry['id']}", json={"body": "second ✏️"})
    assert edited.status_code == 200
    assert edited.json()["body"] == "second ✏️"
    assert edited.json()["updated_at"] is not None
    other = other_member.send("PUT", f"/api/site/guestbook/{entry['id']}", json={"body": "hijack"})
    assert other.status_code == 403
    missing = member.send("PUT", "/api/site/guestbook/999999", json={"body": "x"})
    assert missing.status_code == 404


def test_the_owner_deletes_any_entry_members_only_their_own(
    client: TestClient, member: Browser, other_member: Browser
) -> None:
    owner = Browser(client, OWNER)
    first = write(member, "one")
    second = write(member, "two")
    assert other_member.send("DELETE", f"/api/site/guestbook/{first['id']}").status_code == 403
    assert member.send("DELETE", f"/api/site/guestbook/{first['id']}").status_code == 204
    assert owner.send("DELETE", f"/api/site/guestbook/{second['id']}").status_code == 204
    assert owner.send("DELETE", f"/api/site/guestbook/{second['id']}").status_code == 404
    assert member.get("/api/site/guestbook").json()["total"] == 0


def test_the_owners_entries_are_marked(client: TestClient, anonymous: Browser) -> None:
    write(Browser(client, OWNER), "Welcome!")
    entry = anonymous.get("/api/site/guestbook").json()["entries"][0]
    assert entry["author"]["is_owner"] is True
    assert "주인장" in anonymous.get("/guestbook", headers={"Accept-Language": "ko"}).text


def test_pagination_newest_first(member: Browser, anonymous: Browser) -> None:
    for number in range(7):  # the tests' page size is 3
        write(member, f"entry {number}")
    first = anonymous.get("/api/site/guestbook").json()
    assert (first["page"], first["pages"], first["total"]) == (1, 3, 7)
    assert [e["body"] for e in first["entries"]] == ["entry 6", "entry 5", "entry 4"]
    last = anonymous.get("/api/site/guestbook?page=3").json()
    assert [e["body"] for e in last["entries"]] == ["entry 0"]
    beyond = anonymous.get("/api/site/guestbook?page=50").json()
    assert beyond["page"] == 3
    page_two = anonymous.get("/guestbook?page=2").text
    assert "entry 3" in page_two
    assert 'rel="prev" href="/guestbook?page=1"' in page_two
    assert 'rel="next" href="/guestbook?page=3"' in page_two
    assert anonymous.get("/api/site/guestbook?page=0").status_code == 422
    assert anonymous.get("/guestbook?page=abc").status_code == 400


def test_members_are_limited_per_hour(make_client: Callable[..., TestClient]) -> None:
    browser = Browser(
        make_client(guestbook_entries_per_hour=2), Identity(9, "spammer", Role.member, "S")
    )
    write(browser, "1")
    write(browser, "2")
    response = browser.send("POST", "/api/site/guestbook", json={"body": "3"})
    assert response.status_code == 429
    assert response.json()["error"] == "too_many_entries"
    assert response.headers["Retry-After"]


# ---------------------------------------------------------------- the HTML forms


def test_form_write_edit_delete(member: Browser, anonymous: Browser) -> None:
    response = member.submit("/guestbook", {"body": "폼으로 남긴 글 ✨"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/guestbook#entry-")
    entry_id = int(response.headers["location"].rsplit("-", 1)[1])
    page = member.get("/guestbook").text
    assert "폼으로 남긴 글 ✨" in page
    assert f'href="/guestbook/{entry_id}/edit"' in page

    form = member.get(f"/guestbook/{entry_id}/edit")
    assert form.status_code == 200
    assert "폼으로 남긴 글 ✨" in form.text
    edited = member.submit(f"/guestbook/{entry_id}/edit", {"body": "고친 글"})
    assert edited.status_code == 303
    assert "고친 글" in anonymous.get("/guestbook").text

    deleted = member.submit(f"/guestbook/{entry_id}/delete", {"page": "1"})
    assert deleted.status_code == 303
    assert "고친 글" not in anonymous.get("/guestbook").text


def test_form_errors_are_shown_inline_and_keep_the_text(member: Browser) -> None:
    response = member.submit("/guestbook", {"body": "가" * 501})
    assert response.status_code == 422
    assert "at most 500 characters" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "가" * 501 in response.text  # what was typed is not lost
    assert member.get("/api/site/guestbook").json()["total"] == 0

    korean = member.submit("/guestbook", {"body": " "}, headers={"Accept-Language": "ko"})
    assert korean.status_code == 422


def test_forms_need_the_csrf_token(client: TestClient, member: Browser) -> None:
    member.csrf_token()
    missing = client.post("/guestbook", data={"body": "hi"}, headers=member.headers())
    assert missing.status_code == 403
    assert "text/html" in missing.headers["content-type"]
    assert "expired" in missing.text
    wrong = client.post(
        "/guestbook", data={"body": "hi", "csrf_token": "a" * 43}, headers=member.headers()
    )
    assert wrong.status_code == 403
    assert member.get("/api/site/guestbook").json()["total"] == 0


def test_forms_from_another_site_are_refused(member: Browser) -> None:
    response = member.client.post(
        "/guestbook",
        data={"body": "hi", "csrf_token": member.csrf_token()},
        headers=member.headers({"Origin": "https://evil.example", "Host": "testserver"}),
    )
    assert response.status_code == 403


def test_editing_someone_elses_entry_by_form_is_forbidden(
    member: Browser, other_member: Browser
) -> None:
    entry = write(member, "mine")
    assert other_member.get(f"/guestbook/{entry['id']}/edit").status_code == 403
    response = other_member.submit(f"/guestbook/{entry['id']}/edit", {"body": "theirs"})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert other_member.submit(f"/guestbook/{entry['id']}/delete", {}).status_code == 403


def test_anonymous_form_posts_go_to_login(anonymous: Browser) -> None:
    response = anonymous.submit("/guestbook", {"body": "hi"})
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/guestbook"
    assert anonymous.get("/guestbook/1/edit", follow_redirects=False).status_code == 302


def test_bidi_overrides_are_removed_from_entries(member: Browser) -> None:
    entry = write(member, "hello \u202etxt.exe\u202c and \u2067isolated\u2069")
    assert entry["body"] == "hello txt.exe and isolated"
