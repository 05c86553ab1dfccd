"""The torch range the project declares covers every torch feature it uses.

Each entry names a feature newer than torch 2.0 that the package, a snippet or a page
uses, the first release that has it, and how to see it in the installed torch. Raising
a feature's use above the floor means adding it here, and this test then asks for the
floor in pyproject.toml (and the README and Makefile, which repeat it) to follow.
"""

import inspect
import re

import pytest
from torch.nn.utils.rnn import pad_sequence

from rnn_ref.site import paths

ROOT = paths.root()

# (feature, first torch release with it, where we use it, present in this torch?)
FEATURES = [
    (
        "pad_sequence(padding_side=...)",  # pytorch pull request #131884, in 2.5.0
        (2, 5),
        "snippets/variable_length/pad_sequence_sides.py, tests/test_packing.py",
        lambda: "padding_side" in inspect.signature(pad_sequence).parameters,
    ),
]
RANGE = re.compile(r"torch>=(\d+)\.(\d+),<(\d+)")


def _declared() -> tuple[int, int]:
    (spec,) = RANGE.findall((ROOT / "pyproject.toml").read_text())
    return int(spec[0]), int(spec[1])


@pytest.mark.parametrize(
    "feature, since, used_in, present", FEATURES, ids=[f[0] for f in FEATURES]
)
def test_torch_floor_covers_the_feature(feature, since, used_in, present):
    assert present(), f"{feature} is missing from the installed torch"
    floor = _declared()
    assert floor >= since, (
        f"pyproject.toml allows torch {floor[0]}.{floor[1]}, but {used_in} use "
        f"{feature}, new in torch {since[0]}.{since[1]}: raise the floor"
    )


def test_readme_and_makefile_state_the_same_range():
    declared = RANGE.search((ROOT / "pyproject.toml").read_text())[0]
    for name in ("README.md", "Makefile"):
        found = set(RANGE.findall((ROOT / name).read_text()))
        assert found == set(RANGE.findall(declared)), (name, found, declared)
