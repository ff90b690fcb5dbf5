from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from mysite_common.settings import ServiceSettings


class ChatbotSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CHATBOT_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "chatbot"

    # Where the site service answers GET /api/site/profile (balanced over its replicas).
    site_url: str = "http://127.0.0.1:8000"
    profile_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    max_question_chars: int = Field(default=500, ge=10, le=4000)

    # Optional LLM mode (an OpenAI-compatible chat completions endpoint).
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_seconds: float = Field(default=8.0, gt=0, le=60)
