"""MkDocs hook: the home page's parts that code knows better than a writer.

`docs/index.md` holds two blocks inside HTML comments, which this hook replaces with
Markdown (where it does not run, as under Zensical, they stay invisible comments):

- `<!-- home:pages ... -->`: the list of pages, generated from `mkdocs.yml`'s `nav`, in
  its order and sections, so a new page cannot be left off. The block's lines
  `path.md: what it shows` give each page its line; a page without one is listed by its
  title alone.
- `<!-- home:record ... -->`: a Jinja2 template (the sentence stays in the page, as
  STYLE.md asks) rendered with what the committed outputs record: `made_on`, the
  platform the CPU record names (`rnn_ref.site.records.record_platform`), `torch`, its
  torch version, and `gpu_outputs`, the snippets' GPU outputs (`*.cuda.out`).

`tests/site/test_home.py` checks both on the built page.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"<!-- home:(\w+)\n(.*?)\n-->", re.S)
_ABOUT = re.compile(r"^([\w/.-]+\.(?:md|py)): (.+)$")


def descriptions(block: str) -> dict[str, str]:
    """`path: what it shows` lines, joined with their indented continuation lines."""
    about: dict[str, str] = {}
    last = None
    for line in block.splitlines():
        found = _ABOUT.match(line)
        if found:
            last = found[1]
            about[last] = found[2]
        elif line.startswith("  ") and last:
            about[last] += " " + line.strip()
        elif line.strip():
            raise ValueError(
                f"docs/index.md, home:pages: {line!r} is neither `path.md: text` "
                "nor an indented continuation"
            )
    return about


def page_list(nav, about: dict[str, str], page) -> str:
    """Markdown: each top-level section of the nav as a line, its pages as a list."""
    lines: list[str] = []

    def entry(item) -> str:
        here = posixpath.dirname(page.file.src_uri)
        href = posixpath.relpath(item.file.src_uri, here or ".")
        text = about.get(item.file.src_uri)
        return f"- [{item.title}]({href})" + (f": {text}" if text else "")

    for item in nav.items:
        if item.is_section:
            lines += ["", f"{item.title}:", ""]
            lines += [entry(child) for child in item.children if child.is_page]
        elif item.is_page and item.file.src_uri != page.file.src_uri:
            lines += ["", entry(item)]
    return "\n".join(lines).strip() + "\n"


def record_data() -> dict:
    from rnn_ref.site import records

    made_on = records.record_platform()
    return {
        "made_on": made_on,
        "torch": made_on.partition(" · torch ")[2],
        "gpu_outputs": [p.relative_to(ROOT).as_posix() for p in records.gpu_outputs()],
    }


def record(template: str, data: dict) -> str:
    """The `home:record` block rendered with `record_data()`."""
    if not data["made_on"]:
        raise ValueError("no committed output names its platform")
    rendered = jinja2.Template(template, undefined=jinja2.StrictUndefined).render(
        **data
    )
    return rendered.strip() + "\n"


_NAV: dict = {}  # "nav": this build's navigation (pages get no nav of their own)


def on_nav(nav, config, files):
    _NAV["nav"] = nav
    return nav


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri != "index.md":
        return markdown
    nav = _NAV["nav"]

    def render(m: re.Match) -> str:
        name, body = m[1], m[2]
        if name == "pages":
            return page_list(nav, descriptions(body), page)
        if name == "record":
            return record(body, record_data())
        raise ValueError(f"docs/index.md: unknown block home:{name}")

    return _BLOCK.sub(render, markdown)
