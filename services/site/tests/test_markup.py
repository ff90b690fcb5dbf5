"""Owner Markdown becomes sanitized HTML; nothing in it can run in a visitor's browser."""

from html.parser import HTMLParser

import pytest

from mysite_site.markup import render_markdown


class Elements(HTMLParser):
    """Every real element and attribute in a piece of HTML (escaped text is not one)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def test_markdown_renders() -> None:
    html = str(render_markdown("Hello **world** and [a link](https://example.com)\n\n- one\n- two"))
    assert "<strong>world</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow ugc">a link</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "<svg onload=alert(1)>",
        '<p style="color:red">x</p>',
        "![pic](https://evil.example/track.png)",
    ],
)
def test_nothing_executable_survives(text: str) -> None:
    found = Elements(str(render_markdown(text)))
    assert not {"script", "img", "iframe", "svg"} & set(found.tags)
    for name, value in found.attributes:
        assert not name.startswith("on")
        assert name != "style"
        if name in ("href", "src"):
            assert value.startswith(("https:", "http:", "mailto:")), value


def test_headings_sit_below_the_section_heading() -> None:
    html = str(render_markdown("# Big\n\n## Smaller"))
    assert "<h3>Big</h3>" in html
    assert "<h4>Smaller</h4>" in html
    assert "<h1>" not in html


def test_korean_and_emoji_pass_through() -> None:
    assert "안녕하세요 👋" in str(render_markdown("안녕하세요 👋"))
