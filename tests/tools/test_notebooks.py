"""Notebook stories -> .ipynb, and mkdocs-jupyter HTML -> site markup."""

import base64
import io
import random
import re

import pytest
from PIL import Image

from tools import notebook_html, notebooks, png

STORY = '''# %% [markdown]
# # Title
#
# Text with $d_k = 64$ [@vaswani2017].

# %%
# --8<-- "snippets/history/backprop_1986.py:one_step"
'''


def test_story_becomes_a_clean_notebook(tmp_path):
    story = tmp_path / "s.py"
    story.write_text(STORY)
    nb = notebooks.notebook(story)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown", "code", "markdown"]
    assert "([Vaswani et al. 2017](#ref-vaswani2017))" in nb.cells[0].source
    assert nb.cells[2].source.startswith("## References")
    assert '<a id="ref-vaswani2017"></a>' in nb.cells[2].source
    assert nb.cells[1].source.startswith("w, v, b = sgd_step(")
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1", "cell-2"]
    assert notebooks.notebook(story) == nb  # deterministic


def test_missing_section_is_an_error(tmp_path):
    story = tmp_path / "s.py"
    story.write_text(STORY.replace(":one_step", ":nothing"))
    with pytest.raises(ValueError, match="no section nothing"):
        notebooks.notebook(story)


NAMED = """# %% [markdown]
# Two cells, one named.

# %%
x = 2

# %% name="square"
print(x * x)
"""


def test_a_named_cell_has_its_name_as_its_id(tmp_path):
    story = tmp_path / "n.py"
    story.write_text(NAMED)
    for hidden in (False, True):
        nb = notebooks.notebook(story, hidden=hidden)
        assert nb.cells[-1].id == "square" and nb.cells[-1].metadata == {}
        assert nb.cells[-2].id.startswith("cell-")
    story.write_text(NAMED + '\n# %% name="square"\nprint(x)\n')
    with pytest.raises(ValueError, match="two cells are named 'square'"):
        notebooks.notebook(story)
    story.write_text(NAMED.replace('"square"', '"Square cell"'))
    with pytest.raises(ValueError, match="lower_case_with_underscores"):
        notebooks.notebook(story)


def test_run_executes_a_story_cell_after_cell(tmp_path, monkeypatch,
                                               capsys):
    # what python -m snippets.models.<stem> does with its story
    (tmp_path / "n.py").write_text(NAMED)
    monkeypatch.setattr(notebooks, "STORIES", tmp_path)
    notebooks.run("n")
    assert capsys.readouterr().out == "4\n"


