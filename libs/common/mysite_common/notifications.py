"""Tells the kakao service that something happened the owner wants to hear about
(`POST /internal/notifications`), from the service where it happened.

Fire-and-forget with a bounded retry, on a background thread. Why not synchronous: a
visitor's guestbook entry or chatbot answer must never wait on, or fail because of, the
owner's KakaoTalk. Why a retry: kakao restarting or being redeployed for a minute must not
lose the event; the event id makes a retry that kakao already stored harmless (it tells the
owner once). The retry is bounded (`retry_seconds`, about five minutes): an event is lost
only if kakao stays unreachable longer than that, or this replica stops meanwhile (the
shutdown gives the queue one last try). Once kakao answered 202 the event is in its
database and goes through its durable delivery queue.
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

import httpx

from mysite_common.logs import request_id_var

logger = logging.getLogger(__name__)

NOTIFICATIONS_PATH = "/internal/notifications"
MAX_WAITING = 1000


@dataclass(frozen=True)
class NotificationEvent:
    kind: str  # "guestbook_entry" or "declined_question"
    event_id: str  # unique per event: a retry sends the same id
    text: str
    author: str | None = None
    request_id: str = "-"
    reported_at: float = field(default_factory=time.monotonic)

    def body(self) -> dict[str, str]:
        body = {"kind": self.kind, "event_id": self.event_id, "text": self.text}
        if self.author:
            body["author"] = self.author
        return body


class NotificationSender:
    """One per app. `notify()` never blocks and never raises; a background thread sends.

    `kakao_url` empty: notifications are off (an installation without the kakao service).
    """

    def __init__(
        self,
        kakao_url: str,
        *,
        retry_seconds: float = 300.0,
        first_retry_seconds: float = 0.5,
        max_retry_wait_seconds: float = 30.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        self.kakao_url = kakao_url.rstrip("/")
        self._retry_seconds = retry_seconds
        self._first_retry_seconds = first_retry_seconds
        self._max_retry_wait_seconds = max_retry_wait_seconds
        self._timeout_seconds = timeout_seconds
        self._waiting: queue.Queue[NotificationEvent] = queue.Queue(MAX_WAITING)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None
        self.sent = 0
        self.dropped = 0

    @property
    def enabled(self) -> bool:
        return bool(self.kakao_url)

    def notify(self, *, kind: str, event_id: str, text: str, author: str | None = None) -> None:
        if not self.enabled:
            return
        event = NotificationEvent(kind, event_id, text, author, request_id_var.get())
        try:
            self._waiting.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            logger.warning("notification queue full; dropping", extra={"kind": kind})

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        self._client = httpx.Client(base_url=self.kakao_url, timeout=self._timeout_seconds)
        self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops retrying; what is still waiting gets one last try within `timeout`."""
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join(timeout)
        self._thread = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until everything reported so far was sent or given up (tests)."""
        deadline = time.monotonic() + timeout
        with self._waiting.all_tasks_done:
            while self._waiting.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._waiting.all_tasks_done.wait(left)
        return True

    # --- the sending thread -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                event = self._waiting.get(timeout=0.2)
            except queue.Empty:
                if self._stopping.is_set():
                    return
                continue
            try:
                self._deliver(event)
            finally:
                self._waiting.task_done()

    def _deliver(self, event: NotificationEvent) -> None:
        give_up_at = event.reported_at + self._retry_seconds
        wait = self._first_retry_seconds
        while True:
            outcome = self._send_once(event)
            if outcome == "done":
                self.sent += 1
                return
            if outcome == "refused":
                self.dropped += 1
                return
            # Shutting down: one try each for what is left, no waiting.
            if self._stopping.is_set() or time.monotonic() + wait > give_up_at:
                self.dropped += 1
                logger.warning(
                    "could not tell kakao about an event; giving up",
                    extra={"kind": event.kind, "event_id": event.event_id},
                )
                return
            self._stopping.wait(wait)
            wait = min(wait * 2, self._max_retry_wait_seconds)

    def _send_once(self, event: NotificationEvent) -> str:
        """ "done", "refused" (kakao will never take it: a bug, not an outage) or "retry"."""
        assert self._client is not None
        headers = {"X-Request-Id": event.request_id} if event.request_id != "-" else {}
        try:
            response = self._client.post(NOTIFICATIONS_PATH, json=event.body(), headers=headers)
        except httpx.HTTPError as exc:
            logger.info(
                "kakao unreachable; will retry the notification",
                extra={"kind": event.kind, "error": type(exc).__name__},
            )
            return "retry"
        if response.status_code < 300:
            return "done"
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            return "retry"
        logger.warning(
            "kakao refused a notification",
            extra={"kind": event.kind, "status": response.status_code},
        )
        return "refused"
