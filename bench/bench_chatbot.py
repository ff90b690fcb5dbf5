"""The chatbot's figures: POST /api/chat/ask latency and throughput, first answer after
start, memory per replica.

One chatbot replica on its own (SQLite, a small local site serving the example owner's
knowledge document), the load from wrk in a second process:

    python -m bench.bench_chatbot --service --seconds 5 --rounds 3

- latency: p50/p95/p99 at 1, 2, 4 and 8 connections, closed loop, the connection counts in
  rotation for `--rounds` rounds, medians per count. Questions are the example owner's
  held-out questions (496 distinct ones, each wrk connection starting at its own place)
  with the answer cache OFF, so every request is an engine miss; then the same replica
  restarted with the cache on, after one pass over the questions: repeats only (hits).
- start-up: first answer after the process starts, cold (empty data folder) and warm
  (restarted with the folder the first run left: unpacked encoder weights, entry vectors).
- memory: VmRSS when ready, after the load, and the peak (VmHWM); RssFile is the part
  that is pages of files (the mapped encoder table), RssAnon the process's own.

Through a running gateway (`make up`, or any stack), with a mix of Korean, English,
unknown and small-talk questions (httpx clients in this process, spread over source
addresses so the gateway's per-client rate limit does not answer instead; 429s counted):

    python -m bench.bench_chatbot --url http://127.0.0.1:8000 --seconds 10

`run(seconds, url=None)` does the first, and the second when a gateway URL is given.

The engine alone, in this process, and what taught questions cost it (the same engine with
N of the held-out questions taught to entries, rounds alternating, medians of each round's
p95):

    python -m bench.bench_chatbot --engine --taught 200 --rounds 20
"""

import argparse
import asyncio
import json
import os
import re
import shutil
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
EVAL_FOLDER = REPO / "services" / "chatbot" / "eval"
EVAL_PROFILE = EVAL_FOLDER / "profile.json"
CONNECTIONS = (1, 2, 4, 8)

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


