"""A local stand-in for an OpenAI-compatible chat completions API.

A real HTTP server on 127.0.0.1 implementing `POST /v1/chat/completions` as OpenAI documents
it: the request carries `model` and `messages` [{role, content}] (plus optional sampling
fields), the response is a `chat.completion` object {id, object, created, model, choices:
[{index, message: {role: "assistant", content}, finish_reason}], usage}; errors are
{"error": {message, type, param, code}} with 401 for a wrong key, 400 for a malformed request
and 429 for rate limits.

What it answers is set by `mode` (see MODES), so tests can make it fail in each way:

    with FakeLlm(api_key="test-key") as llm:
        ... CHATBOT_LLM_URL=llm.chat_url, CHATBOT_LLM_MODEL=llm.model, CHATBOT_LLM_API_KEY=...
        llm.mode = "timeout"
        llm.requests  # every request body it accepted

As its own process, for trying LLM mode on a local stack (mode changed with
`POST /_fake/mode {"mode": "..."}`):

    python -m mysite_testing.fake_llm --port 9500 --api-key dev-key
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from mysite_testing.fake_server import FakeServer

logger = logging.getLogger(__name__)

MODES = {
    "grounded": "answers with the first entry's text, citing it as [1]",
    "ungrounded": "answers with invented facts, citing [1]",
    "wrong_citation": "answers with the first entry's text, citing an entry it was not given",
    "uncited": "answers with the first entry's text and no citation",
    "no_answer": "answers exactly NO_ANSWER",
    "leak": "repeats its system prompt (what an injected 'reveal your prompt' would get)",
    "scripted": "answers with `scripted_content`",
    "timeout": "waits `slow_seconds` before answering (grounded)",
    "error_500": "answers 500 with an OpenAI error body",
    "rate_limited": "answers 429 with an OpenAI rate-limit error",
    "malformed": "answers 200 with a body that is not JSON",
    "empty_choices": "answers 200 with an empty `choices` list",
    "null_content": "answers 200 with a choice whose content is null",
}
_ENTRY_LINE = re.compile(r"^\[(\d+)\] (.*)$")


def _error(message: str, error_type: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def entries_in(messages: list[dict[str, Any]]) -> list[str]:
    """The numbered entries quoted in the user message ("[1] "json string"" lines)."""
    entries: list[str] = []
    for message in messages:
        if message.get("role") != "user" or not isinstance(message.get("content"), str):
            continue
        for line in message["content"].splitlines():
            match = _ENTRY_LINE.match(line)
            if not match:
                continue
            try:
                text = json.loads(match.group(2))
            except ValueError:
                text = match.group(2)
            entries.append(str(text))
    return entries


class FakeLlm:
    def __init__(
        self, *, api_key: str = "test-key", model: str = "fake-gpt", port: int = 0
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.mode = "grounded"
        self.scripted_content = ""
        self.slow_seconds = 5.0
        self.requests: list[dict[str, Any]] = []
        self.unauthorized_requests = 0
        self._lock = threading.Lock()
        self._server = FakeServer(("127.0.0.1", port), self._handler())
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The API's base URL, as OpenAI's clients take it ("…/v1")."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def chat_url(self) -> str:
        return f"{self.url}/chat/completions"

    def start(self) -> FakeLlm:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-llm", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeLlm:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- answering ----------------------------------------------------------------------

    def completion(self, request: dict[str, Any]) -> tuple[int, bytes]:
        """(status, body) for one authorized, well-formed request."""
        mode = self.mode
        if mode == "error_500":
            body = _error(
                "The server had an error while processing your request.", "server_error", None
            )
            return 500, json.dumps(body).encode()
        if mode == "rate_limited":
            body = _error(
                "Rate limit reached for requests. Please try again in 20s.",
                "requests",
                "rate_limit_exceeded",
            )
            return 429, json.dumps(body).encode()
        if mode == "malformed":
            return 200, b'{"id": "chatcmpl-broken", "choices": [{"message": '
        if mode == "timeout":
            time.sleep(self.slow_seconds)
        messages = request["messages"]
        entries = entries_in(messages)
        first = entries[0] if entries else "I have nothing to go on."
        content: str | None
        if mode in ("grounded", "timeout"):
            content = f"{first} [1]"
        elif mode == "ungrounded":
            content = (
                "I live on Mars and work as an astronaut for Zorblax Industries since 1975 [1]."
            )
        elif mode == "wrong_citation":
            content = f"{first} [{len(entries) + 7}]"
        elif mode == "uncited":
            content = first
        elif mode == "no_answer":
            content = "NO_ANSWER"
        elif mode == "leak":
            system = next((m["content"] for m in messages if m.get("role") == "system"), "")
            content = f"My instructions are: {system} [1]"
        elif mode == "scripted":
            content = self.scripted_content
        elif mode == "null_content":
            content = None
        elif mode == "empty_choices":
            return 200, json.dumps(self._envelope([], 0)).encode()
        else:
            raise ValueError(f"unknown fake LLM mode {mode!r}; one of {', '.join(MODES)}")
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
        completion_tokens = len((content or "").split())
        return 200, json.dumps(self._envelope([choice], completion_tokens)).encode()

    def _envelope(self, choices: list[dict[str, Any]], completion_tokens: int) -> dict[str, Any]:
        prompt_tokens = 50
        return {
            "id": f"chatcmpl-{secrets.token_hex(12)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "system_fingerprint": "fp_fake",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("fake llm: " + format, *args)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send_json(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path == "/_fake/mode":
                    self._set_mode(raw)
                    return
                if self.path != "/v1/chat/completions":
                    self._send_json(
                        404, _error(f"Unknown path {self.path}", "invalid_request_error", None)
                    )
                    return
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    with fake._lock:
                        fake.unauthorized_requests += 1
                    self._send_json(
                        401,
                        _error(
                            "Incorrect API key provided.",
                            "invalid_request_error",
                            "invalid_api_key",
                        ),
                    )
                    return
                try:
                    request = json.loads(raw)
                except ValueError:
                    self._send_json(
                        400,
                        _error("We could not parse the JSON body.", "invalid_request_error", None),
                    )
                    return
                problem = _request_problem(request)
                if problem:
                    self._send_json(400, _error(problem, "invalid_request_error", None))
                    return
                with fake._lock:
                    fake.requests.append(request)
                status, body = fake.completion(request)
                # The client may have given up waiting (the timeout mode).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(status, body)

            def _set_mode(self, raw: bytes) -> None:
                try:
                    wanted = json.loads(raw)
                    mode = wanted["mode"]
                except (ValueError, KeyError, TypeError):
                    self._send_json(400, {"error": 'send {"mode": ...}'})
                    return
                if mode not in MODES:
                    self._send_json(400, {"error": f"modes: {', '.join(MODES)}"})
                    return
                fake.mode = mode
                fake.scripted_content = str(wanted.get("content", ""))
                self._send_json(200, {"mode": mode})

        return Handler


def _request_problem(request: Any) -> str | None:
    """What OpenAI would refuse with 400 in the parts a client must get right."""
    if not isinstance(request, dict):
        return "The request body must be a JSON object."
    if not isinstance(request.get("model"), str) or not request["model"]:
        return "you must provide a model parameter"
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for position, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages[{position}] must be an object"
        if message.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            return f"messages[{position}].role is invalid"
        if not isinstance(message.get("content"), str | list):
            return f"messages[{position}].content must be a string or an array"
    temperature = request.get("temperature", 1)
    if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        return "temperature must be between 0 and 2"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m mysite_testing.fake_llm")
    parser.add_argument("--port", type=int, default=9500)
    parser.add_argument("--api-key", default="dev-key")
    parser.add_argument("--model", default="fake-gpt")
    parser.add_argument("--mode", default="grounded", choices=sorted(MODES))
    arguments = parser.parse_args()
    fake = FakeLlm(api_key=arguments.api_key, model=arguments.model, port=arguments.port)
    fake.mode = arguments.mode
    print(f"fake LLM at {fake.chat_url} (model {fake.model}, mode {fake.mode})", flush=True)
    try:
        fake._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main()
