"""Every chapter downloads as a notebook generated from its tested
snippets, and every notebook runs.

The notebooks are committed under `docs/notebooks/`, written by `rnn-ref regen`
(`rnn_ref.site.notebooks`); these tests check that they are what regen writes now, that
their code cells *are* the snippet files (not copies that could drift), that the built
site serves them and the pages link them, and run each one top to bottom: one in a
`python3` Jupyter kernel started from this interpreter (so it imports the installed
`rnn_ref`), the others cell by cell in one namespace in a fresh process (see IN_KERNEL).
"""

import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rnn_ref.site import notebooks
from rnn_ref.site.snippets import run_snippet, snippet_needs

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPET_INCLUDE = re.compile(
    r"""^\s*-+8<-+\s+["'](snippets/[^"':]+\.py)["']\s*$""", re.M
)


def _chapters() -> list[str]:
    """Pages whose source includes at least one runnable snippet,
    plus the notebook pages."""
    pages = [
        p
        for p in sorted(DOCS.rglob("*.md"))
        if SNIPPET_INCLUDE.search(p.read_text(encoding="utf-8"))
    ]
    pages += sorted((DOCS / "notebooks").glob("*.py"))
    return [p.relative_to(DOCS).as_posix() for p in pages]


def _notebook_path(src: str) -> Path:
    """The committed notebook of docs/<src>: docs/notebooks/<stem>.ipynb."""
    return DOCS / "notebooks" / (Path(src).stem + ".ipynb")