def _png(size: int = 48) -> str:
    """A real RGB PNG as a data URI: scattered dots of six colours, as
    in a plot, which a palette stores in a byte where RGB needs three."""
    colours = [(255, 255, 255), (31, 119, 180), (255, 127, 14),
               (44, 160, 44), (214, 39, 40), (0, 0, 0)]
    rng = random.Random(0)
    image = Image.new("RGB", (size, size))
    image.putdata([rng.choice(colours) for _ in range(size * size)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(
        out.getvalue()).decode()


PNG = _png()

JUPYTER = """<style>.x{}</style><script>var a;</script>
<div class="jupyter-wrapper"><div class="jp-Notebook">
<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell">
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">
<h2 id="h">Heading<a class="anchor-link" href="#h">¶</a></h2>
<p>Inline $a &lt; b$ and <code>$not math$</code>.</p><p>$$x^2$$</p>
<p>Wrapped $c +
d$ too.</p>
</div></div>
<div class="jp-Cell jp-CodeCell jp-Notebook-cell">
<div class="jp-InputPrompt">In [1]:</div>
<div class="highlight-ipynb hl-python"><pre><span></span><span>x</span>
# Figure: a line going up
# from left to right
plt.show()</pre></div>
<div class="jp-OutputArea-output"><pre>42
</pre></div>
<div class="jp-OutputArea-output"><img src="PNG"/></div>
</div></div></div>""".replace("PNG", PNG)


def test_jupyter_markup_becomes_site_markup():
    out = notebook_html.clean(JUPYTER)
    assert "<style" not in out and "<script" not in out
    assert "jp-" not in out and "In [1]" not in out and "¶" not in out
    assert out.strip().startswith('<div class="hpe-notebook">')
    assert '<div class="language-python highlight"><pre><code>' in out
    assert 'class="result"' in out and "42\n" in out
    # the whole comment, continued over lines, and no further
    assert 'alt="a line going up from left to right"' in out
    assert out.count("<math") == 3  # inline, display, wrapped
    assert "<code>$not math$</code>" in out  # code is left alone


def test_figures_become_palette_pngs_only_when_smaller():
    src = png.lighter_png(PNG)
    assert len(src) < len(PNG)
    raw = base64.b64decode(src.removeprefix("data:image/png;base64,"))
    small = Image.open(io.BytesIO(raw))
    assert small.mode == "P" and small.size == (48, 48)
    # a palette PNG does not shrink again, so it is kept as it is
    assert png.lighter_png(src) == src
    assert png.lighter_png("data:image/svg+xml,x") == (
        "data:image/svg+xml,x")


def test_figures_become_files_beside_the_page_with_their_size():
    out, files = notebook_html.figure_files(notebook_html.clean(JUPYTER))
    (name, data), = files.items()
    assert re.fullmatch(r"figure-[0-9a-f]{12}\.png", name)
    assert Image.open(io.BytesIO(data)).size == (48, 48)
    img = re.search(r"<img [^>]*>", out)[0]
    assert f'src="{name}"' in img and "data:" not in out
    assert 'width="48" height="48"' in img  # its place held: no shift
    assert 'loading="lazy"' in img and 'alt="a line going up' in img
    # named by content: the same figure, the same file, on every build
    twice = notebook_html.clean(JUPYTER.replace(
        f'<img src="{PNG}"/>', f'<img src="{PNG}"/><img src="{PNG}"/>'))
    assert notebook_html.figure_files(twice)[1] == files
    again = notebook_html.figure_files(notebook_html.clean(JUPYTER))
    assert again == (out, files)
    with pytest.raises(ValueError, match="not a PNG"):
        notebook_html.figure_files(
            '<img class="hpe-notebook-figure" src="data:image/png;base64,'
            + base64.b64encode(b"GIF89a" + bytes(30)).decode() + '"/>')


def test_non_notebook_content_is_refused():
    with pytest.raises(ValueError, match="jp-Notebook"):
        notebook_html.clean("<p>plain page</p>")


def test_split_prints_are_joined_and_stderr_kept_apart():
    html = JUPYTER.replace(
        '<div class="jp-OutputArea-output"><pre>42\n</pre></div>',
        '<div class="jp-OutputArea-output"><pre>42\n</pre></div>'
        '<div class="jp-OutputArea-output" data-mime-type='
        '"application/vnd.jupyter.stderr"><pre>a warning\n</pre></div>'
        '<div class="jp-OutputArea-output"><pre>43\n</pre></div>',
    )
    out = notebook_html.clean(html)
    assert "42\n</code>" in out and 'class="result stderr"' in out
    from tools.blocks import page_blocks

    [block] = page_blocks(f"<article>{out}</article>", "p")
    assert block.output == "42\n"  # the stdout box right after the cell


GLUED = '''# %% [markdown]
# The loop printed {{ total }} in all.

# %%
total = 0
for i in range(3):
    total += i
    print(i)
glue("total", total)  # markdown-exec: hide

# %%
print("done")
'''


def test_hidden_lines_run_glue_into_the_prose_and_leave_no_trace(
        tmp_path):
    from tools.cache import Cache
    from tools.environment import environment_key

    story = tmp_path / "g.py"
    story.write_text(GLUED)
    cache, env = Cache(tmp_path / "cache"), environment_key()
    assert notebooks.executed(story, cache, env) is None  # not run yet
    assert notebooks.NotebookJob(story, env).run(cache) == []
    nb = notebooks.executed(story, cache, env)
    prose, first, second = nb.cells
    assert prose.source == "The loop printed 3 in all."
    assert "glue" not in first.source  # the reader's code
    # three prints, one stream: as a reader's Jupyter shows them
    assert [o["output_type"] for o in first.outputs] == ["stream"]
    assert first.outputs[0]["text"] == "0\n1\n2\n"
    assert [first.execution_count, second.execution_count] == [1, 2]
    assert second.outputs[0]["text"] == "done\n"
    # what ran had the hidden line, and the cell that defines glue
    ran = notebooks.notebook(story, hidden=True)
    assert "def glue" in ran.cells[0].source
    assert 'glue("total", total)' in ran.cells[2].source


def test_streams_merge_only_when_adjacent_and_alike():
    import nbformat

    out = nbformat.v4.new_output
    merged = notebooks.merge_streams([
        out("stream", name="stdout", text="a\n"),
        out("stream", name="stdout", text="b\n"),
        out("stream", name="stderr", text="w\n"),
        out("stream", name="stdout", text="c\n"),
        out("display_data", data={"text/plain": "x"}),
        out("stream", name="stdout", text="d\n")])
    assert [(o["output_type"], o.get("text")) for o in merged] == [
        ("stream", "a\nb\n"), ("stream", "w\n"), ("stream", "c\n"),
        ("display_data", None), ("stream", "d\n")]
