"""A character-level language model: the classic many-to-many recurrent network.

The model reads a text one character at a time and predicts the next one at every step.
A whole book is one sequence far too long to backpropagate through, so training
(`rnn_ref.lm_train`) cuts it into chunks of `k` steps and runs *truncated BPTT*: the
hidden state is carried from chunk to chunk, so the forward pass sees the whole stream,
but it is detached at each chunk boundary (`detach_state`), so gradients flow back at
most `k` steps.

The text ships in the package (`rnn_ref/texts/`, see its README for source and licence);
nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import torch
from torch import nn

from rnn_ref.errors import InputError

__all__ = [
    "TEXT",
    "load_text",
    "Vocab",
    "CharLM",
    "detach_state",
    "stream_batches",
    "chunks",
    "sample",
    "generate",
]

TEXT = Path(__file__).resolve().parent / "texts" / "paradise_lost.txt"
LM_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


MAX_TEXT_BYTES = 2**28  # 256 MiB: in memory each character is an int64 id, 8 bytes


def load_text(path: str | Path | None = None) -> str:
    """The training text: a UTF-8 file, by default Milton's *Paradise Lost* (`TEXT`).

    Examples:
        >>> from rnn_ref.lm import load_text
        >>> load_text()[:23]
        '\\nPARADISE LOST\\nBOOK I.\\n'
    """
    path = Path(path) if path else TEXT
    if (
        path.exists()
        and not path.is_file()
        or path.is_file()
        and (path.stat().st_size > MAX_TEXT_BYTES)
    ):
        raise InputError(
            f"the text {path} is not a regular file of at most {MAX_TEXT_BYTES:,} "
            f"bytes (a device, a folder, or too big to hold in memory): pass another "
            f"--text"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise InputError(
            f"cannot read the text {path} ({why}); expected a UTF-8 text file: "
            f"pass another --text, or leave it out for the bundled Paradise Lost"
        ) from None
    if len(set(text)) < 2:
        raise InputError(
            f"the text {path} has {len(text)} characters and {len(set(text))} distinct "
            f"ones; a language model needs at least 2: pass a longer text"
        )
    return text


class Vocab:
    """The characters of a text, each mapped to an id (sorted, so the map is stable).

    Examples:
        >>> from rnn_ref.lm import Vocab
        >>> v = Vocab("hello")
        >>> v.chars, v.encode("hell").tolist(), v.decode([3, 1])
        ('ehlo', [1, 0, 2, 2], 'oh')
    """

    def __init__(self, text: str):
        self.chars = "".join(sorted(set(text)))
        self._ids = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        unknown = sorted(set(text) - set(self._ids))
        if unknown:
            raise InputError(
                f"characters {''.join(unknown)!r} are not in the model's vocabulary; "
                f"expected only characters of its training text ({self.chars!r}): "
                "remove them"
            )
        return torch.tensor([self._ids[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


class CharLM(nn.Module):
    """Embedding -> `nn.GRU` or `nn.LSTM` (batch_first) -> linear: next-character
    logits at every step.

    Shape:
        x: `(N, L)` character ids. hx: as the cell's `h_0` (`(num_layers, N, H_out)`, a
        pair for LSTM) or None for zeros. Returns logits `(N, L, V)` and the state after
        the last step, which the next chunk of the same streams starts from.

    Examples:
        >>> import torch
        >>> from rnn_ref.lm import CharLM
        >>> lm = CharLM(vocab_size=10, hidden_size=16)
        >>> logits, hx = lm(torch.zeros(4, 7, dtype=torch.long))
        >>> tuple(logits.shape), tuple(hx.shape)
        ((4, 7, 10), (1, 4, 16))
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 128,
        num_layers: int = 1,
        cell: str = "gru",
        dropout: float = 0.0,
    ):
        super().__init__()
        if cell not in LM_CELLS:
            raise InputError(f"cell must be one of {', '.join(LM_CELLS)}; got {cell!r}")
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = LM_CELLS[cell](
            embed_dim, hidden_size, num_layers, batch_first=True, dropout=dropout
        )
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(
        self, x: torch.Tensor, hx: State | None = None
    ) -> tuple[torch.Tensor, State]:
        output, hx = self.rnn(self.embed(x), hx)  # (N, L, E) -> (N, L, H_out)
        return self.head(output), hx  # (N, L, V)


