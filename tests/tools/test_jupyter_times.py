"""The Jupyter-times section of the performance page: its table reads
back as written (so ``--only`` keeps the other rows), and a page over its
compute budget is called out."""

from tools import jupyter_times as jt

FOUND = {"a/a.ipynb": (12.1, 11.8), "b/b.ipynb": (0.9, None),
         "c/c.ipynb": (5.0, 6.0)}


def test_the_table_reads_back_as_written():
    assert jt.table(jt.section(FOUND, {})) == FOUND


def test_a_budget_is_met_or_called_over(monkeypatch):
    monkeypatch.setattr(jt, "BUDGETS", {"a/a.ipynb": 30, "c/c.ipynb": 4})
    said = jt.budgets({"a/a.ipynb": (9.5, 12.1), "c/c.ipynb": (4.2, 5.0)})
    assert ("`a/a.ipynb` 9.5 s in its code cells (12.1 s with the "
            "kernel's start; medians of 3 runs), at most 30 s on one "
            "core: met") in said
    assert "`c/c.ipynb` 4.2 s in its code cells" in said
    assert said.endswith("at most 4 s on one core: **over**.")
    assert jt.budgets({}).count("not measured") == 2


def test_a_notebooks_compute_is_the_time_its_cells_ran():
    import nbformat

    from tools.downloads import _ran

    cell = nbformat.v4.new_code_cell("x = 1")
    assert _ran(cell) == 0.0  # never run
    cell.metadata["execution"] = {
        "iopub.execute_input": "2026-12-07T10:00:00.250000Z",
        "shell.execute_reply": "2026-12-07T10:00:02.000000Z"}
    assert _ran(cell) == 1.75
    assert _ran(nbformat.v4.new_markdown_cell("text")) == 0.0
