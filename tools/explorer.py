"""Explorers: a hyperparameter the reader moves, and the drawing that
follows, every frame computed by the page's own code at build time.

A page adds one with a build-only block (``exec="on"`` and no
``source``, so the reader does not see it) that calls its data function
(in explorers/, at the page's path; it imports the page's functions from
the snippet module) and prints this module's HTML::

    ```python exec="on" html="1"
    from explorers.glossary.learning_rate import explorer
    from tools.explorer import html
    print(html(explorer()))
    ```

The data function returns a spec:

- ``id`` (the HTML id) and ``title`` (the caption);
- ``controls``: each a ``label``, a ``kind`` ("range" or "select"), the
  ``values`` shown to the reader and the index of the ``default``; and,
  where the label has a symbol, the ``name`` a screen reader says with
  the value ("learning rate η" is said "learning rate 0.05"); and,
  for a control that only some values of another use, ``only_with``:
  [that control's index, the indices of its values that use this one]
  (the control is disabled, its value shown as "not used", otherwise);
- ``panels``: the plots, one under the other, each a ``title``, ``axes``
  (``x`` and ``y``: ``label``, ``min``, ``max``, optional ``log`` and
  ``ticks``; round numbers by default), ``equal`` (one unit as long on
  both axes: the x range grows to fill the width), optional
  ``background`` lines and vertical ``marks`` (``x``, ``label``) drawn in
  every frame;
- ``frames``: keyed by the controls' indices joined with commas ("3" or
  "3,1"), each with the ``text`` that states the frame's numbers (the
  reader's text alternative, announced on every change) and one entry
  per panel: ``series`` (lines: ``points`` as [x, y] pairs, or ``ref``, a
  key of ``shared``, and a ``style``: "line", "line2", "line3", "line4",
  "dots", "dots2", "point" (one large dot: where the controls are) or
  "faint"), ``marks`` and ``axes`` (what differs from
  the panel's axes, e.g. ``{"x": {"max": 200}}``);
- optional ``shared``: point lists that several frames draw, stored once.

Text is written in the page's notation, in Unicode (η, λ, Σ, ‖g‖²); a
subscript that Unicode lacks is written ``g_B`` (one capital letter or
digit) or ``λ_{max}``, and drawn as a subscript (``rich``; explorer.js
does the same in the drawing).

A non-finite number (a diverged run) is written as null; the drawing
breaks the line there and writes "diverged" where it stopped, and the
frame's text should say so too.

The block's output is cached and re-run like any example
(tools/execute.py); docs/assets/javascripts/explorer.js draws the frames
and is loaded only on pages that have an explorer (overrides/main.html).
"""

import html as htmllib
import itertools
import json
import math
import re

FIGURES = 4  # significant figures kept: a drawing needs no more
# An explorer's budgets (tests/site/test_explorers.py holds the pages to
# the first; make bench measures both, docs/contributing/performance.md):
BUDGET = 40 * 1024  # bytes gzipped per explorer: data, script and style
UPDATE_MS = 16  # a frame drawn within one screen refresh at 60 Hz


def compact(value):
    """JSON-ready: floats to FIGURES significant figures, NaN and
    infinity to None, tuples to lists."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{FIGURES}g}")
    if isinstance(value, dict):
        return {str(k): compact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [compact(v) for v in value]
    if hasattr(value, "tolist"):  # a NumPy array or scalar
        return compact(value.tolist())
    return value


def _check(spec: dict) -> None:
    """Raise a ValueError naming what is missing or inconsistent, so that
    a data function's mistake fails the build instead of the drawing."""
    name = spec.get("id", "explorer")
    for key in ("id", "title", "controls", "panels", "frames"):
        if key not in spec:
            raise ValueError(f"{name}: the spec has no {key!r}")
    for control in spec["controls"]:
        if control["kind"] not in ("range", "select"):
            raise ValueError(f"{name}: kind must be 'range' or "
                             f"'select', got {control['kind']!r}")
        if not 0 <= control["default"] < len(control["values"]):
            raise ValueError(f"{name}: default of {control['label']!r} "
                             f"must index its {len(control['values'])} "
                             f"values, got {control['default']!r}")
    for i, control in enumerate(spec["controls"]):
        if "only_with" in control:
            c, used = control["only_with"]
            if not (0 <= c < len(spec["controls"]) and c != i and used
                    and all(0 <= k < len(spec["controls"][c]["values"])
                            for k in used)):
                raise ValueError(f"{name}: only_with of "
                                 f"{control['label']!r} must name another "
                                 f"control and some of its values, got "
                                 f"{control['only_with']!r}")
    counts = [len(c["values"]) for c in spec["controls"]]
    keys = {",".join(map(str, k))
            for k in itertools.product(*map(range, counts))}
    if set(spec["frames"]) != keys:
        raise ValueError(f"{name}: frames for {len(spec['frames'])} "
                         f"combinations of the controls, expected "
                         f"{len(keys)}")
    shared = spec.get("shared", {})
    for key, frame in spec["frames"].items():
        if not frame.get("text"):
            raise ValueError(f"{name}: frame {key} has no text")
        if len(frame["panels"]) != len(spec["panels"]):
            raise ValueError(f"{name}: frame {key} has "
                             f"{len(frame['panels'])} panels, expected "
                             f"{len(spec['panels'])}")
        for panel in frame["panels"]:
            for line in panel.get("series", []):
                _check_line(name, f"frame {key}", line)
                if "ref" in line and line["ref"] not in shared:
                    raise ValueError(f"{name}: frame {key} refers to "
                                     f"{line['ref']!r}, not in shared")
            for mark in panel.get("marks", []):
                if not {"x", "label"} <= set(mark):
                    raise ValueError(f"{name}: frame {key} has a mark "
                                     f"without x or label: {mark!r}")
    for panel in spec["panels"]:
        for line in panel.get("background", []):
            _check_line(name, "a panel's background", line)


