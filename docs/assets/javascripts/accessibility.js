// Every region of a page that scrolls can be reached and scrolled with the keyboard
// (WCAG 2.1.1): a wide table, a long equation, a code block or figure on a phone, the
// packing explorer's grids. Such a region gets tabindex="0", role="region" and a name
// that says what it holds; when a resize makes it fit again, it loses them.
// Material makes a code block focusable only on devices with hover; this covers the rest.
(() => {
  "use strict";
  const CANDIDATES = [
    ".md-typeset__scrollwrap", // Material's wrapper of a table
    ".arithmatex", // display math
    "pre > code",
    "a.glightbox", // a figure on a phone
    ".packing-explorer",
    ".pe-grid",
    ".pe-python-text", // the explorer's "Show the Python" (a <pre> without <code>)
  ].join(", ");
  const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function scrolls(el) {
    const style = getComputedStyle(el);
    const x = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const y = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    return x || y;
  }

  function heading(el) {
    // the nearest heading above the region, for a name such as "Table under Results"
    const all = [...document.querySelectorAll(".md-content h1, .md-content h2, .md-content h3, .md-content h4")];
    let found = null;
    for (const h of all) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = h;
      else break;
    }
    return found ? found.textContent.replace(/¶$/, "").trim() : "";
  }

  function describe(el) {
    const under = heading(el);
    const where = under ? ` under “${under}”` : "";
    if (el.matches(".md-typeset__scrollwrap")) {
      const caption = el.querySelector("caption");
      return caption ? `Table: ${caption.textContent.trim()}` : `Table${where}`;
    }
    if (el.matches(".arithmatex")) return `Equation${where}`;
    if (el.matches("a.glightbox")) {
      const img = el.querySelector("img");
      return `Figure: ${img ? img.alt : ""}`;
    }
    if (el.matches(".pe-grid")) {
      const title = el.previousElementSibling;
      return title && /^H\d$/.test(title.tagName) ? title.textContent : "Packing explorer grid";
    }
    if (el.matches(".packing-explorer")) return "Packing explorer";
    const block = el.closest(".highlight");
    const title = block && block.querySelector(".filename");
    if (title) return `Code: ${title.textContent.trim()}`;
    if (block && block.matches(".language-text")) return `Output${where}`;
    return `Code${where}`;
  }

  function update() {
    for (const el of document.querySelectorAll(CANDIDATES)) {
      const ours = el.hasAttribute("data-scroll-region");
      if (scrolls(el)) {
        if (ours) continue;
        // a link is focusable already, and so is a region holding a control
        if (el.matches("a[href]") || (!el.hasAttribute("tabindex") && el.querySelector(FOCUSABLE))) {
          continue;
        }
        el.setAttribute("data-scroll-region", "");
        el.setAttribute("tabindex", "0");
        if (!el.hasAttribute("role")) el.setAttribute("role", "region");
        if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", describe(el));
      } else if (ours) {
        el.removeAttribute("data-scroll-region");
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
      }
    }
  }
  window.rnnRefScrollRegions = update; // the packing explorer calls it after it redraws

  let pending = 0;
  function later() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  }
  window.addEventListener("resize", later);
  // the math fonts, fetched once KaTeX has typeset, change a formula's width
  window.addEventListener("load", later);
  if (document.fonts) document.fonts.addEventListener("loadingdone", later);
  if (typeof document$ !== "undefined") {
    document$.subscribe(() => later());
  } else {
    document.addEventListener("DOMContentLoaded", later);
  }
})();
