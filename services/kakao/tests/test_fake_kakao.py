"""The fake Kakao keeps the contract of shared/reference/kakao-api.md, strictly."""

import json
import subprocess
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from kakao_support import CALLBACK, wait_until

from mysite_testing.fake_kakao import (
    SEND_FAILURES,
    FakeKakao,
    FakeKakaoControl,
    s256_challenge,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}
VERIFIER = "v" * 64
SEND = "/v2/api/talk/memo/default/send"


def authorize(fake: FakeKakao, **overrides: str) -> httpx.Response:
    params = {
        "client_id": fake.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "talk_message",
        "state": "the-state",
        "code_challenge": s256_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return httpx.get(fake.authorize_url(**params), follow_redirects=False)


def answer_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token(fake: FakeKakao, **fields: str) -> httpx.Response:
    return httpx.post(f"{fake.url}/oauth/token", data=fields, headers=FORM)


def exchange(fake: FakeKakao, code: str, **overrides: str) -> httpx.Response:
    fields = {
        "grant_type": "authorization_code",
        "client_id": fake.client_id,
        "redirect_uri": CALLBACK,
        "code": code,
        "code_verifier": VERIFIER,
        **overrides,
    }
    return token(fake, **fields)


def tokens(fake: FakeKakao) -> dict[str, Any]:
    response = exchange(fake, answer_query(authorize(fake))["code"])
    assert response.status_code == 200, response.text
    return dict(response.json())


def refresh(fake: FakeKakao, refresh_token: str) -> httpx.Response:
    return token(
        fake, grant_type="refresh_token", client_id=fake.client_id, refresh_token=refresh_token
    )


def memo(
    fake: FakeKakao, access_token: str | None, template: Any, **headers: str
) -> httpx.Response:
    sent_headers = {**FORM, **headers}
    if access_token is not None:
        sent_headers["Authorization"] = f"Bearer {access_token}"
    body = {"template_object": json.dumps(template) if not isinstance(template, str) else template}
    return httpx.post(f"{fake.url}{SEND}", data=body, headers=sent_headers)


TEXT = {"object_type": "text", "text": "hello", "link": {"web_url": "https://example.test/x"}}


def test_consent_redirects_back_with_code_and_state(fake: FakeKakao) -> None:
    query = answer_query(authorize(fake))
    assert query["state"] == "the-state"
    assert len(query["code"]) > 20


def test_consent_page_errors_never_redirect(fake: FakeKakao) -> None:
    unregistered = authorize(fake, redirect_uri=CALLBACK + "/")
    assert unregistered.status_code == 400
    assert "KOE006" in unregistered.text
    bad_client = authorize(fake, client_id="nope")
    assert bad_client.status_code == 400
    assert "KOE101" in bad_client.text
    assert authorize(fake, code_challenge_method="plain").status_code == 400
    assert authorize(fake, response_type="token").status_code == 400


def test_denied_consent_and_prompt_none(fake: FakeKakao) -> None:
    assert answer_query(authorize(fake, prompt="none"))["error"] == "consent_required"
    fake.consent = "deny"
    denied = answer_query(authorize(fake))
    assert denied == {
        "error": "access_denied",
        "error_description": "User denied access",
        "state": "the-state",
    }


def test_code_exchange_gives_the_observed_lifetimes(fake: FakeKakao) -> None:
    issued = tokens(fake)
    assert issued["token_type"] == "bearer"
    assert issued["expires_in"] == 21599
    assert issued["refresh_token_expires_in"] == 5183999
    assert "talk_message" in issued["scope"].split()


def test_codes_are_single_use_and_short_lived(fake: FakeKakao) -> None:
    code = answer_query(authorize(fake))["code"]
    assert exchange(fake, code).status_code == 200
    reused = exchange(fake, code)
    assert reused.status_code == 400
    assert reused.json()["error_code"] == "KOE320"
    assert reused.json()["error"] == "invalid_grant"
    late = answer_query(authorize(fake))["code"]
    fake.advance(fake.code_seconds + 1)
    assert exchange(fake, late).json()["error_code"] == "KOE320"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"redirect_uri": CALLBACK + "/"}, 400, "KOE303"),
        ({"code_verifier": "w" * 64}, 400, "KOE320"),
        ({"code_verifier": ""}, 400, "KOE320"),
        ({"client_id": ""}, 401, "KOE101"),
        ({"client_id": "another-app"}, 401, "KOE101"),
    ],
)
def test_code_exchange_errors(fake: FakeKakao, overrides: dict, status: int, code: str) -> None:
    response = exchange(fake, answer_query(authorize(fake))["code"], **overrides)
    assert response.status_code == status
    assert response.json()["error_code"] == code


def test_client_secret_when_enabled(fake: FakeKakao) -> None:
    fake.client_secret = "s3cret"
    code = answer_query(authorize(fake))["code"]
    missing = exchange(fake, code)
    assert missing.status_code == 401
    assert missing.json() == {
        "error": "invalid_client",
        "error_description": "Bad client credentials",
        "error_code": "KOE010",
    }
    fake.client_secret = "s3cret"
    code = answer_query(authorize(fake))["code"]
    assert exchange(fake, code, client_secret="s3cret").status_code == 200