def _load(src: str) -> dict:
    path = _notebook_path(src)
    if not path.exists():
        pytest.fail(
            f"docs/{src} has no notebook at {path.relative_to(ROOT)}; "
            "run `rnn-ref regen`"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


CHAPTERS = _chapters()


def test_there_are_chapters_to_download():
    assert CHAPTERS, "no page includes a snippet and no notebook page exists"


def test_committed_notebooks_are_what_regen_writes():
    problems = notebooks.sync(ROOT, check=True)
    assert not problems, f"run `rnn-ref regen` and commit docs/notebooks/: {problems}"


@pytest.mark.parametrize("src", [c for c in CHAPTERS if c.endswith(".md")])
def test_notebook_code_cells_are_the_pages_snippets(site, src):
    """Each snippet a page includes is one code cell, byte for byte; the built page
    links its notebook, and the site serves it."""
    nb = _load(src)
    code = [_source(c).strip("\n") for c in nb["cells"] if c["cell_type"] == "code"]
    included = SNIPPET_INCLUDE.findall((DOCS / src).read_text(encoding="utf-8"))
    for snippet in included:
        text = (ROOT / snippet).read_text(encoding="utf-8").strip("\n")
        assert text in code, (
            f"{snippet} (included by docs/{src}) is not a code cell of its notebook"
        )
    assert not any("--8<--" in _source(c) for c in nb["cells"]), (
        "an include was left unexpanded"
    )
    stem = Path(src).stem
    html = (site / stem / "index.html").read_text(encoding="utf-8")
    assert f'href="../notebooks/{stem}.ipynb"' in html, (
        f"docs/{src} does not link its notebook"
    )
    assert (site / "notebooks" / f"{stem}.ipynb").read_bytes() == _notebook_path(
        src
    ).read_bytes()


# One notebook runs in a real Jupyter kernel, to prove the kernel path (nbclient, a
# python3 kernel that imports this rnn_ref). The others run their code cells in order,
# in one namespace, in a fresh process forked from the snippet server (`run_snippet`):
# what a kernel runs, without ~3 s of kernel start per notebook.
IN_KERNEL = "notebooks/training_walkthrough.py"

CELLS_IN_ORDER = """\
# the code cells of {name}, each compiled on its own, run in order in one namespace
cells = {cells!r}
namespace = {{"__name__": "__main__"}}
for n, cell in enumerate(cells):
    exec(compile(cell, f"<{name} cell {{n}}>", "exec"), namespace)
"""


def _run_cells(src: str, workdir: Path) -> tuple[str | None, float]:
    """Run the code cells of docs/<src>'s notebook top to bottom in one namespace, in a
    fresh process; (error or None, seconds)."""
    cells = [_source(c) for c in _load(src)["cells"] if c["cell_type"] == "code"]
    name = _notebook_path(src).relative_to(ROOT).as_posix()
    script = workdir / "notebook.py"
    script.write_text(CELLS_IN_ORDER.format(name=name, cells=cells), encoding="utf-8")
    start = time.perf_counter()
    result = run_snippet(script, "cpu")
    return result.error or None, time.perf_counter() - start


def _execute(src: str, workdir: Path) -> tuple[str | None, float]:
    """Run the notebook of docs/<src> top to bottom in a fresh kernel;
    (error or None, seconds)."""
    import nbclient
    import nbformat

    nb = nbformat.reads(json.dumps(_load(src)), as_version=4)
    # first cell: prove the kernel is this interpreter, the one rnn_ref is installed in
    nb.cells.insert(
        0, nbformat.v4.new_code_cell("import sys, rnn_ref\nprint(sys.executable)")
    )
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except Exception as e:  # CellExecutionError, DeadKernelError, timeouts
        return f"{type(e).__name__}: {e}", time.perf_counter() - start
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    if Path(printed).resolve() != Path(sys.executable).resolve():
        return (
            f"the kernel ran {printed!r}, not {sys.executable}",
            time.perf_counter() - start,
        )
    return None, time.perf_counter() - start


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict:
    """Every notebook run, two at a time (CI has two cores)."""
    pytest.importorskip("nbclient")
    jobs = {
        src: tmp_path_factory.mktemp("nb")
        for src in CHAPTERS
        if _notebook_path(src).exists()
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            src: pool.submit(_execute if src == IN_KERNEL else _run_cells, src, d)
            for src, d in jobs.items()
        }
        return {src: f.result() for src, f in futures.items()}


def test_one_notebook_runs_in_a_real_kernel():
    assert IN_KERNEL in CHAPTERS and _notebook_path(IN_KERNEL).exists()


def test_the_cells_run_as_a_kernel_runs_them(tmp_path):
    """Cells share one namespace, in order; an error in a later cell is reported, and
    names it."""
    cells = ["x = 2", "print(x * 21)", "raise ValueError('cell three')"]
    script = tmp_path / "notebook.py"
    script.write_text(CELLS_IN_ORDER.format(name="nb.ipynb", cells=cells[:2]))
    result = run_snippet(script, "cpu")
    assert not result.error and result.stdout == "42\n"
    script.write_text(CELLS_IN_ORDER.format(name="nb.ipynb", cells=cells))
    error = run_snippet(script, "cpu").error
    assert "ValueError: cell three" in error and "<nb.ipynb cell 2>" in error


@pytest.mark.parametrize("src", CHAPTERS)
def test_notebook_runs_without_error(executed, src):
    """The downloadable notebook runs top to bottom, as a reader would
    run it; any error fails."""
    page = (DOCS / src).read_text(encoding="utf-8")
    for snippet in SNIPPET_INCLUDE.findall(page):  # an optional extra it needs
        for module in snippet_needs(ROOT / snippet):
            pytest.importorskip(module, reason=f"{snippet} needs {module}")
    if src not in executed:
        _load(src)  # fails, naming the missing notebook
    error, seconds = executed[src]
    assert error is None, (
        f"notebook of docs/{src} failed after {seconds:.1f} s:\n{error}"
    )


# ---------------------------------------------------------------- the converter itself


def test_converter_turns_includes_into_the_right_cells(tmp_path):
    (tmp_path / "snippets/p").mkdir(parents=True)
    (tmp_path / "snippets/p/demo.py").write_text("print(1 + 1)\n")
    (tmp_path / "snippets/p/demo.out").write_text("2\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/mod.py").write_text(
        "x = 0\n# --8<-- [start:part]\ndef f():\n    return 1\n# --8<-- [end:part]\n"
    )
    (tmp_path / "docs/assets").mkdir(parents=True)
    (tmp_path / "docs/assets/fig.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    page = "\n".join(
        [
            "# Title",
            "",
            "Intro with $h_t$ and ![a figure](assets/fig.svg), "
            "see [the cell](cell.md#eq).",
            "",
            "```py",
            '--8<-- "pkg/mod.py:part"',
            "```",
            "",
            "```py",
            '--8<-- "snippets/p/demo.py"',
            "```",
            "",
            "```text",
            '--8<-- "snippets/p/demo.out"',
            "```",
            "",
            '!!! success "Checked by a test"',
            "",
            "    Body line.",
            "",
            "```python",
            "y = 3",
            "```",
            "",
            "<!--pytest-codeblocks:expected-output-->",
            "",
            "```",
            "3",
            "```",
            "",
            '<!--pytest.mark.skip(reason="slow")-->',
            "```python",
            "train_for_an_hour()",
            "```",
        ]
    )
    nb = notebooks.markdown_to_notebook(page, tmp_path, "p.md")
    kinds = [(c["cell_type"], _source(c)) for c in nb["cells"]]
    code = [s for k, s in kinds if k == "code"]
    prose = "\n".join(s for k, s in kinds if k == "markdown")
    assert code == ["print(1 + 1)", "y = 3"], code  # snippet + tested fence, in order
    assert (
        "```python\ndef f():\n    return 1\n```" in prose
    )  # library section: a listing
    assert "From `pkg/mod.py:part`" in prose
    assert (
        "train_for_an_hour()" in prose and "--8<--" not in prose
    )  # skipped block: shown, not run
    assert "\n2\n" not in prose and "```\n3\n```" not in prose  # outputs dropped
    assert "> **Checked by a test**" in prose and "> Body line." in prose
    assert "attachment:fig.svg" in prose
    assert "see the cell." in prose  # no site to link to: plain text
    linked = notebooks.markdown_to_notebook(
        page, tmp_path, "p.md", site_url="https://x.org/rnn/"
    )
    assert "[the cell](https://x.org/rnn/cell/#eq)" in _source(linked["cells"][0])
    assert prose.startswith("# Title\n\n*Generated from `docs/p.md`")
    assert [c["id"] for c in nb["cells"]] == [
        f"cell-{i}" for i in range(len(nb["cells"]))
    ]
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.from_dict(nb))


