from mysite_chatbot.models import Base
from mysite_common.migrations import run_migrations

run_migrations(Base.metadata)
