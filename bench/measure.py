"""What the benchmarks measure with: the load generator as a second process, and memory."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


def load(url: str, *, seconds: float = 5.0, connections: int = 16, **options: object) -> dict:
    """Runs bench.loadgen in its own process (so it does not share our interpreter)."""
    command = [
        sys.executable, "-m", "bench.loadgen", "--url", url,
        "--seconds", str(seconds), "--connections", str(connections),
    ]  # fmt: skip
    for header in options.get("headers", []):  # type: ignore[attr-defined]
        command += ["--header", header]
    if options.get("method"):
        command += ["--method", str(options["method"])]
    if options.get("body"):
        command += ["--body", str(options["body"])]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    result: dict = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """VmRSS: resident now; VmHWM: the peak resident size since the process started."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise LookupError(field)


def wrk_path() -> str | None:
    """wrk (a C load generator, Debian's `wrk`), installed with apt-get where it is absent
    and this runs as root; None when it cannot be had (then bench.loadgen is used)."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, check=False, timeout=300
        )
        found = shutil.which("wrk")
    return found


_WRK_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")
_WRK_P50 = re.compile(r"^\s+50%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def load_wrk(
    url: str, *, seconds: float = 5.0, connections: int = 16, headers: list[str] | None = None
) -> dict:
    """GET `url` with wrk for `seconds` (loopback only, like bench.loadgen): rps and p50."""
    if not url.startswith("http://127."):
        raise ValueError("benchmarks target 127.0.0.1 only")
    wrk = wrk_path()
    if wrk is None:
        return load(url, seconds=seconds, connections=connections, headers=headers or [])
    command = [wrk, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for header in headers or []:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = _WRK_RATE.search(output)
    p50 = _WRK_P50.search(output)
    if rate is None or p50 is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return {
        "generator": "wrk",
        "rps": float(rate.group(1)),
        "p50_ms": round(float(p50.group(1)) * _UNIT_MS[p50.group(2)], 3),
    }
