"""The built site as a reader sees it: every page opened in headless Chromium, offline.

One browser, one context, pages opened one after another from a local static server on
127.0.0.1. Every request for another host is aborted and recorded, so the checks below
also prove that math, fonts, scripts and styles are served by the site itself. For each
page: math typeset by KaTeX (no raw TeX left in the prose), every image loaded, no
console errors, a copy button on every code block. Then: search finds what readers
search for, and the packing explorer agrees with
``torch.nn.utils.rnn.pack_padded_sequence`` on random inputs: its fields, its
step-through of an RNN, and the program its Copy as Python button copies (run by
Python); its 32 colours are far apart and its largest input stays inside its box.

Uses Debian's ``chromium`` (``make setup`` installs it when run as root) through Python
Playwright's ``executable_path``; ``playwright install`` is never needed. Skips, saying
why, only where no Chromium or no Playwright is installed. Screenshots of every page go
to a temporary folder that failing assertions name.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEARCH_TERMS = [
    "pack_padded_sequence",
    "enforce_sorted",
    "h_n",
    "truncated BPTT",
    "detach hidden",
    "vanishing gradient",
    "exploding gradient",
    "clip_grad_norm_",
]
EXPLORER_CASES = 60
# TeX that KaTeX should have replaced: a backslash command, or a display-math delimiter
RAW_TEX = re.compile(r"\\[A-Za-z]{2,}|\$\$|\\\(|\\\[")


@dataclass
class PageReport:
    path: str
    status: int | None = None
    katex: int = 0
    untypeset: list[str] = field(
        default_factory=list
    )  # arithmatex spans KaTeX did not render
    katex_errors: list[str] = field(default_factory=list)
    raw_tex: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    code_blocks: int = 0
    without_copy: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    layout: dict = field(default_factory=dict)  # _LAYOUT's measurements


@dataclass
class Visit:
    base: str
    shots: Path
    pages: list[PageReport]
    outside: list[str]  # requests for another host, aborted
    page: object  # the Playwright page, still open, for the interactive tests
    interactive: PageReport  # console errors raised while the tests type and click
    seconds: float = 0.0
    timing: dict = field(default_factory=dict)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def visit(browser_page, server, site, site_pages, tmp_path_factory) -> Visit:
    """Open every page of the built site in turn and record
    what the reader would see."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page, outside, start = browser_page
    shots = tmp_path_factory.mktemp("screenshots")
    current: dict = {}
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and current["report"].console_errors.append(
                f"{m.text} ({(m.location or {}).get('url', '')})"
            )
        ),
    )
    page.on(
        "pageerror", lambda e: current["report"].console_errors.append(f"uncaught: {e}")
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and current["report"].bad_responses.append(f"{r.status} {r.url}")
        ),
    )

    reports = []
    shot_seconds = 0.0
    launched = time.perf_counter() - start
    for html_path in site_pages:
        rel = html_path.relative_to(site).as_posix()
        path = rel[: -len("index.html")] if rel.endswith("index.html") else rel
        report = PageReport(path or "/")
        current["report"] = report
        response = page.goto(server + path, wait_until="load")
        report.status = response.status if response else None
        # Material mounts copy buttons and katex-init typesets on its document$
        # observable; a timeout is reported per block by the copy-button test
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "() => document.querySelectorAll('.md-content pre > code').length === "
                "document.querySelectorAll('.md-content pre .md-code__button').length",
                timeout=5_000,
            )
        _inspect(page, report)
        name = re.sub(r"[^\w.-]+", "_", path.strip("/")) or "index"
        t0 = time.perf_counter()
        page.screenshot(
            path=shots / f"{name}.jpg", full_page=True, type="jpeg", quality=70
        )
        shot_seconds += time.perf_counter() - t0
        reports.append(report)
    current["report"] = PageReport(
        "(interactive tests)"
    )  # search and explorer errors land here
    result = Visit(server, shots, reports, outside, page, current["report"])
    result.seconds = time.perf_counter() - start
    result.timing = {
        "launch": round(launched, 1),
        "screenshots": round(shot_seconds, 1),
    }
    return result


