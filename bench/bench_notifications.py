"""Owner notifications: what telling the owner costs the visitor, and how soon the owner hears.

- guestbook_post_ms: median time of `POST /api/site/guestbook` with notifications on
  (SITE_KAKAO_URL pointing at a recording stand-in of kakao) and off, in alternating rounds
  (the report is fire-and-forget, so the visitor should not wait for it);
- report_ms: median time of kakao's `POST /internal/notifications` (the event stored);
- told_ms p50/p99: from that report to the fake Kakao recording the message (immediate mode).

In-process apps (FastAPI's TestClient) on SQLite files in a temporary folder, the fake Kakao
and the stand-in on 127.0.0.1; nothing leaves the machine, the run is bounded by `rounds`.

    python -m bench.bench_notifications --rounds 5 --per-round 40
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from mysite_common import migrations
from mysite_common.identity import Identity, Role
from mysite_kakao.app import create_app as create_kakao_app
from mysite_kakao.config import KakaoSettings
from mysite_site.app import create_app as create_site_app
from mysite_site.config import SiteSettings
from mysite_testing.fake_kakao import FakeKakao

SITE = "http://testserver"
STAND_IN = (
    "import sys\n"
    "from mysite_testing.notification_recorder import NotificationRecorder\n"
    "with NotificationRecorder() as recorder:\n"
    "    print(recorder.url, flush=True)\n"
    "    sys.stdin.read()\n"
)
TOKEN_KEY = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def _member(number: int) -> dict[str, str]:
    return Identity(100 + number, f"bench{number}", Role.member, f"Bench {number}").to_headers()


def _guestbook_round(client: TestClient, count: int, offset: int) -> list[float]:
    client.get("/login")
    token = client.cookies["mysite_csrf"]
    timings = []
    for number in range(count):
        headers = {**_member((offset + number) % 90), "X-CSRF-Token": token}
        started = time.perf_counter()
        response = client.post("/api/site/guestbook", json={"body": "bench"}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.text
    return timings


def guestbook_cost(folder: Path, rounds: int, per_round: int) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'site.sqlite3'}"
    migrations.upgrade(url, "mysite_site")
    settings = SiteSettings.load(database_url=url, guestbook_entries_per_hour=1000)
    on: list[float] = []
    off: list[float] = []
    # The stand-in runs in a process of its own, as kakao does: only the sender's own work
    # (a background thread in the site's process) is on the site's side of the measurement.
    stand_in = subprocess.Popen(
        [sys.executable, "-c", STAND_IN], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    assert stand_in.stdout is not None
    try:
        kakao_url = stand_in.stdout.readline().strip()
        with (
            TestClient(create_site_app(settings), base_url=SITE) as plain,
            TestClient(
                create_site_app(settings.model_copy(update={"kakao_url": kakao_url})),
                base_url=SITE,
            ) as notifying,
        ):
            for index in range(rounds):  # alternating rounds: load drifts hit both alike
                off += _guestbook_round(plain, per_round, index * per_round)
                on += _guestbook_round(notifying, per_round, index * per_round)
            assert notifying.app.state.notifier.flush(60)  # type: ignore[attr-defined]
            sent = notifying.app.state.notifier.sent  # type: ignore[attr-defined]
    finally:
        stand_in.terminate()
        stand_in.wait(10)
    return {
        "requests_each": len(on),
        "median_ms_notifications_off": round(statistics.median(off), 2),
        "median_ms_notifications_on": round(statistics.median(on), 2),
        "events_reported": sent,
    }


def time_to_owner(folder: Path, rounds: int, per_round: int) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'kakao.sqlite3'}"
    migrations.upgrade(url, "mysite_kakao")
    report_ms: list[float] = []
    told_ms: list[float] = []
    with FakeKakao(redirect_uris=[f"{SITE}/api/kakao/oauth/callback"]) as fake:
        settings = KakaoSettings.load(
            database_url=url,
            token_key=TOKEN_KEY,
            rest_api_key=fake.client_id,
            auth_url=fake.url,
            api_url=fake.url,
            site_url=SITE,
            poll_seconds=1.0,
            notification_daily_limit=10_000,
        )
        with TestClient(create_kakao_app(settings, clock=fake.now), base_url=SITE) as client:
            owner = Identity(1, "owner", Role.owner, "Owner").to_headers()
            start = client.get("/api/kakao/oauth/start", headers=owner, follow_redirects=False)
            back = httpx.get(start.headers["location"], follow_redirects=False)
            callback = back.headers["location"].removeprefix(SITE)
            client.get(callback, headers=owner, follow_redirects=False)
            for number in range(rounds * per_round):
                before = len(fake.delivered)
                body = {"kind": "guestbook_entry", "event_id": f"bench-{number}", "text": "hi"}
                started = time.perf_counter()
                response = client.post("/internal/notifications", json=body)
                report_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 202, response.text
                deadline = time.monotonic() + 10
                while len(fake.delivered) == before and time.monotonic() < deadline:
                    time.sleep(0.001)
                told_ms.append((time.perf_counter() - started) * 1000)
    told_sorted = sorted(told_ms)
    return {
        "events": len(report_ms),
        "report_median_ms": round(statistics.median(report_ms), 2),
        "told_p50_ms": round(statistics.median(told_ms), 2),
        "told_p99_ms": round(told_sorted[int(len(told_sorted) * 0.99) - 1], 2),
    }


def run(rounds: int = 5, per_round: int = 40) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return {
            "guestbook": guestbook_cost(Path(folder), rounds, per_round),
            "kakao": time_to_owner(Path(folder), rounds, per_round // 2),
        }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_notifications")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=40)
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.rounds, arguments.per_round), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
