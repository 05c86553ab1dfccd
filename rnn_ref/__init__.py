"""rnn_ref: reference implementations of PyTorch's RNNs, checked against torch.nn.

The core (`cells`, `loops`, `packing`) imports nothing else of ours; training and
measurement (`data`, `model`, `train`, `bench`) are imported from their own modules.
"""

from rnn_ref.cells import gru_cell, lstm_cell, rnn_cell
from rnn_ref.loops import reference_forward, run_layer, run_layer_packed
from rnn_ref.packing import (
    check_lengths,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

__all__ = [
    "rnn_cell",
    "gru_cell",
    "lstm_cell",
    "reference_forward",
    "run_layer",
    "run_layer_packed",
    "pad_sequence",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pack_sequence",
    "unpad_sequence",
    "unpack_sequence",
    "check_lengths",
]