# What the layout promises (docs/assets/stylesheets/site.css), measured on the page.
_LAYOUT = r"""
async function _layout() {
  const article = document.querySelector("article.md-content__inner")
                  || document.querySelector(".md-content");
  const figures = [];
  for (const img of article.querySelectorAll("img")) {
    const src = img.currentSrc || img.src;
    if (!src.endsWith(".svg")) continue;
    const svg = new DOMParser().parseFromString(
      await (await fetch(src)).text(), "image/svg+xml").documentElement;
    const viewBox = (svg.getAttribute("viewBox") || "").split(/\s+/).map(Number);
    const sizes = [...svg.querySelectorAll("text")].map(t => {
      const style = t.getAttribute("style") || "";
      const m = /(?:font-size:\s*|font:[^;]*?)([\d.]+)px/.exec(style);
      return m ? Number(m[1]) : Number(t.getAttribute("font-size") || NaN);
    }).filter(x => x > 0);
    if (!sizes.length || !(viewBox[2] > 0)) continue;
    const scale = img.getBoundingClientRect().width / viewBox[2];
    figures.push({src: src.split("/").pop(), px: Math.min(...sizes) * scale});
  }
  return {
    doc_width: document.documentElement.scrollWidth,
    view_width: window.innerWidth,
    scrolling_code: [...article.querySelectorAll("pre > code")]
      .filter(c => c.scrollWidth > c.clientWidth + 1)
      .map(c => c.textContent.split("\n")
                  .reduce((a, b) => b.length > a.length ? b : a)),
    h1: article.querySelectorAll("h1").length,
    shape_em: [...article.querySelectorAll("details")]
      .filter(d => (d.querySelector("summary")?.textContent || "").startsWith("Shape"))
      .filter(d => d.querySelector("em"))
      .map(d => d.textContent.slice(0, 80)),
    figures,
  };
}
"""

_LAYOUT_KEYS = [
    "doc_width",
    "view_width",
    "scrolling_code",
    "h1",
    "shape_em",
    "figures",
]
# Lazy images have no size until loaded: load every image first.
_LOAD_IMAGES = r"""
  const imgs = [...document.querySelectorAll("img")];
  imgs.forEach(i => { i.loading = "eager"; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener("load", r);
    i.addEventListener("error", r);
    setTimeout(r, 5000);
  })));
"""
_INSPECT = (
    r"""
async () => {
"""
    + _LAYOUT
    + r"""
  const article = document.querySelector("article.md-content__inner")
                  || document.querySelector(".md-content");
"""
    + _LOAD_IMAGES
    + r"""
  const prose = article.cloneNode(true);
  prose.querySelectorAll(
    "pre, code, .katex, script, style, .highlight, .jp-OutputArea-output, textarea"
  ).forEach(e => e.remove());
  const blocks = [...article.querySelectorAll("pre > code")];
  return {
    katex: article.querySelectorAll(".katex").length,
    untypeset: [...article.querySelectorAll(".arithmatex")]
                 .filter(e => !e.querySelector(".katex"))
                 .map(e => e.textContent.slice(0, 80)),
    katex_errors: [...article.querySelectorAll(".katex-error")]
                    .map(e => e.textContent.slice(0, 80)),
    prose: prose.textContent,
    images: imgs.map(i => ({
      src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth,
    })),
    code_blocks: blocks.length,
    without_copy: blocks.filter(c => !c.parentElement.querySelector(".md-code__button"))
                        .map(c => c.textContent.slice(0, 60)),
    ...(await _layout()),
  };
}
"""
)


def _inspect(page, report: PageReport) -> None:
    found = page.evaluate(_INSPECT)
    report.katex = found["katex"]
    report.untypeset = found["untypeset"]
    report.katex_errors = found["katex_errors"]
    prose = found["prose"]
    report.raw_tex = [
        prose[max(0, m.start() - 30) : m.end() + 30].replace("\n", " ")
        for m in RAW_TEX.finditer(prose)
    ]
    report.images = found["images"]
    report.code_blocks = found["code_blocks"]
    report.without_copy = found["without_copy"]
    report.layout = {k: found[k] for k in _LAYOUT_KEYS}


def _where(visit: Visit) -> str:
    return f"\n(screenshots of every page: {visit.shots})"


# ---------------------------------------------------------------- every page


def test_every_page_opens(visit, site_pages):
    assert len(visit.pages) == len(site_pages) >= 3
    bad = [(r.path, r.status) for r in visit.pages if r.status != 200]
    if bad:
        pytest.fail(f"pages that did not load: {bad}{_where(visit)}")
    summary = {
        "pages": len(visit.pages),
        "formulas": sum(r.katex for r in visit.pages),
        "images": sum(len(r.images) for r in visit.pages),
        "code_blocks": sum(r.code_blocks for r in visit.pages),
        "seconds_pages": round(visit.seconds, 1),
        "of_which_seconds": visit.timing,
    }
    (visit.shots / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"browser: {summary}")