def held_out_questions() -> list[str]:
    """The example owner's held-out questions: distinct, realistic, never trained on."""
    questions: list[str] = []
    for path in sorted(EVAL_FOLDER.glob("questions_heldout*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return list(dict.fromkeys(questions))


def knowledge_document() -> dict[str, Any]:
    """GET /api/site/knowledge as the site serves it: the example profile and its FAQ."""
    faqs = json.loads((EVAL_FOLDER / "faqs.json").read_text(encoding="utf-8"))
    return {
        "version": 1,
        "language": "en",
        "profile": json.loads(EVAL_PROFILE.read_text(encoding="utf-8")),
        "translations": {},
        "faq_revision": len(faqs),
        "faq": [
            {"id": int(row["id"]), "question": row["question"], "answer": row["answer"]}
            for row in faqs
        ],
    }


class _SiteServer:
    """The site's GET /api/site/knowledge with an ETag (and 304 to If-None-Match)."""

    def __init__(self, document: dict[str, Any]) -> None:
        body = json.dumps(document, ensure_ascii=False).encode()

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


def _memory(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (peak), RssAnon and RssFile of `pid`, in MB."""
    wanted = ("VmRSS", "VmHWM", "RssAnon", "RssFile")
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in wanted:
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Replica:
    """`python -m mysite_chatbot serve` on a free port, timed from the process start."""

    def __init__(self, site_url: str, data_dir: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MYSITE_DATA_DIR": str(data_dir),
            "CHATBOT_DATABASE_URL": f"sqlite:///{data_dir}/chatbot.sqlite3",
            "CHATBOT_SITE_URL": site_url,
            "MYSITE_LOG_LEVEL": "WARNING",
            "MYSITE_DRAIN_SECONDS": "0",
            **env,
        }
        subprocess.run(
            [sys.executable, "-m", "mysite_chatbot", "migrate"], env=self.env, check=True,
            capture_output=True, timeout=120,
        )  # fmt: skip
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mysite_chatbot", "serve", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def first_answer_after(self) -> dict[str, float]:
        return {
            "healthz_after_s": _first_success(
                lambda: httpx.get(f"{self.url}/healthz"), self.started
            ),
            "first_answer_after_s": _first_success(
                lambda: httpx.post(
                    f"{self.url}/api/chat/ask", json={"question": "어디서 일하세요?"}
                ),
                self.started,
            ),
        }

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _lua_script(questions: list[str], folder: Path) -> Path:
    """wrk: POST /api/chat/ask with the questions in turn (each connection from its own
    place in the list), and p50/p95/p99 printed as JSON at the end."""
    bodies = ",\n".join(
        "[==[" + json.dumps({"question": question}) + "]==]" for question in questions
    )
    script = folder / "questions.lua"
    script.write_text(
        "local bodies = {"
        + bodies
        + "}\n"
        + """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  thread:set("offset", threads * 131)
  threads = threads + 1
end
local sent = 0
function request()
  sent = sent + 1
  return wrk.format(nil, "/api/chat/ask", nil, bodies[((sent + offset) % #bodies) + 1])
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"socket_errors": %d, "non_2xx": %d}\\n',
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
""",
        encoding="utf-8",
    )
    return script


_WRK_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")


def wrk_round(url: str, script: Path, connections: int, seconds: float, pid: int) -> dict:
    """One closed-loop wrk run (one thread: the second core is the replica's); the
    replica's CPU time per request from /proc, which is what bounds its throughput."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (.ci/prerequisites installs it)")
    cpu_before = _cpu_seconds(pid)
    output = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    cpu = _cpu_seconds(pid) - cpu_before
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    rate = _WRK_RATE.search(output)
    result["rps"] = float(rate.group(1)) if rate else None
    result["replica_cpu_ms_per_request"] = (
        round(cpu * 1000 / result["requests"], 2) if result["requests"] else None
    )
    return result


def _medians(rounds: list[dict]) -> dict[str, Any]:
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "replica_cpu_ms_per_request")
    summary: dict[str, Any] = {
        key: round(statistics.median(r[key] for r in rounds if r[key] is not None), 2)
        for key in keys
    }
    summary["p95_ms_rounds"] = [r["p95_ms"] for r in rounds]
    summary["requests"] = sum(r["requests"] for r in rounds)
    summary["errors"] = sum(r["socket_errors"] + r["non_2xx"] for r in rounds)
    return summary


def latency_by_connections(
    url: str, script: Path, pid: int, *, seconds: float, rounds: int
) -> dict[str, Any]:
    """Every connection count once per round, in rotation; medians per count."""
    by_count: dict[int, list[dict]] = {count: [] for count in CONNECTIONS}
    for round_number in range(rounds):
        # Rotate the starting count so no count always runs first (or last).
        order = CONNECTIONS[round_number % 4 :] + CONNECTIONS[: round_number % 4]
        for count in order:
            by_count[count].append(wrk_round(url, script, count, seconds, pid))
    return {f"{count}_connections": _medians(by_count[count]) for count in CONNECTIONS}


def service(seconds: float = 5.0, rounds: int = 3) -> dict[str, Any]:
    """One replica: first answer cold and warm, memory, latency at 1-8 connections with
    the answer cache off (misses) and on (repeats)."""
    questions = held_out_questions()
    site = _SiteServer(knowledge_document())
    results: dict[str, Any] = {"questions": len(questions)}
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        script = _lua_script(questions, folder)
        try:
            # Cold: an empty data folder, as a new container starts. Cache off: misses only.
            replica = Replica(site.url, folder / "data", CHATBOT_ANSWER_CACHE_SIZE="0")
            try:
                results["cold_start"] = replica.first_answer_after()
                results["memory_ready_mb"] = _memory(replica.process.pid)
                results["misses"] = latency_by_connections(
                    replica.url, script, replica.process.pid, seconds=seconds, rounds=rounds
                )
                results["memory_after_load_mb"] = _memory(replica.process.pid)
            finally:
                replica.stop()
            # Warm: restarted on the same folder. Cache on; one pass fills it.
            replica = Replica(site.url, folder / "data")
            try:
                results["warm_start"] = replica.first_answer_after()
                results["warm_memory_ready_mb"] = _memory(replica.process.pid)
                with httpx.Client(base_url=replica.url, timeout=30) as client:
                    for question in questions:
                        client.post("/api/chat/ask", json={"question": question})
                results["hits"] = {
                    f"{count}_connections": wrk_round(
                        replica.url, script, count, seconds, replica.process.pid
                    )
                    for count in (1, 8)
                }
                results["warm_memory_after_load_mb"] = _memory(replica.process.pid)
            finally:
                replica.stop()
        finally:
            site.stop()
    return results


def start_rounds(rounds: int = 3) -> dict[str, Any]:
    """First answer and memory, cold (empty data folder) and warm (the folder a previous
    start left), alternating, `rounds` of each; medians."""
    site = _SiteServer(knowledge_document())
    runs: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    try:
        with tempfile.TemporaryDirectory() as directory:
            for round_number in range(rounds):
                order = ("cold", "warm") if round_number % 2 == 0 else ("warm", "cold")
                for kind in order:
                    folder = Path(directory) / kind
                    if kind == "cold":
                        shutil.rmtree(folder, ignore_errors=True)
                    elif not folder.exists():  # a first start leaves the folder warm
                        first = Replica(site.url, folder)
                        first.first_answer_after()
                        first.stop()
                    replica = Replica(site.url, folder)
                    try:
                        measured = replica.first_answer_after()
                        measured.update(_memory(replica.process.pid))
                    finally:
                        replica.stop()
                    runs[kind].append(measured)
    finally:
        site.stop()
    return {
        kind: {
            **{key: statistics.median(run[key] for run in found) for key in found[0]},
            "first_answer_rounds_s": [run["first_answer_after_s"] for run in found],
        }
        for kind, found in runs.items()
    }


def _first_success(request: Any, started: float, timeout: float = 120.0) -> float:
    while time.monotonic() - started < timeout:
        try:
            if request().status_code == 200:
                return round(time.monotonic() - started, 2)
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    return float("nan")


def in_process(rounds: int = 20, taught: int = 0) -> dict[str, Any]:
    """The engine alone (no HTTP): what the p95 < 25 ms target is about. With ``taught``,
    also the same engine with that many held-out questions taught to entries, the two
    asked in alternating rounds (which goes first alternates too)."""
    from mysite_chatbot.engine import Engine, FaqEntry

    profile = json.loads(EVAL_PROFILE.read_text(encoding="utf-8"))
    faqs = [
        FaqEntry(int(row["id"]), row["question"], row["answer"])
        for row in json.loads((EVAL_PROFILE.parent / "faqs.json").read_text(encoding="utf-8"))
    ]
    engine = Engine.create()
    engine.warm_up()
    engine.load(profile, faqs)
    if not taught:
        latencies = []
        for _ in range(rounds):
            latencies += _ask_all(engine)
        return summary(latencies, sum(latencies))
    keys = [entry.key for entry in engine.entries]
    lessons: dict[str, list[str]] = {}
    for position, question in enumerate(held_out_questions()[:taught]):
        lessons.setdefault(keys[position % len(keys)], []).append(question)
    taught_engine = Engine(engine.resources)
    taught_engine.load(profile, faqs, taught=lessons)
    engines = {"untaught": engine, f"{taught} taught": taught_engine}
    p95s: dict[str, list[float]] = {name: [] for name in engines}
    for round_number in range(rounds):
        order = list(engines) if round_number % 2 == 0 else list(reversed(engines))
        for name in order:
            p95s[name].append(percentile(_ask_all(engines[name]), 0.95) * 1000)
    return {
        name: {"p95_ms_median": round(statistics.median(values), 3), "rounds": len(values)}
        for name, values in p95s.items()
    }


def _ask_all(engine: Any) -> list[float]:
    latencies = []
    for question in QUESTIONS:
        started = time.perf_counter()
        engine.ask(question)
        latencies.append(time.perf_counter() - started)
    return latencies


def run(seconds: float = 5.0, url: str | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {"replica": service(seconds, rounds=3)}
    if url:
        results["gateway"] = through(url, seconds=seconds)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_chatbot")
    parser.add_argument("--url", help="gateway (or replica) base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--service", action="store_true", help="start one replica and measure it")
    parser.add_argument("--engine", action="store_true", help="the engine alone, in this process")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per connection count")
    parser.add_argument(
        "--starts", type=int, default=0, help="cold and warm starts, alternating, N of each"
    )
    parser.add_argument(
        "--taught", type=int, default=0, help="with --engine: also with N questions taught"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--addresses", type=int, default=32)
    arguments = parser.parse_args()
    if not (arguments.url or arguments.service or arguments.engine or arguments.starts):
        parser.error("give --url, --service, --engine or --starts")
    results: dict[str, Any] = {}
    if arguments.engine:
        results["engine"] = in_process(
            arguments.rounds if arguments.taught else 20, taught=arguments.taught
        )
    if arguments.service:
        results["replica"] = service(arguments.seconds, arguments.rounds)
    if arguments.starts:
        results["starts"] = start_rounds(arguments.starts)
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
