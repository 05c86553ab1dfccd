import contextlib
import math
import os
import stat
import threading
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, Phase, settings

# Hypothesis profiles: "default" is what `make test` runs; "long" is the soak profile:
#   HYPOTHESIS_PROFILE=long make test
settings.register_profile(
    "default",
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# "fast" is what `make test-fast` runs: a sixth of the examples, the same properties.
settings.register_profile(
    "fast",
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# "mutation" is what `make mutate` runs each mutant's tests with: a failing example
# ends the test at once (no shrinking, which only makes the report readable) and a
# mutant that survives costs a third of the examples.
settings.register_profile(
    "mutation",
    max_examples=100,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", autouse=True)
def _train_once_per_run(tmp_path_factory, worker_id):
    """The training page's GRUs are trained once per test run, by whichever process
    needs them first (a worker, a snippet, a notebook): `rnn_ref.site.train_cache`."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # pytest-xdist: the workers' temp folders share a parent
        shared = shared.parent
    (shared / "trained").mkdir(exist_ok=True)
    os.environ["RNN_REF_MODEL_CACHE"] = str(shared / "trained")


@pytest.fixture(autouse=True)
def _seed_and_one_thread():
    """Every test starts from the same RNG state, on one intra-op thread: the
    suite's tensors are tiny, so extra threads only add overhead and
    contention on a 2-core machine."""
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# `make test` runs on two workers (pytest-xdist), each taking whole test files, so a
# file's module fixtures (models it trains) are made once. The longest files go first
# (measured with `pytest --durations`), so both workers finish together; the site's
# build first of all (tests/site/conftest.py: the files that read the site wait for it).
LONGEST_FIRST = [
    "tests/site/test_build.py",
    "tests/site/test_browser.py",
    "tests/site/test_learned.py",
    "tests/claims/test_training.py",
    "tests/site/test_accessibility.py",
    "tests/test_faults.py",
    "tests/claims/test_gradients.py",
    "tests/site/test_figures.py",
    "tests/site/test_gradient_figures.py",
    "tests/site/test_notebooks.py",
    "tests/claims/test_deployment.py",
    "tests/experiments/test_bench_compile.py",
    "tests/site/test_snippets.py",
    "tests/cli/test_faults.py",
]
# Files that train the same models (each cached once per process by the package) go to
# one worker, so each model is trained once.
TOGETHER = {
    file: "the training page's GRUs"  # rnn_ref.site.learned.trained
    for file in (
        "tests/site/test_learned.py",
        "tests/claims/test_training.py",
        "tests/claims/test_gradients.py",
        "tests/site/test_figures.py",
        "tests/site/test_gradient_figures.py",
    )
}


def _file(item) -> str:
    return item.nodeid.split("::")[0]


def pytest_collection_modifyitems(config, items):
    rank = {file: n for n, file in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_file(item), len(rank)))  # stable
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA (no GPU on this machine)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """A worker takes a whole file (or a group of `TOGETHER`), in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::")[0]
            return TOGETHER.get(file, file)

    config.option.loadscopereorder = False  # keep LONGEST_FIRST's order
    return ByFile(config, log)


@pytest.fixture
def assert_same_svg():
    """`check(fresh, committed, fix)`: a freshly drawn SVG is
    byte-identical to the committed one.

    Skips when the committed file was drawn by another matplotlib version (its output
    may differ between versions); `fix` is the command that redraws it.
    """
    import matplotlib

    from rnn_ref.site.records import drawing_mismatch, drawn_with

    def check(fresh: Path, committed: Path, fix: str) -> None:
        assert committed.exists(), f"{committed.name} is not committed: run `{fix}`"
        text = committed.read_text()
        assert "<dc:date>" not in text, (
            f"{committed.name} embeds a date: not reproducible"
        )
        drawn = drawn_with(text)
        assert drawn, f"{committed.name} does not say which matplotlib drew it"
        if drawn != matplotlib.__version__:
            pytest.skip(
                f"{committed.name} was drawn with matplotlib {drawn}, this is "
                f"{matplotlib.__version__}: output may differ between versions"
            )
        if reason := drawing_mismatch(text, fresh.read_text()):
            pytest.skip(f"{committed.name}: {reason}; the claim tests check it")
        assert fresh.read_bytes() == committed.read_bytes(), (
            f"{committed.name} is stale: "
            f"run `{fix}` and commit it if the change is intended"
        )

    return check


def _numbers(obj, path=""):
    """Every (path, number) in a nested JSON object."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield path, obj


@pytest.fixture
def check_bench_results():
    """`check(results, parts)`: bench results name the machine and hold only
    finite, positive numbers."""

    def check(results, parts):
        assert set(parts) <= set(results)
        machine = results["machine"]
        for key in ("cpu", "torch_threads", "torch", "device", "date"):
            assert machine[key] not in (None, "")
        numbers = list(
            _numbers({k: results[k] for k in parts})
        )  # ratios, times, tokens/s, sizes
        assert any("ratio" in p for p, _ in numbers)
        bad = [(p, v) for p, v in numbers if not (math.isfinite(v) and v > 0)]
        assert not bad, bad

    return check


class Special:
    """A file that is not a regular file, made in a test's folder (never the real
    /dev/null): the null device (`mknod`, as root) or a FIFO that a thread reads."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind, self.received = path, kind, bytearray()
        if kind == "null device":
            try:
                os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            except PermissionError:
                pytest.skip("making a device node needs root")
        else:
            os.mkfifo(path)
            self._stop = threading.Event()
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()
        self.before = os.lstat(path)

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                with open(self.path, "rb") as f:  # waits for a writer
                    self.received += f.read()
            except OSError:
                return

    def drain(self) -> bytes | None:
        """Stop reading (a FIFO): what the writers sent, all of it (None: the null
        device, which keeps nothing)."""
        if hasattr(self, "_reader"):
            self._stop.set()
            for _ in range(40):  # wake the reader waiting in open()
                with contextlib.suppress(OSError):  # ENXIO: not waiting yet
                    os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
                self._reader.join(0.05)
                if not self._reader.is_alive():
                    break
            return bytes(self.received)
        return None

    def intact(self) -> bool:
        """Still the same kind of file, the same inode."""
        now = os.lstat(self.path)
        kind = stat.S_IFMT
        return (kind(now.st_mode), now.st_ino) == (
            kind(self.before.st_mode),
            self.before.st_ino,
        )


@pytest.fixture(params=["null device", "fifo"])
def special_file(request, tmp_path):
    """`make(name) -> Special`: a special file at `tmp_path / name`, of each kind a
    command must write into and never rename over; each is checked intact after the
    test."""
    made = []

    def make(name: str) -> Special:
        made.append(Special(tmp_path / name, request.param))
        return made[-1]

    yield make
    for special in made:
        special.drain()
        assert special.intact(), f"{special.path} was replaced"
