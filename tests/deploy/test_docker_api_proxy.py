"""The gateway's Docker API proxy (mysite_container.docker_api): only the reads Traefik's
Docker provider makes get through, lists and events are narrowed to the Compose project, and
answers stream through. Run against a stand-in Engine on a real Unix socket."""

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import ThreadingUnixStreamServer
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from mysite_container.docker_api import DockerApiProxy, RefusedError, rewrite_request


def head(line: str, *headers: str) -> bytes:
    return "\r\n".join([line, "Host: docker", *headers, "", ""]).encode()


@pytest.mark.parametrize(
    "target",
    [
        "/_ping",
        "/v1.41/version",
        "/v1.24/info",
        "/v1.41/containers/json?limit=0",
        "/v1.41/containers/0123abcd/json",
        "/v1.41/containers/mysite-site-1/json",
        "/v1.41/events?since=1",
    ],
)
def test_the_providers_reads_pass(target: str) -> None:
    rewritten = rewrite_request(head(f"GET {target} HTTP/1.1"), "mysite").decode()
    assert rewritten.startswith("GET /")
    assert rewritten.endswith("Connection: close\r\n\r\n")


@pytest.mark.parametrize(
    "line",
    [
        "POST /v1.41/containers/create HTTP/1.1",
        "POST /v1.41/containers/abc/start HTTP/1.1",
        "DELETE /v1.41/containers/abc HTTP/1.1",
        "GET /v1.41/containers/abc/logs HTTP/1.1",
        "GET /v1.41/containers/abc/archive?path=/run/secrets HTTP/1.1",
        "GET /v1.41/images/json HTTP/1.1",
        "GET /v1.41/secrets HTTP/1.1",
        "GET /v1.41/containers/../images/json HTTP/1.1",
        "GET http://other/v1.41/version HTTP/1.1",
        "GET /version",
    ],
)
def test_everything_else_is_refused(line: str) -> None:
    with pytest.raises(RefusedError):
        rewrite_request(head(line), "mysite")


def test_lists_and_events_are_narrowed_to_the_project() -> None:
    filters = json.dumps({"type": ["container"], "label": {"traefik.enable=true": True}})
    line = f"GET /v1.41/events?since=5&filters={quote(filters)} HTTP/1.1"
    rewritten = rewrite_request(head(line, "Connection: keep-alive"), "blue").decode()
    target = rewritten.split(" ")[1]
    query = parse_qs(urlsplit(target).query)
    assert query["since"] == ["5"]
    assert json.loads(query["filters"][0]) == {
        "type": ["container"],
        "label": ["traefik.enable=true", "com.docker.compose.project=blue"],
    }
    assert "keep-alive" not in rewritten
    listing = rewrite_request(head("GET /containers/json HTTP/1.1"), "blue").decode()
    query = parse_qs(urlsplit(listing.split(" ")[1]).query)
    assert json.loads(query["filters"][0]) == {"label": ["com.docker.compose.project=blue"]}
    with pytest.raises(RefusedError, match="JSON"):
        rewrite_request(head("GET /containers/json?filters=nope HTTP/1.1"), "blue")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A stand-in Docker Engine on a Unix socket that records every path it is asked for."""
    seen: list[str] = []

    class Engine(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.path)
            body = json.dumps([{"Id": "abc", "Labels": {}}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def address_string(self) -> str:
            return "unix"

        def log_message(self, *args: object) -> None:
            pass

    path = tmp_path / "docker.sock"
    server = ThreadingUnixStreamServer(str(path), Engine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield path, seen
    server.shutdown()
    server.server_close()


def test_the_proxy_relays_allowed_reads_and_refuses_the_rest(
    engine: tuple[Path, list[str]],
) -> None:
    socket_path, seen = engine
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy = DockerApiProxy("mysite", str(socket_path))
    loop = asyncio.new_event_loop()
    task = loop.create_task(proxy.serve("127.0.0.1", port))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                listing = httpx.get(f"{base}/v1.41/containers/json", timeout=2)
                break
            except httpx.ConnectError:
                threading.Event().wait(0.1)
        assert listing.status_code == 200
        assert listing.json() == [{"Id": "abc", "Labels": {}}]
        refused = httpx.post(f"{base}/v1.41/containers/create", json={"Image": "x"}, timeout=2)
        assert refused.status_code == 403
        assert "refused" in refused.json()["message"]
        assert httpx.get(f"{base}/v1.41/containers/abc/logs", timeout=2).status_code == 403
        # Only the allowed read reached the Engine, narrowed to the project.
        assert len(seen) == 1
        assert "com.docker.compose.project%3Dmysite" in seen[0]
    finally:
        loop.call_soon_threadsafe(task.cancel)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
