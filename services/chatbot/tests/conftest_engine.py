"""Shared, session-scoped engine fixtures for the engine's tests.

Import the fixtures you use from a test module:

    from conftest_engine import engine, lexical_engine, resources  # noqa: F401

Building Kiwi takes a couple of seconds, so the language resources are built once per
test session and shared. The eval profile (services/chatbot/eval/) is the test profile.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mysite_chatbot.engine import Answer, Engine, FaqEntry, LanguageResources

EVAL_DIR = Path(__file__).resolve().parents[1] / "eval"


def top_key(answer: Answer) -> str | None:
    """The key of the entry an answer came from, or None when the engine declined."""
    return answer.sources[0].key if answer.answered and answer.sources else None


def load_eval_profile() -> tuple[dict[str, Any], list[FaqEntry]]:
    profile = json.loads((EVAL_DIR / "profile.json").read_text(encoding="utf-8"))
    rows = json.loads((EVAL_DIR / "faqs.json").read_text(encoding="utf-8"))
    return profile, [FaqEntry(int(row["id"]), row["question"], row["answer"]) for row in rows]


@pytest.fixture(scope="session")
def resources(language_resources: LanguageResources) -> LanguageResources:
    """Kiwi, the vocabulary and the sentence encoder (shared with the service tests)."""
    return language_resources


@pytest.fixture(scope="session")
def engine(resources: LanguageResources) -> Engine:
    """The engine most tests use: hybrid, as shipped, with the eval profile loaded."""
    engine = Engine(resources)
    profile, faqs = load_eval_profile()
    engine.load(profile, faqs)
    return engine


@pytest.fixture(scope="session")
def lexical_engine(resources: LanguageResources) -> Engine:
    """The fallback when the sentence encoder is unavailable: lexical signals only."""
    lexical = LanguageResources(resources.korean, resources.analyzer, None, "disabled")
    engine = Engine(lexical)
    profile, faqs = load_eval_profile()
    engine.load(profile, faqs)
    return engine
