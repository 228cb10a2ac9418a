"""The explorers' data as built into the pages (tools/explorer.py): every
combination of the controls has a frame, sampled frames state the numbers
the pages' functions give (tests/explorers.py), the drawn points are the
functions' own, and each explorer stays within its weight budget."""

import gzip
import itertools
import re

import numpy as np
import pytest
from bs4 import BeautifulSoup

from tests.explorers import EXPLORERS, LRS, expected, spec_of
from tests.pages import html_path

ASSETS = ["assets/javascripts/explorer.js",
          "assets/stylesheets/explorer.css"]
BUDGET = 40 * 1024  # bytes gzipped per explorer: data, script and style


def page_html(site, page: str) -> str:
    from pathlib import Path

    return (site / html_path(Path(page + ".md"))).read_text()


def frames_to_check(spec) -> list[tuple[int, ...]]:
    """The default frame, every control at its first and last value, and
    a few more in between: a dozen per explorer."""
    counts = [len(c["values"]) for c in spec["controls"]]
    default = tuple(c["default"] for c in spec["controls"])
    corners = list(itertools.product(*[(0, n - 1) for n in counts]))
    rng = np.random.default_rng(0)
    middle = [tuple(int(rng.integers(n)) for n in counts) for _ in range(4)]
    return list(dict.fromkeys([default, *corners[:8], *middle]))


@pytest.mark.parametrize("page", EXPLORERS)
def test_every_combination_has_a_frame(site, page):
    spec = spec_of(page_html(site, page), EXPLORERS[page])
    counts = [len(c["values"]) for c in spec["controls"]]
    keys = {",".join(map(str, k))
            for k in itertools.product(*map(range, counts))}
    assert set(spec["frames"]) == keys
    for frame in spec["frames"].values():
        assert len(frame["panels"]) == len(spec["panels"])


@pytest.mark.parametrize("page", EXPLORERS)
def test_sampled_frames_state_the_functions_numbers(site, page):
    eid = EXPLORERS[page]
    spec = spec_of(page_html(site, page), eid)
    values = [c["values"] for c in spec["controls"]]
    for at in frames_to_check(spec):
        text = spec["frames"][",".join(map(str, at))]["text"]
        for phrase in expected(eid, list(at), values):
            assert phrase in text, (at, text)


def close(drawn, exact, rel=1e-3):
    """Drawn points are kept to 4 significant figures."""
    drawn, exact = np.asarray(drawn, float), np.asarray(exact, float)
    assert drawn.shape == exact.shape
    np.testing.assert_allclose(drawn, exact, rtol=rel, atol=1e-12)


def test_lr_paths_are_gradient_descent(site):
    from snippets.glossary import learning_rate as m

    spec = spec_of(page_html(site, "glossary/learning-rate"), "lr-explorer")
    assert spec["controls"][0]["values"] == [f"{lr:.3g}" for lr in LRS]
    for i in (0, 20, 40):
        path = m.gradient_descent(m.grad_f, m.w0, lr=float(LRS[i]),
                                  num_steps=40)
        close(spec["frames"][str(i)]["panels"][0]["series"][0]["points"],
              path)
    assert spec["panels"][1]["marks"][0]["x"] == pytest.approx(0.1)


def test_momentum_paths_are_descend(site):
    from snippets.glossary import momentum as m

    spec = spec_of(page_html(site, "glossary/momentum"), "momentum-explorer")
    momenta, lrs = (c["values"] for c in spec["controls"])
    assert momenta[0] == "0.0" and momenta[-1] == "0.99"
    for i, j in ((0, 0), (7, 1), (12, 2)):
        heavy, plain = spec["frames"][f"{i},{j}"]["panels"][0]["series"][::-1]
        path = m.descend(lr=float(lrs[j]), momentum=float(momenta[i]),
                         num_steps=60)
        close(heavy["points"], path)
        close(plain["points"], m.descend(lr=float(lrs[j]), momentum=0.0,
                                         num_steps=60))


def test_decay_curves_are_the_schedules(site):
    from snippets.glossary import learning_rate_decay as m
    from snippets.models.transformer import transformer_lr

    spec = spec_of(page_html(site, "glossary/learning-rate-decay"),
                   "decay-explorer")
    warmups, totals = spec["controls"][1]["values"], spec["controls"][2][
        "values"]
    assert len(spec["controls"][0]["values"]) == 4
    for w, n in ((0, 0), (1, 2), (3, 3)):
        warmup, T = warmups[w], totals[n]
        t = np.arange(T + 1)
        exact = [m.step_decay(t, lr0=0.1, step_size=T // 3, gamma=0.1),
                 m.cosine(t, lr0=0.1, T=T),
                 m.warmup_cosine(t, lr0=0.1, warmup=warmup, T=T),
                 [transformer_lr(int(s) + 1, warmup=warmup) for s in t]]
        for k in range(4):
            key = f"{k},{w},{n}" if k >= 2 else f"{k},{n}"  # no warm-up
            drawn = np.asarray(spec["shared"][key])
            steps = drawn[:, 0].astype(int)
            assert steps[0] == 0 and steps[-1] == T and len(steps) <= 201
            assert np.all(np.diff(steps) <= max(T // 200, 1))
            close(drawn[:, 1], np.asarray(exact[k])[steps])


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


def test_init_curves_are_activation_variances(site):
    from snippets.glossary import weight_initialization as m

    spec = spec_of(page_html(site, "glossary/weight-initialization"),
                   "init-explorer")
    inits, activations, depths = (c["values"] for c in spec["controls"])
    assert inits == ["PyTorch default", "Glorot", "He"]
    assert activations == ["tanh", "ReLU"] and depths == list(range(1, 21))
    for i, scheme in enumerate(("PyTorch default", "Glorot uniform",
                                "He normal")):
        for j, activation in enumerate(activations):
            drawn = np.asarray(spec["frames"][f"{i},{j},19"]["panels"][0][
                "series"][0]["points"])
            close(drawn[:, 1],
                  np.sqrt(m.activation_variances(scheme, activation)))


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
