"""Timing side by side: every variant in every round, ratios per round, machine noted.

Machines here are shared and noisy, so a result is never an absolute time: each round
runs every variant once, in a rotated order, and a ratio is the median over rounds of
the ratio within a round. Absolute medians are kept as context only.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

__all__ = ["measure", "ratio", "medians", "machine_info", "torch_threads"]


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Torch on `n` CPU threads inside (as a `with` block or a decorator), the setting
    before given back after: a float sum split over threads adds in another order, and
    a small model runs steadier on one thread of a busy machine.

    Examples:
        >>> before = torch.get_num_threads()
        >>> with torch_threads(1):
        ...     torch.get_num_threads()
        1
        >>> torch.get_num_threads() == before
        True
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def measure(
    variants: dict[str, Callable[[], object]],
    repeats: int,
    sync: Callable[[], None],
    warmup: int = 1,
) -> dict[str, list[float]]:
    """Time every variant `repeats` times, interleaved: round r runs all, rotated by r.

    Args:
        variants: name -> a function to time.
        repeats: rounds.
        sync: waits for the device (`torch.cuda.synchronize`, or a no-op on the CPU).
        warmup: untimed rounds first.

    Returns:
        name -> the `repeats` times in seconds, in round order.
    """
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            sync()
            start = time.perf_counter()
            variants[name]()
            sync()
            times[name].append(time.perf_counter() - start)
    return times


def ratio(times: dict[str, list[float]], num: str, den: str) -> float:
    """Median over rounds of time(num) / time(den), each pair timed in one round."""
    return statistics.median(a / b for a, b in zip(times[num], times[den], strict=True))


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    """Each variant's median time, for context."""
    return {name: statistics.median(t) for name, t in times.items()}


def machine_info(device: torch.device) -> dict:
    """What ran the measurement: CPU, threads, torch, device, date, starting load."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                line.split(":", 1)[1].strip()
                for line in f
                if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": device.type,
        "device_name": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else cpu,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"
        ),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
