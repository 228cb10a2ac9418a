"""tools/mutants.py: reading mutmut's results into the Testing page's
table of scores."""

from tools import mutants

# What ``mutmut results --all true`` prints, one line per mutant.
RESULTS = """\
    snippets.tuning.methods.x_grid__mutmut_1: killed
    snippets.tuning.methods.x_grid__mutmut_2: survived
    snippets.tuning.methods.x_grid__mutmut_3: timeout
    snippets.tuning.methods.x_random__mutmut_1: no tests
    tools.cache.xǁCacheǁput__mutmut_11: survived
    tools.cache.xǁCacheǁput__mutmut_1: killed
"""


def test_results_reads_every_mutant_under_its_module_path():
    found = mutants.results("header line\n" + RESULTS)
    assert found == {
        "snippets/tuning/methods.py": [
            ("snippets.tuning.methods.x_grid__mutmut_1", "killed"),
            ("snippets.tuning.methods.x_grid__mutmut_2", "survived"),
            ("snippets.tuning.methods.x_grid__mutmut_3", "timeout"),
            ("snippets.tuning.methods.x_random__mutmut_1", "no tests")],
        "tools/cache.py": [
            ("tools.cache.xǁCacheǁput__mutmut_11", "survived"),
            ("tools.cache.xǁCacheǁput__mutmut_1", "killed")]}


def test_a_timeout_counts_as_killed_and_an_equivalent_mutant_not_at_all():
    rows = {r["module"]: r for r in mutants.scores(
        mutants.results(RESULTS))}
    methods = rows["snippets/tuning/methods.py"]
    assert (methods["total"], methods["killed"], methods["survived"],
            methods["no tests"], methods["equivalent"]) == (4, 2, 1, 1, 0)
    assert methods["score"] == 0.5
    cache = rows["tools/cache.py"]  # put 11 is in EQUIVALENT
    assert (cache["total"], cache["equivalent"], cache["score"]) == (
        1, 1, 1.0)
    assert rows["tools/examples.py"]["score"] == 0.0  # no results: no score


def test_the_table_has_seven_columns_and_says_which_targets_are_missed():
    found = mutants.results(RESULTS)
    text = mutants.report(mutants.scores(found), found, 960.0)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert {line.count("|") for line in rows} == {8}  # 7 columns
    methods = next(r for r in rows if "`methods.py`" in r)
    assert [c.strip() for c in methods.split("|")[1:-1]] == [
        "`methods.py`", "4", "0", "2", "2", "50.0%",
        "≥ 90%: **not met**"]
    assert "`cache.py` | 2 | 1 | 1 | 0 | 100.0% | ≥ 85%: met" in text
    assert "- `snippets/tuning/methods.py`: `grid` 1, `random` 1" in text
    assert "- `tools.cache.xǁCacheǁput__mutmut_11`: the temporary" in text
    assert "The run took 16 minutes" in text
    assert text.startswith(mutants.START) and text.endswith(mutants.END)


def test_a_run_where_every_mutant_died_says_so():
    found = mutants.results(RESULTS.replace("survived", "killed")
                            .replace("no tests", "killed"))
    text = mutants.report(mutants.scores(found), found, None)
    assert "No mutant lived" in text and "Where the mutants" not in text
    assert "The run took" not in text  # no time given, none claimed
