"""One page's markdown, as written (includes not yet expanded), as a Jupyter notebook.

- prose -> markdown cells (admonitions become block quotes, figures are attached to the
  cell);
- `--8<-- "snippets/<page>/<name>.py"` -> a code cell holding that snippet's source, the
  very file the tests run;
- `--8<-- "snippets/.../<name>.out"` (a snippet's committed output) -> dropped: running
  the code cell above reproduces it;
- `--8<-- "docs/assets/code/rnn_ref/<module>.py:<section>"` (package code, docstrings
  cut to a summary) -> a markdown listing from `rnn_ref/<module>.py`: the reader imports
  `rnn_ref` rather than redefining it;
- a literal ` ```python ` fence (one pytest-codeblocks runs) -> a code cell, unless
  marked `<!--pytest.mark.skip...-->`; its `expected-output` block is dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

from rnn_ref.site import claims, regions
from rnn_ref.site.notebook_markdown import (
    attach_images,
    page_links,
    quote_admonitions,
    read_include,
)

__all__ = ["DOWNLOAD", "KERNEL", "markdown_to_notebook"]

# the line under a chapter's title that links its notebook (the converter leaves it out)
DOWNLOAD = re.compile(
    r"^(?:# )?\[Download this chapter as a notebook\]"
    r"\((?:notebooks/|\.\./)(?P<name>[\w-]+)\.ipynb\)(?:\{[^}]*\})?[ \t]*$",
    re.M,
)
# the kernel every notebook names
KERNEL = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(?P<q>["'])(?P<target>[^"']+)(?P=q)\s*$""")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NOT_RUN = (
    "pytest.mark.skip",
    "pytest.mark.skipif",
    "pytest.mark.xfail",
    "pytest-codeblocks:importorskip",
    "pytest-codeblocks:skip",
)


class _Builder:
    def __init__(self, page_dir: Path, src_path: str, site_url: str | None):
        self.cells: list[dict] = []
        self.prose: list[str] = []
        self.page_dir = page_dir
        self.src_path, self.site_url = src_path, site_url

    def flush(self) -> None:
        text = "\n".join(quote_admonitions(self.prose)).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text)
        self.prose = []
        if text.strip():
            attachments: dict = {}
            text = attach_images(text, self.page_dir, attachments)
            text = page_links(
                claims.MARK_WITH_SPACE.sub("", text), self.src_path, self.site_url
            )
            cell = {"cell_type": "markdown", "metadata": {}, "source": text}
            if attachments:
                cell["attachments"] = attachments
            self.cells.append(cell)

    def code(self, source: str) -> None:
        self.flush()
        self.cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        )

    def listing(self, lang: str, source: str, origin: str | None = None) -> None:
        note = f"From `{origin}`:\n\n" if origin else ""
        lang = {"py": "python", "py3": "python"}.get(lang, lang)
        self.prose += ["", note + f"```{lang}\n{source}\n```", ""]


def markdown_to_notebook(
    markdown: str, root: Path, src_path: str, site_url: str | None = None
) -> dict:
    """Turn a page's markdown (snippets not yet expanded) into an nbformat-4 notebook.

    Args:
        markdown: the page source, `--8<--` includes not yet expanded.
        root: the directory include paths are relative to (the one holding
            `mkdocs.yml`).
        src_path: the page's path under `docs/`, named in the notebook's first cell.
        site_url: where the site is published, to keep links to other pages working.
    """
    b = _Builder((root / "docs" / src_path).parent, src_path, site_url)
    note = (
        f"*Generated from `docs/{src_path}` of rnn_ref: the code cells are the "
        "snippets the site's tests run. Run it where `rnn_ref` is installed (`make "
        "setup` in the repository, then choose the `.venv` kernel).*"
    )
    lines = markdown.splitlines()
    # HTML comments seen since the last fence (pytest-codeblocks markers)
    markers: list[str] = []
    drop_next_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:  # collect the whole fenced block
            ticks, indent = fence.group("fence"), len(fence.group("indent"))
            info = fence.group("info").strip()
            lang = (info.split()[0] if info else "").lstrip(".").lower()
            body: list[str] = []
            i += 1
            while i < len(lines) and not (
                lines[i].strip().startswith(ticks)
                and lines[i].strip().strip(ticks[0]) == ""
            ):
                body.append(
                    lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i]
                )
                i += 1
            i += 1
            if drop_next_fence:
                drop_next_fence = False
                markers = []
                continue
            _fence_to_cells(b, lang, body, markers, root)
            markers = []
            continue
        if DOWNLOAD.match(line):  # the page's link to this very notebook
            i += 1
            continue
        comments = _COMMENT.findall(line)
        if comments and not _COMMENT.sub("", line).strip():
            markers += comments
            if any("expected-output" in c for c in comments):
                drop_next_fence = True
            i += 1
            continue
        include = _INCLUDE.match(line)
        if include:  # a bare include outside a fence: a markdown fragment or a listing
            target = include.group("target")
            text = read_include(target, root)
            if target.split(":")[0].endswith(".md"):
                b.prose += text.splitlines()
            else:
                b.listing(Path(target.split(":")[0]).suffix.lstrip("."), text, target)
            i += 1
            continue
        if line.strip():
            markers = []  # a marker only applies to the next fence
        b.prose.append(_COMMENT.sub("", line))
        if note and line.startswith("# "):  # the note goes under the title
            b.prose += ["", note]
            note = ""
        i += 1
    if note:
        b.prose = [note, ""] + b.prose
    b.flush()
    for n, cell in enumerate(b.cells):
        cell["id"] = f"cell-{n}"  # nbformat 4.5: stable ids, stable files
    return {
        "cells": b.cells,
        "metadata": {"kernelspec": KERNEL, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _fence_to_cells(
    b: _Builder, lang: str, body: list[str], markers: list[str], root: Path
) -> None:
    includes = [_INCLUDE.match(line) for line in body if line.strip()]
    if body and all(includes):
        for m in includes:
            target = m.group("target")
            path = target.split(":")[0]
            if path.endswith(".out") or lang in ("text", "console", "output"):
                continue  # output: the code cell reproduces it
            text = read_include(target, root)
            if (
                path.startswith("snippets/")
                and path.endswith(".py")
                and ":" not in target
            ):
                b.code(text)  # the tested snippet itself
            else:
                # library code: shown, imported not redefined
                origin = target.removeprefix(regions.DIR + "/")
                b.listing(lang or "python", text, origin)
        return
    source = "\n".join(body).strip("\n")
    if lang == "python" and not any(k in m for m in markers for k in _NOT_RUN):
        b.code(source)  # a block pytest-codeblocks runs
    else:
        b.listing(lang, source)
