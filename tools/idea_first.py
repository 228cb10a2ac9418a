"""How many lines of argument checks a reader meets before the idea.

A page's first code block should open with the hyperparameter's idea
(gradient descent's loop, the momentum update), not with the checks that
reject bad input. The checks (``check_int``, ``check_real``, ...; one
shape, tests/snippets/test_checks.py) still travel with the block, so a
copied block runs and refuses a negative rate, but they come after the
functions that call them: Python looks a name up when the function runs,
not when it is defined.

``checks_before_idea(code)`` counts the lines of ``def check_*`` that
come before the code's first statement that is neither an import nor a
check: the number tests/site/test_idea_first.py holds every page to.
"""

import ast

MOST = 5  # lines of checks a page may show before its idea (issue 22)


def _is_check(node: ast.stmt) -> bool:
    return (isinstance(node, ast.FunctionDef)
            and node.name.startswith("check"))


def checks_before_idea(code: str) -> int:
    """Lines of check functions before the first line of the idea."""
    lines = 0
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if _is_check(node):
            lines += node.end_lineno - node.lineno + 1
            continue
        break  # the idea
    return lines

