"""Markdown the reports write: named sections a page includes, and tables."""

from __future__ import annotations

__all__ = ["section", "table"]


def section(name: str, lines: list[str]) -> list[str]:
    """`lines` between `--8<--` markers, so a page can include them as `file.md:name`.

    Examples:
        >>> section("claim", ["It holds."])
        ['<!-- --8<-- [start:claim] -->', 'It holds.',
         '<!-- --8<-- [end:claim] -->', '']
    """
    return [
        f"<!-- --8<-- [start:{name}] -->",
        *lines,
        f"<!-- --8<-- [end:{name}] -->",
        "",
    ]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table, one string per line.

    Examples:
        >>> table(["a", "b"], [["1", "2"]])
        ['| a | b |', '|---|---|', '| 1 | 2 |']
    """
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
