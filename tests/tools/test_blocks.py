"""Reading a built page's Python blocks and the order to run them in."""

import pytest

from tools.blocks import page_blocks, runs

HTML = """<article>
<div class="language-python highlight"><span class="filename">model.py</span>
<pre><code>def f():\n    return 1\n</code></pre></div>
<div class="result"><pre><code>printed\n</code></pre></div>
<div class="language-python highlight"><span class="filename">alone.py</span>
<pre><code>print(2)\n</code></pre></div>
<div class="language-python highlight">
<span class="filename">train.py — run after model.py</span>
<pre><code>print(f())\n</code></pre></div>
<div class="language-python highlight">
<span class="filename">plot.py — run after model.py and train.py</span>
<pre><code>pass\n</code></pre></div>
<div class="result"><svg></svg></div>
<div class="language-text highlight"><pre><code>not python</code></pre></div>
</article>"""


def test_blocks_titles_outputs_and_needs():
    blocks = page_blocks(HTML, "p.html")
    assert [b.name for b in blocks] == ["model.py", "alone.py", "train.py",
                                        "plot.py"]
    assert blocks[0].output == "printed\n"
    assert blocks[1].output == ""  # nothing printed under it
    assert blocks[3].output is None  # a figure, not text
    assert blocks[3].needs == ["model.py", "train.py"]
    assert blocks[0].code == "def f():\n    return 1\n"


def test_runs_cover_every_block_without_repeating_prefixes():
    blocks = page_blocks(HTML, "p.html")
    chains = [[b.name for b in c] for c in runs(blocks)]
    assert chains == [["alone.py"], ["model.py", "train.py", "plot.py"]]


def test_unknown_dependency_is_an_error():
    html = HTML.replace("run after model.py and train.py",
                        "run after nothing.py")
    with pytest.raises(LookupError, match=r"nothing\.py"):
        runs(page_blocks(html, "p.html"))


def test_normalise_keeps_indentation_of_the_first_line():
    from tools.blocks import normalise

    assert normalise("\n   a  \n b\n\n") == "   a\n b"
