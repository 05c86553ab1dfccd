// Typeset math with the vendored KaTeX on every page load, including Material's instant
// navigation, and in search previews, which Material fills from the raw page text.
const MATH = {
  delimiters: [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false },
    { left: "\\[", right: "\\]", display: true },
  ],
  throwOnError: false,
};

document$.subscribe(({ body }) => {
  renderMathInElement(body, MATH);
  const results = body.querySelector(".md-search-result__list");
  if (results) {
    // each preview once: rendering changes the list, which calls this again
    new MutationObserver(() => {
      for (const item of results.querySelectorAll(
        ".md-search-result__article:not([data-math])",
      )) {
        item.dataset.math = "";
        renderMathInElement(item, MATH);
      }
    }).observe(results, { childList: true, subtree: true });
  }
});
