"""The language model's committed results: what a run reached, at what cost, and what
it writes.

`rnn-ref lm train --results FILE` calls `summarize` after training and writes the JSON
the page's tables are rendered from (`rnn_ref.site.lm_report`); the checkpoint itself
is not committed, only this summary and the samples it printed.
"""

from __future__ import annotations

import os
from dataclasses import asdict

import torch

from rnn_ref.experiments.timing import machine_info
from rnn_ref.lm import sample
from rnn_ref.lm_train import LMConfig, LMResult

__all__ = ["TEMPERATURES", "summarize"]

TEMPERATURES = (0.5, 0.8, 1.2)  # the samples shown on the page
SAMPLE_PRIME = "\n"
SAMPLE_LENGTH = 400


def summarize(result: LMResult, config: LMConfig, command: str) -> dict:
    """The run as JSON: config, machine, the metrics curve, and one sample per
    temperature (seed 0, primed with a newline)."""
    machine = machine_info(torch.device("cpu"))
    machine["load_average_at_end"] = round(os.getloadavg()[0], 2)
    last = result.metrics[-1]
    samples = {
        str(t): sample(
            result.model,
            result.vocab,
            SAMPLE_PRIME,
            SAMPLE_LENGTH,
            temperature=t,
            seed=0,
        )
        for t in TEMPERATURES
    }
    config_dict = {k: v for k, v in asdict(config).items() if k not in ("out",)}
    return {
        "command": command,
        "config": config_dict,
        "parameters": sum(p.numel() for p in result.model.parameters()),
        "machine": machine,
        "final": last,
        "metrics": result.metrics,
        "samples": samples,
        "sample_prime": SAMPLE_PRIME,
        "sample_seed": 0,
    }
