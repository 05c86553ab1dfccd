"""Griffe extension for the API reference: ``Example:`` / ``Example::`` sections are examples.

The package's docstrings follow torch's style (``Example::`` then an indented doctest) or write
``Example:``; Griffe's Google parser only knows ``Examples:``, so it would render the doctest as
prose (``>>>`` turns into nested block quotes). Renaming the section header before parsing makes
it a code example. Loaded by mkdocstrings (``extensions:`` in ``mkdocs.yml``); the package's
source is not touched.
"""

import re

import griffe

_HEADER = re.compile(r"^(?P<indent>[ \t]*)Examples?::?[ \t]*\n(?:[ \t]*\n)*", re.M)


class ExampleSections(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None and "Example" in obj.docstring.value:
            obj.docstring.value = _HEADER.sub(lambda m: f"{m.group('indent')}Examples:\n", obj.docstring.value)
