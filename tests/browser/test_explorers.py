"""The explorers in a real Chromium: every control moved by keyboard and
by mouse redraws the figure, and the numbers the reader is shown are the
ones the pages' functions give for those values (tests/explorers.py);
a phone's width, no JavaScript, and a grid with NaN and infinity."""

import json
import math
import re
import time

import pytest

from tests.browser.test_pages import serious_violations
from tests.explorers import EXPLORERS, expected, spec_of
from tools.explorer import rich, spoken

pytestmark = pytest.mark.browser

STATE = """(root) => ({
  drawing: [...root.querySelectorAll(".hpe-explorer-panel svg")]
    .map((svg) => svg.innerHTML).join(""),
  labels: [...root.querySelectorAll(".hpe-explorer-panel svg")]
    .map((svg) => svg.getAttribute("aria-label")),
  text: root.querySelector("output").innerHTML,
  live: root.querySelector("output").getAttribute("aria-live"),
  at: [...root.querySelectorAll("input, select")].map((f) => +f.value),
  shown: [...root.querySelectorAll("input[type=range]")].map((f) => [
    f.getAttribute("aria-valuetext"),
    f.parentElement.querySelector(".hpe-explorer-value").textContent]),
})"""


def state(root) -> dict:
    return root.evaluate(STATE)


def check(eid, spec, s):
    """The shown text states the functions' numbers for the controls'
    values, in the page's notation (subscripts as <sub>); the figure's
    text alternative and each slider's value text say the same in words
    a screen reader reads ("g B", "learning rate 0.05")."""
    values = [c["values"] for c in spec["controls"]]
    frame = spec["frames"][",".join(map(str, s["at"]))]["text"]
    for phrase in expected(eid, s["at"], values):
        assert phrase in frame, (s["at"], frame)
    assert s["text"] == rich(frame)
    assert all(label.endswith(". " + spoken(frame))
               for label in s["labels"])
    ranges = [i for i, c in enumerate(spec["controls"])
              if c["kind"] == "range"]
    for i, (valuetext, shown) in zip(ranges, s["shown"]):
        control = spec["controls"][i]
        name = control.get("name", spoken(control["label"]))
        assert shown == str(values[i][s["at"][i]])
        assert valuetext == f"{name} {shown}"
        assert not set(valuetext) & set("ηλμΣ‖"), valuetext  # words


def moved(root, before: dict) -> dict:
    """The state once the drawing has changed (an input event redraws
    synchronously; the wait only covers the event's delivery)."""
    for _ in range(50):
        after = state(root)
        if after["at"] != before["at"]:
            return after
        time.sleep(0.02)
    raise AssertionError("the control did not move")


@pytest.mark.parametrize("page", EXPLORERS)
def test_explorer_follows_keyboard_and_mouse(page, visit):
    eid = EXPLORERS[page]
    v = visit(page + "/")
    root = v.page.locator(f"#{eid}")
    # explorer.js shows it once drawn: on a loaded machine, after the
    # network is idle (the decay explorer parses 200 KB of data)
    root.wait_for(state="visible", timeout=15_000)
    spec = spec_of(v.page.content(), eid)
    s = state(root)
    assert s["live"] == "polite"
    assert s["at"] == [c["default"] for c in spec["controls"]]
    check(eid, spec, s)
    for i, control in enumerate(spec["controls"]):
        field = root.locator(f"#{eid}-{i}")
        assert root.locator(f"label[for={eid}-{i}]").inner_text().strip()
        last = len(control["values"]) - 1
        # the keyboard: one step, away from the end it is at
        field.focus()
        if control["kind"] == "range":
            field.press("ArrowLeft" if s["at"][i] == last else "ArrowRight")
        else:
            field.press("ArrowUp" if s["at"][i] == last else "ArrowDown")
        after = moved(root, s)
        assert abs(after["at"][i] - s["at"][i]) == 1
        assert after["drawing"] != s["drawing"], f"control {i}, keyboard"
        check(eid, spec, after)
        s = after
        # the mouse: a click on the slider's track a fifth of the way in,
        # or the select opened with a click and the default picked
        if control["kind"] == "range":
            box = field.bounding_box()
            v.page.mouse.click(box["x"] + 0.2 * box["width"],
                               box["y"] + box["height"] / 2)
        else:
            field.click()
            field.select_option(index=control["default"])
        after = moved(root, s)
        assert after["drawing"] != s["drawing"], f"control {i}, mouse"
        check(eid, spec, after)
        s = after
    assert v.console_errors == [] and v.failed == [] and v.external == []


@pytest.mark.parametrize("page", EXPLORERS)
def test_explorer_on_a_phone_in_both_themes(page, visit):
    eid = EXPLORERS[page]
    v = visit(page + "/", viewport={"width": 390, "height": 844},
              color_scheme="light")
    root = v.page.locator(f"#{eid}")
    root.scroll_into_view_if_needed()
    box = root.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    overflow = root.evaluate("""(root) => [...root.querySelectorAll('*')]
      .filter((e) => e.getBoundingClientRect().right >
                     root.getBoundingClientRect().right + 1)
      .map((e) => e.tagName + '.' + e.className.baseVal ?? e.className)""")
    assert overflow == []
    for svg in root.locator(".hpe-explorer-panel svg").all():
        assert svg.bounding_box()["width"] > 250
    context = {"include": [[f"#{eid}"]]}
    from axe_playwright_python.sync_playwright import Axe

    def violations():
        found = Axe().run(v.page, context=context,
                          options={"resultTypes": ["violations"]})
        return [x["id"] for x in found.response["violations"]
                if x["impact"] in ("serious", "critical")]

    assert violations() == [], "light"
    v.page.get_by_title("Switch to dark mode").first.click()
    assert violations() == [], "dark"
    assert v.console_errors == [] and v.external == []


