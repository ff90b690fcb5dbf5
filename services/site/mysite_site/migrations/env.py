from mysite_common.migrations import run_migrations
from mysite_site.models import Base

run_migrations(Base.metadata)
