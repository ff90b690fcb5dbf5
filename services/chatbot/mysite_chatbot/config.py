from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from mysite_common.settings import ServiceSettings
from mysite_common.text import MAX_QUESTION_CHARS


class ChatbotSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CHATBOT_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "chatbot"

    # Where the site service answers GET /api/site/knowledge (the owner's profile and FAQ)
    # and takes FAQ entries at /internal/faq (balanced over its replicas; never through the
    # public entry point).
    site_url: str = "http://127.0.0.1:8000"
    # Each replica asks the site for the document this often (mysite_common.sync, with
    # If-None-Match: a 304 costs next to nothing).
    sync_seconds: float = Field(default=2.0, gt=0, le=300)
    profile_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    # A document larger than this is refused as garbage and the last good one is kept.
    max_profile_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)

    # At most mysite_common's limit, which the site's question fields and FAQ questions share.
    max_question_chars: int = Field(default=MAX_QUESTION_CHARS, ge=10, le=MAX_QUESTION_CHARS)
    # Offline replies kept per replica for questions asked again (answering.AnswerCache);
    # 0 turns the cache off (the benchmark measures the engine's misses that way).
    answer_cache_size: int = Field(default=2048, ge=0, le=100_000)

    # Where the kakao service answers POST /internal/notifications (service to service, never
    # through the public gateway): a question the chatbot declines is told to the owner.
    # Empty: off.
    kakao_url: str = ""

    # Logged questions older than this are deleted (they can hold visitors' personal details).
    question_log_days: int = Field(default=365, ge=1, le=3650)

    # Sentence vectors (the multilingual Universal Sentence Encoder, shipped in a wheel) next
    # to lexical matching: they carry questions across languages and across wordings the
    # vocabulary lacks. Off only runs the lexical fallback model (docs/performance.md).
    embeddings: bool = True

    # Optional LLM mode: an OpenAI-compatible chat completions endpoint. CHATBOT_LLM_URL is the
    # full endpoint URL (https://api.openai.com/v1/chat/completions); a base URL such as
    # http://127.0.0.1:11434/v1 gets "/chat/completions" appended. Off unless URL and model set.
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_seconds: float = Field(default=8.0, gt=0, le=60)
    llm_top_k: int = Field(default=4, ge=1, le=10)
    # Entries the re-ranker scores below this are not worth a model's time: when none reaches
    # it, the offline answer (usually "I don't know") is given without calling the LLM. With
    # the learned similarity, 0.3 kept 43% of the second to fourth owners' unanswerable
    # questions off the LLM and let every answerable one through (0.15: 33%, also all).
    llm_min_score: float = Field(default=0.3, ge=0, le=1)
    llm_max_answer_chars: int = Field(default=1500, ge=100, le=10_000)
    # After this many failures in a row the LLM is skipped for a while, so visitors do not
    # each wait for a timeout while it is down.
    llm_failures_before_pause: int = Field(default=3, ge=1)
    llm_pause_seconds: float = Field(default=30.0, ge=0)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_url and self.llm_model)

    @property
    def llm_endpoint(self) -> str:
        url = self.llm_url.rstrip("/")
        return url if url.endswith("/chat/completions") else url + "/chat/completions"
