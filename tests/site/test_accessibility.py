"""WCAG 2.1 A and AA on every page of the built site (issue 30), as an accessibility
reviewer checks it: axe-core (tests/site/assets/README.md) run in headless Chromium on
every page, in the light and the dark scheme, at 1280 and 390 px wide; then what axe
cannot see: the headings' outline and the math's MathML.

Uses the browser of tests/site/conftest.py; skips, saying why, only where no Chromium or
no Playwright is installed.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# WCAG 2.1 A and AA on every page (issue 30): axe-core (tests/site/assets/README.md) run
# in Chromium on every page, in the light and the dark scheme, at 1280 and 390 px wide.
AXE = Path(__file__).parent / "assets" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# each page is loaded once and seen four ways; this order changes one thing at a time
AXE_VIEWS = [("light", 1280), ("dark", 1280), ("dark", 390), ("light", 390)]
_NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; }"
_SETTLED = """async () => {
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""
_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags }, resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    rule: v.id, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(" "), html: n.html.slice(0, 160),
      why: (n.failureSummary || "").split("\\n").slice(1).join(" ").slice(0, 200),
    })),
  }));
}"""


_OUTLINE = """() => {
  const article = document.querySelector("article.md-content__inner");
  return {
    headings: [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(h => [
      Number(h.tagName[1]), h.textContent.replace(/¶$/, "").trim().slice(0, 60),
    ]),
    // KaTeX's MathML (a screen reader reads it; the HTML beside it is aria-hidden)
    math: article.querySelectorAll(".katex").length,
    math_without_mathml: [...article.querySelectorAll(".katex")]
      .filter(k => !k.querySelector(".katex-mathml math annotation"))
      .map(k => k.textContent.slice(0, 60)),
  };
}"""


@dataclass
class AxeReport:
    seconds: float
    # (page, scheme, width) -> axe's violations there
    violations: dict[tuple[str, str, int], list[dict]]
    outline: dict[str, dict] = field(default_factory=dict)  # page -> _OUTLINE's


@pytest.fixture(scope="module")
def axe(browser_page, server, site, site_pages) -> AxeReport:
    """axe-core's WCAG 2.1 A/AA violations on every page, light and dark, 1280
    and 390 px: each page opened once in a tab of its own, then set to each view."""
    assert AXE.is_file(), f"missing {AXE} (tests/site/assets/README.md)"
    page = browser_page[0].context.new_page()
    found: dict[tuple[str, str, int], list[dict]] = {}
    outline: dict[str, dict] = {}
    start = time.perf_counter()
    try:
        for html_path in site_pages:
            rel = html_path.relative_to(site).as_posix()
            scheme, width = AXE_VIEWS[0]
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(urljoin(server, rel), wait_until="load")
            page.add_script_tag(path=str(AXE))
            # Material fades colours over 0.25 s when the scheme changes: without the
            # fade, axe reads the colours the reader ends up with
            page.add_style_tag(content=_NO_TRANSITIONS)
            for scheme, width in AXE_VIEWS:
                page.emulate_media(color_scheme=scheme)
                page.set_viewport_size(
                    {"width": width, "height": 800 if width > 600 else 844}
                )
                # what Material's palette toggle sets (it reads the reader's
                # preference only when a page loads)
                page.evaluate(
                    "s => { document.body.dataset.mdColorScheme = s; }",
                    "slate" if scheme == "dark" else "default",
                )
                page.evaluate(_SETTLED)
                found[(rel, scheme, width)] = page.evaluate(_AXE_RUN, AXE_TAGS)
            outline[rel] = page.evaluate(_OUTLINE)
    finally:
        page.close()
    return AxeReport(time.perf_counter() - start, found, outline)


def test_axe_finds_no_wcag_violations(axe, site_pages):
    """Zero axe-core violations of the WCAG 2.0/2.1 A and AA rules, on every page,
    in both schemes, at both widths."""
    assert len(axe.violations) == len(site_pages) * len(AXE_VIEWS)
    lines = []
    for (rel, scheme, width), violations in axe.violations.items():
        for v in violations:
            for n in v["nodes"][:5]:
                lines.append(
                    f"{rel} ({scheme}, {width} px): {v['rule']} ({v['help']}): "
                    f"{n['target']}  {n['html']}  {n['why']}"
                )
            if len(v["nodes"]) > 5:
                lines.append(f"  ... and {len(v['nodes']) - 5} more {v['rule']}")
    assert not lines, (
        f"{len(lines)} WCAG 2.1 A/AA violations (axe-core, {axe.seconds:.0f} s):\n"
        + "\n".join(lines[:80])
    )


def test_headings_skip_no_level(axe):
    """Each page's headings form an outline: one H1 first, and no heading more than
    one level below the one before it (the packing explorer's included)."""
    bad = {}
    for rel, found in axe.outline.items():
        levels = [level for level, _ in found["headings"]]
        skips = [
            f"H{a} {ta!r} -> H{b} {tb!r}"
            for (a, ta), (b, tb) in itertools.pairwise(found["headings"])
            if b > a + 1
        ]
        if skips or levels[:1] != [1]:
            bad[rel] = skips or f"does not open with its H1: {levels[:3]}"
    assert not bad, f"headings that skip a level: {bad}"


def test_math_keeps_its_mathml(axe):
    """KaTeX's MathML output is kept next to its HTML, so a screen reader reads the
    math (htmlAndMathml, KaTeX's default; docs/assets/javascripts/katex-init.js)."""
    assert sum(found["math"] for found in axe.outline.values()) > 0
    bad = {
        rel: found["math_without_mathml"][:3]
        for rel, found in axe.outline.items()
        if found["math_without_mathml"]
    }
    assert not bad, f"math without MathML: {bad}"
