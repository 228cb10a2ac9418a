"""Reading a built page's Python blocks: code, title, output, figure."""

from tools.blocks import page_blocks

HTML = """<article>
<div class="language-python highlight"><span class="filename">model.py</span>
<pre><code>def f():\n    return 1\n</code></pre></div>
<div class="result"><pre><code>printed\n</code></pre></div>
<div class="language-python highlight"><span class="filename">alone.py</span>
<pre><code>print(2)\n</code></pre></div>
<div class="language-python highlight">
<span class="filename">train.py — run after model.py</span>
<pre><code>print(f())\n</code></pre></div>
<div class="tabbed-set"><div class="tabbed-content">
<div class="tabbed-block"><svg class="hpe-figure"></svg></div>
<div class="tabbed-block"><div class="language-python highlight">
<span class="filename">plot.py — run after model.py and train.py</span>
<pre><code>pass\n</code></pre></div></div></div></div>
<div class="language-text highlight"><pre><code>not python</code></pre></div>
</article>"""


def test_blocks_titles_outputs_and_needs():
    blocks = page_blocks(HTML, "p.html")
    assert [b.name for b in blocks] == ["model.py", "alone.py", "train.py",
                                        "plot.py"]
    assert blocks[0].output == "printed\n"
    assert blocks[1].output == ""  # nothing printed under it
    assert blocks[3].output is None  # a figure, in the tab beside it
    assert blocks[3].figure.startswith('<svg class="hpe-figure"')
    assert blocks[3].needs == ["model.py", "train.py"]
    assert blocks[0].code == "def f():\n    return 1\n"


def test_normalise_keeps_indentation_of_the_first_line():
    from tools.blocks import normalise

    assert normalise("\n   a  \n b\n\n") == "   a\n b"
