"""The home page (docs/index.md, completed by docs/hooks/home.py): its list of pages
is mkdocs.yml's nav, every page in it with a line of its own, and what it says about
the outputs (the torch that made them, whether a GPU ran anything) is read from their
record, not typed.
"""

import importlib.util
import re
from html import unescape

import pytest

from rnn_ref.site import paths, records

pytestmark = pytest.mark.slow  # builds the site; `make test-fast` leaves it out

ROOT = paths.root()
INDEX = ROOT / "docs" / "index.md"


def _hook():
    spec = importlib.util.spec_from_file_location(
        "home_hook", ROOT / "docs/hooks/home.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _hook()


def _nav_pages() -> list[str]:
    """Every page source in mkdocs.yml's nav (`- Title: path`), in order."""
    nav = (ROOT / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r":\s*'?([\w/.-]+\.(?:md|py))'?\s*$", nav, re.M)


def _blocks() -> dict[str, str]:
    return {m[1]: m[2] for m in HOOK._BLOCK.finditer(INDEX.read_text(encoding="utf-8"))}


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)))


@pytest.fixture(scope="module")
def home(site) -> str:
    return (site / "index.html").read_text(encoding="utf-8")


def _url(src: str) -> str:
    """The built URL of a page source, relative to the home page."""
    stem = src.rsplit(".", 1)[0]
    return "./" if stem == "index" else f"{stem}/"


def test_the_page_list_is_the_nav(home):
    """Every page of the nav, in its order, linked from the list under "Pages"."""
    pages = [p for p in _nav_pages() if p != "index.md"]
    assert len(pages) >= 10, pages
    listed = home.split('id="pages"', 1)[1].split("</article>", 1)[0]
    hrefs = re.findall(r'<li><a href="([^"]+)">', listed)
    assert hrefs == [_url(p) for p in pages], (
        "the home page's list is not mkdocs.yml's nav: "
        f"listed {hrefs}, nav {[_url(p) for p in pages]}"
    )


def test_every_page_has_its_line_and_no_line_is_stale():
    about = HOOK.descriptions(_blocks()["pages"])
    pages = [p for p in _nav_pages() if p != "index.md"]
    assert not [p for p in pages if p not in about], (
        "pages of the nav without a line in docs/index.md's home:pages block: "
        f"{[p for p in pages if p not in about]}"
    )
    assert not [p for p in about if p not in pages], (
        f"lines for pages not in the nav: {[p for p in about if p not in pages]}"
    )


def test_a_malformed_line_is_an_error():
    with pytest.raises(ValueError, match="neither `path.md: text`"):
        HOOK.descriptions("cell.md: fine\nnot a page line")


def test_the_home_page_names_the_torch_of_the_record(home):
    made_on = records.record_platform()
    torch = made_on.partition(" · torch ")[2]
    assert made_on.startswith("cpu ") and torch, made_on
    text = _text(home)
    assert f"made by torch {torch}, on a CPU" in text
    assert made_on in text


def test_the_home_page_says_whether_a_gpu_ran_anything(home):
    text = _text(home)
    said = "Nothing was run on a GPU for this build" in text
    assert said == (not records.gpu_outputs()), (said, records.gpu_outputs())


def test_the_gpu_sentence_follows_the_record():
    """Both branches of the template, with the data a GPU run would bring."""
    template = _blocks()["record"]
    data = {"made_on": "cpu x86_64 AVX2 pinned · torch 9.9", "torch": "9.9"}
    none = HOOK.record(template, {**data, "gpu_outputs": []})
    some = HOOK.record(template, {**data, "gpu_outputs": ["snippets/a/b.cuda.out"]})
    assert "Nothing was run on a GPU" in none and "torch 9.9" in none
    assert "Nothing was run on a GPU" not in some
    assert "1 of them were also made on a GPU: snippets/a/b.cuda.out" in some
    with pytest.raises(ValueError, match="names its platform"):
        HOOK.record(template, {**data, "made_on": "", "gpu_outputs": []})


def test_gpu_outputs_finds_a_cuda_output(tmp_path, monkeypatch):
    (tmp_path / "snippets" / "cell").mkdir(parents=True)
    (tmp_path / "snippets" / "cell" / "x.cuda.out").write_text(
        "# x · made on cuda H100"
    )
    results = tmp_path / "docs" / "assets" / "results"
    figures = tmp_path / "docs" / "assets" / "figures"
    results.mkdir(parents=True)
    figures.mkdir(parents=True)
    (results / "r.json").write_text('{"made on": "cuda H100 · torch 2"}')
    (results / "c.json").write_text('{"made on": "cpu x86_64 · torch 2"}')
    monkeypatch.setattr(paths, "snippets", lambda: tmp_path / "snippets")
    monkeypatch.setattr(paths, "results", lambda: results)
    monkeypatch.setattr(paths, "figures", lambda: figures)
    found = [p.name for p in records.gpu_outputs()]
    assert found == ["x.cuda.out", "r.json"]


def test_start_here_and_prerequisites_come_first():
    text = INDEX.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[:2] == ["Start here", "What you need to know"], headings