STYLES = ("line", "line2", "line3", "line4", "dots", "dots2", "point",
          "faint")


def _check_line(name: str, where: str, line: dict) -> None:
    """A line draws `points` or a `ref` to shared ones, in a known style
    (explorer.js falls back to "line" for a style it does not know)."""
    if ("points" in line) == ("ref" in line):
        raise ValueError(f"{name}: {where} has a line with "
                         f"{'both' if 'ref' in line else 'neither'} of "
                         f"points and ref")
    if line.get("style", "line") not in STYLES:
        raise ValueError(f"{name}: {where} has a line of style "
                         f"{line['style']!r}, not one of {STYLES}")


# a subscript: g_B, x_1 or λ_{max}, after a letter, as the page writes it
SUBSCRIPT = re.compile(r"(?<=[^\W\d_])_(?:\{([^{}]+)\}|([A-Z0-9]))(?!\w)")


def rich(text: str) -> str:
    """`text` as HTML, its subscripts as <sub>."""
    return SUBSCRIPT.sub(lambda m: f"<sub>{m[1] or m[2]}</sub>",
                         htmllib.escape(text, quote=False))


def spoken(text: str) -> str:
    """`text` as a screen reader gets it: g_B is "g B"."""
    return SUBSCRIPT.sub(lambda m: f" {m[1] or m[2]}", text)


NOT_USED = "not used"  # the value a disabled control shows


def used(control: dict, at: list[int]) -> bool:
    """Whether `control` does anything for the controls at indices
    `at` (see ``only_with``); explorer.js decides the same way."""
    if "only_with" not in control:
        return True
    c, values = control["only_with"]
    return at[c] in values


def _control(spec: dict, i: int, control: dict) -> str:
    cid = f"{spec['id']}-{i}"
    label = rich(control["label"])
    default = control["default"]
    on = used(control, [c["default"] for c in spec["controls"]])
    shown = htmllib.escape(str(control["values"][default]) if on
                           else NOT_USED)
    said = htmllib.escape(
        f"{control.get('name', spoken(control['label']))} {shown}")
    if control["kind"] == "range":
        field = (f'<input type="range" id="{cid}" min="0" '
                 f'max="{len(control["values"]) - 1}" step="1" '
                 f'value="{default}" aria-valuetext="{said}"'
                 f'{"" if on else " disabled"}>')
    else:
        options = "".join(
            f'<option value="{k}"{" selected" if k == default else ""}>'
            f'{htmllib.escape(str(v))}</option>'
            for k, v in enumerate(control["values"]))
        field = f'<select id="{cid}">{options}</select>'
        return (f'<div class="hpe-explorer-control"><label for="{cid}">'
                f'{label}</label>{field}</div>')  # it shows its own value
    return (f'<div class="hpe-explorer-control"><label for="{cid}">{label}'
            f'</label>{field}<span class="hpe-explorer-value">{shown}'
            f'</span></div>')


def html(spec: dict) -> str:
    """The explorer's markup, its frames embedded as compact JSON. It is
    hidden until explorer.js draws it: without JavaScript the page's
    static figure stands alone."""
    _check(spec)
    data = json.dumps(compact(spec), separators=(",", ":"),
                      allow_nan=False).replace("</", "<\\/")
    controls = "".join(_control(spec, i, c)
                       for i, c in enumerate(spec["controls"]))
    panels = "".join(
        f'<div class="hpe-explorer-panel"><p>{rich(p["title"])}'
        f'</p><svg viewBox="0 0 640 300" role="img" '
        f'aria-label="{htmllib.escape(spoken(p["title"]))}"></svg></div>'
        for p in spec["panels"])
    title = rich(spec["title"])
    return (
        f'<figure class="hpe-explorer" id="{spec["id"]}" hidden>'
        f'<figcaption>{title}</figcaption>'
        f'<div class="hpe-explorer-controls">{controls}</div>'
        f'<div class="hpe-explorer-panels">{panels}</div>'
        f'<output aria-live="polite"></output>'
        f'<script type="application/json">{data}</script></figure>'
    )
