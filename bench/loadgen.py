"""A small HTTP/1.1 keep-alive load generator, run as its own process.

Closed loop: each connection sends a request, reads the whole response, sends the next.
Bounded by request count and by time; targets loopback only. Prints one JSON line.

    python -m bench.loadgen --url http://127.0.0.1:8000/path --connections 16 --seconds 5
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

LOOPBACK_PREFIXES = ("127.", "localhost", "[::1]")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _connection(
    host: str,
    port: int,
    request: bytes,
    deadline: float,
    budget: list[int],
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                statuses[-1] = statuses.get(-1, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run(
    url: str,
    *,
    method: str,
    headers: list[str],
    body: bytes,
    connections: int,
    seconds: float,
    max_requests: int,
) -> dict[str, object]:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if not host.startswith(LOOPBACK_PREFIXES):
        raise SystemExit("the load generator only targets loopback addresses")
    port = parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: keep-alive"]
    lines += headers
    if body:
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    budget = [max_requests]
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(host, port, request, deadline, budget, latencies, statuses)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    return {
        "url": url,
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 3) if latencies else None,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--body", default="")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    arguments = parser.parse_args()
    result = asyncio.run(
        run(
            arguments.url,
            method=arguments.method,
            headers=arguments.header,
            body=arguments.body.encode(),
            connections=arguments.connections,
            seconds=min(arguments.seconds, 120.0),
            max_requests=arguments.max_requests,
        )
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