def test_nothing_is_requested_from_another_host(visit):
    if visit.outside:
        pytest.fail(
            f"requests that left 127.0.0.1 (blocked; the site must work offline): "
            f"{sorted(set(visit.outside))}{_where(visit)}"
        )


def test_no_missing_files(visit):
    bad = {r.path: r.bad_responses for r in visit.pages if r.bad_responses}
    if bad:
        pytest.fail(f"responses >= 400: {bad}{_where(visit)}")


def test_math_is_typeset(visit):
    assert sum(r.katex for r in visit.pages) > 0, (
        "no formula was typeset anywhere" + _where(visit)
    )
    bad = {
        r.path: {
            "untypeset": r.untypeset,
            "katex errors": r.katex_errors,
            "raw TeX in the text": r.raw_tex,
        }
        for r in visit.pages
        if r.untypeset or r.katex_errors or r.raw_tex
    }
    if bad:
        pytest.fail(f"math not typeset: {json.dumps(bad, indent=1)}{_where(visit)}")


def test_every_image_loads(visit):
    bad = {
        r.path: [i["src"] for i in r.images if not (i["complete"] and i["width"] > 0)]
        for r in visit.pages
    }
    bad = {k: v for k, v in bad.items() if v}
    if bad:
        pytest.fail(f"images that did not load: {bad}{_where(visit)}")


def test_no_console_errors(visit):
    bad = {r.path: r.console_errors for r in visit.pages if r.console_errors}
    if bad:
        pytest.fail(f"console errors: {json.dumps(bad, indent=1)}{_where(visit)}")


@pytest.fixture(scope="module")
def phone(visit, browser_page, server) -> dict[str, dict]:
    """Every page again at 390 px (a phone): its document width and its figures."""
    page = browser_page[0]
    page.set_viewport_size({"width": 390, "height": 844})
    seen = {}
    try:
        for r in visit.pages:
            page.goto(server + r.path.lstrip("/"), wait_until="load")
            seen[r.path] = page.evaluate(
                "async () => {" + _LAYOUT + _LOAD_IMAGES + "const l = await _layout(); "
                "return {width: l.doc_width, figures: l.figures}; }"
            )
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    return seen


def test_no_page_is_wider_than_the_viewport(visit, phone):
    """At 1280 px (the visit) and at 390 px (a phone), nothing widens the page: long
    code, tables, figures and the explorer scroll inside their own boxes."""
    wide = [
        f"{r.path} at 1280: {r.layout['doc_width']} px"
        for r in visit.pages
        if r.layout["doc_width"] > r.layout["view_width"]
    ] + [
        f"{path} at 390: {p['width']} px"
        for path, p in phone.items()
        if p["width"] > 390
    ]
    assert not wide, f"pages wider than the viewport: {wide}{_where(visit)}"


def test_figure_text_is_at_least_11px_on_a_phone(phone):
    """At 390 px a figure keeps its drawn size (and scrolls in its box), so its text
    stays as legible as at 1280."""
    figures = [(path, f) for path, p in phone.items() for f in p["figures"]]
    assert figures, "no SVG figure measured at 390 px"
    small = [
        f"{path} {f['src']}: {f['px']:.1f} px" for path, f in figures if f["px"] < 11
    ]
    assert not small, f"figures whose smallest text is under 11 px at 390: {small}"


def test_no_code_block_scrolls_sideways_at_1280(visit):
    scrolling = [
        f"{r.path}: {line.strip()[:70]!r} ({len(line)} chars)"
        for r in visit.pages
        for line in r.layout["scrolling_code"]
    ]
    assert not scrolling, (
        "code blocks wider than the column at 1280 px (the longest line of each; "
        f"wrap the source at 88 columns): {scrolling}{_where(visit)}"
    )


def test_one_h1_per_page(visit):
    bad = [(r.path, r.layout["h1"]) for r in visit.pages if r.layout["h1"] != 1]
    assert not bad, f"pages without exactly one H1: {bad}{_where(visit)}"


def test_no_emphasis_in_api_shapes(visit):
    bad = [(r.path, s) for r in visit.pages for s in r.layout["shape_em"]]
    assert not bad, (
        f"a '*' in a Shape section became italics (put shapes in `code`): {bad}"
    )


