"""The chatbot's figures: POST /api/chat/ask throughput and latency, first answer after
start, memory per replica.

Through a running gateway (`make up`, or any stack), with a mix of Korean, English,
unknown and small-talk questions:

    python -m bench.bench_chatbot --url http://127.0.0.1:8000 --seconds 10

The gateway rate-limits /api/chat/ask per client address; on loopback the load is spread
over `--addresses` source addresses (127.0.0.2 ...) so the benchmark measures the chatbot,
not the limiter (429s are counted separately).

One chatbot replica on its own (SQLite, a small local profile server), for start-up time,
memory and the latency without the gateway:

    python -m bench.bench_chatbot --service

`run(seconds, url=None)` does the second, and the first when a gateway URL is given.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
EVAL_PROFILE = REPO / "services" / "chatbot" / "eval" / "profile.json"

# What visitors ask, in rough proportion: mostly answerable, some unknown, some small talk.
QUESTIONS = (
    "어디서 일하세요?",
    "what languages do you code in?",
    "연락처 알려줘",
    "카카오톡으로 연락할 수 있나요?",
    "where did you study?",
    "어떤 프로젝트를 하셨어요?",
    "Do you know Kubernetes?",
    "what do you do?",
    "이메일 주소가 뭐예요?",
    "how long have you been a developer?",
    "좋아하는 음식이 뭐예요?",
    "what's your favorite movie?",
    "안녕하세요!",
    "thanks!",
    "Are you open to remote work?",
    "깃허브 주소 알려주세요",
)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def summary(latencies: list[float], elapsed: float) -> dict[str, Any]:
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
    }


# --- load through HTTP ----------------------------------------------------------------------


async def _worker(
    client: httpx.AsyncClient,
    questions: "cycle[str]",
    deadline: float,
    latencies: list[float],
    statuses: dict[str, int],
    answered: list[int],
) -> None:
    while time.perf_counter() < deadline:
        question = next(questions)
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat/ask", json={"question": question})
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
            continue
        elapsed = time.perf_counter() - started
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        if response.status_code == 200:
            latencies.append(elapsed)
            answered[0] += bool(response.json().get("answered"))
        elif response.status_code == 429:
            await asyncio.sleep(0.05)


async def _load(url: str, seconds: float, connections: int, addresses: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    answered = [0]
    loopback = url.startswith(("http://127.", "http://localhost"))
    clients = []
    for index in range(connections):
        transport = None
        if loopback and addresses > 1:
            local = f"127.0.{(index % addresses) // 250}.{2 + (index % addresses) % 250}"
            transport = httpx.AsyncHTTPTransport(local_address=local)
        clients.append(
            httpx.AsyncClient(
                base_url=url,
                transport=transport,
                timeout=30,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            )
        )
    try:
        # Warm the connections (and every replica's caches) before the clock starts.
        await asyncio.gather(
            *(client.post("/api/chat/ask", json={"question": "hello"}) for client in clients)
        )
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _worker(client, cycle(QUESTIONS[i:] + QUESTIONS[:i]), deadline, latencies,
                        statuses, answered)
                for i, client in enumerate(clients)
            )
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    result = {"url": url, "connections": connections, **summary(latencies, elapsed)}
    result["statuses"] = dict(sorted(statuses.items()))
    result["answered_share"] = round(answered[0] / len(latencies), 3) if latencies else None
    return result


def through(url: str, *, seconds: float = 10.0, connections: int = 8, addresses: int = 32) -> dict:
    """rps and latency percentiles of POST /api/chat/ask at `url` (a gateway or a replica)."""
    return asyncio.run(_load(url.rstrip("/"), seconds, connections, addresses))


# --- one replica on its own -------------------------------------------------------------------


class _ProfileServer:
    """GET /api/site/profile with an ETag, as the site serves it."""

    def __init__(self, profile: dict[str, Any]) -> None:
        body = json.dumps(profile, ensure_ascii=False).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.headers.get("If-None-Match") == '"bench"':
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", '"bench"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def service(seconds: float = 10.0, connections: int = 8) -> dict[str, Any]:
    """Start one replica; time its first answer; measure memory and direct latency."""
    profile = json.loads(EVAL_PROFILE.read_text(encoding="utf-8"))
    site = _ProfileServer(profile)
    port = _free_port()
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "MYSITE_DATA_DIR": directory,
            "CHATBOT_DATABASE_URL": f"sqlite:///{directory}/chatbot.sqlite3",
            "CHATBOT_SITE_URL": site.url,
            "MYSITE_LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "-m", "mysite_chatbot", "migrate"], env=env, check=True,
            capture_output=True, timeout=120,
        )  # fmt: skip
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "mysite_chatbot", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        results: dict[str, Any] = {}
        try:
            results["healthz_after_s"] = _first_success(
                lambda: httpx.get(f"{url}/healthz"), started
            )
            results["first_answer_after_s"] = _first_success(
                lambda: httpx.post(f"{url}/api/chat/ask", json={"question": "어디서 일하세요?"}),
                started,
            )
            results["rss_mb_ready"] = _rss_mb(process.pid)
            time.sleep(3)  # entry embeddings finish in the background
            results["rss_mb_indexed"] = _rss_mb(process.pid)
            results["direct"] = through(url, seconds=seconds, connections=connections, addresses=1)
            results["rss_mb_after_load"] = _rss_mb(process.pid)
            results["rss_mb_peak"] = _rss_mb(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(30)
            site.stop()
    return results


def _first_success(request: Any, started: float, timeout: float = 60.0) -> float:
    while time.monotonic() - started < timeout:
        try:
            if request().status_code == 200:
                return round(time.monotonic() - started, 2)
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    return float("nan")


def in_process(rounds: int = 20) -> dict[str, Any]:
    """The engine alone (no HTTP): what the p95 < 25 ms target is about."""
    from mysite_chatbot.engine import Engine, FaqEntry

    profile = json.loads(EVAL_PROFILE.read_text(encoding="utf-8"))
    faqs = [
        FaqEntry(int(row["id"]), row["question"], row["answer"])
        for row in json.loads((EVAL_PROFILE.parent / "faqs.json").read_text(encoding="utf-8"))
    ]
    engine = Engine.create()
    engine.warm_up()
    engine.load(profile, faqs, wait=True)
    latencies = []
    for _ in range(rounds):
        for question in QUESTIONS:
            started = time.perf_counter()
            engine.ask(question)
            latencies.append(time.perf_counter() - started)
    return summary(latencies, sum(latencies))


def run(seconds: float = 5.0, url: str | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {"replica": service(seconds)}
    if url:
        results["gateway"] = through(url, seconds=seconds)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_chatbot")
    parser.add_argument("--url", help="gateway (or replica) base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--service", action="store_true", help="start one replica and measure it")
    parser.add_argument("--engine", action="store_true", help="the engine alone, in this process")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--addresses", type=int, default=32)
    arguments = parser.parse_args()
    if not (arguments.url or arguments.service or arguments.engine):
        parser.error("give --url, --service or --engine")
    results: dict[str, Any] = {}
    if arguments.engine:
        results["engine"] = in_process()
    if arguments.service:
        results["replica"] = service(arguments.seconds, arguments.connections)
    if arguments.url:
        results["gateway"] = through(
            arguments.url,
            seconds=arguments.seconds,
            connections=arguments.connections,
            addresses=arguments.addresses,
        )
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def with_own_stack(seconds: float = 5.0) -> dict[str, Any]:
    """For `python -m bench`: one replica alone, then through a gateway of our own."""
    import tempfile
    from pathlib import Path

    from mysite_stack.stack import Stack, StackOptions, free_port

    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(
            StackOptions(
                data_dir=Path(directory),
                port=free_port(),
                services=("auth", "site", "chatbot"),
                extra_env={
                    "MYSITE_ADMIN_PASSWORD": "benchmark owner passphrase 2026",
                    "MYSITE_RATE_CHAT_PER_MINUTE": "1000000",
                },
            )
        )
        stack.prepare()
        stack.start()
        try:
            return run(seconds, url=stack.url)
        finally:
            stack.stop()
