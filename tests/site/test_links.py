"""Zero broken internal links or anchors in the built site, beyond what
`mkdocs build --strict` sees.

Strict mode checks markdown links between pages; it does not see raw HTML links, links
the theme or plugins write (notebook downloads, mkdocstrings cross-references,
mkdocs-jupyter pages), `src` of scripts and images, or whether a `#fragment` exists in
its target. This does, on the HTML a reader receives.
"""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out


LINKING = {
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("image", "href"),
}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if (tag, name) in LINKING and value is not None:
                self.links.append(value)


def _html_pages(site: Path) -> list[Path]:
    return sorted(
        p
        for p in site.rglob("*.html")
        if p.name != "404.html" and "assets" not in p.relative_to(site).parts
    )


def _parse(path: Path, cache: dict) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        cache[path] = page
    return cache[path]


def _target(site: Path, url_path: str) -> Path | None:
    """The file a site-absolute URL path serves, as a static server
    would (dir -> index.html)."""
    path = site / unquote(url_path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def broken_links(site: Path) -> list[str]:
    cache: dict = {}
    broken = []
    for page_path in _html_pages(site):
        here = "/" + page_path.relative_to(site).as_posix()
        for link in _parse(page_path, cache).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//") or link == "":
                continue  # another site (or the page itself)
            where = f"{here}: {link!r}"
            if parts.path:
                resolved = urljoin(here, parts.path)
                target = _target(site, resolved)
                if target is None:
                    broken.append(f"{where} -> {resolved} does not exist")
                    continue
            else:
                target = page_path
            fragment = unquote(parts.fragment)
            if (
                fragment
                and target.suffix == ".html"
                and fragment not in _parse(target, cache).ids
            ):
                in_page = target.relative_to(site).as_posix()
                broken.append(f"{where} -> no id {fragment!r} in /{in_page}")
    return broken


def test_no_broken_internal_links_or_anchors(site, site_pages):
    assert len(site_pages) >= 3, site_pages
    broken = broken_links(site)
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken)


def test_the_checker_sees_a_broken_anchor(tmp_path):
    """A page linking a missing file and a missing anchor is reported
    twice; good links are not."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(
        '<h2 id="x">x</h2><a href="#x">ok</a><a href="../b/#nope">bad</a>'
        '<a href="../c/">missing</a><a href="https://example.org/">ext</a>'
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b/index.html").write_text(
        '<h2 id="yes">b</h2><a href="../a/#x">ok</a>'
    )
    broken = broken_links(tmp_path)
    assert len(broken) == 2, broken
    assert "no id 'nope'" in broken[0] or "no id 'nope'" in broken[1]
