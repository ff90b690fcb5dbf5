from mysite_common.migrations import run_migrations
from mysite_kakao.models import Base

run_migrations(Base.metadata)
