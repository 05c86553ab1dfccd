"""Training: the schedule, determinism, resume continuity,
divergence, and that it learns."""

import json
import math
import time
from dataclasses import asdict
from types import SimpleNamespace

import pytest
import torch

from rnn_ref.checkpoint import load_classifier
from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask, curriculum_lengths
from rnn_ref.distributed import shard
from rnn_ref.errors import TrainingDiverged
from rnn_ref.model import SumModClassifier, classifier_kwargs
from rnn_ref.train import accuracy_by_length, evaluate, lr_at, read_metrics, train

TINY = dict(
    cell="gru",
    hidden_size=16,
    batch_size=32,
    steps=40,
    eval_every=10,
    eval_samples=64,
    warmup_steps=5,
    clip=1.0,
    device="cpu",
)


def _curve(metrics):
    return [{k: v for k, v in m.items() if k != "seconds"} for m in metrics]


def _params(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_schedule_warms_up_linearly_then_decays_to_zero():
    c = TrainConfig(lr=1e-2, warmup_steps=10, steps=110)
    assert [lr_at(c, s) for s in (0, 4, 9)] == pytest.approx([1e-3, 5e-3, 1e-2])
    assert lr_at(c, 60) == pytest.approx(0.5e-2)
    assert lr_at(c, 110) == pytest.approx(0.0, abs=1e-12)
    lrs = [lr_at(c, s) for s in range(10, 110)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))
    assert (
        lr_at(TrainConfig(lr=1.0, steps=50), 0) == 1.0
    )  # no warmup: starts at the peak


def test_same_seed_same_curve_and_weights():
    a, b = train(TrainConfig(**TINY, seed=3)), train(TrainConfig(**TINY, seed=3))
    assert _curve(a.metrics) == _curve(b.metrics)
    assert all(
        torch.equal(v, b.model.state_dict()[k]) for k, v in a.model.state_dict().items()
    )
    c = train(TrainConfig(**TINY, seed=4))
    assert _curve(c.metrics) != _curve(a.metrics)


def test_resume_continues_the_same_curve(tmp_path):
    straight = train(TrainConfig(**TINY, seed=1, out=str(tmp_path / "straight")))
    config = TrainConfig(**TINY, seed=1, out=str(tmp_path / "resumed"))
    first = train(config, stop_at=15)  # interrupted between two evaluations
    assert [m["step"] for m in first.metrics] == [10]
    resumed = train(config, resume=True)
    assert _curve(resumed.metrics) == _curve(straight.metrics)
    assert _curve(read_metrics(tmp_path / "resumed")) == _curve(straight.metrics)
    assert all(
        torch.equal(v, resumed.model.state_dict()[k])
        for k, v in _params(straight.model).items()
    )
    assert all(
        torch.equal(v, load_classifier(tmp_path / "resumed").state_dict()[k])
        for k, v in _params(straight.model).items()
    )


def test_checkpoint_files_are_plain(tmp_path):
    train(TrainConfig(**TINY, out=str(tmp_path)))
    state = torch.load(tmp_path / "state.pt", weights_only=True)
    assert state["step"] == 40 and isinstance(state["data_rng"], torch.Tensor)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".lock",
        "config.json",
        "manifest.json",
        "metrics.jsonl",
        "model.pt",
        "state.pt",
    ]
    assert all(
        torch.equal(v, state["model"][k])
        for k, v in torch.load(tmp_path / "model.pt").items()
    )
    assert isinstance(torch.load(tmp_path / "model.pt", weights_only=True), dict)
    config = json.loads((tmp_path / "config.json").read_text())
    assert TrainConfig.from_dict(config) == TrainConfig(**TINY, out=str(tmp_path))
    lines = read_metrics(tmp_path)
    assert [m["step"] for m in lines] == [10, 20, 30, 40]
    assert set(lines[0]) == {
        *("step", "seconds", "loss", "accuracy", "train_loss", "lr"),
        *("grad_norm", "grad_norm_max", "clipped"),
    }


