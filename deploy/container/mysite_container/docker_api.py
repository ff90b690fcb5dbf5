"""A read-only door to the Docker Engine API for the gateway, scoped to one Compose project.

Traefik's Docker provider needs to list containers, inspect them and follow their events.
Given the Docker socket itself, it could do anything the Engine can (start a privileged
container, read every container's environment), and read-only mounting does not limit an
API. So the gateway gets this instead, on a network only the two of them share:

- only GET and HEAD of the paths the provider uses (`_ping`, `version`, `info`, `events`,
  `containers/json`, `containers/<id>/json`), with or without an API version prefix; any
  other request gets 403 and never reaches the Engine;
- container lists and events filtered to the containers of this Compose project (label
  `com.docker.compose.project`), so a second stack on the same machine stays out of this
  gateway's routes;
- one request per connection (`Connection: close`), each checked, relayed as it streams.

    python -m mysite_container docker-api --project mysite --port 2375
"""

import asyncio
import contextlib
import json
import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

logger = logging.getLogger("mysite_container.docker_api")

ALLOWED_METHODS = {"GET", "HEAD"}
ALLOWED_PATH = re.compile(
    r"^(/v[0-9]+\.[0-9]+)?/(_ping|version|info|events|containers/json"
    r"|containers/[A-Za-z0-9][A-Za-z0-9_.-]*/json)$"
)
# Requests whose answers list containers: narrowed to the project's.
FILTERED_PATH = re.compile(r"^(/v[0-9]+\.[0-9]+)?/(events|containers/json)$")
PROJECT_LABEL = "com.docker.compose.project"
MAX_HEAD_BYTES = 16 * 1024


class RefusedError(Exception):
    """The request is not one the gateway needs; its message is the reason."""


def with_project_filter(query: str, project: str) -> str:
    """The query string with `label=com.docker.compose.project=<project>` added to Docker's
    `filters` (JSON: {"label": ["a=b"]}, or the older {"label": {"a=b": true}})."""
    pairs = parse_qsl(query, keep_blank_values=True)
    filters: dict[str, list[str]] = {}
    for name, value in pairs:
        if name == "filters" and value:
            try:
                given = json.loads(value)
            except json.JSONDecodeError as error:
                raise RefusedError("filters is not JSON") from error
            if not isinstance(given, dict):
                raise RefusedError("filters is not a JSON object")
            for key, values in given.items():
                if isinstance(values, dict):
                    values = [item for item, wanted in values.items() if wanted]
                if not isinstance(values, list):
                    raise RefusedError("a filter is neither a list nor an object")
                filters[str(key)] = [str(item) for item in values]
    filters.setdefault("label", []).append(f"{PROJECT_LABEL}={project}")
    kept = [(name, value) for name, value in pairs if name != "filters"]
    return urlencode([*kept, ("filters", json.dumps(filters, separators=(",", ":")))])


def rewrite_request(head: bytes, project: str) -> bytes:
    """The request to send to the Engine, or RefusedError: only allowed reads pass, with the
    project filter added and the connection closed after the answer."""
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise RefusedError("malformed request line")
    method, target, version = parts
    if method not in ALLOWED_METHODS:
        raise RefusedError(f"method {method} not allowed")
    url = urlsplit(target)
    if url.scheme or url.netloc or not ALLOWED_PATH.match(url.path):
        raise RefusedError(f"path {url.path} not allowed")
    query = url.query
    if FILTERED_PATH.match(url.path):
        query = with_project_filter(query, project)
    headers = []
    for line in header_lines:
        if not line:
            continue
        name = line.split(":", 1)[0].strip().lower()
        if name in {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}:
            continue  # no body, no upgrade, no second request on this connection
        headers.append(line)
    target = url.path + (f"?{query}" if query else "")
    lines = [f"{method} {target} {version}", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def refusal(reason: str) -> bytes:
    body = json.dumps({"message": f"refused by the gateway's Docker API proxy: {reason}"})
    return (
        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()


class DockerApiProxy:
    def __init__(self, project: str, socket_path: str) -> None:
        self.project = project
        self.socket_path = socket_path

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                request = rewrite_request(head, self.project)
            except RefusedError as error:
                logger.warning("refused: %s", error)
                writer.write(refusal(str(error)))
                await writer.drain()
                return
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, UnicodeError):
                return
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(self.socket_path)
            try:
                upstream_writer.write(request)
                await upstream_writer.drain()
                # The Engine closes after its answer (Connection: close); events stream
                # until the gateway hangs up.
                while chunk := await upstream_reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
            finally:
                upstream_writer.close()
        except (ConnectionError, OSError) as error:
            logger.debug("connection ended: %s", error)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def serve(self, host: str, port: int) -> None:
        server = await asyncio.start_server(self.handle, host, port, limit=MAX_HEAD_BYTES)
        logger.info("Docker API proxy for project %s on %s:%d", self.project, host, port)
        async with server:
            await server.serve_forever()
