"""Fixtures shared by the checks on the built site
(links, notebooks, reference, browser, accessibility)."""

import fcntl
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = (
    os.environ.get("RNN_REF_CHROMIUM")
    or (
        "/usr/bin/chromium"
        if Path("/usr/bin/chromium").is_file()
        else shutil.which("chromium")
    )
    or "/usr/bin/chromium"
)


@pytest.fixture(scope="session")
def site(tmp_path_factory, worker_id) -> Path:
    """The site built strictly (`mkdocs build --strict`) into a temporary
    folder, once per test run: the first worker to need it builds it, under a lock,
    and the other (`make test` runs two) reads the same folder.

    RNN_REF_MKDOCS_CONFIG=other.yml builds from another config (e.g. one
    excluding a page in progress).
    """
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # pytest-xdist: the workers' temp folders share a parent
        shared = shared.parent
    out, built = shared / "site", shared / "site.built"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():
            _build(out)
            built.touch()
    return out


def _build(out: Path) -> None:
    config = (
        ["-f", os.environ["RNN_REF_MKDOCS_CONFIG"]]
        if os.environ.get("RNN_REF_MKDOCS_CONFIG")
        else []
    )
    # no -q: with -q, MkDocs 1.6 does not count warnings and
    # --strict passes a broken link
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out), *config],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert proc.returncode == 0, (
        f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    )


def html_pages(site: Path) -> list[Path]:
    """Every page of a built site (its HTML files, minus the 404
    page), whatever pages exist."""
    return sorted(
        p
        for p in site.rglob("*.html")
        if p.name != "404.html" and "assets" not in p.relative_to(site).parts
    )


@pytest.fixture(scope="session")
def site_pages(site) -> list[Path]:
    """The built site's pages; see :func:`html_pages`."""
    return html_pages(site)


# ---------------------------------------------------------------- a browser on it


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser_page(server):
    """One headless Chromium, one context, one tab; every request
    off 127.0.0.1 is aborted."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "Python Playwright is not installed: "
            "pip install -e '.[test]' (make setup does)"
        )
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
            "(`make setup` does, as root) "
            "or point RNN_REF_CHROMIUM at a Chromium binary"
        )
    outside: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    start = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, service_workers="block"
        )
        context.route("**/*", route)
        page = context.new_page()
        yield page, outside, start
        context.close()
        browser.close()