def _first_step(config: TrainConfig) -> tuple[SumModClassifier, float, float]:
    """The first training step's model (its gradients computed), loss and total
    gradient norm, computed here by hand."""
    torch.manual_seed(config.seed)
    model = SumModClassifier(**classifier_kwargs(asdict(config)))
    batch = config.task.batch(
        config.batch_size, torch.Generator().manual_seed(config.seed)
    )
    ids, lengths, targets = shard(*batch, 0, config.seed)
    loss = torch.nn.functional.cross_entropy(model(ids, lengths), targets)
    loss.backward()
    norm = torch.cat([p.grad.flatten() for p in model.parameters()]).norm().item()
    return model, loss.item(), norm


@pytest.mark.parametrize(
    "optimizer, cls", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)]
)
def test_a_step_is_the_named_optimizers_with_the_configs_lr_and_weight_decay(
    optimizer, cls
):
    """One training step gives the weights of one step, taken here by hand, of torch's
    Adam or AdamW with the scheduled lr and the config's weight_decay (Adam adds the
    decay to the gradient, AdamW shrinks the weights: they part ways)."""
    one_step = dict(steps=1, eval_every=1, eval_samples=8, clip=None)
    config = TrainConfig(**{**TINY, **one_step}, optimizer=optimizer, weight_decay=0.5)
    model, _, _ = _first_step(config)
    cls(model.parameters(), lr=lr_at(config, 0), weight_decay=0.5).step()
    trained = train(config).model.state_dict()
    for name, weight in model.state_dict().items():
        torch.testing.assert_close(trained[name], weight, rtol=0, atol=1e-7)


def test_the_first_intervals_metrics_are_its_first_steps():
    """With eval_every=1 the first metrics line is the first step alone: train_loss is
    its loss, grad_norm and grad_norm_max its gradient norm; `seconds` counts training
    time only, so it is at most the wall time of the whole call."""
    config = TrainConfig(**{**TINY, "steps": 2, "eval_every": 1, "eval_samples": 8,
                            "clip": None})  # fmt: skip
    _, loss, norm = _first_step(config)
    assert norm < 1  # so a maximum that started above 0 would show
    start = time.perf_counter()
    first = train(config).metrics[0]
    wall = time.perf_counter() - start
    assert first["train_loss"] == pytest.approx(loss, rel=1e-6)
    assert first["grad_norm"] == pytest.approx(norm, rel=1e-5)
    assert first["grad_norm_max"] == pytest.approx(norm, rel=1e-5)
    assert 0 < first["seconds"] <= wall


def test_metrics_log_the_gradient_norm_before_clipping_and_how_often_it_clips():
    every_step = {**TINY, "steps": 6, "eval_every": 1, "eval_samples": 8}
    free = train(TrainConfig(**{**every_step, "clip": None}))
    tiny = train(TrainConfig(**{**every_step, "clip": 1e-3}))
    norm = _first_step(TrainConfig(**every_step))[2]
    # step 1 starts from the same weights: the same norm before clipping, both runs
    assert free.metrics[0]["grad_norm"] == pytest.approx(norm, rel=1e-5)
    assert tiny.metrics[0]["grad_norm"] == pytest.approx(norm, rel=1e-5)
    assert [m["clipped"] for m in free.metrics] == [0.0] * 6
    assert [m["clipped"] for m in tiny.metrics] == [1.0] * 6  # every norm > 1e-3
    # the clip changes the updates, so the weights part ways (by ~2e-3 here: Adam
    # divides by the gradient's running scale, so rescaling every step moves little)
    differ = [
        (free.model.state_dict()[k] - v).abs().max().item()
        for k, v in tiny.model.state_dict().items()
    ]
    assert max(differ) > 1e-4
    # a clip between the smallest and largest norm fires on some steps, not all
    norms = sorted(m["grad_norm"] for m in free.metrics)
    mid = train(TrainConfig(**{**every_step, "clip": (norms[0] + norms[-1]) / 2}))
    assert 0 < sum(m["clipped"] for m in mid.metrics) < 6


