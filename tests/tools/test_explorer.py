"""tools/explorer.py: the JSON it embeds and the spec errors it catches
before a page is built."""

import json
import math
import re

import numpy as np
import pytest

from tools.explorer import compact, html


def spec(**changes):
    base = {
        "id": "x-explorer", "title": "A test",
        "controls": [{"label": "lr", "kind": "range",
                      "values": ["0.1", "0.2"], "default": 0}],
        "panels": [{"title": "p", "axes": {
            "x": {"label": "x", "min": 0, "max": 1},
            "y": {"label": "y", "min": 0, "max": 1}}}],
        "frames": {str(i): {"text": f"frame {i}", "panels": [
            {"series": [{"points": [[0, 0], [1, i]]}]}]} for i in (0, 1)},
    }
    base.update(changes)
    return base


def test_compact_rounds_and_writes_non_finite_as_null():
    assert compact(1 / 3) == 0.3333
    assert compact(123456.0) == 123500.0
    assert compact([math.nan, math.inf, -math.inf]) == [None] * 3
    assert compact(np.array([[1.23456, np.nan]])) == [[1.235, None]]
    assert compact((1, "a", {"k": 2.0})) == [1, "a", {"k": 2.0}]


def test_html_is_hidden_labelled_and_carries_the_spec():
    out = html(spec())
    assert out.startswith('<figure class="hpe-explorer" id="x-explorer" '
                          'hidden>')
    assert '<label for="x-explorer-0">lr</label>' in out
    assert 'aria-valuetext="lr 0.1"' in out and 'aria-live="polite"' in out
    data = out[out.index('json">') + 6:out.index("</script>")]
    assert json.loads(data)["frames"]["1"]["text"] == "frame 1"


def test_a_script_end_in_the_data_cannot_close_the_script():
    out = html(spec(title="</script><b>x</b>"))
    assert out.count("</script>") == 1
    assert "&lt;/script&gt;" in out  # the caption, escaped


def test_a_select_shows_its_own_value():
    s = spec(controls=[{"label": "init", "kind": "select",
                        "values": ["He", "Glorot"], "default": 1}])
    out = html(s)
    assert '<option value="1" selected>Glorot</option>' in out
    assert "hpe-explorer-value" not in out


@pytest.mark.parametrize("changes, message", [
    ({"frames": {"0": {"text": "t", "panels": [{}]}}},
     "frames for 1 combinations of the controls, expected 2"),
    ({"controls": [{"label": "lr", "kind": "dial", "values": [1],
                    "default": 0}]}, "kind must be 'range' or 'select'"),
    ({"controls": [{"label": "lr", "kind": "range", "values": [1, 2],
                    "default": 2}]}, "default of 'lr' must index its 2"),
    ({"panels": []}, "frame 0 has 1 panels, expected 0"),
])
def test_a_bad_spec_fails_the_build_with_a_clear_error(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        html(spec(**changes))


def test_a_missing_reference_or_text_is_an_error():
    s = spec()
    s["frames"]["0"]["panels"][0]["series"] = [{"ref": "nowhere"}]
    with pytest.raises(ValueError, match="refers to 'nowhere'"):
        html(s)
    s = spec()
    s["frames"]["1"]["text"] = ""
    with pytest.raises(ValueError, match="frame 1 has no text"):
        html(s)
    with pytest.raises(ValueError, match="has no 'frames'"):
        html({k: v for k, v in spec().items() if k != "frames"})


@pytest.mark.parametrize("line, mark, message", [
    ({}, None, "frame 0 has a line with neither of points and ref"),
    ({"points": [[0, 0]], "ref": "a"}, None,
     "frame 0 has a line with both of points and ref"),
    ({"points": [[0, 0]], "style": "dotted"}, None,
     "frame 0 has a line of style 'dotted', not one of"),
    ({"points": [[0, 0]]}, {"x": 1}, "frame 0 has a mark without x or label"),
])
def test_every_line_and_mark_is_one_the_drawing_knows(line, mark, message):
    bad = spec()
    panel = bad["frames"]["0"]["panels"][0]
    panel["series"] = [line]
    if mark is not None:
        panel["marks"] = [mark]
    with pytest.raises(ValueError, match=re.escape(message)):
        html(bad)
    background = spec()
    background["panels"][0]["background"] = [{"points": [[0, 0]],
                                              "style": "bold"}]
    with pytest.raises(ValueError,
                       match="a panel's background has a line of style"):
        html(background)
    for style in ("line", "line2", "line3", "line4", "dots", "dots2",
                  "faint"):  # the ones explorer.js and explorer.css draw
        good = spec()
        good["frames"]["0"]["panels"][0]["series"] = [
            {"points": [[0, 0]], "style": style}]
        html(good)


def test_subscripts_are_drawn_and_said():
    from tools.explorer import rich, spoken

    assert rich("E‖g_B − g‖² < 2/λ_{max}") == (
        "E‖g<sub>B</sub> − g‖² &lt; 2/λ<sub>max</sub>")
    assert spoken("g_B − g, w_1, 2/λ_{max}") == "g B − g, w 1, 2/λ max"
    # code names are not subscripts
    assert rich("weight_decay, lr_B2") == "weight_decay, lr_B2"
    out = html(spec(controls=[{"label": "learning rate η",
                               "name": "learning rate", "kind": "range",
                               "values": [0.1, 0.2], "default": 0}]))
    assert 'aria-valuetext="learning rate 0.1"' in out
    assert ">learning rate η</label>" in out


def two_controls(only_with, default=0):
    kinds = {"label": "schedule", "kind": "select",
             "values": ["step", "warm-up"], "default": default}
    warm = {"label": "warm-up", "kind": "range", "values": ["5", "10"],
            "default": 1, "only_with": only_with}
    frames = {f"{i},{j}": {"text": f"frame {i},{j}", "panels": [{}]}
              for i in (0, 1) for j in (0, 1)}
    return spec(controls=[kinds, warm], frames=frames)


def test_a_control_another_does_not_use_is_disabled_and_says_so():
    off = html(two_controls([0, [1]]))  # the default schedule is "step"
    assert re.search(r'<input type="range" id="x-explorer-1"[^>]*'
                     r'aria-valuetext="warm-up not used" disabled>', off)
    assert '<span class="hpe-explorer-value">not used</span>' in off
    on = html(two_controls([0, [1]], default=1))
    assert 'aria-valuetext="warm-up 10">' in on and "not used" not in on
    for bad in ([1, [0]], [0, []], [0, [2]], [5, [0]]):
        with pytest.raises(ValueError, match="only_with of 'warm-up' must "
                                             "name another control"):
            html(two_controls(bad))
