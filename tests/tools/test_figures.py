"""Build-time figures: reproducible, dark-mode friendly, accessible."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from tools import figures


def draw():
    with plt.rc_context(figures.STYLE):
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [1, 3, 2], label="line")
        ax.set(xlabel="x", ylabel="y", title="t")
        ax.legend()
    return fig


def test_svg_is_byte_identical_across_renders():
    assert figures.svg(draw(), name="a", alt="x") == figures.svg(
        draw(), name="a", alt="x"
    )


def test_svg_follows_the_page_colour_and_has_a_name():
    out = figures.svg(draw(), name="a", alt='Rises, then "falls"')
    assert out.startswith("<svg")
    assert figures.INK not in out and "currentColor" in out
    assert 'role="img"' in out
    assert 'aria-label="Rises, then &quot;falls&quot;"' in out
    assert "<dc:date>" not in out and "<metadata>" not in out


def test_figure_names_keep_ids_apart():
    a = figures.svg(draw(), name="a", alt="x")
    b = figures.svg(draw(), name="b", alt="x")
    assert a != b


def test_alt_text_is_required():
    with pytest.raises(ValueError, match="alt"):
        figures.svg(draw(), name="a", alt=" ")


def test_crowded_scatter_becomes_an_embedded_image():
    import numpy as np

    with plt.rc_context(figures.STYLE):
        fig, ax = plt.subplots()
        xy = np.random.default_rng(0).normal(size=(5000, 2))
        ax.scatter(*xy.T, s=2)
        ax.set(xlabel="x", ylabel="y")
    out = figures.svg(fig, name="crowd", alt="a cloud of points")
    assert "<image" in out and "data:image/png;base64," in out
    assert len(out) < 200_000  # 5,000 markers as paths: several MB
    assert "currentColor" in out  # axes and labels stay vector, themed
