"""The owner's view of the connection: /api/kakao/status and /api/kakao/disconnect."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from mysite_common.db import DbSession
from mysite_common.identity import OwnerUser
from mysite_kakao import connection, messages
from mysite_kakao.deps import KakaoDep
from mysite_kakao.kakao import Kakao

router = APIRouter(prefix="/api/kakao", tags=["kakao"])


class LastConnect(BaseModel):
    result: str
    reason: str
    message: str | None
    at: datetime | None


class ConnectionStatus(BaseModel):
    configured: bool
    state: str
    connected: bool
    needs_reconnect: bool
    kakao_user_id: int | None
    scopes: list[str]
    connected_at: datetime | None
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    last_refresh_at: datetime | None
    last_error: str | None
    last_error_code: str | None
    last_error_at: datetime | None
    last_connect: LastConnect | None
    messages: dict[str, int]


def _status(kakao: Kakao, db: Any) -> ConnectionStatus:
    row = connection.read_connection(db)
    state, problem = connection.connection_state(kakao, row, kakao.clock())
    connected = state in (
        connection.ConnectionState.connected,
        connection.ConnectionState.reconnect_soon,
    )
    last_connect = connection.last_connect_attempt(db)
    return ConnectionStatus(
        configured=kakao.settings.is_configured,
        state=state.value,
        connected=connected,
        needs_reconnect=state
        in (
            connection.ConnectionState.reconnect_soon,
            connection.ConnectionState.reconnect_required,
        ),
        kakao_user_id=row.kakao_user_id if row else None,
        scopes=(row.scopes.split() if row and row.scopes else []),
        connected_at=row.connected_at if row else None,
        access_token_expires_at=row.access_token_expires_at if row and connected else None,
        refresh_token_expires_at=row.refresh_token_expires_at if row and connected else None,
        last_refresh_at=row.last_refresh_at if row else None,
        last_error=problem,
        last_error_code=(row.last_error_code if row else None)
        or (state.value if problem else None),
        last_error_at=row.last_error_at if row else None,
        last_connect=LastConnect(**last_connect) if last_connect else None,
        messages=messages.status_counts(db),
    )


@router.get("/status")
def status(_owner: OwnerUser, db: DbSession, kakao: KakaoDep) -> ConnectionStatus:
    return _status(kakao, db)


@router.post("/disconnect")
def disconnect(_owner: OwnerUser, db: DbSession, kakao: KakaoDep) -> ConnectionStatus:
    connection.disconnect(kakao)
    db.expire_all()
    return _status(kakao, db)
