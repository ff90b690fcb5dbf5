"""Shows the identity the gateway vouched for (a platform check; no secrets in it)."""

from fastapi import APIRouter

from mysite_common.identity import OptionalUser

router = APIRouter(prefix="/api/chat", tags=["chat"])


@router.get("/whoami")
async def whoami(identity: OptionalUser) -> dict[str, object]:
    if identity is None:
        return {"authenticated": False}
    return {
        "authenticated": True,
        "user_id": identity.user_id,
        "username": identity.username,
        "role": identity.role.value,
        "display_name": identity.display_name,
    }
