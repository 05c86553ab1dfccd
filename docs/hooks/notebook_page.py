"""MkDocs hook: the notebook page mkdocs-jupyter renders (`docs/notebooks/*.py`), in
the markup of every other page.

mkdocs-jupyter writes JupyterLab's HTML: ~600 KB of inlined JupyterLab styles and
scripts, its own highlight colours and font size, In/Out prompts, a copy button of its
own beside Material's, a `<div>` per printed chunk of a cell's output (so one cell's
prints became several "Output" boxes), and cell ids such as `cell-id=b5003080`, from
which Material's copy button makes the selector `#__code_cell-id=b5003080 > code` that
the browser rejects (its copy buttons copied nothing). This hook keeps the cells'
content and writes it as the other pages do:

- the inlined styles and scripts before the notebook go;
- a code cell is a `language-python highlight` block, as pymdownx.highlight writes
  one, so it takes the site's code style, size and copy button (mkdocs-jupyter's own
  button and its hidden copy of the source go);
- a cell's printed output is one `language-text highlight` block, the site's output;
- prompts, cell ids and the cells' focus stops go; heading anchors are Material's.

`tests/site/test_notebooks.py` checks the built page; `tests/site/test_browser.py`
clicks its copy buttons. The chapter notebooks are files that `rnn-ref regen` writes
(`rnn_ref.site.notebooks`); the other hooks put the package on the site (`package.py`)
and complete the home page (`home.py`).
"""

import re

_WRAPPER = '<div class="jupyter-wrapper">'
_COPY_BUTTON = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>\s*', re.S
)
_COPY_TEXT = re.compile(
    r'<div class="clipboard-copy-txt" id="[^"]*">.*?</div>\s*', re.S
)
_PROMPT = re.compile(
    r'<div class="jp-(?:Input|Output)Prompt jp-(?:InputArea|OutputArea)-prompt">'
    r"[^<]*</div>"
)
_INPUT = re.compile(
    r'<div class="highlight-ipynb hl-python"><pre>(?:<span></span>)?(.*?)</pre></div>',
    re.S,
)
# the seam between two printed chunks of one stream in one cell
_SEAM = re.compile(
    r"</pre>\s*</div>\s*</div>\s*<div class=\"jp-OutputArea-child\">\s*"
    r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"'
    r"[^>]*>\s*<pre>"
)
_OUTPUT = re.compile(
    r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"'
    r"[^>]*>\s*<pre>(.*?)</pre>\s*</div>",
    re.S,
)
_CELL_ID = re.compile(r' id="cell-id=[^"]*"')
_FOCUS_STOP = re.compile(r'(<div class="jp-Cell-inputWrapper") tabindex="0"')
_ANCHOR = re.compile(r'<a class="anchor-link" (href="#[^"]*")>¶</a>')


def as_site_page(html: str) -> str:
    """mkdocs-jupyter's HTML of a notebook, in the site's own markup."""
    start = html.find(_WRAPPER)
    if start < 0:
        raise ValueError("no jupyter-wrapper: mkdocs-jupyter's markup has changed")
    html = html[start:]
    html = _COPY_BUTTON.sub("", html)
    html = _COPY_TEXT.sub("", html)
    html = _PROMPT.sub("", html)
    html = _INPUT.sub(
        r'<div class="language-python highlight"><pre><span></span><code>\1</code>'
        r"</pre></div>",
        html,
    )
    html = _SEAM.sub("", html)
    html = _OUTPUT.sub(
        r'<div class="language-text highlight"><pre><span></span><code>\1</code>'
        r"</pre></div>",
        html,
    )
    html = _CELL_ID.sub("", html)
    html = _FOCUS_STOP.sub(r"\1", html)
    return _ANCHOR.sub(r'<a class="headerlink" \1 title="Permanent link">¶</a>', html)


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".py"):
        return html
    return as_site_page(html)