def test_explorers_pass_axe_in_the_page(visit):
    # the whole page, as tests/browser/test_pages.py checks it, with the
    # explorer shown (it is hidden until the script runs)
    v = visit("glossary/batch-size/")
    assert v.page.locator("#batch-explorer").is_visible()
    assert serious_violations(v.page, code=False) == []


@pytest.mark.parametrize("page", EXPLORERS)
def test_without_javascript_the_static_figure_stands(page, visit):
    v = visit(page + "/", java_script_enabled=False)
    assert not v.page.locator(f"#{EXPLORERS[page]}").is_visible()
    figures = v.page.locator("svg.hpe-figure")
    assert figures.count() >= 1
    # the figure just before the explorer: in its tab, drawn server-side
    previous = v.page.evaluate(f"""() => {{
      const all = [...document.querySelectorAll(
        "svg.hpe-figure, #{EXPLORERS[page]}")];
      const at = all.findIndex((e) => e.id === "{EXPLORERS[page]}");
      return at > 0 ? all[at - 1].getAttribute("aria-label") : null;
    }}""")
    assert previous and len(previous) > 40
    # it sits in a "Figure" tab, which works without JavaScript (CSS)
    figure = v.page.locator(f'svg.hpe-figure[aria-label="{previous}"]')
    tabs = v.page.locator(".tabbed-set", has=figure)
    tabs.locator("label", has_text="Figure").click()
    assert figure.is_visible() and figure.bounding_box()["width"] > 200


def with_bad_numbers(page_html: str, eid: str) -> str:
    """The page with its explorer rebuilt by tools/explorer.py from a spec
    whose default frame has a NaN and an infinity in its first line, and
    whose next frame has only non-finite numbers."""
    from tools.explorer import html

    spec = spec_of(page_html, eid)
    default = ",".join(str(c["default"]) for c in spec["controls"])
    frame = spec["frames"][default]["panels"][0]["series"][0]
    frame["points"][5] = [math.nan, 1.0]
    frame["points"][6] = [math.inf, -math.inf]
    nxt = str(int(default) + 1)
    spec["frames"][nxt]["panels"][0]["series"][0]["points"] = [
        [math.nan, math.nan]] * 3
    start = re.search(f'<figure [^>]*id="{eid}"', page_html).start()
    end = page_html.index("</figure>", start) + len("</figure>")
    return page_html[:start] + html(spec) + page_html[end:]


def test_nan_and_infinity_are_drawn_as_diverged(visit, site):
    eid = "lr-explorer"
    original = (site / "glossary/learning-rate/index.html").read_text()
    bad = with_bad_numbers(original, eid)
    assert bad != original
    data = spec_of(bad, eid)
    assert json.dumps(data).count("null") >= 3  # written as null
    v = visit("glossary/learning-rate/", java_script_enabled=True)
    v.page.route("**/glossary/learning-rate/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=bad))
    v.page.reload(wait_until="networkidle")
    root = v.page.locator(f"#{eid}")
    root.wait_for(state="visible", timeout=15_000)  # drawn despite NaN
    plot = root.locator("svg").first
    assert plot.locator("text.hpe-explorer-diverged").text_content() == (
        "diverged")
    paths = plot.evaluate("(svg) => [...svg.querySelectorAll('path')]"
                          ".map((p) => p.getAttribute('d'))")
    assert paths and not any("NaN" in d or "Infinity" in d for d in paths)
    before = state(root)
    root.locator(f"#{eid}-0").press("ArrowRight")  # all non-finite
    after = moved(root, before)
    assert plot.locator("text.hpe-explorer-diverged").count() == 1
    assert after["text"] != before["text"]
    root.locator(f"#{eid}-0").press("ArrowRight")  # good data again
    moved(root, after)
    assert plot.locator("text.hpe-explorer-diverged").count() == 0
    assert v.console_errors == []


def test_the_warm_up_control_is_off_for_schedules_without_one(visit):
    # tools/explorer.py's only_with, as explorer.js applies it: the
    # warm-up slider is disabled and shows "not used" for step decay and
    # cosine, and comes back with the value it had for the other two
    v = visit("glossary/learning-rate-decay/")
    root = v.page.locator("#decay-explorer")
    root.wait_for(state="visible", timeout=15_000)
    schedule, warm = (root.locator(f"#decay-explorer-{i}") for i in (0, 1))
    value = warm.locator("xpath=following-sibling::span")
    assert warm.is_enabled() and value.inner_text() == "10"
    for index, on in ((0, False), (1, False), (3, True), (2, True)):
        schedule.select_option(index=index)
        assert warm.is_enabled() == on, index
        assert value.inner_text() == ("10" if on else "not used"), index
        text = root.locator("output").inner_text()
        assert ("warm-up 10" in text) == on, text
    assert v.console_errors == [] and v.failed == []
