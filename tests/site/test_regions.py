"""The package code the pages show is the package's current code, docstrings cut short.

`rnn_ref.site.regions` writes `docs/assets/code/rnn_ref/...`; a page includes package
code only from there (a direct `rnn_ref/...` include would bring the whole docstring
back).
"""

import re

from rnn_ref.site import paths, regions

ROOT = paths.root()


def test_generated_code_is_what_the_package_gives():
    assert regions.sync(ROOT, check=True) == []


def test_no_generated_line_is_longer_than_88():
    long = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / regions.DIR).rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > 88
    ]
    assert not long, long


def test_a_long_summary_line_gets_its_closing_quotes_below():
    summary = "x" * 80
    source = f'def f():\n    """{summary}\n\n    More.\n    """\n'
    assert regions.summary_only(source) == f'def f():\n    """{summary}\n    """\n'


def test_pages_include_package_code_only_from_the_generated_copies():
    direct = re.compile(r'--8<--\s+"rnn_ref/')
    pages = sorted((ROOT / "docs").rglob("*.md"))
    offenders = [p.name for p in pages if direct.search(p.read_text())]
    assert not offenders, (
        f"{offenders} include rnn_ref/... directly; include "
        f'"{regions.DIR}/rnn_ref/<module>.py:<name>" (written by `rnn-ref regen`)'
    )


def test_a_section_keeps_code_and_comments_and_only_the_summary(tmp_path):
    module = tmp_path / "rnn_ref" / "m.py"
    module.parent.mkdir()
    module.write_text(
        'import torch\n\n\n# --8<-- [start:f]\ndef f(x):\n    """Double x.\n\n'
        '    Args:\n        x: a tensor.\n    """\n    # y = 2 x\n    return 2 * x\n'
        "# --8<-- [end:f]\n\n\ndef g():\n    pass\n"
    )
    text = regions.render(module, tmp_path)
    assert text.endswith(
        '# --8<-- [start:f]\ndef f(x):\n    """Double x."""\n    # y = 2 x\n'
        "    return 2 * x\n# --8<-- [end:f]\n"
    )
    assert "import torch" not in text and "def g" not in text and "Args" not in text
    assert regions.sync(tmp_path, check=True)  # not written yet: stale
    assert regions.sync(tmp_path) == [] and regions.sync(tmp_path, check=True) == []
    module.write_text(module.read_text().replace("2 * x", "x + x"))
    assert regions.sync(tmp_path, check=True)  # the package changed: stale again
