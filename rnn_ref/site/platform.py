"""The platform an output was made on, and the pins that let every x86-64 CPU make it.

A computation's last bits depend on the kernels that ran it: torch picks its own kernel
set (AVX2 or AVX-512) by CPU, MKL picks a code path by CPU and vendor, and a reduction
split over threads adds in another order. Training amplifies a last-bit difference into
other printed digits. So `rnn-ref regen` and the tests run torch with `PINS`, which
make a Linux x86-64 CPU with AVX2 compute the committed outputs bit for bit (checked
on an Intel AVX-512 CPU; MKL's COMPATIBLE path is meant to give the same results on
every vendor's CPU, not yet checked on an AMD or an AVX2-only one). The pins are
environment variables, read when torch first computes: so every process that computes
for the site sets them before it loads torch (the snippet server, the figure worker,
the test session through the root `conftest.py`).

Every output whose values the platform can change records where it was made
(`describe()`: architecture, torch's kernel set, whether pinned, torch version, device).
An output is compared exactly where the running platform is the recorded one
(`mismatch()` is ""); elsewhere (ARM, a CPU without AVX2, another torch, a GPU) its
numbers are compared within a stated tolerance, and the text of a training run is not
compared at all: the claim tests check what it supports. This module imports no torch
at import time: the root `conftest.py` loads it before torch.
"""

from __future__ import annotations

import os
import platform as _platform
from collections.abc import Mapping

__all__ = ["PINS", "pinnable", "pinned_env", "describe", "mismatch"]

PINS = {
    "ATEN_CPU_CAPABILITY": "avx2",  # torch's own kernels: the AVX2 set, not AVX-512
    "MKL_CBWR": "COMPATIBLE,STRICT",  # MKL's one code path for every x86-64 vendor
    "ONEDNN_MAX_CPU_ISA": "AVX2",  # oneDNN (torch's float32 LSTM path on CPU)
    "OMP_NUM_THREADS": "1",  # one thread: reductions add in one order
    "MKL_NUM_THREADS": "1",
}


def pinnable(cpuinfo: str | None = None) -> bool:
    """Whether this machine can run with `PINS`: an x86-64 CPU with AVX2 and FMA.

    Forcing torch's AVX2 kernels on a CPU without AVX2 would stop it with an illegal
    instruction, so such a machine (or any other architecture) runs unpinned.
    """
    if _platform.machine().lower() not in {"x86_64", "amd64"}:
        return False
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
                cpuinfo = f.read()
        except OSError:  # not Linux: nothing tells us without loading torch
            return False
    flags = next((ln for ln in cpuinfo.splitlines() if ln.startswith("flags")), "")
    return {"avx2", "fma"} <= set(flags.split())


def pinned_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) with `PINS` applied, where the
    machine can take them; unchanged otherwise."""
    env = dict(os.environ if base is None else base)
    if pinnable():
        env.update(PINS)
    return env


def describe(device: str = "cpu") -> str:
    """Where this process computes: e.g. `cpu x86_64 AVX2 pinned · torch 2.13.0+cpu`.

    `pinned` means every variable of `PINS` is set as it is there, and the process
    shows it took them: torch's AVX2 kernels, one thread (MKL's code path cannot be
    read back; it is set with the others, before torch loads).
    """
    import torch

    if device == "cuda":
        where = f"cuda {torch.cuda.get_device_name()}"
    else:
        kernels = torch.backends.cpu.get_cpu_capability()
        pinned = (
            all(os.environ.get(k) == v for k, v in PINS.items())
            and kernels == "AVX2"
            and torch.get_num_threads() == 1
        )
        where = f"cpu {_platform.machine()} {kernels}" + (" pinned" if pinned else "")
    return f"{where} · torch {torch.__version__}"


def mismatch(recorded: str, current: str) -> str:
    """ "" when an output recorded on `recorded` can be compared exactly here, on
    `current` (both as `describe()` writes them); else the reason it cannot.

    Exactness needs the same pinned CPU platform and the same torch: a GPU, an unpinned
    process or another torch may print other last digits.

    Examples:
        >>> here = "cpu x86_64 AVX2 pinned · torch 2.13.0+cpu"
        >>> mismatch(here, here)
        ''
        >>> print(mismatch(here, "cpu aarch64 NEON · torch 2.13.0"))
        recorded on cpu x86_64 AVX2 pinned ..., this is cpu aarch64 NEON · torch 2.13.0
    """
    if recorded == current and current.startswith("cpu ") and " pinned " in current:
        return ""
    return f"recorded on {recorded}, this is {current}"
