"""Issue 2's figures: ForwardAuth cost, gateway overhead, login flood, startup, idle memory."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import httpx

from bench.measure import load, load_wrk, memory_mb
from mysite_stack.stack import Stack, StackOptions, free_port

BENCH_DIR = Path(__file__).resolve().parent
PASSWORD = "benchmark owner passphrase 2026"
# Open and protected rounds alternate, this many each; the figures are their medians.
ROUNDS = 3


def make_up_seconds(services: tuple[str, ...]) -> float:
    """Time for `python -m mysite_stack up` (what `make up` runs once installed) from a fresh
    data folder to its 'mysite is up' line."""
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "MYSITE_ADMIN_PASSWORD": PASSWORD,
            "MYSITE_E2E_SERVICES": ",".join(services),
        }
        env.pop("MYSITE_DATABASE_URL", None)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "mysite_stack", "up", "--port", str(free_port()),
             "--data-dir", directory],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        assert process.stdout is not None
        elapsed = float("nan")
        for line in process.stdout:
            if "is up" in line:
                elapsed = time.monotonic() - started
                break
        process.send_signal(signal.SIGINT)
        process.wait(60)
        return round(elapsed, 2)


def run(seconds: float = 5.0, services: tuple[str, ...] | None = None) -> dict[str, object]:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as directory:
        options = StackOptions(
            data_dir=Path(directory),
            port=free_port(),
            extra_env={
                "MYSITE_ADMIN_PASSWORD": PASSWORD,
                "MYSITE_RATE_LOGIN_PER_MINUTE": "1000000",
            },
            extra_gateway_files=(BENCH_DIR / "gateway-bench.yml",),
            **({"services": services} if services else {}),
        )
        stack = Stack(options)
        stack.prepare()
        stack.start()
        try:
            time.sleep(3)
            results["idle_memory_mb"] = {
                replica.process.name: memory_mb(replica.process.pid or 0)
                for replicas in stack.replicas.values()
                for replica in replicas
            }
            token = httpx.post(
                f"{stack.url}/api/auth/login", json={"username": "owner", "password": PASSWORD}
            ).json()["access_token"]
            auth_header = [f"Authorization: Bearer {token}"]
            chatbot = stack.replica("chatbot").url
            # Warm every path once, then alternate open and protected rounds (a busy moment
            # of the machine then hits both alike) and compare medians, never single runs.
            for url in (f"{stack.url}/bench/open", f"{stack.url}/bench/protected"):
                load_wrk(url, seconds=1, headers=auth_header)
            open_rounds: list[dict] = []
            protected_rounds: list[dict] = []
            direct_rounds: list[dict] = []
            for _ in range(ROUNDS):
                open_rounds.append(load_wrk(f"{stack.url}/bench/open", seconds=seconds))
                protected_rounds.append(
                    load_wrk(f"{stack.url}/bench/protected", seconds=seconds, headers=auth_header)
                )
                direct_rounds.append(load_wrk(f"{chatbot}/api/chat/whoami", seconds=seconds))
            open_rps = median(round_["rps"] for round_ in open_rounds)
            protected_rps = median(round_["rps"] for round_ in protected_rounds)
            direct_rps = median(round_["rps"] for round_ in direct_rounds)
            results["rounds_each"] = ROUNDS
            results["generator"] = open_rounds[0].get("generator", "bench.loadgen")
            results["open_via_gateway"] = {"median_rps": open_rps, "rounds": open_rounds}
            results["protected_via_gateway"] = {
                "median_rps": protected_rps,
                "rounds": protected_rounds,
            }
            results["direct_to_service"] = {"median_rps": direct_rps, "rounds": direct_rounds}
            results["protected_over_open_rps"] = round(protected_rps / open_rps, 3)
            results["gateway_over_direct_rps"] = round(open_rps / direct_rps, 3)
            results["gateway_overhead_p50_ms"] = round(
                median(round_["p50_ms"] for round_ in open_rounds)
                - median(round_["p50_ms"] for round_ in direct_rounds),
                3,
            )
            auth_pid = stack.replica("auth").process.pid or 0
            before = memory_mb(auth_pid)
            results["login_flood"] = load(
                f"{stack.url}/api/auth/login",
                seconds=seconds,
                connections=32,
                method="POST",
                headers=["Content-Type: application/json"],
                body='{"username": "owner", "password": "' + PASSWORD + '"}',
            )
            results["login_flood_auth_rss_before_mb"] = before
            results["login_flood_auth_peak_mb"] = memory_mb(auth_pid, "VmHWM")
        finally:
            stack.stop()
    results["make_up_seconds"] = make_up_seconds(services or ())
    return results
