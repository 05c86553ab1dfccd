"""The committed record of the site's outputs: which platform made each, and whether
a fresh output agrees with it.

A snippet's output opens with a header naming the platform that produced it
(`# <snippet> · made on <platform.describe()>`); a generated figure or table says
`made on ...` in its own syntax (SVG description, JSON field, HTML comment). An output
is compared as exact text where the platform running is the recorded one; elsewhere
(another architecture, torch or device) its numbers may differ by `RTOL` (or both be
under `ATOL`). The CPU record is one platform: `mixed_records` lists the outputs that
say otherwise.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from rnn_ref.site import paths, platform

__all__ = [
    "RTOL",
    "ATOL",
    "output_header",
    "recorded_platform",
    "compare",
    "mixed_records",
    "record_platform",
    "gpu_outputs",
    "file_platform",
    "drawing_mismatch",
]

RTOL, ATOL = 1e-4, 1e-6  # where the platform differs from the record
_MADE_ON = " · made on "  # header: "# <snippet> · made on <platform.describe()>"
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_MADE_ON_IN_FILE = re.compile(
    r'made on(?:": "| )(c(?:pu|uda) [^<"\n]*?)(?=</|"| -->|\n)'
)


def output_header(name: str | Path, made_on: str) -> str:
    """The first line of a snippet's output: the snippet and the platform it ran on.

    Examples:
        >>> output_header("snippets/s.py", "cpu x86_64 AVX2 pinned · torch 2")
        '# snippets/s.py · made on cpu x86_64 AVX2 pinned · torch 2'
    """
    return f"# {name}{_MADE_ON}{made_on}"


def recorded_platform(output: str) -> str:
    """The platform an output's header names ("" if none).

    Examples:
        >>> recorded_platform("# s.py · made on cpu x86_64 AVX2 pinned · torch 2\\nx")
        'cpu x86_64 AVX2 pinned · torch 2'
    """
    return output.partition("\n")[0].partition(_MADE_ON)[2]


def compare(expected: str, actual: str) -> str:
    """Return "" when the outputs agree, else a unified diff.

    The header lines are not compared: they name the platforms. Where the platform
    running is the recorded one (`platform.mismatch`), the rest must be the same text,
    byte for byte; elsewhere, the same text except numbers, each within `RTOL` relative
    to the larger of the two, or both under `ATOL` (rounding noise, as in
    `max |diff| = 2.2e-16`).

    Examples:
        >>> head = "# s.py · made on cpu x86_64 AVX2 pinned · torch 2\\n"
        >>> bool(compare(head + "err 0.0e+00\\n", head + "err 9.0e-05\\n"))
        True
        >>> arm = "# s.py · made on cpu aarch64 NEON · torch 2\\n"
        >>> compare(head + "err 2.2e-16\\n", arm + "err 0.0e+00\\n")
        ''
    """
    exp_body, act_body = expected.partition("\n")[2], actual.partition("\n")[2]
    exact = not platform.mismatch(
        recorded_platform(expected), recorded_platform(actual)
    )
    if exp_body == act_body:
        return ""
    exp_lines, act_lines = exp_body.splitlines(), act_body.splitlines()
    if (
        not exact
        and exp_body.endswith("\n") == act_body.endswith("\n")
        and len(exp_lines) == len(act_lines)
        and all(_lines_match(e, a) for e, a in zip(exp_lines, act_lines, strict=True))
    ):
        return ""
    return "".join(
        difflib.unified_diff(
            [repr(line)[1:-1] + "\n" for line in exp_body.splitlines(keepends=True)],
            [repr(line)[1:-1] + "\n" for line in act_body.splitlines(keepends=True)],
            "committed",
            "now",
        )
    )


def _lines_match(expected: str, actual: str) -> bool:
    if _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual):
        return False
    for e, a in zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True):
        e, a = float(e), float(a)
        if abs(e - a) > RTOL * max(abs(e), abs(a)) and max(abs(e), abs(a)) >= ATOL:
            return False
    return True


def mixed_records() -> list[str]:
    """The CPU outputs that break the record: it is one platform, a pinned CPU (an
    edited header must not buy an output a tolerance, nor a regen on an unpinned
    machine turn the whole record into one), in regular files."""
    outs = {}
    for o in _cpu_outputs():
        if o.is_symlink() or not o.is_file():
            outs[o] = "(not a regular file)"
        else:
            outs[o] = recorded_platform(read_output(o))
    common = max(set(outs.values()), key=list(outs.values()).count, default="")
    return [
        f"{o.relative_to(paths.root())} says it was made on {made!r}, the record on "
        f"{common!r}: the record is made pinned (`rnn-ref regen` on an x86-64 CPU "
        "with AVX2)"
        for o, made in outs.items()
        if made != common or not (made.startswith("cpu ") and " pinned " in made)
    ]


def record_platform() -> str:
    """The platform the CPU record was made on, as most committed CPU outputs name it
    (`mixed_records` lists any that differ); "" where there is none."""
    made = [recorded_platform(read_output(o)) for o in _cpu_outputs() if o.is_file()]
    return max(set(made), key=made.count, default="")


def gpu_outputs() -> list[Path]:
    """What the site shows that was made on a GPU: snippets' GPU outputs
    (`<name>.cuda.out`, written by `rnn-ref regen --device cuda`), and results and
    figures whose record says `made on cuda ...`."""
    made = sorted(paths.snippets().rglob("*.cuda.out"))
    for folder in (paths.results(), paths.figures()):
        made += [
            f
            for f in sorted(folder.iterdir())
            if f.is_file()
            and file_platform(
                f.read_text(encoding="utf-8", errors="replace")
            ).startswith("cuda")
        ]
    return made


def read_output(path: Path) -> str:
    """A committed output as its bytes say, line endings untranslated (a CRLF file
    must not read as the LF one it is not)."""
    return path.read_bytes().decode("utf-8", errors="replace")


def _cpu_outputs() -> list[Path]:
    return [
        o for o in sorted(paths.snippets().rglob("*.out")) if o.suffixes == [".out"]
    ]


def file_platform(text: str) -> str:
    """The platform a generated file says it was made on ("" where its values do not
    depend on one: it says nothing).

    Examples:
        >>> file_platform('{"made on": "cpu x86_64 AVX2 pinned · torch 2"}')
        'cpu x86_64 AVX2 pinned · torch 2'
        >>> file_platform("<dc:description>made on cpu x86_64 · torch 2</dc:")
        'cpu x86_64 · torch 2'
        >>> file_platform("<!-- made on cpu x86_64 · torch 2 -->")
        'cpu x86_64 · torch 2'
    """
    found = _MADE_ON_IN_FILE.search(text)
    return found[1] if found else ""


_MATPLOTLIB = re.compile(r"Matplotlib v([\w.+-]+), https://matplotlib\.org")


def drawn_with(svg: str) -> str:
    """The matplotlib version an SVG says drew it ("" if it says none).

    Examples:
        >>> drawn_with("<dc:title>Matplotlib v3.11.2, https://matplotlib.org/</dc:title>")
        '3.11.2'
    """
    found = _MATPLOTLIB.search(svg)
    return found[1] if found else ""


def drawing_mismatch(committed: str, fresh: str) -> str:
    """ "" when a fresh drawing or table can be compared exactly with the committed one
    (neither depends on the platform, or both were made on this one); else why not."""
    made, now = file_platform(committed), file_platform(fresh)
    return platform.mismatch(made, now) if made or now else ""
