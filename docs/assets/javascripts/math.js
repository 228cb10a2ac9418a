// Render the TeX that pymdownx.arithmatex (generic mode) leaves in
// <span class="arithmatex">\(...\)</span> and <div class="arithmatex">\[...\]</div>.
// A TeX error throws, so a browser test sees it in the console.
document.querySelectorAll(".arithmatex").forEach((el) => {
  const tex = el.textContent.trim();
  const display = tex.startsWith("\\[");
  katex.render(tex.slice(2, -2), el, {
    displayMode: display,
    throwOnError: true,
  });
});