def test_token_endpoint_wants_a_form_not_json(fake: FakeKakao) -> None:
    code = answer_query(authorize(fake))["code"]
    response = httpx.post(
        f"{fake.url}/oauth/token",
        json={"grant_type": "authorization_code", "client_id": fake.client_id, "code": code},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    unknown_grant = token(fake, grant_type="password", client_id=fake.client_id)
    assert unknown_grant.json()["error"] == "unsupported_grant_type"


def test_refresh_renews_the_refresh_token_only_in_its_last_month(fake: FakeKakao) -> None:
    issued = tokens(fake)
    first = refresh(fake, issued["refresh_token"]).json()
    assert set(first) == {"token_type", "access_token", "expires_in"}
    fake.advance(29 * 86400)  # 31 days left
    assert "refresh_token" not in refresh(fake, issued["refresh_token"]).json()
    fake.advance(2 * 86400)  # 29 days left
    renewed = refresh(fake, issued["refresh_token"]).json()
    assert renewed["refresh_token"] != issued["refresh_token"]
    assert renewed["refresh_token_expires_in"] == 5183999
    # The old one stopped working the moment a new one was issued.
    dead = refresh(fake, issued["refresh_token"])
    assert dead.status_code == 400
    assert dead.json()["error_code"] == "KOE322"
    assert refresh(fake, renewed["refresh_token"]).status_code == 200


def test_refresh_tokens_expire(fake: FakeKakao) -> None:
    issued = tokens(fake)
    fake.advance(5183999 + 1)
    assert refresh(fake, issued["refresh_token"]).json()["error_code"] == "KOE322"
    assert refresh(fake, "never-issued").json()["error_code"] == "KOE322"


def test_token_issue_limit_per_user(fake: FakeKakao) -> None:
    issued = tokens(fake)  # 1 access token
    for _ in range(19):
        assert refresh(fake, issued["refresh_token"]).status_code == 200
    limited = refresh(fake, issued["refresh_token"])
    assert limited.json()["error_code"] == "KOE237"
    assert limited.json()["error"] == "invalid_request"
    fake.advance(601)
    assert refresh(fake, issued["refresh_token"]).status_code == 200


def test_send_to_me_accepts_a_valid_text_template(fake: FakeKakao) -> None:
    access = tokens(fake)["access_token"]
    template = {**TEXT, "button_title": "Open", "text": "가" * 200}
    response = memo(fake, access, template)
    assert response.status_code == 200
    assert response.json() == {"result_code": 0}
    assert fake.delivered[-1].template == template
    assert fake.delivered[-1].button_title == "Open"


@pytest.mark.parametrize(
    "template",
    [
        "not json",
        "[1, 2]",
        {"text": "no object type", "link": {}},
        {"object_type": "feed", "text": "x", "link": {}},
        {"object_type": "text", "link": {}},
        {"object_type": "text", "text": "", "link": {}},
        {"object_type": "text", "text": "no link"},
        {"object_type": "text", "text": "x", "link": {"web_url": 5}},
        {"object_type": "text", "text": "가" * 201, "link": {}},
        {"object_type": "text", "text": "🙂" * 101, "link": {}},  # 202 UTF-16 units
        {**TEXT, "buttons": [{"title": "a"}, {"title": "b"}, {"title": "c"}]},
    ],
)
def test_send_to_me_refuses_bad_templates_with_minus_2(fake: FakeKakao, template: Any) -> None:
    access = tokens(fake)["access_token"]
    response = memo(fake, access, template)
    assert response.status_code == 400
    assert response.json()["code"] == -2
    assert fake.delivered == []


def test_send_to_me_wants_a_form_and_only_template_object(fake: FakeKakao) -> None:
    access = tokens(fake)["access_token"]
    as_json = httpx.post(
        f"{fake.url}{SEND}",
        json={"template_object": json.dumps(TEXT)},
        headers={"Authorization": f"Bearer {access}"},
    )
    assert as_json.json()["code"] == -2
    extra = httpx.post(
        f"{fake.url}{SEND}",
        data={"template_object": json.dumps(TEXT), "receiver_uuids": "x"},
        headers={**FORM, "Authorization": f"Bearer {access}"},
    )
    assert extra.json()["code"] == -2


def test_send_to_me_needs_a_live_bearer_token(fake: FakeKakao) -> None:
    access = tokens(fake)["access_token"]
    assert memo(fake, None, TEXT).json()["code"] == -401
    lowercase = httpx.post(
        f"{fake.url}{SEND}",
        data={"template_object": json.dumps(TEXT)},
        headers={**FORM, "Authorization": f"bearer{access}"},
    )
    assert lowercase.status_code == 401
    fake.advance(21599 + 1)
    expired = memo(fake, access, TEXT)
    assert expired.status_code == 401
    assert expired.json() == {"msg": "this access token is already expired", "code": -401}


def test_a_refresh_replaces_the_old_access_token(fake: FakeKakao) -> None:
    issued = tokens(fake)
    refresh(fake, issued["refresh_token"])
    assert memo(fake, issued["access_token"], TEXT).json()["code"] == -401
    assert fake.stats.stale_token_uses == 1


def test_consent_problems(fake: FakeKakao) -> None:
    access = tokens(fake)["access_token"]
    fake.withdraw_consent()
    withdrawn = memo(fake, access, TEXT)
    assert withdrawn.status_code == 403
    assert withdrawn.json()["code"] == -402
    assert withdrawn.json()["required_scopes"] == ["talk_message"]
    fake.talk_message_item_enabled = False
    disabled = memo(fake, tokens(fake)["access_token"], TEXT)
    assert disabled.status_code == 403
    assert disabled.json()["code"] == -3


@pytest.mark.parametrize("kind", sorted(SEND_FAILURES))
def test_every_documented_send_error_can_be_injected(fake: FakeKakao, kind: str) -> None:
    access = tokens(fake)["access_token"]
    fake.fail_next(1, kind)
    status, body = SEND_FAILURES[kind]
    failed = memo(fake, access, TEXT)
    assert failed.status_code == status
    assert failed.json()["code"] == body["code"]
    assert memo(fake, access, TEXT).status_code == 200  # only the next one


def test_transport_failures_outages_and_slowness(fake: FakeKakao) -> None:
    access = tokens(fake)["access_token"]
    fake.fail_next(1, "disconnect")
    with pytest.raises(httpx.RemoteProtocolError):
        memo(fake, access, TEXT)
    fake.fail_next(1, "server_error")
    assert memo(fake, access, TEXT).status_code == 500
    fake.hang_seconds = 1.0
    fake.fail_next(1, "hang")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{fake.url}{SEND}",
            data={"template_object": json.dumps(TEXT)},
            headers={**FORM, "Authorization": f"Bearer {access}"},
            timeout=0.3,
        )
    fake.outage("maintenance")
    assert memo(fake, access, TEXT).json() == {"msg": "system maintenance", "code": -9798}
    fake.outage("reset")
    with pytest.raises(httpx.RemoteProtocolError):
        memo(fake, access, TEXT)
    fake.outage("refuse")
    with pytest.raises(httpx.ConnectError):
        memo(fake, access, TEXT)
    fake.recover()
    fake.slow(0.2)
    started = time.monotonic()
    assert memo(fake, access, TEXT).status_code == 200
    assert time.monotonic() - started >= 0.2
    fake.slow(0)
    with pytest.raises(ValueError, match="unknown failure"):
        fake.fail_next(1, "KOE322")  # a token failure on the send endpoint
    fake.fail_next(1, "KOE322", endpoint="token")
    assert refresh(fake, "x").json()["error_code"] == "KOE322"


