"""What this replica reaches Kakao and the owner's tokens with: settings, database, the API
client, the token cipher, the token lock and the clock. Built once in app.py from its parts
and never changed; connection.py, notifications.py and the delivery worker take it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mysite_common.db import Database
from mysite_kakao.config import KakaoSettings
from mysite_kakao.crypto import TokenCipher
from mysite_kakao.kakao_client import KakaoClient
from mysite_kakao.locks import TokenGuard

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Kakao:
    settings: KakaoSettings
    database: Database
    client: KakaoClient
    cipher: TokenCipher
    token_guard: TokenGuard
    # The clock for token lifetimes (tests give the fake Kakao's controllable clock).
    # Leases, backoff and message times use the real clock: they protect against real
    # crashes and real outages.
    clock: Clock
