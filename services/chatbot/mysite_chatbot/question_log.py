"""Writes the question log from a background thread, in batches, so a visitor's answer
never waits on a database write (SQLite serialises writers; MariaDB can be slow for a
moment). A request only appends to a deque (no lock, no thread wake-up: under load a
Queue's per-item notify made the writer thread fight the request threads for the GIL on
every question); the writer drains it every FLUSH_SECONDS with one multi-row INSERT. If the
database is away or the backlog is full, log rows are dropped with a warning: the answer
matters more than its record."""

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert

from mysite_chatbot.answering import ChatReply
from mysite_chatbot.models import QuestionLog, wording_key
from mysite_common.db import Database, utcnow

logger = logging.getLogger(__name__)

MAX_QUEUED = 10_000
# How long a question may wait before it is written (and the writer's idle wake-up).
FLUSH_SECONDS = 1.0
# Rows per INSERT: a second of questions under load is thousands of rows, and building
# them in one statement grew the replica's heap by megabytes that malloc keeps.
WRITE_CHUNK = 200
PURGE_EVERY_SECONDS = 3600.0
# The first purge waits until the replica has started: its DELETE (and the SQL compiled for
# it) would otherwise compete for the GIL with the engine being built.
FIRST_PURGE_AFTER_SECONDS = 30.0


@dataclass(frozen=True)
class LoggedQuestion:
    question: str
    reply: ChatReply
    latency_ms: float
    asked_at: datetime
    # Only a reply that offers suggestions has one (the visitor may pick one of them).
    reply_id: str | None = None

    def values(self) -> dict[str, Any]:
        """The question_log row, as the INSERT's parameters."""
        return {
            "question": self.question,
            "question_key": wording_key(self.question),
            "answer": self.reply.answer,
            "answered": self.reply.answered,
            "confidence": round(self.reply.confidence, 4),
            "language": self.reply.language,
            "latency_ms": round(self.latency_ms, 2),
            "mode": self.reply.mode,
            "fallback_reason": self.reply.fallback_reason,
            "sources_json": json.dumps(self.reply.sources, ensure_ascii=False),
            "resolved": False,
            "faq_id": None,
            "asked_at": self.asked_at,
            "reply_id": self.reply_id,
            "suggestions_json": json.dumps(
                [{"key": item["key"], "title": item["title"]} for item in self.reply.suggestions],
                ensure_ascii=False,
            ),
            "picked_key": None,
        }


class QuestionLogWriter:
    def __init__(self, database: Database, *, keep_days: int) -> None:
        self._database = database
        # Visitors' questions can hold personal details: they are kept only this long.
        self._keep_days = keep_days
        self._next_purge = 0.0
        # deque.append and popleft are atomic: request threads and the writer share it as is.
        self._pending: deque[LoggedQuestion] = deque()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        # Guards `_writing`, so flush() knows when a drained batch is also written.
        self._written = threading.Condition()
        self._writing = False
        self._thread: threading.Thread | None = None
        self._dropped = 0

    def record(
        self, question: str, reply: ChatReply, latency_ms: float, reply_id: str | None = None
    ) -> None:
        if len(self._pending) >= MAX_QUEUED:
            self._dropped += 1
            if self._dropped % 1000 == 1:
                logger.warning(
                    "question log backlog full; dropping", extra={"dropped": self._dropped}
                )
            return
        self._pending.append(LoggedQuestion(question, reply, latency_ms, utcnow(), reply_id))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything recorded so far is written (tests, shutdown)."""
        self._wake.set()
        with self._written:
            return self._written.wait_for(lambda: not self._pending and not self._writing, timeout)

    def start(self) -> None:
        self._next_purge = time.monotonic() + FIRST_PURGE_AFTER_SECONDS
        self._thread = threading.Thread(target=self._run, name="chatbot-question-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self._thread = None

    def _run(self) -> None:
        while True:
            self._purge_if_due()
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            stopping = self._stopping.is_set()
            self._write_pending()
            if stopping:
                return  # everything recorded before stop() is written

    def _write_pending(self) -> None:
        with self._written:
            items: list[LoggedQuestion] = []
            while self._pending:
                items.append(self._pending.popleft())
            self._writing = bool(items)
        try:
            if items:
                self._write(items)
        finally:
            with self._written:
                self._writing = False
                self._written.notify_all()

    def _write(self, items: list[LoggedQuestion]) -> None:
        try:
            with self._database.engine.begin() as connection:
                for start in range(0, len(items), WRITE_CHUNK):
                    chunk = items[start : start + WRITE_CHUNK]
                    connection.execute(insert(QuestionLog), [item.values() for item in chunk])
        except Exception as exc:
            logger.warning(
                "could not write the question log; dropping rows",
                extra={"rows": len(items), "error": type(exc).__name__},
            )

    def _purge_if_due(self) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        self.purge()

    def purge(self) -> int:
        """Deletes questions older than the retention period; every replica may do it."""
        cutoff = utcnow() - timedelta(days=self._keep_days)
        try:
            with self._database.session() as session:
                result = session.execute(delete(QuestionLog).where(QuestionLog.asked_at < cutoff))
                deleted = int(getattr(result, "rowcount", 0) or 0)
        except Exception as exc:
            logger.warning("could not purge the question log", extra={"error": type(exc).__name__})
            return 0
        if deleted:
            logger.info("old questions deleted", extra={"rows": deleted})
        return deleted
