"""Every chapter as a Jupyter notebook, generated from the page's own sources.

A page's markdown is read as written (before `pymdownx.snippets` expands it), so its
includes are still visible and become cells (`rnn_ref.site.notebook_cells` says how).
Each page with at least one code cell gets `docs/notebooks/<page>.ipynb`, committed, and
links it under its title (`DOWNLOAD`). Notebook pages (jupytext `.py` under
`docs/notebooks/`, rendered by mkdocs-jupyter) get their `.ipynb` too. `rnn-ref regen`
writes them (`sync`); `rnn-ref regen --check` and the tests report any that drifted from
their sources.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rnn_ref.rundir import write_output
from rnn_ref.site import claims
from rnn_ref.site.notebook_cells import DOWNLOAD, KERNEL, markdown_to_notebook
from rnn_ref.site.notebook_markdown import read_include

__all__ = ["DOWNLOAD", "markdown_to_notebook", "read_include", "notebooks", "sync"]


def _site_url(root: Path) -> str | None:
    found = re.search(
        r"^site_url:\s*[\"']?([^\"'\s#]+)", (root / "mkdocs.yml").read_text(), re.M
    )
    return found.group(1) if found else None


def _jupytext_notebook(path: Path) -> dict:
    """A jupytext percent-format page (`docs/notebooks/*.py`) as an nbformat-4 dict."""
    import jupytext
    import nbformat

    nb = json.loads(nbformat.writes(jupytext.read(path)))
    for n, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{n}"  # stable ids, stable files
        if cell["cell_type"] == "markdown":
            text = (
                "".join(cell["source"])
                if isinstance(cell["source"], list)
                else cell["source"]
            )
            cell["source"] = DOWNLOAD.sub("", text).strip("\n")
    nb["metadata"] = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return nb


def notebooks(root: Path) -> dict[Path, str]:
    """Every notebook the site offers, as `{path under docs/notebooks: file text}`.

    A chapter gets one when it has at least one code cell (the home page and the Claims
    page are not chapters); every jupytext notebook page gets one.
    """
    docs, site_url, out = root / "docs", _site_url(root), {}
    for page in sorted(docs.glob("*.md")):
        if page.name in (claims.PAGE, "index.md"):  # generated proofs; the home page
            continue
        src = page.relative_to(docs).as_posix()
        nb = markdown_to_notebook(page.read_text(encoding="utf-8"), root, src, site_url)
        if any(c["cell_type"] == "code" for c in nb["cells"]):
            out[docs / "notebooks" / f"{page.stem}.ipynb"] = nb
    for page in sorted((docs / "notebooks").glob("*.py")):
        out[page.with_suffix(".ipynb")] = _jupytext_notebook(page)
    return {
        path: json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        for path, nb in out.items()
    }


def sync(root: Path, check: bool = False) -> list[str]:
    """Write every notebook (or, with `check`, only compare); return the problems found.

    A problem is a notebook that is missing, stale or has no page any more (with
    `check`), or a page that does not link its notebook under its title.
    """
    wanted, problems = notebooks(root), []
    for path, text in wanted.items():
        rel = path.relative_to(root)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if check and current != text:
            problems.append(f"{rel} is {'stale' if current else 'missing'}")
        elif not check and current != text:
            write_output(path, text.encode())
        page = root / "docs" / f"{path.stem}.md"
        linked = (
            [m["name"] for m in DOWNLOAD.finditer(page.read_text())]
            if page.is_file()
            else [path.stem]
        )
        if linked != [path.stem]:
            problems.append(
                f"docs/{page.name} does not link its notebook: add, under its title, "
                f"[Download this chapter as a notebook](notebooks/{path.stem}.ipynb)"
                "{ .notebook-download }"
            )
    for path in sorted((root / "docs" / "notebooks").glob("*.ipynb")):
        if path not in wanted:
            problems.append(f"{path.relative_to(root)} belongs to no page: delete it")
    return problems
