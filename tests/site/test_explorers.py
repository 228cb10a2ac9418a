"""The explorers' data as built into the pages (tools/explorer.py): every
combination of the controls has a frame, sampled frames state the numbers
the pages' functions give (tests/explorers.py), the drawn points are the
functions' own, and each explorer stays within its weight budget."""

import gzip
import re

import numpy as np
import pytest
from bs4 import BeautifulSoup

from tests.explorers import (
    EXPLORERS,
    LRS,
    check_decay_curves,
    check_decay_regimes,
    check_frames,
    check_init,
    check_momentum_paths,
    check_momentum_regimes,
    check_texts,
    close,
    expected,
    spec_of,
)
from tests.pages import html_path
from tools.explorer import BUDGET  # bytes gzipped: data, script, style

ASSETS = ["assets/javascripts/explorer.js",
          "assets/stylesheets/explorer.css"]


def page_html(site, page: str) -> str:
    from pathlib import Path

    return (site / html_path(Path(page + ".md"))).read_text()


@pytest.mark.parametrize("page", EXPLORERS)
def test_every_combination_has_a_frame(site, page):
    check_frames(spec_of(page_html(site, page), EXPLORERS[page]))


@pytest.mark.parametrize("page", EXPLORERS)
def test_sampled_frames_state_the_functions_numbers(site, page):
    eid = EXPLORERS[page]
    check_texts(eid, spec_of(page_html(site, page), eid))


def test_lr_paths_are_gradient_descent(site):
    from snippets.glossary import learning_rate as m

    spec = spec_of(page_html(site, "glossary/learning-rate"), "lr-explorer")
    assert spec["controls"][0]["values"] == [f"{lr:.4g}" for lr in LRS]
    for i in (0, 20, 40):
        path = m.gradient_descent(m.grad_f, m.w0, lr=float(LRS[i]),
                                  num_steps=40)
        close(spec["frames"][str(i)]["panels"][0]["series"][0]["points"],
              path)
    assert spec["panels"][1]["marks"][0]["x"] == pytest.approx(0.1)


def test_lr_explorer_names_each_regime_where_it_holds(site):
    # every frame starts with its regime, and the regimes change where
    # 1 - 20 lr crosses 1, 0, -1: below 0.05 creeping, between 0.05 and
    # 0.1 zig-zagging, above 0.1 diverging; the stops are dense there
    spec = spec_of(page_html(site, "glossary/learning-rate"), "lr-explorer")
    names = [spec["frames"][str(i)]["text"].split(" (η")[0]
             for i in range(len(LRS))]
    for lr, name in zip(LRS, names):
        assert name == ("Creeps" if lr < 0.05 - 1e-9 else
                        "Lands on the floor in one step" if lr < 0.05 + 1e-9
                        else "Zig-zags" if lr < 0.1 - 1e-9 else
                        "Bounces for ever" if lr < 0.1 + 1e-9 else
                        "Diverges"), (lr, name)
    assert names.count("Zig-zags") >= 15 and names.count("Diverges") >= 6
    assert sum(LRS < 0.05) < len(LRS) / 2  # was 33 of 41 below 0.05
    default = spec["controls"][0]["default"]
    assert names[default] == "Zig-zags"  # the page's main regime first


def test_momentum_paths_are_descend(site):
    check_momentum_paths(spec_of(page_html(site, "glossary/momentum"),
                                 "momentum-explorer"))


def test_momentum_explorer_names_each_regime_and_marks_critical(site):
    check_momentum_regimes(spec_of(page_html(site, "glossary/momentum"),
                                   "momentum-explorer"))


def test_decay_curves_are_the_schedules(site):
    spec = spec_of(page_html(site, "glossary/learning-rate-decay"),
                   "decay-explorer")
    check_decay_curves(spec)
    check_decay_regimes(spec)


def test_batch_noise_is_gradient_noise(site):
    from snippets.glossary import batch_size as m
    from tests.explorers import per_example_matrix

    spec = spec_of(page_html(site, "glossary/batch-size"), "batch-explorer")
    sizes = spec["controls"][0]["values"]
    G = per_example_matrix()
    assert sizes[0] == 1 and sizes[-1] == len(G)  # 1 to every example
    measured = dict(map(tuple, spec["panels"][1]["background"][2]["points"]))
    for B in (1, 32, 512):
        assert measured[B] == pytest.approx(m.gradient_noise(G, [B])[0],
                                            rel=1e-3)
    # the cloud: as many batches as gradient_noise draws, spread like it
    dots = np.asarray(spec["frames"][str(sizes.index(1))]["panels"][0][
        "series"][0]["points"])
    assert dots.shape == (200, 2)
    assert np.sum(dots ** 2, axis=1).mean() < measured[1]  # 2 of P dims
    # every frame opens with its regime: noise above the signal for small
    # batches, below it for large ones, switching once, near the noise
    # scale; the whole set has no noise at all
    names = [spec["frames"][str(i)]["text"].split(" (B")[0]
             for i in range(len(sizes))]
    for i, name in enumerate(names):
        assert spec["frames"][str(i)]["text"].startswith(
            expected("batch-explorer", [i], [sizes])[0])
    switch = names.index("Signal dominates")
    assert set(names[:switch]) == {"Noise dominates"}
    assert set(names[switch:-1]) == {"Signal dominates"}
    assert names[-1] == "Full batch"
    scale = float(re.search(r"tr Σ/‖g‖² is ([\d.]+)",
                            spec["frames"]["0"]["text"])[1])
    assert sizes[switch - 1] < scale < 2 * sizes[switch]