# --8<-- [start:detach_state]
def detach_state(hx: State) -> State:
    """The same values, cut from the graph that computed them (an LSTM's pair: both).

    Carry this to the next chunk: its forward pass starts from the same numbers, and
    its backward pass stops here instead of running into the previous chunk's graph
    (which the previous `backward()` has already freed).
    """
    if isinstance(hx, tuple):  # LSTM: (h, c)
        return tuple(h.detach() for h in hx)
    return hx.detach()


# --8<-- [end:detach_state]


# --8<-- [start:stream_batches]
def stream_batches(ids: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Cut one long sequence into `batch_size` equal streams, one per row.

    Row n is the n-th slice of the text, so chunk j of row n follows chunk j - 1 of row
    n: the state each row carries belongs to its own stream. The tail that does not
    fill a row is dropped.

    Shape:
        ids: `(T,)`. Returns (N, T // N) with N = `batch_size`.

    Examples:
        >>> import torch
        >>> from rnn_ref.lm import stream_batches
        >>> stream_batches(torch.arange(10), 3)
        tensor([[0, 1, 2],
                [3, 4, 5],
                [6, 7, 8]])
    """
    length = ids.numel() // batch_size
    if length < 2:
        raise InputError(
            f"{ids.numel()} characters cannot fill {batch_size} streams of at least 2; "
            "expected a longer text or a smaller --batch-size"
        )
    return ids[: batch_size * length].view(batch_size, length)  # (N, T // N)


def chunks(
    streams: torch.Tensor, k: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Consecutive (input, target) windows of at most `k` steps; target = input
    shifted by one character.

    Shape:
        streams: `(N, T)`. Yields x, y: `(N, k)` (the last pair may be shorter).
    """
    for start in range(0, streams.shape[1] - 1, k):
        stop = min(start + k, streams.shape[1] - 1)
        yield streams[:, start:stop], streams[:, start + 1 : stop + 1]  # (N, k)


# --8<-- [end:stream_batches]


# --8<-- [start:sample]
def sample(
    model: CharLM,
    vocab: Vocab,
    prime: str = "\n",
    length: int = 200,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """Generate `length` characters after `prime`, one at a time, from
    softmax(logits / temperature).

    A temperature below 1 sharpens the distribution (safer, more repetitive text),
    above 1 flattens it (more surprising, more misspelt).
    """
    return "".join(islice(generate(model, vocab, prime, temperature, seed), length))


def generate(
    model: CharLM,
    vocab: Vocab,
    prime: str = "\n",
    temperature: float = 1.0,
    seed: int = 0,
) -> Iterator[str]:
    """The characters that follow `prime`, one at a time as they are drawn, without
    end (as `sample` draws them); bad arguments are refused here, before the first."""
    if not temperature > 0:
        raise InputError(f"temperature must be > 0; got {temperature}")
    if not prime:
        raise InputError("prime must hold at least one character; e.g. '\\n'")
    return _characters(model, vocab, vocab.encode(prime), temperature, seed)


@torch.no_grad()
def _characters(model, vocab, ids, temperature, seed) -> Iterator[str]:
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    # the prime sets up the state; its last step predicts the first new character
    logits, hx = model(ids[None])  # (1, len(prime), V)
    while True:
        probs = torch.softmax(logits[0, -1] / temperature, dim=-1)  # (V,)
        nxt = torch.multinomial(probs, 1, generator=generator)  # (1,)
        yield vocab.chars[int(nxt)]
        logits, hx = model(nxt[None], hx)  # (1, 1, V)


# --8<-- [end:sample]
