"""The site builds strictly (the `site` fixture in conftest.py), and asks
nothing of the network."""

import re

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out


def test_build_is_strict_and_includes_are_expanded(site_pages):
    assert len(site_pages) >= 2
    for page in site_pages:
        assert (
            "--8&lt;--" not in page.read_text() and "--8<--" not in page.read_text()
        ), page


def test_site_needs_no_network(site, site_pages):
    """No page loads a script, stylesheet or font from another
    host (fonts, CDN math)."""
    remote = re.compile(
        r'(?:src|href)="(https?:)?//(?!127\.0\.0\.1)[^"]+\.(?:js|css|woff2?)"'
        r'|@import url\(["\']?https?:'
    )
    offenders = [
        (p.name, m.group(0)) for p in site_pages for m in remote.finditer(p.read_text())
    ]
    assert not offenders, offenders
    assert (site / "assets/katex/katex.min.js").exists()
    assert (site / "assets/katex/fonts/KaTeX_Main-Regular.woff2").exists()