def test_clip_fraction_is_per_evaluation_interval():
    run = train(TrainConfig(**{**TINY, "clip": 1e-3, "steps": 20, "eval_every": 10}))
    assert [m["clipped"] for m in run.metrics] == [1.0, 1.0]
    assert all(m["grad_norm_max"] >= m["grad_norm"] > 0 for m in run.metrics)


def test_fresh_run_refuses_a_directory_that_holds_a_run(tmp_path):
    train(TrainConfig(**{**TINY, "steps": 10}, out=str(tmp_path)))
    with pytest.raises(ValueError, match="already holds a run; pass --resume"):
        train(TrainConfig(**{**TINY, "steps": 10}, out=str(tmp_path)))


def test_nan_loss_stops_with_a_clear_message():
    with pytest.raises(
        TrainingDiverged, match=r"loss became nan at step \d+ .*lower --lr"
    ):
        train(TrainConfig(cell="rnn", hidden_size=8, lr=1e30, steps=50, eval_every=50))


def test_an_intervals_metrics_are_the_means_and_maximum_over_its_steps():
    """Evaluating changes nothing in training, so the same three steps logged as three
    intervals or as one agree: the three-step interval's train_loss and grad_norm are
    the means of the one-step ones, its grad_norm_max their maximum (each interval
    starts from zero)."""
    run = {**TINY, "steps": 3, "eval_samples": 8, "clip": None, "seed": 2}
    each = train(TrainConfig(**{**run, "eval_every": 1})).metrics
    (whole,) = train(TrainConfig(**{**run, "eval_every": 3})).metrics
    assert [m["step"] for m in each] == [1, 2, 3] and whole["step"] == 3
    for key in ("train_loss", "grad_norm"):
        mean = sum(m[key] for m in each) / 3
        assert whole[key] == pytest.approx(mean, rel=1e-6), key
    norms = [m["grad_norm"] for m in each]
    assert norms[-1] < max(norms)  # so a maximum that kept only the last would show
    assert whole["grad_norm_max"] == max(norms)


def test_with_a_curriculum_each_step_draws_from_that_steps_lengths(monkeypatch):
    """Under --length-curriculum K, step s trains on a batch drawn from
    curriculum_lengths(task, s, K): the longest length grows as the steps go."""
    asked, batch = [], SumModTask.batch

    def recording(self, batch_size, generator, lengths=None):
        drawn = batch(self, batch_size, generator, lengths)
        asked.append((lengths, int(drawn[1].max())))
        return drawn

    monkeypatch.setattr(SumModTask, "batch", recording)
    ramp = dict(min_len=1, max_len=9, length_curriculum=8)
    config = TrainConfig(
        **{**TINY, "steps": 8, "eval_every": 8, "eval_samples": 8}, **ramp
    )
    train(config)
    for step, (lengths, longest) in enumerate(asked[: config.steps]):
        assert lengths == curriculum_lengths(config.task, step, 8) == (1, step + 2)
        assert longest <= step + 2


@pytest.mark.parametrize("seed", [0, 7, 2**63 - 1])
def test_each_evaluation_draws_from_a_seed_fixed_by_the_runs_seed_and_step(seed):
    """The evaluation after step s scores fresh sequences drawn from seed
    (run seed x 1,000,003 + s) mod 2**63: the same for every run with that seed,
    different at every step, valid for any seed the config accepts."""
    config = TrainConfig(**{**TINY, "steps": 3, "eval_every": 3, "seed": seed})
    result = train(config)
    eval_seed = (seed * 1_000_003 + 3) % 2**63
    loss, accuracy = evaluate(result.model, config.task, config.eval_samples, eval_seed)
    assert result.metrics[-1]["loss"] == loss
    assert result.metrics[-1]["accuracy"] == accuracy


