"""Every function has one home in snippets/: it is defined in one module,
once, and another page that shows it includes that module's section (or
a module imports it), so two copies cannot drift apart.

Two exemptions, each held elsewhere: the ``check_*`` helpers, which every
shown section repeats so that a reader's copy runs alone (test_checks
holds every copy to one wording), and the functions in SHOWN_TWICE, each
with its reason. Two functions that only share a name (the ``loss`` of
two different problems, the ``train`` of two different models) are two
functions: a definition counts as a copy when its code, docstring left
out, is at least SIMILAR alike.
"""

import ast
import difflib
import inspect
import itertools

import pytest

from tests.conftest import ROOT

MODULES = sorted(p for p in (ROOT / "snippets").rglob("*.py")
                 if p.name != "__init__.py")
SIMILAR = 0.7  # difflib's ratio: the drifted linear_betas 0.81, the most
# alike of two different functions of one name (glorot_uniform) 0.6
SHOWN_TWICE = {
    "sigmoid": "three lines each page writes in its own words: the 1986 "
               "chapter's model, and the activation page's list beside "
               "its derivative; an include of either would bring the "
               "rest of its section",
}


def definitions(path) -> list[tuple[str, int, str]]:
    """(name, line, code: its signature and body, without its docstring)
    of each function and
    class a module defines at its top level or under its ``__main__``
    guard."""
    tree = ast.parse(path.read_text())
    tops = list(tree.body) + [n for x in tree.body if isinstance(x, ast.If)
                              for n in x.body]
    return [(node.name, node.lineno, code(node)) for node in tops
            if isinstance(node, ast.FunctionDef | ast.ClassDef)]


def code(node) -> str:
    """A definition's signature and body, without its docstring."""
    body = node.body
    if (body and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        body = body[1:]
    node.body = body or [ast.Pass()]
    return ast.unparse(node)


ALL = {p: definitions(p) for p in MODULES}


def alike(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def rel(path) -> str:
    return str(path.relative_to(ROOT))


def test_the_scan_sees_the_modules_functions():
    # the checks below pass on nothing if the scan finds nothing
    names = {name for found in ALL.values() for name, _, _ in found}
    assert {"linear_betas", "head_dim", "descend", "sigmoid"} <= names


def test_no_function_is_copied_into_two_modules():
    copies = []
    for (a, found_a), (b, found_b) in itertools.combinations(
            ALL.items(), 2):
        for (name, line_a, code_a), (other, line_b, code_b) in (
                itertools.product(found_a, found_b)):
            if (name != other or name.startswith("check_")
                    or name in SHOWN_TWICE):
                continue
            ratio = alike(code_a, code_b)
            if ratio >= SIMILAR:
                copies.append(f"{name}: {rel(a)}:{line_a} and "
                              f"{rel(b)}:{line_b} ({ratio:.0%} alike)")
    assert copies == [], "give each one home: " + "; ".join(copies)


@pytest.mark.parametrize("module", MODULES, ids=rel)
def test_no_name_is_defined_twice_in_a_module(module):
    # ruff's F811 is off for snippets/ so that shown sections can repeat a
    # check_* helper; it must hide nothing else
    lines: dict[str, list[int]] = {}
    for name, line, _ in ALL[module]:
        lines.setdefault(name, []).append(line)
    twice = {n: ls for n, ls in lines.items()
             if len(ls) > 1 and not n.startswith("check_")}
    assert twice == {}


def test_the_similarity_rule_catches_a_drifted_copy():
    # the 2020 chapter's linear_betas before it became the one home
    # (its beta_end check had drifted from the models chapter's copy),
    # beside the one home's as it is now
    before = '''
def linear_betas(*, T=1000, beta_start=1e-4, beta_end=0.02):
    check_int("T", T, low=1)
    check_real("beta_start", beta_start, low=0, high=1, low_open=True,
               high_open=True)
    check_real("beta_end", beta_end, low=beta_start, high=1, low_open=True,
               high_open=True)  # above beta_start
    return np.linspace(beta_start, beta_end, T)
'''
    from snippets.history import diffusion_2020

    after = inspect.getsource(diffusion_2020.linear_betas)
    a, b = (code(ast.parse(x).body[0]) for x in (before, after))
    assert alike(a, b) >= SIMILAR
