"""The templates: one Jinja environment with the site's filters, and what every template
may use (language, visitor, head tags, strings for the page's scripts)."""

import json
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from mysite_common.text import MAX_QUESTION_CHARS
from mysite_site import i18n, seo, themes
from mysite_site.assets import StaticAssets
from mysite_site.config import SiteSettings
from mysite_site.csrf import CSRF_FIELD
from mysite_site.links import display_host, photo_src, safe_href, tel_href
from mysite_site.markup import render_markdown

if TYPE_CHECKING:  # page.py holds a Templates: a runtime import would be circular
    from mysite_site.page import PageContext


class Templates:
    def __init__(self, settings: SiteSettings, assets: StaticAssets) -> None:
        self.settings = settings
        self.assets = assets
        self.env = Environment(
            loader=PackageLoader("mysite_site", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            auto_reload=False,
        )
        self.env.filters["markdown"] = render_markdown
        self.env.filters["safe_href"] = safe_href
        self.env.filters["photo_src"] = photo_src
        self.env.filters["display_host"] = display_host
        self.env.filters["tel_href"] = tel_href
        self.env.globals["static"] = assets.url
        self.env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
        self.env.globals["CSRF_FIELD"] = CSRF_FIELD
        self.env.globals["MAX_QUESTION_CHARS"] = MAX_QUESTION_CHARS
        self.env.globals["THEMES"] = themes.THEMES
        self.env.globals["theme_stylesheet"] = lambda theme: assets.url(themes.stylesheet(theme))

    def render(
        self,
        template: str,
        page: "PageContext",
        /,
        *,
        csrf_token: str | None = None,
        script_strings: tuple[str, ...] = (),
        **values: Any,
    ) -> str:
        language = page.language
        # The profile as a visitor reading this language sees it (its translation, if any).
        resume = page.profile.resume_in(language) if page.profile else {}
        basics = resume.get("basics") if isinstance(resume.get("basics"), dict) else {}
        brand = (basics or {}).get("name") or "mysite"
        request = page.request
        head = seo.head_tags(
            self.settings,
            resume,
            language=language,
            path=request.url.path,
            query=request.query_params.multi_items(),
            is_error="status" in values,
            content_language=i18n.as_language(page.profile.content_language(language))
            if page.profile
            else None,
            published_at=page.profile.published_at if page.profile else None,
        )
        strings = i18n.strings_for(language, ("common.", "js.", "logout.", *script_strings))
        context: dict[str, Any] = {
            "lang": language,
            "other_lang": i18n.other_language(language),
            "t": i18n.translator(language),
            "format_date": lambda value: i18n.format_date(value, language),
            "format_period": lambda start, end: i18n.format_period(start, end, language),
            "field_label": lambda section, key: i18n.field_label(language, section, key),
            "viewer": page.viewer,
            "csrf_token": csrf_token if csrf_token is not None else page.csrf_token,
            "current_path": page.current_path,
            "login_url": page.login_url(),
            "brand": brand,
            "head": head,
            "json_ld": Markup(script_json(head.json_ld)) if head.json_ld else None,  # noqa: S704
            "content_lang": page.profile.content_language(language) if page.profile else language,
            "settings": self.settings,
            "theme": page.profile.theme if page.profile else themes.DEFAULT_THEME,
            "script_strings": Markup(script_json(strings)),  # noqa: S704 - escaped JSON
            "active": None,
            "tab": None,
            **values,
        }
        return self.env.get_template(template).render(context)


def script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<' can close the element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