def test_figure_text_is_at_least_11px_at_1280(visit):
    figures = [(r.path, f) for r in visit.pages for f in r.layout["figures"]]
    assert figures, "no SVG figure measured"
    small = [
        f"{path} {f['src']}: {f['px']:.1f} px" for path, f in figures if f["px"] < 11
    ]
    assert not small, f"figures whose smallest text is under 11 px: {small}"


def test_code_blocks_have_copy_buttons(visit):
    assert sum(r.code_blocks for r in visit.pages) > 0, (
        "no code block anywhere" + _where(visit)
    )
    bad = {r.path: r.without_copy for r in visit.pages if r.without_copy}
    if bad:
        pytest.fail(f"code blocks without a copy button: {bad}{_where(visit)}")


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_search_finds(visit, site, term):
    """Type the term into the search box; the top result is a page
    that contains each of its words."""
    page = visit.page
    page.goto(visit.base, wait_until="load")
    page.click(".md-search__input")
    page.keyboard.type(term, delay=10)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item a.md-search-result__link", "as => as.map(a => a.href)"
    )
    assert hrefs, f"search for {term!r} listed nothing{_where(visit)}"
    top = urlsplit(urljoin(visit.base, hrefs[0]))
    target = site / unquote(top.path).lstrip("/")
    target = target / "index.html" if target.is_dir() else target
    text = html.unescape(re.sub(r"<[^>]+>", "", target.read_text(encoding="utf-8")))
    assert all(word.lower() in text.lower() for word in term.split()), (
        f"top result for {term!r} is {hrefs[0]}, which does not contain it; "
        f"all: {hrefs}"
    )


def test_search_previews_show_typeset_math(visit):
    """Material fills previews with the page's raw text; katex-init.js typesets them."""
    page = visit.page
    page.goto(visit.base, wait_until="load")
    page.click(".md-search__input")
    page.keyboard.type("hidden state", delay=10)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    page.wait_for_timeout(300)
    previews = page.eval_on_selector_all(
        ".md-search-result__article",
        "as => as.map(a => { const c = a.cloneNode(true);"
        " c.querySelectorAll('.katex').forEach(k => k.remove());"
        " return c.textContent; })",
    )
    raw = [m.group(0) for t in previews for m in RAW_TEX.finditer(t)]
    assert previews and not raw, f"raw TeX in search previews: {raw[:5]}"


# ---------------------------------------------------------------- packing explorer


def _explorer(visit: Visit, site: Path):
    pages = [
        p
        for p in site.rglob("*.html")
        if 'class="packing-explorer"' in p.read_text(encoding="utf-8")
    ]
    assert pages, 'no page holds the packing explorer (<div class="packing-explorer">)'
    rel = pages[0].relative_to(site).as_posix().removesuffix("index.html")
    page = visit.page
    page.goto(visit.base + rel, wait_until="load")
    page.wait_for_selector(".packing-explorer .pe-input")
    return page


_READ = """() => {
  const root = document.querySelector(".packing-explorer");
  const text = s => {
    const e = root.querySelector(s);
    return e ? e.textContent : null;
  };
  const error = root.querySelector(".pe-error");
  return {
    input: root.querySelector(".pe-input").value,
    error: error.hidden ? null : error.textContent,
    batch_sizes: text(".pe-batch-sizes"),
    sorted_indices: text(".pe-sorted-indices"),
    unsorted_indices: text(".pe-unsorted-indices"),
    data: [...root.querySelectorAll(".pe-data .pe-cell")].map(e => e.textContent),
    sorted: [...root.querySelectorAll(".pe-sorted .pe-cell")].map(e => e.textContent),
  };
}"""


def _torch_packing(lengths: list[int]) -> dict:
    """pack_padded_sequence on a padded batch whose entry (t, s) encodes
    sequence s and step t."""
    longest = max(lengths)
    t = torch.arange(longest).unsqueeze(1)  # (L, 1)
    s = torch.arange(len(lengths)).unsqueeze(0)  # (1, N)
    padded = (s * 1000 + t).double()  # (L, N): 1000 s + t
    packed = pack_padded_sequence(padded, torch.tensor(lengths), enforce_sorted=False)
    return {
        "batch_sizes": packed.batch_sizes.tolist(),
        "sorted_indices": packed.sorted_indices.tolist(),
        "unsorted_indices": packed.unsorted_indices.tolist(),
        "data": [f"s{int(v) // 1000}t{int(v) % 1000}" for v in packed.data.tolist()],
    }


