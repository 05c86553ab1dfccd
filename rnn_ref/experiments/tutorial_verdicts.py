"""Verdicts: does a faithful run reproduce what the tutorial's post reports?

A rung's definition (`rnn_ref.experiments.tutorial.RUNGS`) carries the post's figure in
words (`reported`) and a `rule` that turns it into a test of one seed's final accuracy
on our fixed 10,000 sequences (the post's own 100-sample figure moves by
several points from one evaluation to the next, so it decides nothing). The rung's
verdict counts the seeds that pass: every seed "reproduced", none "not reproduced",
else "reproduced on k of n seeds"; for `some` (the post saw some runs converge and
others not) it is "reproduced" when the seeds split, and for `all` (the post saw every
run converge) a split is "not reproduced", since the claim is that the recipe is
reliable. One seed cannot split, and one run of a recipe whose runs differ by seed says
little: a verdict on one seed says so.
"""

from __future__ import annotations

import math
import statistics

from rnn_ref.experiments.tutorial import RUNGS, TutorialArgs

__all__ = [
    "NEAR",
    "CONVERGED",
    "CHANCE_TOL",
    "RULES",
    "at_chance",
    "with_rules",
    "seed_passes",
    "verdict",
]

NEAR = 0.05  # "about X %": within 5 percentage points
CONVERGED = 0.99  # a run "converged": at least 99 % on the fixed 10,000 sequences
CHANCE_TOL = 0.01  # a loss this close to ln(classes) is a uniform guess

# rule -> how one seed is judged, in words (the verdict table states it)
RULES = {
    "near": f"final accuracy within {NEAR * 100:.0f} percentage points of the reported "
    "figure",
    "at_least": "final accuracy at least the lower end of the reported range",
    "below": "final accuracy below the mean of the rung it is compared with",
    "some": f"the seeds split: some converge (≥ {CONVERGED:.0%}), some do not",
    "all": f"converged: final accuracy ≥ {CONVERGED:.0%}",
}


def at_chance(run: dict, args: TutorialArgs | None = None) -> bool:
    """Whether a run's loss ends at chance: its last 50 steps' mean within `CHANCE_TOL`
    of ln(classes), the loss of a uniform guess over the `max_number + 1` classes of
    `args` (default: the script's)."""
    classes = (args or TutorialArgs()).max_number + 1
    return abs(run["loss"]["mean"][-1] - math.log(classes)) <= CHANCE_TOL


def with_rules(results: dict) -> dict[str, dict]:
    """Each rung of `results` by name, with the `rule` and `value` of its definition in
    `RUNGS` (the record holds only what ran; a rung no longer defined has no rule).

    Examples:
        >>> r = with_rules({"rungs": [{"name": "baseline", "runs": []}]})["baseline"]
        >>> r["rule"], r["value"]
        ('near', 0.75)
    """
    rungs = {}
    for r in results["rungs"]:
        defined = RUNGS.get(r["name"])
        rule, value = (defined.rule, defined.value) if defined else (None, None)
        rungs[r["name"]] = {**r, "rule": rule, "value": value}
    return rungs


def seed_passes(rung: dict, rungs: dict[str, dict]) -> list[bool]:
    """For each seed of `rung`, whether it shows what the post reports.

    Args:
        rung: a rung of `with_rules`, with `rule` not `None`.
        rungs: every rung of `with_rules` (the `below` rule compares with another
            rung).

    Examples:
        >>> rung = {"rule": "near", "value": 0.75,
        ...         "runs": [{"final_10k": 0.72}, {"final_10k": 0.5}]}
        >>> seed_passes(rung, {})
        [True, False]
    """
    acc = [r["final_10k"] for r in rung["runs"]]
    rule, value = rung["rule"], rung["value"]
    if rule == "near":
        return [abs(a - value) <= NEAR + 1e-12 for a in acc]
    if rule == "at_least":
        return [a >= value for a in acc]
    if rule == "below":
        reference = statistics.fmean(r["final_10k"] for r in rungs[value]["runs"])
        return [a < reference for a in acc]
    if rule in ("some", "all"):
        return [a >= CONVERGED for a in acc]
    raise ValueError(f"rule must be one of {sorted(RULES)}; got {rule!r}")


def verdict(rung: dict, rungs: dict[str, dict]) -> str:
    """ "reproduced", "not reproduced" or "reproduced on k of n seeds" ("—" for a
    control the post did not run).

    Examples:
        >>> runs = [{"final_10k": a} for a in (1.0, 0.2, 0.3)]
        >>> verdict({"rule": "all", "value": None, "runs": runs}, {})
        'not reproduced (1 of 3 converged)'
        >>> verdict({"rule": "some", "value": None, "runs": runs}, {})
        'reproduced (1 of 3 converged)'
        >>> verdict({"rule": "all", "value": None, "runs": runs[1:2]}, {})
        'not reproduced (1 seed only)'
    """
    if not rung["runs"] or (
        rung["rule"] == "below" and not rungs[rung["value"]]["runs"]
    ):
        return "not run yet"
    if rung["rule"] is None:
        return "—"
    passed = seed_passes(rung, rungs)
    k, n = sum(passed), len(passed)
    if rung["rule"] == "some":
        if n < 2:  # a split needs two seeds at least
            return f"untested: needs 2 seeds or more ({k} of {n} converged)"
        return (
            f"{'reproduced' if 0 < k < n else 'not reproduced'} ({k} of {n} converged)"
        )
    only = " (1 seed only)" if n == 1 else ""
    if rung["rule"] == "all" and 0 < k < n:  # "every run converged" is refuted by one
        return f"not reproduced ({k} of {n} converged)"
    if k == n:
        return "reproduced" + only
    return "not reproduced" + only if k == 0 else f"reproduced on {k} of {n} seeds"
