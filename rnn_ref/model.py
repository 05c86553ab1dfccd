"""A many-to-one classifier: digits in, one class out.

``Embedding`` -> ``nn.RNN`` | ``nn.GRU`` | ``nn.LSTM`` run on a ``PackedSequence`` -> ``Linear`` on the
final hidden state of the top layer. Packing means each sequence stops at its own length, so the
padding never enters the recurrence and ``h_n`` is each sequence's true last step.

Shape legend: ``N`` batch, ``L`` longest sequence, ``E`` embedding size, ``H`` hidden size,
``D`` directions (2 if bidirectional else 1), ``C`` classes.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref.data import collate

__all__ = ["CELLS", "SumModClassifier", "CheckpointError", "load_classifier", "read_config", "safe_load",
           "classifier_kwargs"]

# cell name -> (torch class, extra keyword arguments)
CELLS = {
    "rnn": (nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
    "gru": (nn.GRU, {}),
    "lstm": (nn.LSTM, {}),
}


# --8<-- [start:classifier]
class SumModClassifier(nn.Module):
    """Embed the digits, run a recurrent net over the packed batch, classify its last state.

    Args:
        num_digits: digit ids are ``0 .. num_digits - 1``; id ``num_digits`` is padding.
        num_classes: outputs ``C`` (the task's modulus).
        cell: ``"rnn"`` (tanh), ``"rnn_relu"``, ``"gru"`` or ``"lstm"``.
        hidden_size: ``H``.
        num_layers: stacked layers; only the top layer's final state is classified.
        embed_dim: ``E``; defaults to ``hidden_size``.
        bidirectional: also read each sequence backwards; both final states are classified.
        dropout: between stacked layers (as in ``nn.RNN``).

    Shape:
        ids ``(N, L)`` int64, lengths ``(N,)`` int64 on the CPU -> logits ``(N, C)``.

    Example::

        >>> model = SumModClassifier(num_digits=10, num_classes=10, cell="gru", hidden_size=8)
        >>> model(torch.tensor([[3, 7, 10], [1, 9, 4]]), torch.tensor([2, 3])).shape
        torch.Size([2, 10])
    """

    def __init__(self, num_digits: int = 10, num_classes: int = 10, cell: str = "gru",
                 hidden_size: int = 64, num_layers: int = 1, embed_dim: int | None = None,
                 bidirectional: bool = False, dropout: float = 0.0) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}; got {cell!r}")
        rnn_class, extra = CELLS[cell]
        embed_dim = embed_dim or hidden_size
        self.pad_id = num_digits
        self.embed = nn.Embedding(num_digits + 1, embed_dim, padding_idx=num_digits)
        self.rnn = rnn_class(embed_dim, hidden_size, num_layers=num_layers, batch_first=True,
                             bidirectional=bidirectional, dropout=dropout, **extra)
        directions = 2 if bidirectional else 1
        self.head = nn.Linear(directions * hidden_size, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)                                                  # (N, L, E)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)            # h_n: (num_layers * D, N, H), in the input's order
        if isinstance(h_n, tuple):           # LSTM returns (h_n, c_n); classify h_n
            h_n = h_n[0]
        if self.rnn.bidirectional:           # top layer: forward is h_n[-2], backward is h_n[-1]
            summary = torch.cat([h_n[-2], h_n[-1]], dim=1)                   # (N, 2H)
        else:
            summary = h_n[-1]                                                # (N, H)
        return self.head(summary)                                            # (N, C)

    @torch.no_grad()
    def predict(self, seqs: list[list[int]], batch_size: int = 1024) -> list[int]:
        """The predicted class for each digit sequence (in eval mode, no gradients)."""
        device = self.head.weight.device
        out = []
        for start in range(0, len(seqs), batch_size):
            ids, lengths, _ = collate(seqs[start:start + batch_size], self.pad_id)  # (N, L), (N,)
            out += self(ids.to(device), lengths).argmax(dim=1).tolist()
        return out
# --8<-- [end:classifier]


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupt, or unsafe; the message says which and what to do."""


def classifier_kwargs(config: dict) -> dict:
    """The classifier's arguments, taken from a run's ``config.json``."""
    return {"num_digits": config["num_digits"], "num_classes": config["modulus"],
            "cell": config["cell"], "hidden_size": config["hidden_size"],
            "num_layers": config["num_layers"], "embed_dim": config.get("embed_dim"),
            "bidirectional": config.get("bidirectional", False), "dropout": config.get("dropout", 0.0)}


def safe_load(path: Path) -> dict:
    """``torch.load(path, weights_only=True)``, with every failure turned into a :class:`CheckpointError`."""
    if not path.is_file():
        raise CheckpointError(f"no checkpoint file at {path}; expected a directory written by "
                              f"`rnn-ref train --out DIR` (model.pt + config.json); "
                              f"train one or fix the path")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(e))
        if found:  # a pickled class or function, e.g. torch.save(model) instead of its state_dict
            raise CheckpointError(
                f"{path} contains pickled Python objects ({found.group(1)}), which "
                f"torch.load(weights_only=True) refuses "
                f"(unpickling can run code); expected a plain state_dict: save it with "
                f"torch.save(model.state_dict(), path)") from None
        raise CheckpointError(f"{path} is corrupt (not a plain state_dict torch can read); "
                              f"re-train or re-download it") from None
    except Exception as e:  # truncated zip, random bytes, ...: torch raises several types
        raise CheckpointError(f"{path} is corrupt ({_first_line(e)}); re-train or re-download it") from None


def _first_line(e: Exception) -> str:
    line = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
    return type(e).__name__ if "weights_only" in line else line  # never pass on "weights_only=False" advice


def read_config(directory: str | Path) -> dict:
    """A run's ``config.json`` as a dict, or a :class:`CheckpointError` saying what is wrong."""
    path = Path(directory) / "config.json"
    if not path.is_file():
        raise CheckpointError(f"no config.json in {directory}; expected a directory written by "
                              f"`rnn-ref train --out DIR` (model.pt + config.json); "
                              f"train one or fix the path")
    from rnn_ref.train import TrainConfig  # here: rnn_ref.train imports this module

    try:
        config = json.loads(path.read_text())
        SumModClassifier(**classifier_kwargs(config))   # types and sizes the model accepts
        TrainConfig.from_dict({**config, "out": None})   # and the run's own checks
    except (ValueError, KeyError, TypeError, AssertionError, RuntimeError, AttributeError) as e:
        raise CheckpointError(f"{path} is not a valid run config ({_first_line(e)}); "
                              f"re-train or restore the file") from None
    return config


def load_classifier(directory: str | Path, device: str | torch.device = "cpu") -> SumModClassifier:
    """Load a trained classifier (in eval mode) from a run directory.

    Args:
        directory: holds ``model.pt`` (a plain ``state_dict``) and ``config.json``.
        device: where to put the model.

    Example::

        >>> model = load_classifier("runs/sota")   # doctest: +SKIP
        >>> model.predict([[3, 7, 1, 9]])          # doctest: +SKIP
        [0]
    """
    directory = Path(directory)
    config = read_config(directory)
    state = safe_load(directory / "model.pt")
    model = SumModClassifier(**classifier_kwargs(config))
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as e:
        raise CheckpointError(f"{directory / 'model.pt'} does not fit the model in config.json "
                              f"({_first_line(e)}); keep model.pt and config.json from the same run"
                              ) from None
    return model.to(device).eval()
