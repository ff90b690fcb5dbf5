"""Kakao relay: how fast messages are accepted and delivered, and how long delivery takes.

- accept_rps: 202 answers per second for POST /api/kakao/messages through the gateway
  (bench.loadgen, Kakao in maintenance so delivery does not compete: the queue only grows);
- deliver_rps: how fast that backlog drains into the fake Kakao once it answers again;
- latency_ms p50/p99: from sending the POST (its 202 included) to the fake recording the
  message, at a steady moderate rate (20/s) with Kakao answering normally.

Either self-contained (its own fake Kakao and stack, MariaDB when reachable):

    python -m bench.bench_kakao --seconds 5

or against a running stack whose kakao service points at a fake Kakao started with
`python -m mysite_testing.fake_kakao --port N --redirect-uri <gateway>/api/kakao/oauth/callback`
(the stack needs MYSITE_RATE_MESSAGES_PER_HOUR and KAKAO_RATE_LIMIT_COUNT raised, or the
per-user limits are what gets measured):

    python -m bench.bench_kakao --gateway http://127.0.0.1:8000 --fake http://127.0.0.1:9400 \
        --owner-password ...

`run(seconds)` is the suite for `python -m bench` (bench/__main__.py SUITES).
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.measure import load
from mysite_testing.fake_kakao import FakeKakao, FakeKakaoControl

PASSWORD = "benchmark owner passphrase 2026"
MEMBER_PASSWORD = "benchmark member passphrase 2026"
CALLBACK_PATH = "/api/kakao/oauth/callback"
_MESSAGE_ID = re.compile(r"/(\d+)$")

Fake = FakeKakao | FakeKakaoControl


def _deliveries(fake: Fake) -> list[tuple[int, datetime]]:
    """(message id, when the fake recorded it) for every delivered message."""
    if isinstance(fake, FakeKakao):
        items = [(item.link.get("web_url", ""), item.at) for item in list(fake.delivered)]
    else:
        items = [
            (item["link"].get("web_url", ""), datetime.fromisoformat(item["at"]))
            for item in fake.delivered()
        ]
    found = []
    for link, at in items:
        match = _MESSAGE_ID.search(link)
        if match:
            found.append((int(match.group(1)), at))
    return found


def _delivered_count(fake: Fake) -> int:
    return len(fake.delivered) if isinstance(fake, FakeKakao) else fake.delivered_count()


def _log_in(gateway: str, username: str, password: str) -> closing[httpx.Client]:
    client = httpx.Client(base_url=gateway, timeout=30)
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    return closing(client)


def connect_owner(gateway: str, owner_username: str, owner_password: str) -> None:
    """The owner's connect flow through the gateway (the fake consents at once)."""
    with _log_in(gateway, owner_username, owner_password) as owner:
        if owner.get("/api/kakao/status").json().get("state") == "connected":
            return
        start = owner.get("/api/kakao/oauth/start")
        at_kakao = httpx.get(start.headers["location"], follow_redirects=False)
        back = urlsplit(at_kakao.headers["location"])
        done = owner.get(f"{back.path}?{back.query}")
        if "kakao=connected" not in done.headers.get("location", ""):
            raise RuntimeError(f"connecting Kakao failed: {done.headers.get('location')}")


def member_token(gateway: str) -> str:
    username = f"bench{int(time.time() * 1000) % 10**9}"
    with httpx.Client(base_url=gateway, timeout=30) as client:
        client.post(
            "/api/auth/signup",
            json={"username": username, "password": MEMBER_PASSWORD, "display_name": "벤치"},
        ).raise_for_status()
        response = client.post(
            "/api/auth/login", json={"username": username, "password": MEMBER_PASSWORD}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])


