"""Numbers inserted in the prose from the run (tools/glue.py)."""

import pytest

from tools.glue import GlueError, collect, names, substitute


def test_placeholders_become_the_glued_values_outside_code():
    text = ("The best rate is {{ best_lr }}, at {{best_acc}}.\n"
            "Write `{{ name }}` in the prose.\n"
            "```python\nprint('{{ best_lr }}')\n```\n")
    values = {"best_lr": "0.1", "best_acc": "0.958"}
    out = substitute(text, values, "p.md")
    assert out.startswith("The best rate is 0.1, at 0.958.\n")
    assert "`{{ name }}`" in out  # inline code shows the syntax
    assert "print('{{ best_lr }}')" in out  # fenced code is left alone
    assert names(text) == ["best_lr", "best_acc"]


def test_a_name_no_block_glues_or_a_value_never_shown_fails():
    with pytest.raises(GlueError, match=r"\['lr'\], which no block glues"):
        substitute("at {{ lr }}", {}, "p.md")
    with pytest.raises(GlueError, match=r"never shown: \['acc'\]"):
        substitute("at {{ lr }}", {"lr": "1", "acc": "2"}, "p.md")


def test_two_blocks_may_glue_a_name_only_with_one_value():
    records = [{"glue": {"a": "1"}}, None, {"glue": {"a": "1", "b": "2"}}]
    assert collect(records, "p.md") == {"a": "1", "b": "2"}
    with pytest.raises(GlueError, match="two blocks glue 'a'"):
        collect([{"glue": {"a": "1"}}, {"glue": {"a": "3"}}], "p.md")
