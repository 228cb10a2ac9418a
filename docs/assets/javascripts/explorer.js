// Explorers: move a hyperparameter, see what the page's code computed.
//
// Every frame is computed at build time by the page's own snippet
// functions (tools/explorer.py writes them as JSON into the page); this
// script only picks the frame for the controls' values and draws it as
// plain SVG, one panel under the other, at the panel's own width (so text
// stays readable on a phone). Without JavaScript the explorer stays hidden
// and the page's static figure tells the story. A number that is null
// (NaN or infinite: a diverged run) breaks its line, and the panel says
// "diverged" where the line stops.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const H = 260, M = {l: 52, r: 14, t: 10, b: 38};

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    parent.appendChild(node);
    return node;
  }
  // Subscripts the page writes in TeX and Unicode lacks: g_B, λ_{max}
  // (tools/explorer.py, SUBSCRIPT), drawn lowered and smaller in SVG, as
  // <sub> in HTML, and said "g B" to a screen reader.
  const SUB = /(?<=\p{L})_(?:\{([^{}]+)\}|([A-Z0-9]))(?!\w)/gu;
  function rich(parent, words, svg) {
    parent.textContent = "";
    let at = 0;
    for (const m of words.matchAll(SUB)) {
      parent.append(words.slice(at, m.index));
      const sub = svg ? document.createElementNS(SVG, "tspan")
        : document.createElement("sub");
      if (svg) {
        sub.setAttribute("baseline-shift", "sub");
        sub.setAttribute("font-size", "75%");
      }
      sub.textContent = m[1] || m[2];
      parent.append(sub);
      at = m.index + m[0].length;
    }
    parent.append(words.slice(at));
  }
  const spoken = (words) => words.replace(SUB, (m, a, b) => ` ${a || b}`);
  const text = (parent, words, attrs) => {
    rich(el("text", attrs, parent), words, true);
  };
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const ok = (p) => p !== null && Number.isFinite(p[0]) &&
    Number.isFinite(p[1]);

  function scale(axis, from, to) {
    const f = axis.log ? Math.log10 : (v) => v;
    const lo = f(axis.min), hi = f(axis.max);
    return (v) => from + (f(v) - lo) / (hi - lo) * (to - from);
  }

  // Ticks at round numbers: 1, 2 or 5 times a power of ten apart, or
  // the powers of ten on a log scale; a spec may list its own.
  function ticks(axis) {
    if (axis.ticks) return axis.ticks;
    const out = [];
    if (axis.log) {
      for (let e = Math.ceil(Math.log10(axis.min));
           e <= Math.floor(Math.log10(axis.max)); e++) out.push(10 ** e);
      return out;
    }
    const raw = (axis.max - axis.min) / 5, p = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw);
    for (let t = Math.ceil(axis.min / step) * step; t <= axis.max + 1e-9 * step;
         t += step) out.push(Math.abs(t) < 1e-9 * step ? 0 : t);
    return out;
  }

  // Tick labels: a large or small power of ten as the page writes it,
  // 10⁻⁸ (narrower than 1e-8, so the axis title keeps its room)
  const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  const label = (v) => {
    if (!(Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2))) {
      return String(Math.round(v * 1000) / 1000);
    }
    const e = Math.round(Math.log10(Math.abs(v)));
    return v > 0 && Math.abs(v / 10 ** e - 1) < 1e-9
      ? "10" + String(e).replace("-", "⁻").replace(/\d/g, (d) => SUP[d])
      : v.toExponential(0);
  };

  // One path per run of points that can be drawn: null or a point that
  // has no place on the axes (0 on a log scale) lifts the pen.
  function path(points, x, y) {
    let d = "", pen = false;
    for (const p of points) {
      const at = ok(p) ? [x(p[0]), y(p[1])] : [NaN, NaN];
      if (!ok(at)) { pen = false; continue; }
      d += (pen ? "L" : "M") + at[0].toFixed(1) + " " + at[1].toFixed(1);
      pen = true;
    }
    return d;
  }

  function draw(svg, panel, frame, shared, id) {
    const W = Math.max(280, Math.round(svg.getBoundingClientRect().width));
    const R = W - M.r, B = H - M.b;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.replaceChildren();
    const ax = {...panel.axes.x, ...(frame.axes || {}).x};
    const ay = {...panel.axes.y, ...(frame.axes || {}).y};
    if (panel.equal) {  // one unit is as long on both axes: circles stay round
      const half = (ay.max - ay.min) * (R - M.l) / (B - M.t) / 2;
      const mid = (ax.min + ax.max) / 2;
      [ax.min, ax.max] = [mid - half, mid + half];
    }
    const x = scale(ax, M.l, R), y = scale(ay, B, M.t);
    el("rect", {x: M.l, y: M.t, width: R - M.l, height: B - M.t},
       el("clipPath", {id}, el("defs", {}, svg)));
    const axes = el("g", {class: "hpe-explorer-axes"}, svg);
    const plot = el("g", {"clip-path": `url(#${id})`}, svg);
    for (const t of ticks(ax)) {
      el("line", {x1: x(t), x2: x(t), y1: B, y2: B + 4}, axes);
      text(axes, label(t), {x: x(t), y: B + 16, "text-anchor": "middle"});
    }
    for (const t of ticks(ay)) {
      el("line", {x1: M.l - 4, x2: M.l, y1: y(t), y2: y(t)}, axes);
      text(axes, label(t), {x: M.l - 6, y: y(t) + 4, "text-anchor": "end"});
    }
    el("rect", {x: M.l, y: M.t, width: R - M.l, height: B - M.t,
                class: "hpe-explorer-frame"}, axes);
    text(axes, panel.axes.x.label, {x: (M.l + R) / 2, y: H - 4,
                                    "text-anchor": "middle"});
    text(axes, panel.axes.y.label, {x: 12, y: (M.t + B) / 2,
      "text-anchor": "middle", transform: `rotate(-90 12 ${(M.t + B) / 2})`});
    let stop = null;  // where a line with a non-finite number stops
    for (const line of (panel.background || []).concat(frame.series || [])) {
      const cls = "hpe-explorer-" + (line.style || "line");
      const points = "ref" in line ? shared[line.ref] : line.points;
      const finite = points.filter(ok);
      if (finite.length < points.length) {
        stop = finite.length ? finite[finite.length - 1] : [NaN, NaN];
      }
      if (String(line.style).startsWith("dots") || line.style === "point") {
        const r = line.style === "point" ? 5 : 2.2;
        for (const [cx, cy] of finite.map((p) => [x(p[0]), y(p[1])])) {
          if (ok([cx, cy])) el("circle", {cx, cy, r, class: cls}, plot);
        }
      } else {
        el("path", {d: path(points, x, y), class: cls}, plot);
      }
    }
    if (stop) {
      const px = ok(stop) ? clamp(x(stop[0]), M.l + 40, R - 40) : (M.l + R) / 2;
      const py = ok(stop) ? clamp(y(stop[1]), M.t + 14, B - 6) : H / 2;
      text(plot, "diverged", {x: px, y: py, "text-anchor": "middle",
                              class: "hpe-explorer-diverged"});
    }
    // the panel's marks are labelled at the top, the frame's at the bottom
    const marks = (panel.marks || []).map((m) => [m, M.t + 12])
      .concat((frame.marks || []).map((m) => [m, B - 6]));
    for (const [mark, at] of marks) {
      const mx = x(mark.x), left = mx > R - 90;  // keep the label inside
      el("line", {x1: mx, x2: mx, y1: M.t, y2: B,
                  class: "hpe-explorer-mark"}, plot);
      text(plot, mark.label, {x: mx + (left ? -4 : 4), y: at,
                              "text-anchor": left ? "end" : "start"});
    }
  }

  function start(root, n) {
    const spec = JSON.parse(root.querySelector("script").textContent);
    const svgs = [...root.querySelectorAll(".hpe-explorer-panel svg")];
    const inputs = [...root.querySelectorAll("input, select")];
    const values = inputs.map((input) =>  // a select shows its own value
      input.parentElement.querySelector(".hpe-explorer-value"));
    const out = root.querySelector("output");
    const update = () => {
      const at = inputs.map((input) => Number(input.value));
      inputs.forEach((input, i) => {
        const control = spec.controls[i];
        // a control the others' values do not use (tools/explorer.py,
        // only_with) is disabled and says so
        const on = !control.only_with ||
          control.only_with[1].includes(at[control.only_with[0]]);
        input.disabled = !on;
        const shown = on ? String(control.values[at[i]]) : "not used";
        if (values[i]) {  // said with the control's name, not its symbol
          const name = control.name || spoken(control.label);
          input.setAttribute("aria-valuetext", `${name} ${shown}`);
          values[i].textContent = shown;
        }
      });
      const frame = spec.frames[at.join(",")];
      spec.panels.forEach((panel, k) => {
        draw(svgs[k], panel, frame.panels[k], spec.shared || {},
             `hpe-explorer-${n}-${k}`);
        svgs[k].setAttribute("aria-label",
          spoken(`${panel.title}. ${frame.text}`));
      });
      rich(out, frame.text, false);
    };
    inputs.forEach((input) => input.addEventListener("input", update));
    root.hidden = false;  // before drawing: the panels' width is needed
    update();
    new ResizeObserver(update).observe(root.querySelector(".hpe-explorer-panels"));
  }

  function all() {
    document.querySelectorAll(".hpe-explorer").forEach((root, n) => {
      try {
        start(root, n);
      } catch (error) {  // the static figure above still tells the story
        root.hidden = true;
        console.error(`explorer ${root.id}:`, error);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
