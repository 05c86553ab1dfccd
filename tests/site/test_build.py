"""The site builds strictly, from committed files, and asks nothing of the network."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
                          cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if p.name != "404.html"]


def test_build_is_strict_and_includes_are_expanded(site):
    pages = _pages(site)
    assert len(pages) >= 2
    for page in pages:
        assert "--8&lt;--" not in page.read_text() and "--8<--" not in page.read_text(), page


def test_site_needs_no_network(site):
    """No page or stylesheet loads anything from another host (fonts, CDN math)."""
    remote = re.compile(r'(?:src|href)="(https?:)?//(?!127\.0\.0\.1)[^"]+\.(?:js|css|woff2?)"|@import url\(["\']?https?:')
    offenders = [(p.name, m.group(0)) for p in _pages(site) for m in remote.finditer(p.read_text())]
    assert not offenders, offenders
    assert (site / "assets/katex/katex.min.js").exists()
    assert (site / "assets/katex/fonts/KaTeX_Main-Regular.woff2").exists()