def test_token_info_logout_and_unlink(fake: FakeKakao) -> None:
    issued = tokens(fake)
    info = httpx.get(
        f"{fake.url}/v1/user/access_token_info",
        headers={"Authorization": f"Bearer {issued['access_token']}"},
    ).json()
    assert info["id"] == fake.user_id
    assert info["app_id"] == fake.app_id
    assert 21590 <= info["expires_in"] <= 21599
    unlinked = httpx.post(
        f"{fake.url}/v1/user/unlink",
        headers={**FORM, "Authorization": f"Bearer {issued['access_token']}"},
    )
    assert unlinked.json() == {"id": fake.user_id}
    assert refresh(fake, issued["refresh_token"]).json()["error_code"] == "KOE322"


def test_runs_as_its_own_process_driven_over_http() -> None:
    with FakeKakao() as probe:
        port = probe.port
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mysite_testing.fake_kakao",
            "--port",
            str(port),
            "--redirect-uri",
            CALLBACK,
        ],
    )
    try:
        control = FakeKakaoControl(f"http://127.0.0.1:{port}")
        control.wait_ready()
        code_answer = httpx.get(
            f"http://127.0.0.1:{port}/oauth/authorize",
            params={
                "client_id": "fake-rest-api-key",
                "redirect_uri": CALLBACK,
                "response_type": "code",
                "state": "s",
                "scope": "talk_message",
            },
            follow_redirects=False,
        )
        code = answer_query(code_answer)["code"]
        access = httpx.post(
            f"http://127.0.0.1:{port}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": "fake-rest-api-key",
                "redirect_uri": CALLBACK,
                "code": code,
            },
            headers=FORM,
        ).json()["access_token"]
        control.fail_next(1, "internal")
        sent = httpx.post(
            f"http://127.0.0.1:{port}{SEND}",
            data={"template_object": json.dumps(TEXT)},
            headers={**FORM, "Authorization": f"Bearer {access}"},
        )
        assert sent.json()["code"] == -1
        sent = httpx.post(
            f"http://127.0.0.1:{port}{SEND}",
            data={"template_object": json.dumps(TEXT)},
            headers={**FORM, "Authorization": f"Bearer {access}"},
        )
        assert sent.json() == {"result_code": 0}
        assert control.delivered_count() == 1
        assert control.delivered()[0]["text"] == "hello"
        control.advance(3600)
        assert control.stats()["sends"] == 1
        control.reset()
        assert control.delivered_count() == 0
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    wait_until(lambda: process.poll() is not None)
