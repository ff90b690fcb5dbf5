"""Markdown from the owner, rendered to HTML and then cleaned by a maintained sanitizer (nh3).

Raw HTML in the Markdown is shown as text, and the sanitizer runs anyway: a parser bug must
not become a script on the page. Images are not allowed (the page's CSP only allows its own).
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])
# Headings inside a section's text sit below the section's own heading.
_HEADING_SHIFT = {"<h1>": "<h3>", "</h1>": "</h3>", "<h2>": "<h4>", "</h2>": "</h4>"}


def _shift_headings(html: str) -> str:
    for old, new in _HEADING_SHIFT.items():
        html = html.replace(old, new)
    return html


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> Markup:
    html = _shift_headings(_markdown.render(text))
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - sanitized by nh3 just above
