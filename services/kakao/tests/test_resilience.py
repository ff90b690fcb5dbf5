"""Outages, several replicas, restarts: every message arrives, and exactly once."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from kakao_support import (
    MEMBER,
    OTHER_MEMBER,
    SITE,
    TEST_TOKEN_KEY,
    connect,
    make_settings,
    member_headers,
    message,
    owner_headers,
    send,
    status,
    wait_until,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mysite_kakao.app import create_app
from mysite_testing.fake_kakao import FakeKakao

HOUR = 3600
_READ_LINK = re.compile(r"/admin/messages/(\d+)$")


def delivered_ids(fake: FakeKakao) -> list[int]:
    ids = []
    for item in list(fake.delivered):
        match = _READ_LINK.search(item.link["web_url"])
        assert match, item.link
        ids.append(int(match.group(1)))
    return ids


def assert_exactly_once(fake: FakeKakao, expected: list[int]) -> None:
    ids = delivered_ids(fake)
    duplicates = [item for item, count in Counter(ids).items() if count > 1]
    assert duplicates == []
    assert sorted(ids) == sorted(expected)


def statuses(database_url: str) -> Counter[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status FROM kakao_messages")).all()
    engine.dispose()
    return Counter(row[0] for row in rows)


@pytest.mark.parametrize("mode", ["reset", "refuse", "maintenance", "server_error"])
def test_kakao_outage_100_messages_all_arrive_exactly_once_after_it_ends(
    client: TestClient, fake: FakeKakao, database_url: str, mode: str
) -> None:
    connect(client)
    fake.outage(mode)
    ids = [send(client, f"sent during the outage #{number}")["id"] for number in range(100)]
    time.sleep(0.6)  # the service probes, fails, backs off
    assert fake.delivered == []
    counts = statuses(database_url)
    assert counts["queued"] + counts["sending"] == 100
    fake.recover()
    wait_until(lambda: len(fake.delivered) >= 100, timeout=60)
    time.sleep(0.3)
    assert_exactly_once(fake, ids)
    assert statuses(database_url) == Counter({"delivered": 100})
    # Pausing kept the probing cheap: far fewer failed sends than messages.
    failed_sends = fake.stats.send_attempts - fake.stats.sends
    assert failed_sends < 40


def test_a_slow_kakao_still_gets_each_message_once(client: TestClient, fake: FakeKakao) -> None:
    connect(client)
    fake.slow(0.3)
    ids = [send(client, f"slow #{number}")["id"] for number in range(10)]
    wait_until(lambda: len(fake.delivered) >= 10, timeout=30)
    assert_exactly_once(fake, ids)


def test_two_replicas_share_the_work_and_refresh_exactly_once(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, worker_threads=3, batch_size=4)
    with (
        TestClient(create_app(settings, clock=fake.now), base_url=SITE) as replica_a,
        TestClient(create_app(settings, clock=fake.now), base_url=SITE) as replica_b,
    ):
        connect(replica_a)
        all_ids: list[int] = []

        def send_burst(count: int, label: str) -> None:
            def one(number: int) -> int:
                replica = replica_a if number % 2 else replica_b
                sender = MEMBER if number % 3 else OTHER_MEMBER
                return int(send(replica, f"{label} #{number}", sender)["id"])

            with ThreadPoolExecutor(8) as pool:
                all_ids.extend(pool.map(one, range(count)))
            wait_until(lambda: len(fake.delivered) >= len(all_ids), timeout=60)

        send_burst(40, "fresh token")
        assert fake.stats.refreshes == 0
        # The access token expires for everyone at once: six workers want a new one.
        fake.advance(6 * HOUR + 60)
        send_burst(40, "after expiry")
        assert fake.stats.refreshes == 1
        # Kakao ends the token early: every worker gets -401 at about the same time.
        fake.expire_access_tokens()
        send_burst(40, "after -401")
        assert fake.stats.refreshes == 2
        time.sleep(0.3)
        assert_exactly_once(fake, all_ids)
        assert fake.stats.concurrent_refreshes_max == 1
        assert fake.stats.stale_token_uses == 0
        # Both replicas delivered (the work was shared), read from the database.
        assert status(replica_b)["messages"]["delivered"] == 120


def test_stopping_in_the_middle_of_delivery_loses_and_repeats_nothing(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, worker_threads=2, batch_size=10)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        connect(client)
        fake.slow(0.05)
        ids = [send(client, f"before the restart #{number}")["id"] for number in range(60)]
        wait_until(lambda: len(fake.delivered) >= 5, timeout=30)
    # Shut down: sends in flight finished, other claims handed back.
    delivered_before = len(fake.delivered)
    assert delivered_before < 60
    counts = statuses(database_url)
    assert counts["sending"] == 0
    assert counts["delivered"] == delivered_before
    fake.slow(0)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE):
        wait_until(lambda: len(fake.delivered) >= 60, timeout=30)
        time.sleep(0.2)
    assert_exactly_once(fake, ids)


def test_a_crashed_replicas_claims_are_taken_over_after_the_lease(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, worker_threads=0)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        connect(client)
        ids = [
            send(client, f"claimed by a replica that died #{number}")["id"] for number in range(3)
        ]
    # A replica claimed them and died before sending: its lease runs 3 s more (MariaDB keeps
    # whole seconds).
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE kakao_messages SET status = 'sending', claim_token = 'dead-replica', "
                "claimed_until = :until"
            ),
            {"until": _in_seconds(3)},
        )
    engine.dispose()
    working = make_settings(database_url, fake, worker_threads=1)
    with TestClient(create_app(working, clock=fake.now), base_url=SITE):
        time.sleep(1.0)
        assert fake.delivered == []  # the lease still holds
        wait_until(lambda: len(fake.delivered) >= 3, timeout=10)
        time.sleep(0.2)
    assert_exactly_once(fake, ids)


def _in_seconds(seconds: float) -> datetime:  # naive UTC, as stored
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(tzinfo=None)


def _kill_connections(database_url: str) -> int:
    """What a MariaDB restart does to a running service: every connection drops."""
    name = make_url(database_url).database
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    killed = 0
    with admin.connect() as connection:
        ids = connection.execute(
            text(
                "SELECT id FROM information_schema.processlist "
                "WHERE db = :name AND id <> CONNECTION_ID()"
            ),
            {"name": name},
        ).scalars()
        for connection_id in list(ids):
            try:
                connection.execute(text(f"KILL CONNECTION {int(connection_id)}"))
                killed += 1
            except Exception:  # noqa: S112 - it may have ended by itself meanwhile
                continue
    admin.dispose()
    return killed


def test_messages_survive_mariadb_dropping_every_connection(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    if not database_url.startswith("mysql"):
        pytest.skip("MariaDB only: SQLite has no server to restart")
    settings = make_settings(database_url, fake, worker_threads=2, claim_lease_seconds=5)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        connect(client)
        fake.slow(0.02)
        ids: list[int] = []
        for round_number in range(4):
            ids.extend(send(client, f"round {round_number} #{n}")["id"] for n in range(15))
            time.sleep(0.1)
            assert _kill_connections(database_url) > 0
        wait_until(lambda: len(fake.delivered) >= 60, timeout=60)
        time.sleep(0.5)
        assert status(client)["messages"]["delivered"] == 60
    assert_exactly_once(fake, ids)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(database_url: str, fake: FakeKakao, port: int, tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "KAKAO_DATABASE_URL": database_url,
        "KAKAO_TOKEN_KEY": TEST_TOKEN_KEY,
        "KAKAO_REST_API_KEY": fake.client_id,
        "KAKAO_AUTH_URL": fake.url,
        "KAKAO_API_URL": fake.url,
        "KAKAO_SITE_URL": f"http://127.0.0.1:{port}",
        "KAKAO_POLL_SECONDS": "0.05",
        "KAKAO_BACKOFF_BASE_SECONDS": "0.02",
        "KAKAO_BACKOFF_MAX_SECONDS": "0.2",
        "KAKAO_RATE_LIMIT_COUNT": "1000",
        "MYSITE_DATA_DIR": str(tmp_path),
        "MYSITE_ENV": "test",
        # No gateway here to drain from: SIGTERM must stop delivery at once.
        "MYSITE_DRAIN_SECONDS": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "mysite_kakao", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def ready() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(ready, timeout=30, interval=0.1)
    return process


def test_the_real_server_restarted_with_sigterm_mid_delivery(
    database_url: str, fake: FakeKakao, clean_database: None, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    callback = f"{base}/api/kakao/oauth/callback"
    fake.redirect_uris.add(callback)
    process = _serve(database_url, fake, port, tmp_path)
    try:
        with httpx.Client(base_url=base, timeout=10) as browser:
            start = browser.get("/api/kakao/oauth/start", headers=owner_headers())
            assert start.status_code == 302
            at_kakao = httpx.get(start.headers["location"], follow_redirects=False)
            back = urlsplit(at_kakao.headers["location"])
            done = browser.get(f"{back.path}?{back.query}", headers=owner_headers())
            assert done.status_code == 303
            assert "kakao=connected" in done.headers["location"]
            fake.slow(0.05)
            ids = []
            for number in range(40):
                response = browser.post(
                    "/api/kakao/messages",
                    json={"text": f"through a real restart #{number}"},
                    headers=member_headers(),
                )
                assert response.status_code == 202
                ids.append(response.json()["id"])
        wait_until(lambda: len(fake.delivered) >= 5, timeout=30)
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert len(fake.delivered) < 40
        assert statuses(database_url)["sending"] == 0
        fake.slow(0)
        process = _serve(database_url, fake, port, tmp_path)
        wait_until(lambda: len(fake.delivered) >= 40, timeout=30)
        time.sleep(0.2)
        # The read links point at the real server's public URL.
        assert fake.delivered[0].link["web_url"].startswith(f"{base}/admin/messages/")
        ids_delivered = delivered_ids(fake)
        assert sorted(ids_delivered) == sorted(ids)
    finally:
        fake.redirect_uris.discard(callback)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_a_message_is_never_sent_twice_by_two_threads_racing_for_one_row(
    database_url: str, fake: FakeKakao, clean_database: None
) -> None:
    settings = make_settings(database_url, fake, worker_threads=0)
    with TestClient(create_app(settings, clock=fake.now), base_url=SITE) as client:
        connect(client)
        ids = [send(client, f"race #{number}")["id"] for number in range(30)]
        worker = client.app.state.worker  # type: ignore[attr-defined]
        barrier = threading.Barrier(6)

        def drain() -> None:
            barrier.wait()
            while worker.run_once():
                pass

        threads = [threading.Thread(target=drain) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert_exactly_once(fake, ids)
        assert message(client, ids[0])["status"] == "delivered"
