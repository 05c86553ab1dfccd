"""Every chapter as a Jupyter notebook, generated from the page's own sources by `rnn-ref regen`.

A page's markdown is read as written (before `pymdownx.snippets` expands it), so its includes
are still visible and become cells:

- prose -> markdown cells (admonitions become block quotes, figures are attached to the cell);
- `--8<-- "snippets/<page>/<name>.py"` -> a code cell holding that snippet's source, the very
  file the tests run;
- `--8<-- "snippets/.../<name>.out"` (a snippet's committed output) -> dropped: running the code
  cell above reproduces it;
- `--8<-- "rnn_ref/<module>.py:<section>"` -> a markdown listing: the reader imports `rnn_ref`
  rather than redefining it;
- a literal ` ```python ` fence (one pytest-codeblocks runs) -> a code cell, unless marked
  `<!--pytest.mark.skip...-->`; its `expected-output` block is dropped.

Each page with at least one code cell gets `docs/notebooks/<page>.ipynb`, committed, and links it
under its title (`DOWNLOAD`). Notebook pages (jupytext `.py` under `docs/notebooks/`, rendered by
mkdocs-jupyter) get their `.ipynb` too. `rnn-ref regen` writes them; `rnn-ref regen --check` and
the tests report any that drifted from their sources.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import posixpath
import re
import textwrap
from pathlib import Path

__all__ = ["DOWNLOAD", "markdown_to_notebook", "read_include", "notebooks", "sync"]

# the line under a chapter's title that links its notebook (the converter leaves it out)
DOWNLOAD = re.compile(
    r"^(?:# )?\[Download this chapter as a notebook\]\((?:notebooks/|\.\./)(?P<name>[\w-]+)"
    r"\.ipynb\)(?:\{[^}]*\})?[ \t]*$",
    re.M,
)
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(?P<q>["'])(?P<target>[^"']+)(?P=q)\s*$""")
_ADMONITION = re.compile(
    r"""^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+(?:"(?P<title>[^"]*)"|'(?P<title2>[^']*)'))?\s*$"""
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?P<rest>[^)]*)\)")
_NOT_RUN = (
    "pytest.mark.skip",
    "pytest.mark.skipif",
    "pytest.mark.xfail",
    "pytest-codeblocks:importorskip",
    "pytest-codeblocks:skip",
)
_KERNEL = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}


# ---------------------------------------------------------------- markdown -> notebook


def read_include(target: str, root: Path) -> str:
    """The text `pymdownx.snippets` would put in place of `--8<-- "target"`.

    `target` is `path`, `path:section` (between `# --8<-- [start:section]` and
    `[end:section]`, dedented) or `path:first:last` (1-based line numbers, inclusive).
    """
    path, _, spec = target.partition(":")
    if not (root / path).is_file():
        return ""  # pymdownx.snippets (check_paths) reports the missing file, with its own message
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    if spec and re.fullmatch(r"-?\d*(:-?\d*)?", spec):
        first, _, last = spec.partition(":")
        lines = lines[int(first or 1) - 1 : int(last) if last else None]
    elif spec:
        start = next(
            (
                i
                for i, l in enumerate(lines)
                if re.search(rf"--8<--\s*\[start:{re.escape(spec)}\]", l)
            ),
            None,
        )
        end = next(
            (
                i
                for i, l in enumerate(lines)
                if re.search(rf"--8<--\s*\[end:{re.escape(spec)}\]", l)
            ),
            None,
        )
        if start is None or end is None:
            return (
                ""  # likewise: a missing section is pymdownx.snippets' error to report
            )
        lines = lines[start + 1 : end]
    lines = [l for l in lines if not re.search(r"--8<--\s*\[(start|end):", l)]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _attach_images(text: str, page_dir: Path, attachments: dict) -> str:
    """Embed local figures (`![alt](assets/figures/x.svg)`) so the notebook stands alone."""

    def embed(m: re.Match) -> str:
        src = m.group("src")
        path = (page_dir / src.split("#")[0]).resolve()
        if re.match(r"^[a-z]+:", src) or not path.is_file():
            return m.group(0)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        attachments[path.name] = {
            mime: base64.b64encode(path.read_bytes()).decode("ascii")
        }
        return f"![{m.group('alt')}](attachment:{path.name})"

    return _IMAGE.sub(embed, text)


