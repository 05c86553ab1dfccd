"""Fixtures shared by the checks on the built site
(links, notebooks, reference, browser)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built strictly (`mkdocs build --strict`) into a temporary
    folder, once per session.

    RNN_REF_MKDOCS_CONFIG=other.yml builds from another config (e.g. one
    excluding a page in progress).
    """
    out = tmp_path_factory.mktemp("site")
    config = (
        ["-f", os.environ["RNN_REF_MKDOCS_CONFIG"]]
        if os.environ.get("RNN_REF_MKDOCS_CONFIG")
        else []
    )
    # no -q: with -q, MkDocs 1.6 does not count warnings and
    # --strict passes a broken link
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out), *config],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert proc.returncode == 0, (
        f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    )
    return out


def html_pages(site: Path) -> list[Path]:
    """Every page of a built site (its HTML files, minus the 404
    page), whatever pages exist."""
    return sorted(
        p
        for p in site.rglob("*.html")
        if p.name != "404.html" and "assets" not in p.relative_to(site).parts
    )


@pytest.fixture(scope="session")
def site_pages(site) -> list[Path]:
    """The built site's pages; see :func:`html_pages`."""
    return html_pages(site)
