"""The address of the client a request came from, as the gateway saw it: the one place that
decides it (login regulation and anything else that counts per address uses this).

Every proxy appends the address that connected to it to `X-Forwarded-For`, and a proxy
trusts the list only from proxies it trusts; a client may write anything at its left end.
So only counting from the right is safe:

- the gateway (Traefik) appends the address that connected to it: the last entry;
- `MYSITE_CLIENT_IP_DEPTH` is how many trusted proxies stand in front of the gateway (0
  locally and in Compose, 1 behind the AWS load balancer), the same setting as the gateway's
  rate limits (`ipStrategy.depth`), so the client is the entry `depth` places before the last.

Never `X-Real-Ip`: Traefik passes a trusted proxy's copy through, and the AWS load balancer
passes the client's own. Never uvicorn's `request.client` either: with proxy headers on, it
is the leftmost entry, which the client wrote.
"""

import ipaddress
from typing import Annotated

from fastapi import Depends, Request

MAX_CLIENT_IP_DEPTH = 5
UNKNOWN_ADDRESS = "-"


def client_address_from(forwarded_for: list[str], peer: str | None, depth: int) -> str:
    """The client's address, from the X-Forwarded-For header values the service received
    (several headers count as one list) and the address that connected to the service."""
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    if len(hops) > depth:
        candidate = hops[-1 - depth]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return UNKNOWN_ADDRESS
    # Not through the gateway (tests calling a service directly): the connection's peer.
    return peer or UNKNOWN_ADDRESS


def client_address(request: Request) -> str:
    depth: int = getattr(request.app.state, "client_ip_depth", 0)
    peer = request.scope.get("client")  # used only when the request has no such header
    return client_address_from(
        request.headers.getlist("x-forwarded-for"), peer[0] if peer else None, depth
    )


ClientAddress = Annotated[str, Depends(client_address)]
