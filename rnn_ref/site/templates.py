"""Render the sentences a page includes from Markdown templates, with results as data.

A sentence that carries measured numbers lives in `docs/templates/<report>.md.j2`
(Jinja2), where a writer reads and edits it; the report module passes the results and
`render` writes the Markdown a page includes (`docs/assets/results/<report>_tables.md`).
Every template can call:

* `section(name)` (`{% call section("name") %}...{% endcall %}`, from `_macros.md.j2`):
  the text between `--8<--` markers, so a page includes it as `file.md:name`. Inside it,
  lines of a paragraph are joined into one line, so a template may wrap its sentences;
  table rows (lines starting with `|`) stay as they are.
* `table(header, rows)`: a Markdown table.
* the filters `f(spec)`, Python's `format` (`{{ x | f(".1%") }}`, `{{ n | f(",") }}`),
  `code` (`{{ name | code }}` is `` `name` ``), `prefix` (`{{ k | prefix("seed ") }}`)
  `pluck` (`{{ runs | pluck("by_length", "10") | max }}`: each item's value) and
  `escape_html` (Python's `html.escape`, for a `<pre>` in a `section(name, raw=True)`).
* the word rules of `rnn_ref.site.words`, each a small tested function.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from rnn_ref.rundir import load_json, write_output
from rnn_ref.site import paths, words
from rnn_ref.site.markdown import table

__all__ = ["environment", "render", "unwrap", "redraw_report"]


def unwrap(text: str) -> str:
    """Join the lines of each paragraph into one; keep table rows and blank lines.

    Examples:
        >>> unwrap("  One\\n  sentence.\\n\\n| a |\\n| 1 |\\n")
        'One sentence.\\n\\n| a |\\n| 1 |'
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and lines[0].startswith("|"):
            paragraphs.append("\n".join(lines))
        elif lines:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


def _pluck(items, *keys) -> list:
    """Each item's value under `keys`, nested: `pluck(runs, "by_length", "10")`."""
    out = []
    for item in items:
        for key in keys:
            item = item[key]
        out.append(item)
    return out


@cache
def environment():
    """The Jinja2 environment over `docs/templates/`: undefined names are errors."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.templates()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["f"] = format
    env.filters["unwrap"] = unwrap
    env.filters["code"] = lambda text: f"`{text}`"
    env.filters["prefix"] = lambda text, before: f"{before}{text}"
    env.filters["pluck"] = _pluck
    env.filters["escape_html"] = html.escape
    env.globals["table"] = lambda header, rows: "\n".join(table(header, rows))
    for name in words.__all__:
        rule = getattr(words, name)
        env.filters[name] = rule
        env.globals[name] = rule
    return env


def render(name: str, **data) -> str:
    """`docs/templates/<name>` rendered with `data`; one trailing newline at most."""
    return environment().get_template(name).render(**data).rstrip("\n") + "\n"


def redraw_report(
    name: str,
    tables: Callable[[dict], str],
    json_path: Path | None = None,
    figures: dict[str, Callable[[dict, Path], Path]] | None = None,
    out_dir: Path | None = None,
    results: dict | None = None,
) -> list[Path]:
    """What every report's `redraw` does: read `<name>.json`, write `tables(results)`
    to `<name>_tables.md` beside it, draw each of `figures` (file name -> drawer) into
    `out_dir`; return the paths written.

    Args:
        json_path: default: the site's `docs/assets/results/<name>.json`.
        out_dir: default: the site's `docs/assets/figures/`.
        results: what the JSON holds, when the caller has it (not read again).
    """
    json_path = json_path or paths.results() / f"{name}.json"
    results = results or load_json(json_path.read_text())
    md = json_path.with_name(f"{name}_tables.md")
    out_dir = out_dir or paths.figures()
    return [
        write_output(md, tables(results).encode()),
        *(draw(results, out_dir / file) for file, draw in (figures or {}).items()),
    ]
