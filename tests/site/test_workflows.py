"""The GitHub workflows are valid and safe: zizmor (from the registry, in the `test`
extra) parses each workflow against GitHub's schema and audits it (template injection,
unpinned actions, credentials left in the checkout, excessive permissions)."""

import subprocess
import sys
from pathlib import Path

from rnn_ref.site import paths

ZIZMOR = Path(sys.executable).with_name("zizmor")


def _zizmor(workflows: Path, *config: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ZIZMOR, "--offline", "--strict-collection", *config, workflows],
        capture_output=True,
        text=True,
    )


def test_the_workflows_pass_zizmor():
    github = paths.root() / ".github"
    run = _zizmor(github / "workflows", "--config", github / "zizmor.yml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_zizmor_fails_a_broken_or_unsafe_workflow(tmp_path):
    """The check can fail: a step list misspelled, and a title pasted into a shell."""
    job = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
    for body in (
        "    stepz: []\n",
        "    steps:\n      - run: echo ${{ github.event.issue.title }}\n",
    ):
        (tmp_path / "x.yml").write_text(job + body)
        assert _zizmor(tmp_path).returncode != 0, body
