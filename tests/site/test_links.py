"""Zero broken internal links or anchors in the built site, beyond what
`mkdocs build --strict` sees.

Strict mode checks markdown links between pages; it does not see raw HTML links, links
the theme or plugins write (notebook downloads, mkdocstrings cross-references,
mkdocs-jupyter pages), `src` of scripts and images, or whether a `#fragment` exists in
its target. This does, on the HTML a reader receives.
"""

import re
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


def _external(site: Path) -> dict[str, list[str]]:
    """Every link off the site: {href: [pages linking it]}."""
    found: dict[str, list[str]] = {}
    cache: dict = {}
    for page_path in _html_pages(site):
        for link in _parse(page_path, cache).links:
            if urlsplit(link).scheme in ("http", "https") or link.startswith("//"):
                found.setdefault(link, []).append(
                    page_path.relative_to(site).as_posix()
                )
    return found


def test_external_links_are_well_formed(site):
    """Checked offline, by form: https, a host, a path with no spaces; a GitHub
    file link (`/blob/`) names a commit, so it shows what the page read."""
    bad = []
    for link, pages in _external(site).items():
        parts = urlsplit(link)
        if parts.scheme != "https" or not parts.netloc or re.search(r"\s", link):
            bad.append(f"{link} (on {pages[0]})")
        elif parts.netloc == "github.com" and "/blob/" in parts.path:
            ref = parts.path.split("/blob/")[1].split("/")[0]
            if not re.fullmatch(r"[0-9a-f]{7,40}", ref):
                bad.append(f"{link}: blob at {ref!r}, not a commit (on {pages[0]})")
    assert not bad, "external links not well formed:\n" + "\n".join(bad)


def test_the_training_page_names_and_links_the_tutorial_it_judges(site):
    """The tutorial the training page measures is named (its author, its post) and
    linked: the repository, the post, and the script at every commit the page cites."""
    from rnn_ref.experiments.tutorial import SOURCE

    page = (site / "training" / "index.html").read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    text = re.sub(r"<[^>]+>", "", page)
    repo = SOURCE["repository"]
    author = urlsplit(repo).path.strip("/").split("/")[0]
    assert author in text, f"the page never names the tutorial's author, {author}"
    assert "Archaeological RNN Series (Part 2)" in text, "the post's title is missing"
    commits = set(re.findall(r"commit <code>([0-9a-f]{7,40})</code>", page))
    assert commits, "the page cites no commit of the tutorial"
    assert repo in parsed.links, f"the repository {repo} is not linked"
    for commit in commits:
        script = f"{repo}/blob/{commit}/{SOURCE['script']}"
        assert script in parsed.links, f"the script at commit {commit} is not linked"
    posts = [
        link
        for link in parsed.links
        if re.fullmatch(
            rf"{re.escape(repo)}/blob/[0-9a-f]{{7,40}}/{SOURCE['post']}", link
        )
    ]
    assert posts, f"the post ({SOURCE['post']}) is not linked at a commit"
