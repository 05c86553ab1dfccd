"""Where things are: the one module that knows the repository's layout.

`root()` is the rnn_ref checkout you stand in: the nearest directory, at or above the
current one, that holds `mkdocs.yml`, `snippets/` and `rnn_ref/`. The site's tooling
(regen, the ladder's and bench's reports, figures) reads and writes there, never inside
an installed copy of the package, and refuses to run outside a checkout.
"""

from __future__ import annotations

from pathlib import Path

from rnn_ref.errors import InputError

__all__ = ["root", "snippets", "docs", "figures", "results", "templates"]


def root(start: str | Path | None = None) -> Path:
    """The checkout that holds `start` (default: the current directory).

    Examples:
        >>> (root() / "mkdocs.yml").is_file()
        True
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (
            (folder / "mkdocs.yml").is_file()
            and (folder / "snippets").is_dir()
            and (folder / "rnn_ref" / "__init__.py").is_file()
        ):
            return folder
    raise InputError(
        f"not inside an rnn_ref checkout: no folder at or above {here} holds "
        f"mkdocs.yml, snippets/ and rnn_ref/; cd into your clone of the repository"
    )


def snippets() -> Path:
    """`snippets/`: the demos the pages include, each with its committed `.out`."""
    return root() / "snippets"


def docs() -> Path:
    """`docs/`: the pages."""
    return root() / "docs"


def figures() -> Path:
    """`docs/assets/figures/`: every figure, drawn by code."""
    return docs() / "assets" / "figures"


def results() -> Path:
    """`docs/assets/results/`: measured results (JSON) and their rendered tables."""
    return docs() / "assets" / "results"


def templates() -> Path:
    """`docs/templates/`: the Markdown templates of the sentences that carry results."""
    return docs() / "templates"