def _shown(found: dict) -> dict:
    return {
        "batch_sizes": json.loads(found["batch_sizes"]),
        "sorted_indices": json.loads(found["sorted_indices"]),
        "unsorted_indices": json.loads(found["unsorted_indices"]),
        "data": found["data"],
    }


def test_packing_explorer_matches_torch(visit, site):
    page = _explorer(visit, site)
    rng = random.Random(20261124)
    cases = [[4, 2, 1], [1], [3, 3, 3], [1, 2, 3, 4], [5, 1, 5, 1]]
    cases += [[1] * 17, [2, 1] * 16]  # ties in batches over 16: torch's order
    while len(cases) < EXPLORER_CASES:
        cases.append([rng.randint(1, 9) for _ in range(rng.randint(1, 10))])
    for lengths in cases:
        sep = rng.choice([", ", ",", " ", " , "])
        page.fill(".packing-explorer .pe-input", sep.join(map(str, lengths)))
        found = page.evaluate(_READ)
        assert found["error"] is None, (
            f"{lengths}: unexpected message {found['error']!r}"
        )
        expected = _torch_packing(lengths)
        assert _shown(found) == expected, (
            f"lengths {lengths}: widget shows {_shown(found)}, torch gives {expected}"
        )
        assert found["sorted"] == [
            f"s{i} ({lengths[i]})" for i in expected["sorted_indices"]
        ], found["sorted"]
    assert not visit.interactive.console_errors, visit.interactive.console_errors


def test_packing_explorer_random_button(visit, site):
    page = _explorer(visit, site)
    for _ in range(5):
        page.click(".packing-explorer .pe-random")
        found = page.evaluate(_READ)
        lengths = [int(x) for x in re.split(r"[,\s]+", found["input"].strip())]
        assert found["error"] is None and _shown(found) == _torch_packing(lengths), (
            lengths,
            found,
        )


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "at least one"),
        ("   ", "at least one"),
        ("4, 0, 1", "Length 0"),
        ("3, -2", "negative"),
        ("a, 2", "not a whole number"),
        ("2.5", "not a whole number"),
        ("4,, x", "not a whole number"),
        ("1 " * 33, "At most 32"),
        ("25", "at most 24"),
    ],
)
def test_packing_explorer_explains_bad_input(visit, site, text, says):
    page = _explorer(visit, site)
    page.fill(".packing-explorer .pe-input", text)
    found = page.evaluate(_READ)
    assert found["error"] and says in found["error"], (
        f"input {text!r}: message {found['error']!r}"
    )
    assert found["batch_sizes"] is None and not found["data"], (
        "a bad input still shows a packing"
    )


EXPLORER_MAX = [(7 * i) % 24 + 1 for i in range(32)]  # 32 sequences, the most it takes


def _lab(css: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a CSS `rgb(r, g, b)` colour."""
    rgb = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    xyz = [
        (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047,
        0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2],
        (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883,
    ]
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS `rgb(...)` colours."""

    def luminance(css: str) -> float:
        rgb = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_explorer_colour_helpers():
    assert _lab("rgb(255, 255, 255)") == pytest.approx((100, 0, 0), abs=0.05)
    assert _contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)


def test_packing_explorer_colours_are_distinct_for_32_sequences(visit, site):
    """Every pair of the 32 sequences' colours at least 20 apart (CIE76), dark text on
    each at least 4.5:1."""
    page = _explorer(visit, site)
    page.fill(".packing-explorer .pe-input", ", ".join(map(str, EXPLORER_MAX)))
    chips = page.evaluate(
        """() => [...document.querySelectorAll(".packing-explorer .pe-sorted .pe-cell")]
             .map(c => [c.textContent, getComputedStyle(c).backgroundColor,
                        getComputedStyle(c).color])"""
    )
    assert len(chips) == 32, chips
    labs = {name.split()[0]: _lab(bg) for name, bg, _ in chips}
    closest = min(
        (math.dist(labs[a], labs[b]), a, b)
        for a, b in itertools.combinations(sorted(labs), 2)
    )
    assert closest[0] >= 20, f"sequences {closest[1]} and {closest[2]}: {closest}"
    low = [(n, _contrast(bg, fg)) for n, bg, fg in chips if _contrast(bg, fg) < 4.5]
    assert not low, f"text contrast under 4.5:1: {low}"


