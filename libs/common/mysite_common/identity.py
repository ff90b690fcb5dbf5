"""The identity the gateway vouches for, read from the headers it sets after ForwardAuth.

The gateway removes these headers from every client request and only the auth service's
verify answer puts them back, so a service may trust them. Services are never reachable
except through the gateway.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote, unquote

from fastapi import Depends, Request

from mysite_common.errors import ApiError

HEADER_USER_ID = "X-User-Id"
HEADER_USER_NAME = "X-User-Name"
HEADER_USER_ROLE = "X-User-Role"
# Display names are Unicode (Korean, emoji); HTTP header values are not, so it travels
# percent-encoded.
HEADER_USER_DISPLAY_NAME = "X-User-Display-Name"
IDENTITY_HEADERS = (HEADER_USER_ID, HEADER_USER_NAME, HEADER_USER_ROLE, HEADER_USER_DISPLAY_NAME)


class Role(StrEnum):
    owner = "owner"
    member = "member"


@dataclass(frozen=True)
class Identity:
    user_id: int
    username: str
    role: Role
    display_name: str

    @property
    def is_owner(self) -> bool:
        return self.role is Role.owner

    def to_headers(self) -> dict[str, str]:
        return {
            HEADER_USER_ID: str(self.user_id),
            HEADER_USER_NAME: self.username,
            HEADER_USER_ROLE: self.role.value,
            HEADER_USER_DISPLAY_NAME: quote(self.display_name, safe=""),
        }


def identity_from_headers(headers: dict[str, str] | object) -> Identity | None:
    get = getattr(headers, "get")  # noqa: B009 - works for dict and Starlette Headers alike
    raw_id = get(HEADER_USER_ID)
    if not raw_id:
        return None
    try:
        user_id = int(raw_id)
        role = Role(get(HEADER_USER_ROLE, ""))
    except ValueError:
        return None
    username = get(HEADER_USER_NAME, "")
    display_name = unquote(get(HEADER_USER_DISPLAY_NAME, "")) or username
    return Identity(user_id=user_id, username=username, role=role, display_name=display_name)


def optional_identity(request: Request) -> Identity | None:
    return identity_from_headers(request.headers)


def require_member(request: Request) -> Identity:
    identity = identity_from_headers(request.headers)
    if identity is None:
        raise ApiError(401, "unauthorized", "Log in to do this.")
    return identity


def require_owner(request: Request) -> Identity:
    identity = require_member(request)
    if not identity.is_owner:
        raise ApiError(403, "forbidden", "Only the site's owner can do this.")
    return identity


OptionalUser = Annotated[Identity | None, Depends(optional_identity)]
CurrentUser = Annotated[Identity, Depends(require_member)]
OwnerUser = Annotated[Identity, Depends(require_owner)]
