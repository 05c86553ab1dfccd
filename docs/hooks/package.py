"""MkDocs hook: the `rnn_ref` package on the site, to install and to read.

- `download/rnn_ref-<version>-py3-none-any.whl`: a wheel of the package built by pip
  (setuptools, no build isolation, no index: it works offline) from the tree the site is
  built from, so what a reader installs is the code the pages show. The home page writes
  its name as the shell glob `rnn_ref-*-py3-none-any.whl`; this hook puts the real file
  name in its place, so no version is typed by hand and the page still reads right where
  the hook does not run (Zensical runs no MkDocs hooks).
- `source/rnn_ref/<module>.py`: the full source of every module of the package.
- Every package excerpt (a ```` ```py ```` fence whose one line includes
  `docs/assets/code/rnn_ref/<module>.py:<section>`) gets a title naming its module,
  linked to that module's full source.

`tests/site/test_package.py` checks all three in the built site;
`tests/site/test_browser.py::test_the_wheel_runs_the_home_page_example` installs the
wheel from the served site and runs the home page's example with it.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
WHEEL_GLOB = "rnn_ref-*-py3-none-any.whl"  # what a page writes; the hook fills it in
DOWNLOAD = "download"
SOURCE = "source"
_EXCERPT = re.compile(
    r'^```py\n(?=--8<-- "docs/assets/code/(rnn_ref/[\w/]+\.py):[\w-]+"\n```$)', re.M
)
_TITLE = re.compile(r'<span class="filename">(rnn_ref/[\w/]+\.py)</span>')
_built: dict[str, str] = {}  # "wheel": the wheel's file name in this build


def build_wheel(out_dir: Path) -> Path:
    """Build the package's wheel into `out_dir` and return its path.

    The build runs on a copy of what the wheel is made of (pyproject.toml, README.md,
    rnn_ref/), so setuptools' `build/` and `*.egg-info` never land in the checkout,
    and a module deleted there cannot linger in the wheel.
    """
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "rnn_ref-src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, src / name)
        shutil.copytree(
            ROOT / "rnn_ref",
            src / "rnn_ref",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        done = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "wheel", "--no-deps"),
                *("--no-build-isolation", "--no-index", "--disable-pip-version-check"),
                *("-q", "-w", str(out_dir), str(src)),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(
                "building the rnn_ref wheel failed (it needs setuptools>=70.1 here: "
                f"pip install -e '.[docs]'):\n{done.stderr}"
            )
    (wheel,) = out_dir.glob("rnn_ref-*.whl")
    return wheel


def on_files(files, config):
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        files.append(
            File.generated(
                config, f"{DOWNLOAD}/{wheel.name}", content=wheel.read_bytes()
            )
        )
    _built["wheel"] = wheel.name
    for module in sorted((ROOT / "rnn_ref").rglob("*.py")):
        rel = module.relative_to(ROOT).as_posix()
        files.append(
            File.generated(config, f"{SOURCE}/{rel}", abs_src_path=str(module))
        )
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    markdown = markdown.replace(WHEEL_GLOB, _built["wheel"])
    return _EXCERPT.sub(lambda m: f'```py title="{m[1]}"\n', markdown)


def on_page_content(content: str, page, config, files) -> str:
    def link(m: re.Match) -> str:
        source = files.get_file_from_path(f"{SOURCE}/{m[1]}")
        href = html.escape(source.url_relative_to(page.file))
        return (
            f'<span class="filename"><a href="{href}" '
            f'title="the whole module">{m[1]}</a></span>'
        )

    return _TITLE.sub(link, content)