_STEP = """() => {
  const root = document.querySelector(".packing-explorer");
  return {
    t: Number(root.querySelector(".pe-step-slider").value),
    now: [...root.querySelectorAll(".pe-rnn .pe-now")].map(e => e.textContent),
    hn_now: [...root.querySelectorAll(".pe-rnn .pe-hn-now")].map(e => e.textContent),
    hn_taken: [...root.querySelectorAll(".pe-rnn .pe-hn-taken")]
                .map(e => e.textContent),
    status: root.querySelector(".pe-step-status").textContent,
    next_disabled: root.querySelector(".pe-step-next").disabled,
  };
}"""


@pytest.mark.parametrize("lengths", [[5, 3, 3, 1], [2, 4, 1], [1] * 17, EXPLORER_MAX])
def test_packing_explorer_steps_an_rnn_through_the_batch(visit, site, lengths):
    """At step t the step-through computes exactly the sorted sequences still running
    (batch_sizes[t] of them, torch's order) and marks where each h_n is taken."""
    page = _explorer(visit, site)
    page.fill(".packing-explorer .pe-input", ", ".join(map(str, lengths)))
    packed = _torch_packing(lengths)
    order, sizes = packed["sorted_indices"], packed["batch_sizes"]
    for t, n in enumerate(sizes):
        if t:
            page.click(".packing-explorer .pe-step-next")
        shown = page.evaluate(_STEP)
        assert shown["t"] == t
        assert shown["now"] == [f"s{i}t{t}" for i in order[:n]], (lengths, t, shown)
        assert shown["hn_now"] == [f"h_n[:, {i}]" for i in order if lengths[i] == t + 1]
        assert shown["hn_taken"] == [
            f"h_n[:, {i}]" for i in order if lengths[i] <= t + 1
        ]
        assert f"batch_sizes[{t}] = {n}," in shown["status"], shown["status"]
    assert shown["next_disabled"] and len(shown["hn_taken"]) == len(lengths)
    page.evaluate(  # the slider jumps back
        """() => {
          const s = document.querySelector(".packing-explorer .pe-step-slider");
          s.value = "0";
          s.dispatchEvent(new Event("input"));
        }"""
    )
    assert page.evaluate(_STEP)["now"] == [f"s{i}t0" for i in order]


@pytest.mark.parametrize("lengths", [[4, 2, 1], [2, 1] * 16, EXPLORER_MAX])
def test_packing_explorer_copy_as_python_prints_what_it_shows(visit, site, lengths):
    """The copied program, run by Python, prints the fields the explorer shows."""
    page = _explorer(visit, site)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=visit.base.rstrip("/")
    )
    page.fill(".packing-explorer .pe-input", ", ".join(map(str, lengths)))
    page.click(".packing-explorer .pe-copy-python")
    page.wait_for_function(
        "() => document.querySelector('.packing-explorer .pe-copied').textContent"
    )
    assert page.text_content(".packing-explorer .pe-copied") == "Copied."
    program = page.evaluate("navigator.clipboard.readText()")
    assert program == page.text_content(".packing-explorer .pe-python-text")
    assert max(map(len, program.splitlines())) <= 88, program
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    printed = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        printed[name] = json.loads(value.replace("'", '"'))
    assert printed == _shown(page.evaluate(_READ)), (program, done.stdout)


@pytest.mark.parametrize("width", [390, 1280])
def test_packing_explorer_stays_in_its_box_at_its_maximum(visit, site, width):
    """32 sequences of 24 steps: its grids scroll inside, the page does not widen."""
    page = _explorer(visit, site)
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.fill(".packing-explorer .pe-input", ", ".join(["24"] * 32))
        found = page.evaluate(
            """() => {
              const root = document.querySelector(".packing-explorer");
              const box = root.getBoundingClientRect();
              return {doc: document.documentElement.scrollWidth,
                      root: [box.left, box.right], scroll: root.scrollWidth,
                      client: root.clientWidth, cells: root.querySelectorAll(".pe-cell")
                      .length};
            }"""
        )
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert found["cells"] > 32 * 24, found
    assert found["doc"] <= width and found["root"][1] <= width, found
    assert found["scroll"] <= found["client"] + 1, (
        f"the explorer itself scrolls: {found}"
    )