def _wait_for(count: int, fake: Fake, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _delivered_count(fake) < count:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(
    gateway: str,
    fake: Fake,
    *,
    owner_username: str = "owner",
    owner_password: str = PASSWORD,
    seconds: float = 5.0,
    connections: int = 16,
    latency_rate: float = 20.0,
) -> dict[str, Any]:
    connect_owner(gateway, owner_username, owner_password)
    token = member_token(gateway)
    headers = [f"Authorization: Bearer {token}", "Content-Type: application/json"]
    body = json.dumps({"text": "벤치마크 메시지: how fast is the relay?"})
    results: dict[str, Any] = {}

    # 1. Accepting, with Kakao in maintenance so the workers only probe now and then.
    fake.outage("maintenance")
    load(f"{gateway}/api/kakao/messages", seconds=1, method="POST", headers=headers, body=body)
    accepted = load(
        f"{gateway}/api/kakao/messages",
        seconds=seconds,
        connections=connections,
        method="POST",
        headers=headers,
        body=body,
    )
    results["accept"] = accepted
    results["accept_rps"] = accepted["rps"]

    # 2. Draining the backlog once Kakao answers again.
    with _log_in(gateway, owner_username, owner_password) as owner:
        counts = owner.get("/api/kakao/status").json()["messages"]
    backlog = int(counts["queued"]) + int(counts["sending"])
    backlog_start = _delivered_count(fake)
    fake.recover()
    started = time.monotonic()
    drained = _wait_for(backlog_start + backlog, fake, 600)
    elapsed = time.monotonic() - started
    delivered_now = _delivered_count(fake) - backlog_start
    results["deliver"] = {
        "messages": delivered_now,
        "seconds": round(elapsed, 2),
        "complete": drained,
    }
    results["deliver_rps"] = round(delivered_now / elapsed, 1) if elapsed else None

    # 3. Acceptance-to-delivery latency at a steady rate, Kakao answering normally.
    _wait_for(_delivered_count(fake), fake, 1)
    accepted_at: dict[int, datetime] = {}
    lock = threading.Lock()
    interval = 1.0 / latency_rate
    with httpx.Client(base_url=gateway, timeout=30) as member:
        member.headers["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + seconds
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            # Timed from sending the POST: the 202's own trip counts too (an upper bound).
            sent_at = datetime.now().astimezone()
            response = member.post("/api/kakao/messages", json={"text": "latency probe"})
            if response.status_code == 202:
                with lock:
                    accepted_at[int(response.json()["id"])] = sent_at
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
    deadline = time.monotonic() + 60
    delays: list[float] = []
    while time.monotonic() < deadline:
        delivered = dict(_deliveries(fake))
        if all(message_id in delivered for message_id in accepted_at):
            delays = [
                (delivered[message_id] - at).total_seconds() * 1000
                for message_id, at in accepted_at.items()
            ]
            break
        time.sleep(0.05)
    if delays:
        results["latency_ms"] = {
            "messages": len(delays),
            "rate_per_s": latency_rate,
            "p50": round(_percentile(delays, 0.5), 1),
            "p99": round(_percentile(delays, 0.99), 1),
            "mean": round(statistics.fmean(delays), 1),
        }
    else:
        results["latency_ms"] = {"error": "not every probe was delivered within 60 s"}
    return results


def run(seconds: float = 5.0, *, replicas: int = 1, use_mariadb: bool = True) -> dict[str, Any]:
    """Self-contained: a fake Kakao and a whole stack of our own, then `measure`."""
    from sqlalchemy import create_engine

    from mysite_stack.stack import Stack, StackOptions, free_port
    from mysite_testing.databases import mariadb_admin_url

    admin_url = None
    if use_mariadb:
        probe = create_engine(mariadb_admin_url())
        try:
            with probe.connect():
                admin_url = mariadb_admin_url()
        except Exception:  # no MariaDB here: SQLite it is
            admin_url = None
        finally:
            probe.dispose()
    with FakeKakao() as fake, tempfile.TemporaryDirectory() as directory:
        options = StackOptions(
            data_dir=Path(directory),
            port=free_port(),
            scale={"kakao": replicas},
            mariadb_admin_url=admin_url,
            database_prefix=f"bench{int(time.time()) % 100000}",
            extra_env={
                "MYSITE_ADMIN_PASSWORD": PASSWORD,
                "MYSITE_RATE_LOGIN_PER_MINUTE": "1000000",
                "MYSITE_RATE_SIGNUP_PER_HOUR": "1000000",
                "MYSITE_RATE_MESSAGES_PER_HOUR": "1000000000",
                "KAKAO_RATE_LIMIT_COUNT": "1000000000",
                "KAKAO_REST_API_KEY": fake.client_id,
                "KAKAO_AUTH_URL": fake.url,
                "KAKAO_API_URL": fake.url,
                "KAKAO_BACKOFF_MAX_SECONDS": "0.5",
                "MYSITE_LOG_LEVEL": "WARNING",
            },
        )
        stack = Stack(options)
        fake.redirect_uris.add(stack.url + CALLBACK_PATH)
        stack.prepare()
        stack.start()
        try:
            results = measure(stack.url, fake, seconds=seconds)
        finally:
            stack.stop()
            stack.drop_databases()
    results["database"] = "mariadb" if admin_url else "sqlite"
    results["kakao_replicas"] = replicas
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_kakao")
    parser.add_argument("--gateway", help="a running stack's gateway URL (else self-contained)")
    parser.add_argument("--fake", help="the fake Kakao's URL (with --gateway)")
    parser.add_argument("--owner", default="owner")
    parser.add_argument("--owner-password", default=PASSWORD)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="self-contained on SQLite")
    arguments = parser.parse_args()
    if arguments.gateway:
        if not arguments.fake:
            parser.error("--gateway needs --fake")
        control = FakeKakaoControl(arguments.fake)
        control.wait_ready()
        results = measure(
            arguments.gateway.rstrip("/"),
            control,
            owner_username=arguments.owner,
            owner_password=arguments.owner_password,
            seconds=arguments.seconds,
        )
    else:
        results = run(
            arguments.seconds, replicas=arguments.replicas, use_mariadb=not arguments.sqlite
        )
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
