// The copy button of a ">>>" example copies the code alone: no prompts, no output.
// Material's clipboard copies a button's data-clipboard-text when it has one, so the
// text is set just before Material's own click handler runs.
document.addEventListener(
  "click",
  (event) => {
    const button = event.target.closest('.md-code__button[data-md-type="copy"]');
    const code = button && button.closest(".highlight")?.querySelector("pre > code");
    if (!code || !code.querySelector(".gp")) return;
    const lines = code.textContent.split("\n");
    const source = lines
      .filter((line) => line.startsWith(">>> ") || line.startsWith("... ") || line === "...")
      .map((line) => line.slice(4));
    button.setAttribute("data-clipboard-text", source.join("\n"));
  },
  true,
);