def test_seconds_add_up_the_steps_own_time(monkeypatch):
    """`seconds` is the training steps' time, summed: with a clock that moves one
    second per reading, each step takes one, and evaluation none."""
    ticks = iter(range(10**6))
    monkeypatch.setattr(
        "rnn_ref.train.time", SimpleNamespace(perf_counter=ticks.__next__)
    )
    config = TrainConfig(**{**TINY, "steps": 20, "eval_every": 10, "eval_samples": 8})
    assert [m["seconds"] for m in train(config).metrics] == [10, 20]


def test_a_non_finite_optimizer_state_stops_the_run_and_points_to_its_checkpoint(
    tmp_path, monkeypatch
):
    """Checked after every optimizer step: an infinite value in Adam's state stops
    the run, naming the step, its loss and lr, and the last good checkpoint."""
    step, steps_taken = torch.optim.Adam.step, []

    def poisoned(self, *args, **kwargs):
        result = step(self, *args, **kwargs)
        steps_taken.append(1)
        if len(steps_taken) == 13:
            next(iter(self.state.values()))["exp_avg_sq"].fill_(float("inf"))
        return result

    monkeypatch.setattr(torch.optim.Adam, "step", poisoned)
    config = TrainConfig(**{**TINY, "steps": 20, "out": str(tmp_path)})
    with pytest.raises(TrainingDiverged) as stopped:
        train(config)
    message = str(stopped.value)
    assert "the optimizer's state became non-finite at step 13 (loss " in message
    assert f"lr {lr_at(config, 12):.3g})" in message
    assert f"the last good checkpoint (finite evaluation) is in {tmp_path}" in message


def test_a_run_that_diverges_before_its_first_checkpoint_says_it_has_none(tmp_path):
    config = TrainConfig(cell="rnn", hidden_size=8, lr=1e30, steps=50, eval_every=50,
                         out=str(tmp_path))  # fmt: skip
    with pytest.raises(TrainingDiverged, match="no checkpoint was written yet"):
        train(config)


def test_a_resumed_run_that_diverges_points_to_the_checkpoint_it_resumed(tmp_path):
    """Resumed with a learning rate that blows up, the run stops before its next
    checkpoint and says the one it resumed from is still good."""
    run = dict(cell="rnn", hidden_size=8, steps=50, eval_every=10, out=str(tmp_path))
    train(TrainConfig(**run), stop_at=10)
    with pytest.raises(TrainingDiverged, match="the last good checkpoint .* is in"):
        train(TrainConfig(**run, lr=1e30), resume=True)


def test_progress_counts_the_runs_steps_on_stderr_then_erases_itself(tmp_path, capsys):
    """progress=True draws a bar on stderr counting steps out of config.steps (from the
    checkpoint's step when resumed), showing the last evaluation's accuracy and loss,
    and erases it at the end; without progress (the default) it draws nothing."""
    run = dict(cell="gru", hidden_size=8, batch_size=16, steps=20, eval_every=10,
               eval_samples=16, out=str(tmp_path))  # fmt: skip
    metrics = train(TrainConfig(**run), stop_at=10, progress=True).metrics
    first = capsys.readouterr().err.split("\r")
    metrics += train(TrainConfig(**run), resume=True, progress=True).metrics[1:]
    resumed = capsys.readouterr().err.split("\r")
    for bar, start, end, m in (
        (first, "0/20", "10/20", metrics[0]),
        (resumed, "10/20", "20/20", metrics[1]),
    ):
        assert start in bar[1] and end in bar[-3]
        assert bar[-3].endswith(f"acc={m['accuracy']:.2%}, loss={m['loss']:.4f}]")
        assert bar[-1] == "" and bar[-2].strip() == ""  # overwritten with blanks
    train(TrainConfig(**{**run, "out": None}))  # progress=False, the default
    assert capsys.readouterr().err == ""


