"""The package on the built site (docs/hooks/package.py): its wheel, its source, and
the caption of every package excerpt.

- `download/rnn_ref-<version>-py3-none-any.whl` is there, holds every module of the
  package as it stands, and the home page links it by its real name (no glob left);
- `source/rnn_ref/<module>.py` is every module's full source;
- every package excerpt a page includes is captioned with its module's path, linked to
  that module's source on the site.

Installing the wheel and running the home page's example with it:
tests/site/test_browser.py::test_the_wheel_runs_the_home_page_example.
"""

import re
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from rnn_ref.site import paths

pytestmark = pytest.mark.slow  # builds the site; `make test-fast` leaves it out

ROOT = paths.root()
# [project]'s version (tomllib is Python 3.11+; the package supports 3.10)
VERSION = re.search(
    r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M
)[1]
WHEEL = f"rnn_ref-{VERSION}-py3-none-any.whl"
MODULES = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("rnn_ref/**/*.py"))
EXCERPT = re.compile(
    r'^\s*--8<--\s+"docs/assets/code/(rnn_ref/[^":]+\.py):[\w-]+"', re.M
)


class _Captions(HTMLParser):
    """The captions (`span.filename`) of a page's code blocks: their text and link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.captions: list[dict] = []
        self._depth = 0  # inside a span.filename: how many open spans

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._depth:
            self._depth += tag == "span"
            if tag == "a":
                self.captions[-1]["href"] = attrs.get("href")
        elif tag == "span" and "filename" in (attrs.get("class") or "").split():
            self._depth = 1
            self.captions.append({"text": "", "href": None})

    def handle_endtag(self, tag):
        if self._depth and tag == "span":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.captions[-1]["text"] += data


def captions(page: Path) -> list[dict]:
    parser = _Captions()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.captions


def _built_page(site: Path, doc: Path) -> Path:
    stem = doc.relative_to(ROOT / "docs").with_suffix("").as_posix()
    return site / ("index.html" if stem == "index" else f"{stem}/index.html")


def test_the_wheel_is_served_and_holds_the_package(site):
    wheel = site / "download" / WHEEL
    assert wheel.is_file(), f"no {WHEEL} in the built site's download/"
    with zipfile.ZipFile(wheel) as z:
        packed = {n: z.read(n) for n in z.namelist() if n.startswith("rnn_ref/")}
    missing = [m for m in MODULES if m not in packed]
    assert not missing, f"modules the wheel lacks: {missing}"
    changed = [m for m in MODULES if packed[m] != (ROOT / m).read_bytes()]
    assert not changed, f"the wheel's copy differs from the package: {changed}"


def test_the_home_page_links_the_wheel_by_its_name(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="download/{WHEEL}"' in home, "the home page does not link the wheel"
    assert f"install ./{WHEEL}" in re.sub(r"<[^>]+>", "", home), (
        "the home page's install line does not name the wheel"
    )
    assert "rnn_ref-*-" not in home, "a wheel glob was left unfilled on the home page"


def test_every_module_source_is_served(site):
    served = {m: site / "source" / m for m in MODULES}
    bad = [
        m
        for m, p in served.items()
        if not p.is_file() or p.read_bytes() != (ROOT / m).read_bytes()
    ]
    assert not bad, f"module sources missing or different under source/: {bad}"


def test_every_package_excerpt_is_captioned_with_a_link_to_its_module(site):
    problems, excerpts = [], 0
    for doc in sorted((ROOT / "docs").glob("*.md")):
        included = Counter(EXCERPT.findall(doc.read_text(encoding="utf-8")))
        if not included:
            continue
        excerpts += sum(included.values())
        page = _built_page(site, doc)
        shown = captions(page)
        captioned = Counter(c["text"] for c in shown if c["text"] in included)
        if captioned != included:
            problems.append(
                f"{doc.name}: excerpts {dict(included)}, captions {dict(captioned)}"
            )
        here = "/" + page.relative_to(site).as_posix()
        for c in shown:
            if c["text"] not in included:
                continue
            target = site / unquote(urljoin(here, c["href"] or "")).lstrip("/")
            if c["href"] is None or target != site / "source" / c["text"]:
                problems.append(f"{doc.name}: {c['text']} links {c['href']!r}")
    assert excerpts >= 20, (
        f"only {excerpts} package excerpts found: the pattern is stale"
    )
    assert not problems, "\n".join(problems)