# ---------------------------------------------------------------- the package

_FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    cls: e.className || e.tagName.toLowerCase(),
    inside: !!e.closest(".packing-explorer"),
    fg: style.color,
    bg: style.backgroundColor,
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
  };
}"""


def test_packing_explorer_works_from_the_keyboard(visit, site):
    """Type, read the result, step the RNN: all with the keyboard, the focus always
    visible, and what changes announced (a polite live summary, errors as alerts)."""
    page = _explorer(visit, site)
    root = ".packing-explorer"
    assert page.get_attribute(f"{root} .pe-summary", "aria-live") == "polite"
    assert page.get_attribute(f"{root} .pe-step-status", "aria-live") == "polite"
    assert page.get_attribute(f"{root} .pe-error", "role") == "alert"
    page.focus(f"{root} .pe-input")
    page.keyboard.press("Control+A")
    page.keyboard.type("3, x")
    assert page.is_visible(f"{root} .pe-error")
    assert page.text_content(f"{root} .pe-summary") == ""
    page.keyboard.press("Control+A")
    page.keyboard.type("3, 1, 2")
    assert page.text_content(f"{root} .pe-summary") == (
        "3 sequences packed into 6 rows: batch_sizes [3, 2, 1], "
        "sorted_indices [0, 2, 1], unsorted_indices [0, 2, 1]."
    )
    # Tab through the explorer: every stop shows where the focus is
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if not focused["inside"]:
            break
        stops.append(focused)
    names = " ".join(f["cls"] for f in stops)
    for control in ["pe-random", "pe-copy-python", "pe-step-slider", "pe-step-next"]:
        assert control in names, f"Tab never reaches .{control}: {names}"
    assert all(f["ring"] for f in stops), f"focus without a visible ring: {stops}"
    # step with the keyboard; the focus stays in the explorer when Next runs out
    page.focus(f"{root} .pe-step-next")
    for t in (1, 2):
        page.keyboard.press("Enter")
        status = page.text_content(f"{root} .pe-step-status")
        assert status.startswith(f"Step t = {t} of 2"), status
    assert "pe-step-slider" in page.evaluate(_FOCUSED)["cls"].split()
    page.keyboard.press("ArrowLeft")
    status = page.text_content(f"{root} .pe-step-status")
    assert status.startswith("Step t = 1 of 2"), status
    assert page.get_attribute(f"{root} .pe-step-slider", "aria-valuetext") == (
        "step 1 of 2"
    )
    # a focused button stays readable in both schemes (axe sees no focus states)
    page.add_style_tag(content="*, *::before { transition: none !important; }")
    for scheme in ("default", "slate"):
        page.evaluate(f"document.body.dataset.mdColorScheme = '{scheme}'")
        for button in ("pe-random", "pe-copy-python", "pe-step-prev"):
            page.focus(f"{root} .{button}")
            f = page.evaluate(_FOCUSED)
            assert _contrast(f["fg"], f["bg"]) >= 4.5, (scheme, button, f)


_RUN_IT = "#run-the-code-yourself"  # the home page's section


def _copy(page, block) -> str:
    """What the block's copy button puts on the clipboard ("" if nothing in 5 s)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate("navigator.clipboard.writeText('')")
    block.locator('.md-code__button[data-md-type="copy"]').click()
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "async () => (await navigator.clipboard.readText()) !== ''", timeout=5_000
        )
    return page.evaluate("navigator.clipboard.readText()")


def _prompts_removed(example: str) -> str:
    """A ">>>" example's code without prompts or output, as a reader would paste it."""
    lines = example.splitlines()
    code = [ln for ln in lines if ln.startswith((">>> ", "... ")) or ln == "..."]
    return "\n".join(ln[4:] for ln in code)


