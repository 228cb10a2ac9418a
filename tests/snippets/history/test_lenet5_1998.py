"""Tests for snippets/history/lenet5_1998.py (the 1998 chapter)."""

import itertools
import re

import pytest
import torch
from torch import nn

from snippets.history import lenet5_1998 as ln
from tests.conftest import ROOT
from tools.records import output

PAGE = ROOT / "docs/history/1998-lenet5.md"
PAPER = {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120,
         "F6": 10164, "output": 0}
MODERN = {"C1": 156, "S2": 0, "C3": 2416, "S4": 0, "C5": 48120,
          "F6": 10164, "output": 850}
SIDES = {"input": 32, "C1": 28, "S2": 14, "C3": 10, "S4": 5, "C5": 1}


def bib_entry(key):
    text = (ROOT / "docs/references.bib").read_text()
    m = re.search(r"@\w+\{" + key + r",(.*?)\n\}", text, re.S)
    assert m, key
    return dict(re.findall(r"(\w+)\s*=\s*\{(.*?)\}", m.group(1)))


def test_the_paper_has_47_pages():
    entry = bib_entry("lecun1998")
    first, last = map(int, entry["pages"].split("--"))
    assert (first, last) == (2278, 2324)
    assert last - first + 1 == 47  # inclusive: not 46
    assert (entry["volume"], entry["number"], entry["year"]) == (
        "86", "11", "1998")
    page = PAGE.read_text()
    assert (f"volume {entry['volume']}, number {entry['number']}, pages\n"
            f"{first} to {last}: {last - first + 1} pages") in page
    assert "46" not in page


@pytest.mark.parametrize("size,kernel_size,stride", [
    (s, k, st) for s, k, st in itertools.product(
        (1, 2, 5, 10, 14, 28, 32, 33), (1, 2, 3, 5), (1, 2, 3))
    if k <= s
])
def test_conv_out_matches_torch(size, kernel_size, stride):
    x = torch.zeros(1, 1, size, size)
    conv = nn.Conv2d(1, 1, kernel_size, stride=stride)
    assert conv(x).shape[-1] == ln.conv_out(size, kernel_size=kernel_size,
                                            stride=stride)
    pool = nn.AvgPool2d(kernel_size, stride=stride)
    assert pool(x).shape[-1] == ln.conv_out(size, kernel_size=kernel_size,
                                            stride=stride)


@pytest.mark.parametrize("in_maps,maps,kernel_size", list(
    itertools.product((1, 3, 6, 16), (1, 6, 16, 120), (1, 2, 5))))
def test_conv_params_match_torch(in_maps, maps, kernel_size):
    conv = nn.Conv2d(in_maps, maps, kernel_size)
    assert ln.conv_params(in_maps=in_maps, maps=maps,
                          kernel_size=kernel_size) == sum(
        p.numel() for p in conv.parameters())
    # the formula the page writes
    assert ln.conv_params(in_maps=in_maps, maps=maps,
                          kernel_size=kernel_size) == (
        maps * (in_maps * kernel_size**2 + 1))


def test_full_params_match_torch():
    for n_in, n_out in [(120, 84), (84, 10), (1, 1), (400, 120)]:
        linear = nn.Linear(n_in, n_out)
        assert ln.full_params(n_in=n_in, n_out=n_out) == sum(
            p.numel() for p in linear.parameters())


def test_c3_table_is_table_one():
    table = ln.C3_INPUTS
    assert len(table) == 16
    assert [len(t) for t in table] == [3] * 6 + [4] * 9 + [6]
    assert sum(map(len, table)) == 60
    cyclic = {tuple(sorted((j + d) % 6 for d in range(w)))
              for j in range(6) for w in (3, 4)}
    assert all(tuple(t) in cyclic for t in table[:12])  # neighbours
    assert table[:6] == [(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5),
                         (0, 4, 5), (0, 1, 5)]
    assert not any(tuple(t) in cyclic for t in table[12:15])  # not
    assert table[15] == (0, 1, 2, 3, 4, 5)
    assert len(set(map(tuple, table))) == 16  # no two maps alike


