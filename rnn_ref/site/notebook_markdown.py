"""What a page's markdown becomes in a notebook: included text, prose Jupyter reads.

`read_include` gives the text `pymdownx.snippets` puts in place of an include;
`quote_admonitions`, `attach_images` and `page_links` rewrite the prose of a markdown
cell (admonitions as block quotes, local figures embedded, links to other pages
absolute).
`rnn_ref.site.notebook_cells` uses them to build a page's notebook.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
import textwrap
from pathlib import Path

__all__ = ["read_include", "attach_images", "quote_admonitions", "page_links"]

_ADMONITION = re.compile(
    r"^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)"
    r"""(?:\s+(?:"(?P<title>[^"]*)"|'(?P<title2>[^']*)'))?\s*$"""
)
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?P<rest>[^)]*)\)")
_PAGE_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s#]+\.md)(?P<frag>#[^)\s]*)?\)"
)


def read_include(target: str, root: Path) -> str:
    """The text `pymdownx.snippets` would put in place of `--8<-- "target"`.

    `target` is `path`, `path:section` (between `# --8<-- [start:section]` and
    `[end:section]`, dedented) or `path:first:last` (1-based line numbers, inclusive).
    """
    path, _, spec = target.partition(":")
    if not (root / path).is_file():
        # pymdownx.snippets (check_paths) reports the missing file, with its own message
        return ""
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    if spec and re.fullmatch(r"-?\d*(:-?\d*)?", spec):
        first, _, last = spec.partition(":")
        lines = lines[int(first or 1) - 1 : int(last) if last else None]
    elif spec:
        start, end = _marker(lines, "start", spec), _marker(lines, "end", spec)
        if start is None or end is None:
            return ""  # likewise: pymdownx.snippets reports a missing section
        lines = lines[start + 1 : end]
    lines = [line for line in lines if not re.search(r"--8<--\s*\[(start|end):", line)]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _marker(lines: list[str], kind: str, section: str) -> int | None:
    """The index of the line marking `# --8<-- [kind:section]`, or None."""
    pattern = rf"--8<--\s*\[{kind}:{re.escape(section)}\]"
    return next((i for i, line in enumerate(lines) if re.search(pattern, line)), None)


def attach_images(text: str, page_dir: Path, attachments: dict) -> str:
    """Embed local figures (`![alt](assets/figures/x.svg)`): a notebook stands alone."""

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


def quote_admonitions(lines: list[str]) -> list[str]:
    """`!!! note "Title"` and its indented body -> a block quote (Jupyter has no
    admonitions)."""
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


def page_links(text: str, src_path: str, site_url: str | None) -> str:
    """Links to other pages (`[x](cell.md#h)`): absolute when the site has a `site_url`,
    else plain text (a downloaded notebook has no site next to it to resolve relative
    links against)."""

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
