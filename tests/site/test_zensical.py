"""Forward compatibility: Zensical, Material for MkDocs' successor,
builds this `mkdocs.yml`.

Material for MkDocs reaches end of life on 2027-05-05; MkDocs stays the published build
until then. Zensical builds every page and serves every notebook, with one stated
exception: the notebook page that mkdocs-jupyter renders (`docs/notebooks/*.py`), an
MkDocs plugin Zensical does not run (its `.ipynb` download is still served).
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rnn_ref.site import paths

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out

ROOT = paths.root()
EXCEPTIONS = {"notebooks/training_walkthrough.py"}  # rendered by mkdocs-jupyter only


def _nav_pages() -> list[str]:
    """Every page source in mkdocs.yml's nav (`- Title: path`)."""
    nav = (ROOT / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r":\s*([\w/.-]+\.(?:md|py))\s*$", nav, re.M)


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory) -> Path:
    zensical = shutil.which("zensical", path=str(Path(sys.executable).parent))
    if zensical is None:
        pytest.skip("zensical is not installed (make setup installs it)")
    work = tmp_path_factory.mktemp("zensical")
    for name in ("mkdocs.yml", "docs", "snippets", "rnn_ref", "tests"):  # + claims
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, work / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(source, work / name)
    proc = subprocess.run(
        [zensical, "build", "--strict", "-f", "mkdocs.yml"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"zensical build failed:\n{proc.stdout}\n{proc.stderr}"
    return work / "site"


def test_every_page_is_built(zensical_site):
    pages = _nav_pages()
    assert len(pages) >= 10
    for src in pages:
        if src in EXCEPTIONS:
            continue
        stem = src.rsplit(".", 1)[0]
        html = zensical_site / (
            "index.html" if stem == "index" else f"{stem}/index.html"
        )
        assert html.is_file(), f"zensical did not build docs/{src}"
        text = html.read_text()
        assert "--8&lt;--" not in text and "--8<--" not in text, (
            f"{src}: include not expanded"
        )


def test_every_notebook_is_served(zensical_site):
    committed = sorted(p.name for p in (ROOT / "docs" / "notebooks").glob("*.ipynb"))
    assert committed
    for name in committed:
        served = zensical_site / "notebooks" / name
        assert (
            served.read_bytes() == (ROOT / "docs" / "notebooks" / name).read_bytes()
        ), name


def test_the_api_reference_is_rendered(zensical_site):
    html = (zensical_site / "reference" / "index.html").read_text()
    for module in ("rnn_ref.cells", "rnn_ref.loops", "rnn_ref.packing"):
        assert module in html
