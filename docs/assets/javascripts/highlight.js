// Code colours, painted when a block comes near the screen
// (tools/highlight.py). The build leaves each code block as one text node
// and lists its tokens in data-hl as "class:gap:length" (offsets in UTF-16
// code units, as JavaScript counts); here a block gets its token spans,
// styled by the theme's own .highlight rules, when it is within a screen
// of the viewport. A page of long listings thus never styles and lays out
// thousands of spans at load, and without script the code still reads,
// in the code colour.
(() => {
  const paint = (code) => {
    const text = code.textContent;
    const out = document.createDocumentFragment();
    let at = 0;
    for (const run of code.dataset.hl.split(" ")) {
      const [cls, gap, length] = run.split(":");
      const start = at + Number(gap);
      if (start > at) out.append(text.slice(at, start));
      at = start + Number(length);
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text.slice(start, at);
      out.append(span);
    }
    if (at < text.length) out.append(text.slice(at));
    code.replaceChildren(out);
    code.removeAttribute("data-hl");
  };
  const blocks = document.querySelectorAll("code[data-hl]");
  if (!("IntersectionObserver" in window)) {
    blocks.forEach(paint);
    return;
  }
  // one block per task, so that no task blocks the page for long
  const queue = [];
  const next = () => {
    if (queue.length) paint(queue.shift());
    if (queue.length) setTimeout(next, 0);
  };
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        if (queue.push(entry.target) === 1) setTimeout(next, 0);
      }
    }
  }, { rootMargin: "100% 0px" });
  blocks.forEach((code) => observer.observe(code));
})();
