# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training walk-through (notebook)
#
# [Download this chapter as a notebook](../training_walkthrough.ipynb)
#
# A tiny many-to-one classifier trained end to end in a few seconds on the CPU, run when
# this site is built: every number below was printed by the code above it. The task is
# the chapter's: `rnn_ref.data.SumModTask()` with its defaults, digits 0–9 in, their sum
# modulo 10 out, lengths 2 to 5 (the values are printed below, read from the code).
# Sequences have different lengths, so every batch is padded, and the model packs it so
# that the padding never reaches the recurrence. The chapter
# [Training a classifier](../../training/) goes further: the `rnn-ref train` command,
# the tuning ladder over seeds and longer sequences.
#
# To run it yourself, download the notebook above and run its cells in order in Jupyter,
# or paste them one after another into a Python session; either needs the `rnn_ref`
# package ([Run the code yourself](../../#run-the-code-yourself)).

# %%
import time

import torch
from torch import nn

from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask
from rnn_ref.model import SumModClassifier
from rnn_ref.train import train

torch.set_num_threads(1)  # tiny tensors: one thread is fastest
torch.manual_seed(0)
task = SumModTask()  # the chapter's task: its defaults
print(task)
ids, lengths, targets = task.batch(4, torch.Generator().manual_seed(0))
print("ids (padding id is", task.pad_id, ")\n", ids)
print("lengths", lengths.tolist(), " targets", targets.tolist())

# %% [markdown]
# ## The model
#
# `Embedding` → `nn.GRU` on a `PackedSequence`
# (`pack_padded_sequence(..., enforce_sorted=False)`) → `Linear` on `h_n[-1]`, the top
# layer's state at each sequence's *own* last step.

# %%
model = SumModClassifier(
    num_digits=task.num_digits, num_classes=task.modulus, cell="gru", hidden_size=32
)
print(model)
print("logits", tuple(model(ids, lengths).shape))  # (N, C)

# %% [markdown]
# ## The training loop
#
# Fresh batches from a seeded stream, Adam, cross-entropy on the logits, and the
# gradient norm clipped at 1 (cheap insurance for recurrent nets).


# %%
# this loop's settings, compared with the package's run below
LOOP = dict(
    batch_size=64, lr=1e-2, clip=1.0, steps=300, eval_every=50, eval_samples=1000
)


def accuracy(model: nn.Module, n: int = LOOP["eval_samples"], seed: int = 1) -> float:
    ids, lengths, targets = task.batch(n, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return (model(ids, lengths).argmax(dim=1) == targets).float().mean().item()


optimizer = torch.optim.Adam(model.parameters(), lr=LOOP["lr"])
stream = task.stream(LOOP["batch_size"], torch.Generator().manual_seed(0))
start = time.perf_counter()
for step in range(1, LOOP["steps"] + 1):
    ids, lengths, targets = next(stream)
    loss = nn.functional.cross_entropy(model(ids, lengths), targets)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), LOOP["clip"])
    optimizer.step()
    if step % LOOP["eval_every"] == 0:
        print(f"step {step:4d}  loss {loss.item():.3f}  accuracy {accuracy(model):.1%}")
print(f"trained in {time.perf_counter() - start:.1f} s")

# %% [markdown]
# ## Longer sequences than it was trained on
#
# The model saw lengths from `task.min_len` to `task.max_len` (printed above). A
# recurrent net applies the same cell at every step, so it can run on any length;
# whether it still *counts* correctly is an empirical question:

# %%
for length in (task.min_len, task.max_len, 10, 20):
    ids, lengths, targets = task.batch(
        1000, torch.Generator().manual_seed(length), lengths=(length, length)
    )
    with torch.no_grad():
        acc = (model(ids, lengths).argmax(dim=1) == targets).float().mean().item()
    print(f"length {length:2d}: accuracy {acc:.1%}")

# %% [markdown]
# ## The package's training loop
#
# `rnn_ref.train.train` wraps this loop with what a longer run needs: a config dataclass
# (saved next to the checkpoint), warmup and cosine decay of the learning rate, gradient
# clipping, periodic evaluation on fresh sequences, checkpoints you can resume from.
# `rnn-ref train` on the command line calls the same function. Same task, model size,
# learning rate, clipping and step count as above, but not the same run: `train` seeds
# its own model and data and decays the learning rate along a cosine (the loop keeps it
# constant), and the settings printed under the config below differ too (this cell
# compares the two), so its numbers differ from the loop's.

# %%
config = TrainConfig(
    cell="gru",
    hidden_size=32,
    num_digits=task.num_digits,
    modulus=task.modulus,
    min_len=task.min_len,
    max_len=task.max_len,
    lr=LOOP["lr"],
    clip=LOOP["clip"],
    steps=LOOP["steps"],
    eval_every=100,
    eval_samples=500,
    device="cpu",
)
for name, ours in LOOP.items():
    if getattr(config, name) != ours:
        print(f"differs: {name}: the loop {ours}, train {getattr(config, name)}")
result = train(config)
for m in result.metrics:
    print(f"step {m['step']:4d}  loss {m['loss']:.3f}  accuracy {m['accuracy']:.1%}")