def test_it_learns():
    result = train(
        TrainConfig(
            cell="gru",
            hidden_size=32,
            batch_size=64,
            lr=5e-3,
            clip=1.0,
            min_len=2,
            max_len=3,
            steps=300,
            eval_every=100,
            eval_samples=500,
        )
    )
    first, last = result.metrics[0], result.metrics[-1]
    assert last["train_loss"] < first["train_loss"] - 0.5
    assert last["loss"] < 0.6 * math.log(
        10
    )  # chance: cross-entropy ln(10), accuracy 0.1
    assert last["accuracy"] > 0.5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(cell="transformer"), "cell must be one of"),
        (dict(optimizer="sgd"), "adam or adamw"),
        (dict(steps=0), "steps must be at least 1"),
        (dict(lr=-1.0), "need a finite lr > 0"),
        (dict(lr=float("inf")), "need a finite lr > 0"),
        (dict(clip=float("nan")), "finite clip > 0"),
        (dict(weight_decay=-1.0), "weight_decay must be a finite number >= 0"),
        (dict(embed_dim=0), "embed_dim must be at least 1"),
        (dict(seed=2**63), "seed must be in"),
        (dict(min_len=9, max_len=3), "min_len <= max_len"),
        (dict(device="tpu"), "auto, cpu or cuda"),
    ],
)
def test_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


class _FirstDigitOracle(torch.nn.Module):
    """Right exactly when a sequence's first digit is even (a model with a known,
    sequence-by-sequence accuracy)."""

    def __init__(self, task):
        super().__init__()
        self.task, self.unused = task, torch.nn.Parameter(torch.zeros(1))

    def forward(self, ids, lengths):
        digits = ids.masked_fill(ids == self.task.pad_id, 0)
        target = digits.sum(dim=1) % self.task.modulus
        guess = torch.where(ids[:, 0] % 2 == 0, target, (target + 1) % 10)
        return torch.nn.functional.one_hot(guess, self.task.modulus).float()


def test_accuracy_by_length_scores_each_length_on_its_own_sequences():
    task = SumModTask(min_len=2, max_len=5)
    model = _FirstDigitOracle(task)
    rows = accuracy_by_length(model, task, [1, 3, 30], samples=200, seed=7)
    assert [(r["length"], r["n"]) for r in rows] == [(1, 200), (3, 200), (30, 200)]
    for r in rows:
        k = r["length"]
        seqs = task.sequences(200, seed=7 + k, lengths=k)
        assert r["accuracy"] == sum(s[0] % 2 == 0 for s in seqs) / 200
    # the defaults: 1000 sequences per length from the seed 12345 + k
    (row,) = accuracy_by_length(model, task, [4])
    assert row["n"] == 1000
    same, other = (
        accuracy_by_length(model, task, [4], 1000, seed)[0]["accuracy"]
        for seed in (12345, 12346)
    )
    assert row["accuracy"] == same != other


# Found by mutation testing: behaviour of training that a mutant changed while
# every other test still passed (mutation/RESULTS.md names the test that kills it).


SHORT = dict(
    cell="gru",
    hidden_size=16,
    batch_size=32,
    steps=6,
    eval_every=6,
    eval_samples=32,
    device="cpu",
    seed=0,
)


def _grad_norms_seen_by_adam(monkeypatch, **overrides):
    """Train SHORT and return the total gradient norm the optimizer stepped with,
    one per step."""
    norms = []
    step = torch.optim.Adam.step

    def recording_step(self, *args, **kwargs):
        grads = [p.grad for g in self.param_groups for p in g["params"]]
        norms.append(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", recording_step)
    train(TrainConfig(**{**SHORT, **overrides}))
    return torch.stack(norms)


def test_clip_bounds_the_gradient_norm_of_every_step(monkeypatch):
    """With `clip=c` every optimizer step sees gradients of total norm at most c;
    without it the same run's gradients are larger: clipping is applied, not only
    validated."""
    free = _grad_norms_seen_by_adam(monkeypatch, clip=None)
    clip = float(free.min()) / 2  # below every step's raw norm, so every step clips
    clipped = _grad_norms_seen_by_adam(monkeypatch, clip=clip)
    assert len(free) == len(clipped) == SHORT["steps"]
    assert (free > clip).all()
    assert torch.allclose(clipped, torch.full_like(clipped, clip), rtol=1e-5)
