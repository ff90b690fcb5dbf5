"""`make bench`: every benchmark in one run, printed and saved as JSON.

Ratios are what count (measured back to back in one run); absolute numbers move with the
machine's load.
"""

import argparse
import json
import sys
from pathlib import Path

from bench import bench_chatbot, bench_kakao, bench_site, operations, platform

SUITES = {
    "platform": platform.run,
    "site": bench_site.run,
    "chatbot": bench_chatbot.with_own_stack,
    "kakao": bench_kakao.run,
    "operations": operations.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("suites", nargs="*", help=f"some of: {', '.join(SUITES)} (default: all)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", default=".data/bench/results.json")
    arguments = parser.parse_args()
    unknown = set(arguments.suites) - set(SUITES)
    if unknown:
        parser.error(
            f"unknown suite(s) {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}"
        )
    results = {}
    for name in arguments.suites or list(SUITES):
        print(f"bench: {name} ...", flush=True)
        results[name] = SUITES[name](arguments.seconds)
        print(json.dumps(results[name], indent=2, ensure_ascii=False), flush=True)
    out = Path(arguments.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"bench: saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