def test_init_curves_are_activation_variances(site):
    from snippets.glossary import weight_initialization as m

    spec = spec_of(page_html(site, "glossary/weight-initialization"),
                   "init-explorer")
    check_init(spec)


@pytest.mark.parametrize("page", EXPLORERS)
def test_each_explorer_within_its_budget(site, page):
    soup = BeautifulSoup(page_html(site, page), "html.parser")
    markup = str(soup.find(id=EXPLORERS[page]))
    size = len(gzip.compress(markup.encode())) + sum(
        len(gzip.compress((site / a).read_bytes())) for a in ASSETS)
    assert size <= BUDGET, f"{page}: {size} bytes gzipped"


def test_only_pages_with_an_explorer_load_its_script_and_style(site):
    # the other pages weigh what they did before explorers existed
    pages = [p for p in site.rglob("index.html")]
    with_explorer = {p for p in pages
                     if 'class="hpe-explorer"' in p.read_text()}
    assert len(with_explorer) == len(EXPLORERS)
    for asset in ASSETS:
        tag = re.compile(rf'<(script src|link rel="stylesheet" href)='
                         rf'"[^"]*{re.escape(asset)}"')
        assert {p for p in pages if tag.search(p.read_text())} == (
            with_explorer)
    assert "hpe-explorer" not in (
        site / "assets/stylesheets/extra.css").read_text()


def test_the_data_has_no_nan_and_no_close_tag(site):
    for page, eid in EXPLORERS.items():
        html = page_html(site, page)
        soup = BeautifulSoup(html, "html.parser")
        data = soup.find(id=eid).find("script").string
        assert not re.search(r"\bNaN\b|Infinity", data)
        assert "</" not in data


def test_batch_mark_is_where_the_curve_meets_the_signal(site):
    # the mark sits where tr Σ/B · (n − B)/(n − 1), the drawn curve, equals
    # ‖g‖²: a little below the noise scale tr Σ/‖g‖², which assumes
    # batches drawn with replacement
    from tests.explorers import per_example_matrix

    spec = spec_of(page_html(site, "glossary/batch-size"), "batch-explorer")
    G = per_example_matrix()
    n, g = len(G), G.mean(axis=0)
    spread, signal = np.mean(np.sum((G - g) ** 2, axis=1)), g @ g
    (mark,) = spec["panels"][1]["marks"]
    B = mark["x"]
    assert spread / B * (n - B) / (n - 1) == pytest.approx(signal, rel=1e-3)
    assert B < spread / signal
    text = spec["frames"]["0"]["text"]
    assert f"tr Σ/‖g‖² is {spread / signal:.4g}" in text
    assert f"below the signal at B = {B:.3g}" in text


def test_mutransfer_curves_are_the_sweeps(site):
    # the explorer draws the losses sweep.py printed (to its three
    # decimals), and marks the rates it starred, at every width
    from tests.explorers import sweep_table

    spec = spec_of(page_html(site, "history/2022-mutransfer"),
                   "mutransfer-explorer")
    lrs, rows = sweep_table()
    widths = spec["controls"][0]["values"]
    assert widths == [w for w, _, _ in rows["standard"]]
    for k, p in enumerate(("standard", "mup")):
        panel = spec["panels"][k]
        assert len(panel["background"]) == len(widths)  # every width
        assert panel["marks"][0]["x"] == pytest.approx(
            float(lrs[rows[p][0][2]]), rel=1e-3)  # the base width's best
        for i, (w, losses, j) in enumerate(rows[p]):
            drawn = spec["frames"][str(i)]["panels"][k]
            line, dot = (np.asarray(s["points"], float)
                         for s in drawn["series"])
            close(line[:, 0], [float(x) for x in lrs])
            np.testing.assert_allclose(line[:, 1],
                                       [float(x) for x in losses],
                                       atol=5e-4 + 1e-9)
            assert dot.tolist() == [line[j].tolist()]
            assert drawn["marks"][0]["x"] == pytest.approx(float(lrs[j]),
                                                           rel=1e-3)
