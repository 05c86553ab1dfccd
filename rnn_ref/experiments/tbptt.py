"""Truncated BPTT measured: what the graph holds without `.detach()`, what k can learn,
and what to do with the state between batches.

* `graph_stats`: how many autograd nodes a loss reaches and how many bytes of saved
  tensors they hold; `growth` follows both (and the time of a step) chunk by chunk,
  with and without detaching the carried state.
* `delay_run`: the delay task (the answer at step t is the input at step t - d) trained
  on a stream in chunks of k steps; it is learnable only when a chunk holds both the
  input and the step that answers it, k > d.
* `carry_run`: independent sequences whose answer needs a known start (running parity),
  trained with the state reset to zeros between batches or carried over.

`run` does them all for `rnn-ref tbptt`, which writes `docs/assets/results/tbptt.json`;
`rnn_ref.site.tbptt_report` renders the page's tables from it.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from rnn_ref.lm import detach_state

__all__ = [
    "graph_stats",
    "growth",
    "SymbolRNN",
    "delay_run",
    "carry_run",
    "PAIRS",
    "DELAY_SYMBOLS",
    "run",
]

DELAY_SYMBOLS = 4  # the delay task's alphabet: a guess is right 1 time in 4
PAIRS = [(3, 2), (3, 3), (3, 4), (3, 8), (6, 3), (6, 6), (6, 7), (6, 12)]  # (d, k)


def graph_stats(loss: torch.Tensor) -> dict:
    """Autograd nodes reachable from `loss.grad_fn`, and the bytes of the distinct
    tensors they saved for backward (read from each node's `_saved_*` attributes, so
    only while the graph is alive: before `backward()` or with `retain_graph=True`)."""
    seen, stack, storages = set(), [loss.grad_fn], {}
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        for name in dir(node):
            if name.startswith("_saved_"):
                value = getattr(node, name)
                for t in value if isinstance(value, (tuple, list)) else [value]:
                    if isinstance(t, torch.Tensor):
                        s = t.untyped_storage()
                        storages[s.data_ptr()] = s.nbytes()
        stack.extend(fn for fn, _ in node.next_functions)
    return {"nodes": len(seen), "saved_bytes": sum(storages.values())}


class SymbolRNN(nn.Module):
    """Symbols -> embedding -> `nn.GRU` (batch_first) -> logits over the symbols, at
    every step.

    Shape:
        x: `(N, L)` symbol ids. Returns logits `(N, L, V)` and h_n `(1, N, H_out)`.
    """

    def __init__(self, symbols: int = 4, hidden_size: int = 32, embed_dim: int = 8):
        super().__init__()
        self.embed = nn.Embedding(symbols, embed_dim)
        self.rnn = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, symbols)

    def forward(self, x, hx=None):
        output, hx = self.rnn(self.embed(x), hx)  # (N, L, H_out)
        return self.head(output), hx  # (N, L, V)


def growth(chunks: int = 12, k: int = 16, detach: bool = True, seed: int = 0) -> list:
    """Run `SymbolRNN` forward and backward on a stream, `chunks` chunks of `k` steps,
    carrying the state; per chunk: the graph its loss reaches and the seconds of its
    forward and backward.

    Without `detach` the carried state keeps every earlier chunk in the graph, so
    `backward` needs `retain_graph=True` and each step reaches (and backpropagates
    through) all the chunks before it. No optimizer step: updating the weights in place
    would make that backward fail (they are saved in the earlier chunks' graph).
    """
    torch.manual_seed(seed)
    model = SymbolRNN()
    stream = torch.randint(4, (8, chunks * k + 1), generator=_gen(seed))  # (N, T)
    hx, rows = None, []
    for j in range(chunks):
        t0 = time.perf_counter()
        x, y = stream[:, j * k : (j + 1) * k], stream[:, j * k + 1 : (j + 1) * k + 1]
        logits, hx = model(x, hx)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        stats = graph_stats(loss)
        loss.backward(retain_graph=not detach)
        hx = detach_state(hx) if detach else hx
        rows.append({"chunk": j + 1, **stats, "seconds": time.perf_counter() - t0})
    return rows


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _accuracy(logits: torch.Tensor, target: torch.Tensor) -> float:
    return (logits.argmax(-1) == target).float().mean().item()


def delay_run(d: int, k: int, seed: int, steps: int = 20_000, batch: int = 32) -> dict:
    """Train on a stream whose answer at step t is the input at step t - d, in chunks
    of `k` steps with the state carried (detached); return the accuracy on a fresh
    stream of 200 steps run in one piece (chance: 1 / `DELAY_SYMBOLS`).

    The same `steps` time steps are seen for every k, so a small k gets more (shorter)
    updates, not less data.
    """
    gen = _gen(seed)
    torch.manual_seed(seed)
    model = SymbolRNN(symbols=DELAY_SYMBOLS)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.randint(DELAY_SYMBOLS, (batch, steps + d), generator=gen)  # (N, d + T)
    hx = None
    for s in range(d, steps + d - k + 1, k):
        logits, hx = model(x[:, s : s + k], hx)  # (N, k, V)
        loss = nn.functional.cross_entropy(
            logits.flatten(0, 1), x[:, s - d : s - d + k].flatten()
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        hx = detach_state(hx)
    with torch.no_grad():
        test = torch.randint(DELAY_SYMBOLS, (256, 200), generator=gen)  # (N, L)
        logits, _ = model(test)
    return {
        "d": d,
        "k": k,
        "seed": seed,
        "accuracy": _accuracy(logits[:, d:], test[:, :-d]),
    }


def _parity_batch(gen: torch.Generator, batch: int, length: int):
    """Independent bit sequences and, at every step, the parity of the bits so far."""
    x = torch.randint(2, (batch, length), generator=gen)  # (N, L)
    return x, x.cumsum(1) % 2


def carry_run(carry: bool, seed: int, steps: int = 600, length: int = 10) -> dict:
    """Running parity of independent sequences: each batch starts from zeros (`carry`
    False) or from the previous batch's final state, detached (`carry` True).

    Returns the accuracy on fresh sequences started from zeros (`from_zeros`) and
    started from the state of another batch (`from_carried`), as training fed them.
    """
    gen = _gen(seed)
    torch.manual_seed(seed)
    model = SymbolRNN(symbols=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    hx = None
    for _ in range(steps):
        x, y = _parity_batch(gen, 32, length)
        logits, h_n = model(x, hx if carry else None)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        hx = detach_state(h_n)
    with torch.no_grad():
        before, _ = _parity_batch(gen, 256, length)
        _, carried = model(before)
        x, y = _parity_batch(gen, 256, length)
        from_zeros = _accuracy(model(x)[0], y)
        from_carried = _accuracy(model(x, carried)[0], y)
    return {
        "carry": carry,
        "seed": seed,
        "from_zeros": from_zeros,
        "from_carried": from_carried,
    }


def run(seeds: int = 3) -> dict:
    """Every measurement of the page, with seeds 0 .. seeds - 1."""
    return {
        "seeds": seeds,
        "growth": {
            "detach": growth(detach=True),
            "no_detach": growth(detach=False),
        },
        "delay": [delay_run(d, k, s) for d, k in PAIRS for s in range(seeds)],
        "carry": [carry_run(c, s) for c in (False, True) for s in range(seeds)],
    }
