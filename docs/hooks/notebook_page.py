"""MkDocs hook for the notebook pages mkdocs-jupyter renders (`docs/notebooks/*.py`).

mkdocs-jupyter writes each input cell as a `<pre>` without `<code>`, so Material gives
it no copy button; this wraps them, as every other code block on the site is. The
chapter notebooks are files that `rnn-ref regen` writes (`rnn_ref.site.notebooks`); the
other hook, `package.py`, puts the package's wheel and source on the site.
"""

import re

_NB_INPUT = re.compile(
    r'(<div class="highlight-ipynb[^"]*">\s*<pre[^>]*>)(.*?)(</pre>)', re.S
)


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".py"):
        return html
    return _NB_INPUT.sub(
        lambda m: f"{m.group(1)}<code>{m.group(2)}</code>{m.group(3)}", html
    )
