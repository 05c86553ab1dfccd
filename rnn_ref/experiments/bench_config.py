"""The sizes and repeats of every benchmark part: `BenchConfig`, and `RNNShape`.

Its own module so that the parts (`bench_loops`, `bench_training`, `bench_compile`,
`bench_classifier`) take their sizes from below and `bench`, which runs them all,
imports them without a circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["RNNShape", "BenchConfig"]


class RNNShape(NamedTuple):
    """One `nn.RNN` the `rnn` part times: input (T, N, H_in), hidden size H."""

    T: int
    N: int
    H_in: int
    H: int
    layers: int


@dataclass(frozen=True)
class BenchConfig:
    """Sizes and repeats of every part; `BenchConfig.quick()` runs in seconds."""

    repeats: int = 7  # rounds per measurement
    training_repeats: int = 3
    rnn_shapes: tuple[RNNShape, ...] = (
        RNNShape(50, 64, 32, 64, 2),
        RNNShape(256, 64, 128, 256, 2),
        RNNShape(1000, 8, 16, 32, 1),
    )
    indexing_size: tuple[int, int, int] = (8, 16, 64)  # N, H_in, H
    indexing_T: tuple[int, ...] = (64, 128, 256, 512, 1024)
    # batch size, batches per epoch, batches timed, longest sequence, hidden size
    training: tuple[int, int, int, int, int] = (64, 96, 16, 256, 64)
    # N, H_in, H, longest sequence
    packed_size: tuple[int, int, int, int] = (64, 64, 256, 256)
    scan_T: tuple[int, ...] = (16, 64, 256, 1024, 4096, 16384, 65536)
    scan_features: int = 64
    scan_loop_max_T: int = 65536
    # the `rnn` shapes again, under torch.compile; the whole loop only up to this T
    compile_shapes: tuple[RNNShape, ...] = rnn_shapes
    compile_whole_max_T: int = 64
    # the classifier compiled: batch size, batches per epoch, batches timed, longest
    # sequence, hidden size (the uniform mix, bucketed); None skips it
    classifier_compile: tuple[int, int, int, int, int] | None = (64, 32, 8, 32, 64)

    @classmethod
    def quick(cls) -> BenchConfig:
        """Every part, small sizes: well under a minute."""
        return cls(
            repeats=2,
            training_repeats=1,
            rnn_shapes=(
                RNNShape(50, 64, 32, 64, 2),
                RNNShape(64, 64, 128, 256, 2),
                RNNShape(200, 8, 16, 32, 1),
            ),
            indexing_size=(16, 16, 64),
            indexing_T=(32, 128),
            training=(32, 8, 3, 64, 32),
            packed_size=(32, 32, 64, 64),
            scan_T=(16, 256, 4096, 65536),
            scan_loop_max_T=4096,
            compile_shapes=(),
            classifier_compile=None,
        )
