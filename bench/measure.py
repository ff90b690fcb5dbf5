"""What the benchmarks measure with: the load generator as a second process, and memory."""

import json
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
