import os

import pytest
import torch
from hypothesis import HealthCheck, settings

# Hypothesis profiles: "default" is what `make test` runs; "long" is the soak profile:
#   HYPOTHESIS_PROFILE=long make test
settings.register_profile("default", max_examples=300, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=1500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _seed_and_one_thread():
    """Every test starts from the same RNG state, on one intra-op thread: the suite's tensors
    are tiny, so extra threads only add overhead and contention on a 2-core machine."""
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA (no GPU on this machine)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
