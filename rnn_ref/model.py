"""A many-to-one classifier: digits in, one class out.

`Embedding` -> `nn.RNN` | `nn.GRU` | `nn.LSTM` run on a `PackedSequence` -> `Linear` on
the final hidden state of the top layer. Packing means each sequence stops at its own
length, so the padding never enters the recurrence and `h_n` is each sequence's true
last step.

Shape legend: `N` batch, `L` longest sequence, `E` embedding size, `H` hidden size,
`D` directions (2 if bidirectional else 1), `C` classes.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref.data import collate

__all__ = ["CELLS", "SumModClassifier", "padded_logits", "classifier_kwargs"]

# cell name -> (torch class, extra keyword arguments)
CELLS = {
    "rnn": (nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
    "gru": (nn.GRU, {}),
    "lstm": (nn.LSTM, {}),
}


# --8<-- [start:classifier]
class SumModClassifier(nn.Module):
    """Embed the digits, run a recurrent net over the packed batch, classify its last
    state.

    Args:
        num_digits: digit ids are `0 .. num_digits - 1`; id `num_digits` is padding.
        num_classes: outputs `C` (the task's modulus).
        cell: `"rnn"` (tanh), `"rnn_relu"`, `"gru"` or `"lstm"`.
        hidden_size: `H`.
        num_layers: stacked layers; only the top layer's final state is classified.
        embed_dim: `E`; defaults to `hidden_size`.
        bidirectional: also read each sequence backwards; both final states are
            classified.
        dropout: between stacked layers (as in `nn.RNN`).

    Shape:
        ids `(N, L)` int64, lengths `(N,)` int64 on the CPU -> logits `(N, C)`.

    Examples:

        >>> import torch
        >>> from rnn_ref.model import SumModClassifier
        >>> model = SumModClassifier(
        ...     num_digits=10, num_classes=10, cell="gru", hidden_size=8
        ... )
        >>> model(torch.tensor([[3, 7, 10], [1, 9, 4]]), torch.tensor([2, 3])).shape
        torch.Size([2, 10])
    """

    def __init__(
        self,
        num_digits: int = 10,
        num_classes: int = 10,
        cell: str = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        embed_dim: int | None = None,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}; got {cell!r}")
        rnn_class, extra = CELLS[cell]
        embed_dim = embed_dim or hidden_size
        self.pad_id = num_digits
        self.embed = nn.Embedding(num_digits + 1, embed_dim, padding_idx=num_digits)
        self.rnn = rnn_class(
            embed_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout,
            **extra,
        )
        directions = 2 if bidirectional else 1
        self.head = nn.Linear(directions * hidden_size, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)  # (N, L, E)
        packed = pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        _, h_n = self.rnn(packed)  # h_n: (num_layers * D, N, H), in the input's order
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n); classify h_n
            h_n = h_n[0]
        if self.rnn.bidirectional:  # top layer: forward is h_n[-2], backward is h_n[-1]
            summary = torch.cat([h_n[-2], h_n[-1]], dim=1)  # (N, 2H)
        else:
            summary = h_n[-1]  # (N, H)
        return self.head(summary)  # (N, C)

    @torch.no_grad()
    def predict(self, seqs: list[list[int]], batch_size: int = 1024) -> list[int]:
        """The predicted class for each digit sequence (in eval mode, no gradients)."""
        device = self.head.weight.device
        out = []
        for start in range(0, len(seqs), batch_size):
            ids, lengths, _ = collate(
                seqs[start : start + batch_size], self.pad_id
            )  # (N, L), (N,)
            out += self(ids.to(device), lengths).argmax(dim=1).tolist()
        return out


# --8<-- [end:classifier]


# --8<-- [start:padded_logits]
def padded_logits(
    model: SumModClassifier, ids: torch.Tensor, lengths: torch.Tensor
) -> torch.Tensor:
    """The classifier run on the padded batch, without packing: the top layer's output
    at each sequence's last real step, classified.

    For a one-direction net this equals `model(ids, lengths)`: a step's output depends
    only on the steps before it, so the padding after it changes nothing. It computes
    `N * L` steps instead of `sum(lengths)`, but it is one fixed graph for any lengths,
    which `torch.compile` and ONNX export need.

    Args:
        model: a one-direction `SumModClassifier` (a backward direction would start in
            the padding).
        ids: padded digit ids.
        lengths: each sequence's length, `1 .. L`.

    Shape:
        ids `(N, L)` int64, lengths `(N,)` int64 -> logits `(N, C)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.model import SumModClassifier, padded_logits
        >>> model = SumModClassifier(cell="lstm", hidden_size=8, num_layers=2)
        >>> ids, lengths = torch.tensor([[3, 7, 10], [1, 9, 4]]), torch.tensor([2, 3])
        >>> torch.allclose(padded_logits(model, ids, lengths), model(ids, lengths))
        True
    """
    if model.rnn.bidirectional:
        raise ValueError(
            "padded_logits needs a one-direction classifier; got a bidirectional one, "
            "whose backward direction would start in the padding: run it packed, "
            "model(ids, lengths)"
        )
    out, _ = model.rnn(model.embed(ids))  # (N, L, H): padding is computed, then ignored
    rows = torch.arange(ids.size(0), device=ids.device)  # (N,)
    last = out[rows, lengths.to(ids.device) - 1]  # (N, H)
    return model.head(last)  # (N, C)


# --8<-- [end:padded_logits]


def classifier_kwargs(config: dict) -> dict:
    """The classifier's arguments, taken from a run's `config.json`."""
    return {
        "num_digits": config["num_digits"],
        "num_classes": config["modulus"],
        "cell": config["cell"],
        "hidden_size": config["hidden_size"],
        "num_layers": config["num_layers"],
        "embed_dim": config.get("embed_dim"),
        "bidirectional": config.get("bidirectional", False),
        "dropout": config.get("dropout", 0.0),
    }
