"""The site's themes: each a stylesheet over the same markup, one chosen by the owner for
every page. The choice is kept in the owner_settings row."""

from typing import Literal, get_args

from sqlalchemy.orm import Session

from mysite_common.db import utcnow
from mysite_site import profiles
from mysite_site.models import OwnerSettings

Theme = Literal["clean", "classic", "card"]
THEMES: tuple[Theme, ...] = get_args(Theme)
DEFAULT_THEME: Theme = "clean"
SETTINGS_ROW_ID = 1


def stylesheet(theme: str) -> str:
    """The theme's stylesheet, under static/ (loaded after site.css, which it adjusts)."""
    return f"css/themes/{theme}.css"


def load_theme(session: Session) -> Theme:
    row = session.get(OwnerSettings, SETTINGS_ROW_ID)
    if row is None:
        return DEFAULT_THEME
    # A theme removed in a later release falls back to the default rather than breaking pages.
    return next((theme for theme in THEMES if theme == row.theme), DEFAULT_THEME)


def set_theme(session: Session, theme: Theme) -> int:
    """Stores the theme and raises the profile's version in the same transaction: every
    replica then renders its pages again, as after any change visitors can see."""
    row = session.get(OwnerSettings, SETTINGS_ROW_ID, with_for_update=True)
    if row is None:
        session.add(OwnerSettings(id=SETTINGS_ROW_ID, theme=theme, updated_at=utcnow()))
    else:
        row.theme = theme
        row.updated_at = utcnow()
    return profiles.raise_version(session)
