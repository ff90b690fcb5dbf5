"""HTTP client for calls to other services: passes the request id along, always times out."""

import httpx

from mysite_common.logs import request_id_var


def _add_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id != "-":
        request.headers["X-Request-Id"] = request_id


def service_client(base_url: str, *, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(
        base_url=base_url, timeout=timeout, event_hooks={"request": [_add_request_id]}
    )
