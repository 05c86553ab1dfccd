"""Claims made on docs/packing-explorer.md and by its script, checked against torch."""

import json
import random
import shutil
import subprocess

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref.site import paths

SCRIPT = paths.root() / "docs/assets/javascripts/packing-explorer.js"
SIZES = range(1, 65)  # batch sizes 1..64


def _tied_batches(seed: int = 0, per_size: int = 40) -> list[list[int]]:
    """Length lists with many ties: few distinct lengths for every batch size."""
    rng = random.Random(seed)
    return [
        [rng.randint(1, rng.choice([1, 2, 3, 5, 9])) for _ in range(n)]
        for n in SIZES
        for _ in range(per_size)
    ]


def _torch_order(lengths: list[int]) -> list[int]:
    padded = torch.zeros(max(lengths), len(lengths))  # (L, N)
    packed = pack_padded_sequence(padded, torch.tensor(lengths), enforce_sorted=False)
    return packed.sorted_indices.tolist()


def _stable_order(lengths: list[int]) -> list[int]:
    return sorted(range(len(lengths)), key=lambda i: -lengths[i])


def test_ties_keep_input_order_up_to_16_sequences_only():
    """pack_padded_sequence(enforce_sorted=False) orders by length, longest first; ties
    keep their input order for batches of 1 to 16 sequences, and not from 17 on."""
    broken = {n: 0 for n in SIZES}
    for lengths in _tied_batches():
        order = _torch_order(lengths)
        assert [lengths[i] for i in order] == sorted(lengths, reverse=True)
        broken[len(lengths)] += order != _stable_order(lengths)
    assert all(broken[n] == 0 for n in range(1, 17)), broken
    assert all(broken[n] > 0 for n in range(17, 65)), broken
    # the smallest case: 17 equal lengths come back out of input order
    assert _torch_order([1] * 17) != list(range(17))


def _run_script(batches: list[list[int]]) -> list[dict]:
    """The explorer's own pack() run by node on each length list."""
    program = (
        f"const m = require({json.dumps(str(SCRIPT))});"
        "const batches = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(batches.map(l => m.pack(l))));"
    )
    node = shutil.which("node") or shutil.which("nodejs")
    done = subprocess.run(
        [node, "-e", program],
        input=json.dumps(batches),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(
    not (shutil.which("node") or shutil.which("nodejs")),
    reason="needs node to run the explorer's script (apt-get install nodejs)",
)
def test_explorer_script_matches_torch_for_up_to_64_sequences():
    """The explorer's script gives torch's sorted_indices, unsorted_indices,
    batch_sizes and data order, ties included, for every batch size from 1 to 64
    (the page accepts up to 32)."""
    batches = _tied_batches(seed=1, per_size=10)
    for lengths, shown in zip(batches, _run_script(batches), strict=True):
        longest = max(lengths)
        t = torch.arange(longest).unsqueeze(1)  # (L, 1)
        s = torch.arange(len(lengths)).unsqueeze(0)  # (1, N)
        padded = (s * 1000 + t).double()  # (L, N): 1000 s + t
        packed = pack_padded_sequence(
            padded, torch.tensor(lengths), enforce_sorted=False
        )
        assert shown["sortedIndices"] == packed.sorted_indices.tolist(), lengths
        assert shown["unsortedIndices"] == packed.unsorted_indices.tolist(), lengths
        assert shown["batchSizes"] == packed.batch_sizes.tolist(), lengths
        data = [1000 * d["seq"] + d["step"] for d in shown["data"]]
        assert data == packed.data.long().tolist(), lengths