def _quote_admonitions(lines: list[str]) -> list[str]:
    """`!!! note "Title"` plus its indented body -> a block quote (Jupyter has no admonitions)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _ADMONITION.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        title = m.group("title") or m.group("title2") or m.group("kind").capitalize()
        body_indent = len(m.group("indent")) + 4
        out.append(f"> **{title}**")
        i += 1
        while i < len(lines) and (
            not lines[i].strip()
            or len(lines[i]) - len(lines[i].lstrip()) >= body_indent
        ):
            if not lines[i].strip() and (
                i + 1 == len(lines)
                or len(lines[i + 1]) - len(lines[i + 1].lstrip()) < body_indent
            ):
                break
            out.append("> " + lines[i][body_indent:] if lines[i].strip() else ">")
            i += 1
    return out


_PAGE_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s#]+\.md)(?P<frag>#[^)\s]*)?\)"
)


def _page_links(text: str, src_path: str, site_url: str | None) -> str:
    """Links to other pages (`[x](cell.md#h)`): absolute when the site has a `site_url`, else
    plain text (a downloaded notebook has no site next to it to resolve relative links against)."""

    def fix(m: re.Match) -> str:
        if not site_url:
            return m.group("text")
        doc = posixpath.normpath(
            posixpath.join(posixpath.dirname(src_path), m.group("target"))
        )
        url = (
            ""
            if doc == "index.md"
            else doc.removesuffix("index.md").removesuffix(".md") + "/"
        )
        return (
            f"[{m.group('text')}]({site_url.rstrip('/')}/{url}{m.group('frag') or ''})"
        )

    return _PAGE_LINK.sub(fix, text)


class _Builder:
    def __init__(self, page_dir: Path, src_path: str, site_url: str | None):
        self.cells: list[dict] = []
        self.prose: list[str] = []
        self.page_dir = page_dir
        self.src_path, self.site_url = src_path, site_url

    def flush(self) -> None:
        text = "\n".join(_quote_admonitions(self.prose)).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text)
        self.prose = []
        if text.strip():
            attachments: dict = {}
            text = _attach_images(text, self.page_dir, attachments)
            text = _page_links(text, self.src_path, self.site_url)
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
    """Turn a page's markdown (before snippets are expanded) into an nbformat-4 notebook dict.

    Args:
        markdown: the page source, `--8<--` includes not yet expanded.
        root: the directory include paths are relative to (the one holding `mkdocs.yml`).
        src_path: the page's path under `docs/`, named in the notebook's first cell.
        site_url: where the site is published, to keep links to other pages working.
    """
    b = _Builder((root / "docs" / src_path).parent, src_path, site_url)
    note = (
        f"*Generated from `docs/{src_path}` of rnn_ref: the code cells are the snippets the site's "
        "tests run. Run it where `rnn_ref` is installed (`make setup` in the repository, then "
        "choose the `.venv` kernel).*"
    )
    lines = markdown.splitlines()
    markers: list[
        str
    ] = []  # HTML comments seen since the last fence (pytest-codeblocks markers)
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
        if (
            include
        ):  # a bare include outside a fence: a markdown fragment or a file listing
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
        "metadata": {"kernelspec": _KERNEL, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _fence_to_cells(
    b: _Builder, lang: str, body: list[str], markers: list[str], root: Path
) -> None:
    includes = [_INCLUDE.match(l) for l in body if l.strip()]
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
                b.listing(
                    lang or "python", text, target
                )  # library code: shown, imported not redefined
        return
    source = "\n".join(body).strip("\n")
    if lang == "python" and not any(k in m for m in markers for k in _NOT_RUN):
        b.code(source)  # a block pytest-codeblocks runs
    else:
        b.listing(lang, source)


# ---------------------------------------------------------------- the committed notebooks


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
    nb["metadata"] = {"kernelspec": _KERNEL, "language_info": {"name": "python"}}
    return nb


def notebooks(root: Path) -> dict[Path, str]:
    """Every notebook the site offers, as `{path under docs/notebooks: file text}`.

    A page gets one when it has at least one code cell; every jupytext notebook page gets one.
    """
    docs, site_url, out = root / "docs", _site_url(root), {}
    for page in sorted(docs.glob("*.md")):
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

    A problem is a notebook that is missing, stale or has no page any more (with `check`), or a
    page that does not link its notebook under its title.
    """
    wanted, problems = notebooks(root), []
    for path, text in wanted.items():
        rel = path.relative_to(root)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if check and current != text:
            problems.append(f"{rel} is {'stale' if current else 'missing'}")
        elif not check and current != text:
            path.write_text(text, encoding="utf-8")
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
