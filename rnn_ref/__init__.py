"""rnn_ref: reference implementations of PyTorch's recurrent networks, checked against torch.nn."""

from rnn_ref.cells import gru_cell, lstm_cell, rnn_cell
from rnn_ref.loops import reference_forward

__all__ = ["rnn_cell", "gru_cell", "lstm_cell", "reference_forward"]
