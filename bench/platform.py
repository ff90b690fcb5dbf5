"""Issue 2's figures: ForwardAuth cost, gateway overhead, login flood, startup, idle memory."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.measure import load, memory_mb
from mysite_stack.stack import Stack, StackOptions, free_port

BENCH_DIR = Path(__file__).resolve().parent
PASSWORD = "benchmark owner passphrase 2026"


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
            # Warm every path once, then measure open, protected and direct back to back.
            for url in (f"{stack.url}/bench/open", f"{stack.url}/bench/protected"):
                load(url, seconds=1, headers=auth_header)
            results["open_via_gateway"] = load(f"{stack.url}/bench/open", seconds=seconds)
            results["protected_via_gateway"] = load(
                f"{stack.url}/bench/protected", seconds=seconds, headers=auth_header
            )
            results["direct_to_service"] = load(f"{chatbot}/api/chat/whoami", seconds=seconds)
            open_rps = float(results["open_via_gateway"]["rps"])  # type: ignore[index]
            protected_rps = float(results["protected_via_gateway"]["rps"])  # type: ignore[index]
            direct = results["direct_to_service"]
            results["protected_over_open_rps"] = round(protected_rps / open_rps, 3)
            results["gateway_over_direct_rps"] = round(open_rps / float(direct["rps"]), 3)  # type: ignore[index]
            results["gateway_overhead_p50_ms"] = round(
                float(results["open_via_gateway"]["p50_ms"]) - float(direct["p50_ms"]),
                3,  # type: ignore[index]
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
