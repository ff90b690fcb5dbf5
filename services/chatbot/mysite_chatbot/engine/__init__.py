"""Question answering about the site owner, from their JSON Resume profile and FAQ.

Hybrid retrieval (Kiwi morphemes + BM25, and multilingual sentence vectors from the
Universal Sentence Encoder shipped in a wheel), a learned re-ranker and a learned
answer-or-decline decision (data/model.json, `make train`); no web framework, no
database, no network.

    from mysite_chatbot.engine import Engine, FaqEntry
    engine = Engine.create()   # heavy (Kiwi and the encoder, a few seconds): once per process
    engine.warm_up()
    engine.load(profile, [FaqEntry(1, "질문", "답")])
    answer = engine.ask("어디서 일하세요?")
"""

from .engine import Engine, EngineMode, LanguageResources, RankedEntry
from .models import Answer, Entry, FaqEntry, Source, Suggestion

__all__ = [
    "Answer",
    "Engine",
    "EngineMode",
    "Entry",
    "FaqEntry",
    "LanguageResources",
    "RankedEntry",
    "Source",
    "Suggestion",
]
