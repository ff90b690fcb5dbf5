"""The home page against a static hello route, both through the same gateway.

    python -m bench.bench_site --url http://127.0.0.1:8000     # a running stack (make up)
    python -m bench.bench_site                                 # starts its own (auth + site)

`GET /` (the profile, served from the site's render cache) must reach at least 60% of the
requests per second of `GET /api/site/hello` (a constant answer of the same app). Both pass
the same gateway middlewares (ForwardAuth in optional mode). Rounds alternate the two routes
so that a busy machine slows both alike; the medians are compared. Anonymous requests
without cookies: the harder case for the page (each gets a new CSRF token and cookie).
Exit status 1 when the ratio is below the target.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.measure import load

TARGET_RATIO = 0.6
HOME = "/"
HELLO = "/api/site/hello"


def compare(base_url: str, *, seconds: float, rounds: int, connections: int) -> dict[str, object]:
    base_url = base_url.rstrip("/")
    for path in (HOME, HELLO):
        response = httpx.get(base_url + path, timeout=10)
        if response.status_code != 200:
            raise SystemExit(f"{base_url}{path} answered {response.status_code}; is the stack up?")
    for path in (HOME, HELLO):  # warm caches and connections
        load(base_url + path, seconds=1, connections=connections)
    runs: dict[str, list[dict]] = {HOME: [], HELLO: []}
    for round_number in range(rounds):
        order = (HELLO, HOME) if round_number % 2 == 0 else (HOME, HELLO)
        for path in order:
            runs[path].append(load(base_url + path, seconds=seconds, connections=connections))
    home_rps = [run["rps"] for run in runs[HOME]]
    hello_rps = [run["rps"] for run in runs[HELLO]]
    ratio = statistics.median(home_rps) / statistics.median(hello_rps)
    errors = {
        path: sum(
            count for run in path_runs for code, count in run["statuses"].items() if code != "200"
        )
        for path, path_runs in runs.items()
    }
    return {
        "base_url": base_url,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "connections": connections,
        "home_rps_median": statistics.median(home_rps),
        "hello_rps_median": statistics.median(hello_rps),
        "home_rps_runs": home_rps,
        "hello_rps_runs": hello_rps,
        "home_p50_ms_median": statistics.median(run["p50_ms"] for run in runs[HOME]),
        "hello_p50_ms_median": statistics.median(run["p50_ms"] for run in runs[HELLO]),
        "home_p99_ms_median": statistics.median(run["p99_ms"] for run in runs[HOME]),
        "non_200_responses": errors,
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "passed": ratio >= TARGET_RATIO and not any(errors.values()),
    }


def with_own_stack(
    *, seconds: float, rounds: int, connections: int, mariadb_admin_url: str | None
) -> dict[str, object]:
    from mysite_stack.stack import Stack, StackOptions, free_port

    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(
            StackOptions(
                data_dir=Path(directory),
                port=free_port(),
                services=("auth", "site"),
                mariadb_admin_url=mariadb_admin_url,
                database_prefix=f"bench{int(time.time()) % 100000}",
                extra_env={
                    "MYSITE_ADMIN_PASSWORD": "benchmark owner passphrase 2026",
                    "MYSITE_LOG_LEVEL": "WARNING",
                },
            )
        )
        stack.prepare()
        stack.start()
        try:
            result = compare(stack.url, seconds=seconds, rounds=rounds, connections=connections)
            result["stack"] = "own: auth + site, " + ("MariaDB" if mariadb_admin_url else "SQLite")
            return result
        finally:
            stack.stop()
            stack.drop_databases()


def run(seconds: float = 3.0) -> dict[str, object]:
    """For `python -m bench` (the suites run with their own stack)."""
    return with_own_stack(seconds=seconds, rounds=5, connections=16, mariadb_admin_url=None)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_site", description=__doc__)
    parser.add_argument("--url", help="the gateway's base URL; without it a stack is started")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each route")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--mariadb", metavar="ADMIN_URL", help="own stack on MariaDB (default: SQLite)"
    )
    arguments = parser.parse_args()
    if arguments.url:
        result = compare(
            arguments.url,
            seconds=arguments.seconds,
            rounds=arguments.rounds,
            connections=arguments.connections,
        )
    else:
        result = with_own_stack(
            seconds=arguments.seconds,
            rounds=arguments.rounds,
            connections=arguments.connections,
            mariadb_admin_url=arguments.mariadb,
        )
    print(json.dumps(result, indent=2))
    verdict = "meets" if result["passed"] else "MISSES"
    print(
        f"GET / at {result['ratio']:.0%} of the hello route's requests per second"
        f" ({verdict} the {TARGET_RATIO:.0%} target)",
        file=sys.stderr,
    )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