def test_every_kind_of_copy_button_copies_what_the_page_shows(browser_page, server):
    """Each kind of copy button on the site, clicked, and the clipboard read: Material's
    on a code block; on a ">>>" example, the code alone (copy-code-only.js); on every
    cell of the notebook page (whose buttons once copied nothing: an invalid selector);
    the packing explorer's Copy as Python. No click may raise an error in the page."""
    page = browser_page[0]
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=server.rstrip("/")
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    button = ".md-code__button[data-md-type='copy']"

    def shown(block) -> str:
        return block.locator("pre > code").inner_text().rstrip("\n")

    page.goto(server + "cell/", wait_until="load")
    page.wait_for_selector(f"div.language-py {button}", state="attached")
    block = page.locator("div.language-py.highlight").first
    assert _copy(page, block).rstrip("\n") == shown(block)

    page.goto(server + "reference/", wait_until="load")
    page.wait_for_selector(f"div.highlight:has(code .gp) {button}", state="attached")
    example = page.locator("div.highlight:has(code .gp)").first
    expected = _prompts_removed(shown(example))
    assert expected and ">>>" not in expected
    assert _copy(page, example) == expected

    page.goto(server + "notebooks/training_walkthrough/", wait_until="load")
    page.wait_for_selector(
        f".jupyter-wrapper div.language-python {button}", state="attached"
    )
    assert page.locator("clipboard-copy").count() == 0, "a second, other copy button"
    blocks = page.locator(".jupyter-wrapper div.highlight")
    assert blocks.count() >= 6, "the notebook page shows no code cells and outputs"
    for i in range(blocks.count()):
        assert _copy(page, blocks.nth(i)).rstrip("\n") == shown(blocks.nth(i)), i

    page.goto(server + "packing-explorer/", wait_until="load")
    page.fill(".packing-explorer .pe-input", "3, 1, 2")
    page.evaluate("navigator.clipboard.writeText('')")
    page.click(".packing-explorer .pe-copy-python")
    page.wait_for_function(
        "async () => (await navigator.clipboard.readText()) !== ''", timeout=5_000
    )
    program = page.evaluate("navigator.clipboard.readText()")
    assert program == page.text_content(".packing-explorer .pe-python-text")
    assert "pack_padded_sequence" in program
    assert not errors, f"errors in the page while copying: {errors}"


def test_the_wheel_runs_the_home_page_example(browser_page, server, tmp_path):
    """A reader's "Run the code yourself", in an empty folder: download the wheel
    through the home page's link, copy the two lines and `example.py` with their copy
    buttons, run them; the example prints what the page shows, importing `rnn_ref` from
    the new environment (no PYTHONPATH, no checkout in sight).

    Two things differ from a reader's run, both because the tests run offline: pip
    installs the wheel alone (PIP_NO_DEPS, PIP_NO_INDEX), and between the two lines a
    .pth file lets the new environment import torch from this one's site-packages (where
    `rnn_ref` is at most an editable install, whose finder a .pth line does not start).
    """
    page = browser_page[0]
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=server.rstrip("/")
    )
    page.goto(server, wait_until="load")
    section = f"{_RUN_IT} ~ "
    page.wait_for_selector(f"{section}div.language-python .md-code__button")
    work = tmp_path / "reader"
    work.mkdir()
    link = page.locator(f'{section}p a[href$=".whl"]').first
    href = urljoin(page.url, link.get_attribute("href"))
    status = page.request.get(href).status
    assert status == 200, f"the home page links the wheel at {href}: {status}"
    with page.expect_download(timeout=10_000) as clicked:
        link.click()
    wheel = work / clicked.value.suggested_filename
    clicked.value.save_as(wheel)
    lines = _copy(page, page.locator(f"{section}div.language-bash").first)
    example = _copy(page, page.locator(f"{section}div.language-python").first)
    shown = page.locator(f"{section}div.language-text code").first.inner_text()
    (work / "example.py").write_text(example)
    install, run = lines.strip().splitlines()
    print(f"\n$ {install}\n$ {run}\n--- example.py\n{example.rstrip()}")
    print(f"--- the page shows\n{shown.rstrip()}")

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }
    env.update(  # `python3` is this interpreter, the one torch was built for
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PIP_NO_DEPS="1",
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )

    def sh(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = sh(install)
    assert done.returncode == 0, f"{install}\n{done.stdout}\n{done.stderr}"
    (venv,) = [p.parent for p in work.glob("*/pyvenv.cfg")]
    (packages,) = venv.glob("lib/python*/site-packages")
    (packages / "torch_from_the_tests.pth").write_text(
        f"{Path(torch.__file__).resolve().parents[1]}\n"
    )
    done = sh(run)
    assert done.returncode == 0, f"{run}\n{done.stderr}"
    print(f"--- it printed\n{done.stdout.rstrip()}")
    imported = sh(f"{venv}/bin/python -c 'import rnn_ref; print(rnn_ref.__file__)'")
    assert Path(imported.stdout.strip()).is_relative_to(packages), imported
    assert done.stdout.strip() == shown.strip()