def test_layer_table():
    for rows, expected in [(ln.lenet5_layers(), PAPER),
                           (ln.lenet5_layers(paper=False), MODERN)]:
        assert {name: p for name, _, _, p in rows[1:]} == expected
        sides = {name: side for name, _, side, _ in rows if side}
        assert sides == SIDES
        maps = [m for _, m, _, _ in rows]
        assert maps == [1, 6, 6, 16, 16, 120, 84, 10]
    assert sum(PAPER.values()) == 60_000
    assert sum(MODERN.values()) == 61_706
    # the paper's sum, term by term, as the page writes it
    assert 156 + 12 + 1516 + 32 + 48120 + 10164 == 60_000
    assert 120 * (16 * 25 + 1) == 48_120 and 60 * 25 + 16 == 1516
    assert 16 * (6 * 25 + 1) == 2416 and 84 * (120 + 1) == 10_164


def trainable(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@pytest.mark.parametrize("build,rows", [
    (ln.lenet5_paper, ln.lenet5_layers()),
    (ln.lenet5_modern, ln.lenet5_layers(paper=False)),
])
def test_torch_models_match_the_formulas(build, rows):
    model = build()
    x = torch.zeros(1, 1, 32, 32)
    for (name, layer), (row_name, maps, side, params) in zip(
            model.named_children(), rows[1:]):
        assert name == row_name
        x = layer(x)
        assert trainable(layer) == params, name
        if side is None:  # flat: F6 and the output
            assert tuple(x.shape) == (1, maps), name
        else:
            assert tuple(x.shape) == (1, maps, side, side), name
    assert tuple(x.shape) == (1, 10)
    assert trainable(model) == sum(r[3] for r in rows)


def test_paper_model_has_60000_trainable_and_840_fixed():
    model = ln.lenet5_paper()
    assert trainable(model) == 60_000
    assert sum(p.numel() for p in model.parameters()) == 60_000
    fixed = dict(model.named_buffers())
    assert list(fixed) == ["output.codes"]
    codes = fixed["output.codes"]
    assert codes.shape == (10, 84) and codes.numel() == 840
    assert set(codes.unique().tolist()) == {-1.0, 1.0}
    # the codes never receive a gradient: they are not parameters
    model(torch.randn(2, 1, 32, 32)).sum().backward()
    assert not codes.requires_grad and codes.grad is None
    assert ln.lenet5_modern() is not None
    assert trainable(ln.lenet5_modern()) == 61_706
    assert list(ln.lenet5_modern().buffers()) == []


def test_partial_conv_equals_a_masked_full_conv():
    """C3 as 16 small convolutions = one full Conv2d whose kernels for
    unconnected pairs are zero. float32: atol 1e-5 (sums of 150 terms)."""
    torch.manual_seed(0)
    c3 = ln.PartialConv(ln.C3_INPUTS)
    full = nn.Conv2d(6, 16, 5)
    with torch.no_grad():
        full.weight.zero_()
        for j, (conv, inputs) in enumerate(zip(c3.convs, ln.C3_INPUTS)):
            full.weight[j, list(inputs)] = conv.weight[0]
            full.bias[j] = conv.bias[0]
    x = torch.randn(3, 6, 14, 14)
    torch.testing.assert_close(c3(x), full(x), rtol=0, atol=1e-5)


def test_subsample_is_sum_times_coefficient_plus_bias():
    """As the paper: the four inputs added (not averaged), against a sum
    over each 2x2 block written out: float32, 1e-6."""
    torch.manual_seed(0)
    s = ln.Subsample(3)
    with torch.no_grad():
        s.coeff.copy_(torch.tensor([0.5, -2.0, 3.0]))
        s.bias.copy_(torch.tensor([1.0, 0.0, -1.0]))
    x = torch.randn(2, 3, 6, 6)
    blocks = x.reshape(2, 3, 3, 2, 3, 2).sum(dim=(3, 5))
    expected = blocks * s.coeff[:, None, None] + s.bias[:, None, None]
    torch.testing.assert_close(s(x), expected, rtol=0, atol=1e-6)
    assert trainable(s) == ln.subsample_params(maps=3) == 6


def test_rbf_output_is_a_squared_distance():
    rbf = ln.RBFOutput(84, 10)
    x = rbf.codes[3:4].clone()  # exactly class 3's code
    d = rbf(x)
    assert d.shape == (1, 10) and d[0, 3] == 0 and d.argmin() == 3
    y = torch.randn(2, 84)
    expected = torch.cdist(y, rbf.codes) ** 2
    torch.testing.assert_close(rbf(y), expected, rtol=1e-5, atol=1e-4)


def test_scaled_tanh():
    a = torch.linspace(-5, 5, 11)
    torch.testing.assert_close(ln.ScaledTanh()(a),
                               1.7159 * torch.tanh(2 * a / 3))


@pytest.mark.parametrize("size,kernel_size,stride,match", [
    (4, 5, 1, r"^kernel_size must be an integer in \[1, 4\], got 5"),
    (28, 29, 1, r"^kernel_size must be an integer in \[1, 28\], got 29"),
    (28, 0, 1, r"^kernel_size must be an integer in \[1, 28\], got 0"),
    (28, 2.0, 1, r"^kernel_size must be an integer in \[1, 28\]"),
    (28, 5, 0, r"^stride must be an integer >= 1, got 0"),
    (28, 5, -2, r"^stride must be an integer >= 1, got -2"),
    (28, 5, 1.5, r"^stride must be an integer >= 1"),
    (0, 1, 1, r"^size must be an integer >= 1, got 0"),
])
def test_bad_windows_are_refused(size, kernel_size, stride, match):
    with pytest.raises(ValueError, match=match):
        ln.conv_out(size, kernel_size=kernel_size, stride=stride)


@pytest.mark.parametrize("kw,match", [
    (dict(in_maps=6, maps=0, kernel_size=5), r"^maps must be an integer >= 1"),
    (dict(in_maps=6, maps=-16, kernel_size=5), r"^maps must be an integer"),
    (dict(in_maps=0, maps=16, kernel_size=5),
     r"^in_maps must be an integer >= 1"),
    (dict(in_maps=6, maps=16, kernel_size=0),
     r"^kernel_size must be an integer >= 1"),
    (dict(in_maps=6, maps=16, kernel_size=5, connections=15),
     r"^connections must be an integer in \[16, 96\], got 15"),
    (dict(in_maps=6, maps=16, kernel_size=5, connections=97),
     r"^connections must be an integer in \[16, 96\], got 97"),
    (dict(in_maps=6, maps=True, kernel_size=5), r"^maps must be an integer"),
])
def test_bad_conv_settings_are_refused(kw, match):
    with pytest.raises(ValueError, match=match):
        ln.conv_params(**kw)


@pytest.mark.parametrize("maps", [0, -1, 2.5, "6"])
def test_bad_map_counts_are_refused(maps):
    with pytest.raises(ValueError, match=r"^maps must be an integer >= 1"):
        ln.subsample_params(maps=maps)
    with pytest.raises(ValueError, match=r"^maps must be an integer >= 1"):
        ln.Subsample(maps)


def test_bad_full_layer_is_refused():
    with pytest.raises(ValueError, match=r"^n_in must be an integer >= 1"):
        ln.full_params(n_in=0, n_out=84)
    with pytest.raises(ValueError, match=r"^n_out must be an integer >= 1"):
        ln.full_params(n_in=120, n_out=0)


def test_too_small_an_input_is_refused():
    # 16x16: C1 12, S2 6, C3 2, S4 1, and C5's 5x5 kernel no longer fits
    with pytest.raises(ValueError, match=r"^kernel_size must be an integer "
                                         r"in \[1, 1\], got 5"):
        ln.lenet5_layers(side=16)


def printed(name):
    """What the block `name` printed on the page (the build's run, read
    from the execution cache)."""
    return output("history/1998-lenet5.md", name)


def number(text):
    return int(text.replace(",", ""))


def printed_table():
    """layer -> (paper, modern) trainable parameters, and the two totals,
    as lenet_table.py prints them."""
    text = printed("lenet_table.py")
    rows = re.findall(r"^(\w+) +\d+ +\S+ +([\d,]+) +([\d,]+)$", text,
                      re.M)
    table = {name: (number(p), number(m)) for name, p, m in rows}
    totals = re.search(r"^total +([\d,]+) +([\d,]+)$", text, re.M)
    return table, (number(totals[1]), number(totals[2]))


def test_the_printed_table_is_the_formulas():
    table, totals = printed_table()
    assert list(table) == ["input", *PAPER]
    assert {name: p for name, (p, _) in table.items()} == {"input": 0,
                                                           **PAPER}
    assert {name: m for name, (_, m) in table.items()} == {"input": 0,
                                                           **MODERN}
    assert totals == (60_000, 61_706)
    for name, build in (("paper_torch.py", ln.lenet5_paper),
                        ("modern_torch.py", ln.lenet5_modern)):
        m = re.search(r"^trainable: ([\d,]+), fixed \(buffers\): "
                      r"([\d,]+)$", printed(name), re.M)
        model = build()
        assert number(m[1]) == trainable(model)
        assert number(m[2]) == sum(b.numel() for b in model.buffers())


def test_numbers_in_the_prose_are_what_the_page_prints():
    page = PAGE.read_text()
    table, (total, total_modern) = printed_table()
    paper = {name: p for name, (p, _) in table.items()}
    modern = {name: m for name, (_, m) in table.items()}
    assert (total, total_modern) == (60_000, 61_706)
    assert f"exactly {total:,} trainable parameters" in page
    assert f"adds up to exactly {total:,}: $156 + 12 + 1516 + 32 +\n48120 " \
           "+ 10164$" in page
    assert 156 + 12 + 1516 + 32 + 48120 + 10164 == sum(paper.values())
    assert f"C1's {paper['C1']} parameters" in page
    assert "all $28 \\times 28$" in page
    assert f"{paper['C5']:,} of the {total:,}" in page
    assert "$120 \\cdot (16 \\cdot 25 + 1)$" in page
    # C3: every one of its 16 maps ... S2's 6; 60 pairs instead of 96
    assert "every one of its 16 maps to every one of S2's 6" in page
    assert ("That is 60 pairs instead of 96, and $60 \\cdot 25 + 16 = "
            f"{paper['C3']}$") in page
    assert f"$16 \\cdot (6 \\cdot 25 + 1) = {modern['C3']}$" in page
    # the C3 groups: 0-5 three neighbours, 6-11 four, 12-14 four, 15 all
    assert "Maps 0 to 5 read three neighbouring S2 maps, maps 6 to 11" in page
    # the paper's model: 840 fixed values = 10 x 84
    fixed = re.search(r"fixed \(buffers\): ([\d,]+)",
                      printed("paper_torch.py"))[1]
    assert (f"The {fixed} fixed values are the RBF codes, 10 classes "
            f"times 84") in page
    assert 10 * 84 == number(fixed)
    # the modern model and its differences
    more_c3 = modern["C3"] - paper["C3"]
    pools = paper["S2"] + paper["S4"]
    out = modern["output"]
    assert (more_c3, pools, out) == (900, 44, 850)
    assert total_modern - total == more_c3 - pools + out == 1706
    assert (f"It has {total_modern:,} parameters, "
            f"{total_modern - total:,} more") in page
    assert (f"{modern['C3']:,}\n  parameters instead of {paper['C3']:,} "
            f"({more_c3} more)") in page
    assert f"({pools} fewer)" in page
    assert f"{out} trainable parameters" in page
    # citations: the year and the page count carry one
    assert "47 pages [@lecun1998]" in page
    assert "In November 1998" in page


def test_built_page_prints_the_totals(site):
    html = (site / "history/1998-lenet5/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert "trainable: 60,000, fixed (buffers): 840" in text
    assert "trainable: 61,706, fixed (buffers): 0" in text
    assert re.search(r"total\s+60,000\s+61,706", text)
