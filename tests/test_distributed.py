"""Multi-process training: `torchrun -m rnn_ref.cli train` on 2 CPU processes,
and the sharding it uses."""

import os
import socket
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
import torch

from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask
from rnn_ref.distributed import get_world_size, shard
from rnn_ref.model import SumModClassifier, classifier_kwargs
from rnn_ref.train import evaluate, read_metrics, train

# lengths 1-3 and lr 0.01: an easy task, so 30 steps show clear
# progress (accuracy ~5% -> ~40%)
FLAGS = dict(
    steps=30,
    eval_every=10,
    hidden_size=16,
    lr=0.01,
    min_len=1,
    max_len=3,
    eval_samples=500,
    device="cpu",
)

# Each rank runs the real CLI; wrapping `train` only adds that every
# rank saves its parameters.
_WORKER = """
import sys
from pathlib import Path

import torch

import rnn_ref.cli.train as train_cli
from rnn_ref import distributed
from rnn_ref.cli import main



def train_and_keep(config, **kwargs):
    result = real_train(config, **kwargs)
    rank = distributed.get_rank()
    torch.save(result.model.state_dict(), Path(config.out) / f"rank{rank}.pt")
    return result


real_train, train_cli.train = train_cli.train, train_and_keep
sys.exit(main(sys.argv[1:]))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("world_size", [2, 3, 4])
def test_shards_are_disjoint_length_buckets_that_cover_the_batch(world_size):
    task, g = SumModTask(min_len=1, max_len=9), torch.Generator().manual_seed(0)
    ids, lengths, targets = task.batch(8 * world_size, g)
    parts = [
        shard(ids, lengths, targets, step=5, seed=0, rank=r, world_size=world_size)
        for r in range(world_size)
    ]
    rows = sorted(
        tuple(i[:n].tolist()) + (int(t),)
        for p in parts
        for i, n, t in zip(*p, strict=True)
    )
    assert rows == sorted(
        tuple(i[:n].tolist()) + (int(t),)
        for i, n, t in zip(ids, lengths, targets, strict=True)
    )
    assert all(
        len(p[1]) == 8 and p[0].shape[1] == p[1].max() for p in parts
    )  # trimmed to the bucket
    spans = sorted((int(p[1].min()), int(p[1].max())) for p in parts)
    assert all(
        hi <= lo for (_, hi), (lo, _) in zip(spans, spans[1:], strict=False)
    )  # buckets do not overlap
    again = shard(ids, lengths, targets, step=5, seed=0, rank=0, world_size=world_size)
    assert all(
        torch.equal(a, b) for a, b in zip(again, parts[0], strict=True)
    )  # every rank deals the same


def test_one_process_takes_the_whole_batch_and_an_uneven_split_is_refused():
    ids, lengths, targets = SumModTask().batch(6, torch.Generator().manual_seed(0))
    assert get_world_size() == 1
    assert shard(ids, lengths, targets, step=0, seed=0) == (ids, lengths, targets)
    with pytest.raises(
        ValueError, match="does not split evenly over 4 ranks; draw a multiple of 4"
    ):
        shard(ids, lengths, targets, step=0, seed=0, rank=0, world_size=4)


@pytest.mark.slow
def test_two_processes_train_like_one_process_with_twice_the_batch(tmp_path):
    worker, out = tmp_path / "worker.py", tmp_path / "run"
    worker.write_text(_WORKER)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in FLAGS.items()]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if Path("/sys/class/net/lo").exists():
        env["GLOO_SOCKET_IFNAME"] = "lo"  # loopback traffic only
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node=2",
            "--master_addr=127.0.0.1",
            f"--master_port={_free_port()}",
            str(worker),
            "train",
            *flags,
            "--batch-size=16",
            f"--out={out}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("step 30: accuracy") == 1, (
        done.stdout
    )  # rank 0 reports, once

    rank0, rank1 = torch.load(out / "rank0.pt"), torch.load(out / "rank1.pt")
    assert all(
        torch.equal(v, rank1[k]) for k, v in rank0.items()
    )  # identical on both ranks
    assert all(
        torch.equal(v, rank0[k]) for k, v in torch.load(out / "model.pt").items()
    )

    # progress: rank 0's evaluations against the untrained model
    # on the same fresh samples
    config = TrainConfig(**FLAGS, batch_size=32)
    torch.manual_seed(config.seed)
    untrained = SumModClassifier(**classifier_kwargs(asdict(config)))
    loss0, acc0 = evaluate(
        untrained, config.task, config.eval_samples, seed=config.seed * 1_000_003 + 30
    )
    metrics = read_metrics(out)
    assert [m["step"] for m in metrics] == [10, 20, 30]
    assert metrics[-1]["loss"] < loss0 - 0.1 and metrics[-1]["accuracy"] > acc0 + 0.2, (
        loss0,
        acc0,
        metrics,
    )

    # 2 ranks x 16 sequences are one global batch of 32, and DDP averages equal shards'
    # gradients: the same run as one process with --batch-size 32, up to float rounding
    single = train(config)
    assert all(
        torch.allclose(v, single.model.state_dict()[k], atol=1e-5)
        for k, v in rank0.items()
    )
    assert [m["accuracy"] for m in single.metrics] == pytest.approx(
        [m["accuracy"] for m in metrics], abs=0.01
    )