def test_converter_of_the_notebook_page_writes_the_sites_markup(site):
    """docs/hooks/notebook_page.py: the page mkdocs-jupyter renders reads and looks like
    the others. Each code cell is a site code block and its printed output one output
    block (the prints of one cell once made several); none of JupyterLab's inlined
    styles and scripts, prompts, second copy button or `cell-id=` ids (from which
    Material's copy button built a selector the browser rejects); no words for
    maintainers."""
    stem = Path(IN_KERNEL).stem
    html = (site / "notebooks" / stem / "index.html").read_text(encoding="utf-8")
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    code_cells = [c for c in _load(IN_KERNEL)["cells"] if c["cell_type"] == "code"]
    assert article.count('<div class="language-python highlight">') == len(code_cells)
    cells = article.split('<div class="jp-Cell jp-CodeCell')[1:]
    outputs = [c.count('<div class="language-text highlight">') for c in cells]
    assert outputs and all(n <= 1 for n in outputs), (
        f"a cell's output in several blocks: {outputs}"
    )
    assert sum(outputs) == len(code_cells), "every cell of the walk-through prints"
    for left in (
        "<style",
        "<script",
        "clipboard-copy",
        "highlight-ipynb",
        "jp-InputPrompt",
        "cell-id=",
    ):
        assert left not in article, f"{left!r} is still on the notebook page"
    text = re.sub(r"<[^>]+>", " ", article)
    for word in ("mkdocs-jupyter", "jupytext", "percent format"):
        assert word not in text, f"the page speaks to maintainers: {word!r}"
    assert len(html.encode()) < 150_000, f"the page weighs {len(html.encode())} bytes"
