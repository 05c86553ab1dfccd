"""rnn_ref: reference implementations of PyTorch's RNNs, checked against torch.nn.

The core (`cells`, `loops`, `packing`) imports nothing else of ours; training and
measurement (`data`, `model`, `train`, `bench`) are imported from their own modules.
"""

import importlib

# name -> module; imported on first use, so `import rnn_ref.errors` (and the command
# line's start-up, where Ctrl-C must exit cleanly) does not import torch
_HOME = {
    "rnn_cell": "cells",
    "gru_cell": "cells",
    "lstm_cell": "cells",
    "reference_forward": "loops",
    "run_layer": "loops",
    "run_layer_packed": "loops",
    "pad_sequence": "packing",
    "pack_padded_sequence": "packing",
    "pad_packed_sequence": "packing",
    "pack_sequence": "packing",
    "unpad_sequence": "packing",
    "unpack_sequence": "packing",
    "check_lengths": "packing",
}

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


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(f"rnn_ref.{_HOME[name]}"), name)
    raise AttributeError(f"module 'rnn_ref' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
