"""One shape for argument checks, in every module.

A reader copies one module, so each module carries the checks it uses;
but they are the same few functions, word for word: ``check_int``,
``check_real``, ``check_bool`` and ``check_choice`` below. Each raises a
ValueError that names the argument and the values it accepts:

    lr must be a finite number > 0, got -0.1

This test holds every copy in snippets/ and notebooks/ to the one below,
and allows no other way of writing a check (a function whose name starts
with ``check``).
"""

import ast
import math
from pathlib import Path

import pytest

from tests.conftest import ROOT

CANONICAL = '''
def check_int(name, value, *, low, high=None):
    """Raise a ValueError naming `name` unless `value` is an integer in
    [low, high] (no upper bound when high is None)."""
    allowed = (f"an integer >= {low}" if high is None
               else f"an integer in [{low}, {high}]")
    if not (isinstance(value, int) and not isinstance(value, bool)
            and value >= low and (high is None or value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def check_real(name, value, *, low=-math.inf, high=math.inf,
               low_open=False, high_open=False):
    """Raise a ValueError naming `name` unless `value` is a finite real
    number between low and high (excluded where open)."""
    if math.isinf(low) and math.isinf(high):
        allowed = "a finite number"
    elif math.isinf(high):
        allowed = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif math.isinf(low):
        allowed = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        allowed = (f"a number in {'(' if low_open else '['}{low:g}, "
                   f"{high:g}{')' if high_open else ']'}")
    if not (isinstance(value, Real) and not isinstance(value, bool)
            and math.isfinite(value)
            and (value > low if low_open else value >= low)
            and (value < high if high_open else value <= high)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def check_bool(name, value):
    """Raise a ValueError naming `name` unless `value` is True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
'''
SHAPES = {f.name: ast.dump(f) for f in ast.parse(CANONICAL).body}
SOURCES = sorted(
    [p for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py"]
    + list((ROOT / "notebooks").glob("*.py")))


def checks(path: Path) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef)
            and node.name.startswith("check")]


@pytest.mark.parametrize("path", SOURCES,
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_check_is_one_of_the_four_word_for_word(path):
    for node in checks(path):
        assert node.name in SHAPES, (
            f"{path.name}: {node.name} is not one of {sorted(SHAPES)}; "
            f"compose those instead")
        assert ast.dump(node) == SHAPES[node.name], (
            f"{path.name}: {node.name} differs from the one in "
            f"tests/snippets/test_checks.py")


def test_the_checks_are_used():
    used = {n.name for p in SOURCES for n in checks(p)}
    assert used == set(SHAPES), f"never used: {set(SHAPES) - used}"


@pytest.fixture(scope="module")
def canonical():
    from numbers import Real

    ns = {"math": math, "Real": Real}
    exec(CANONICAL, ns)
    return ns


@pytest.mark.parametrize("call, message", [
    (("check_int", "n", 0, {"low": 1}), "n must be an integer >= 1, got 0"),
    (("check_int", "k", 9, {"low": 1, "high": 8}),
     "k must be an integer in [1, 8], got 9"),
    (("check_int", "n", True, {"low": 0}),
     "n must be an integer >= 0, got True"),
    (("check_real", "lr", -0.1, {"low": 0, "low_open": True}),
     "lr must be a finite number > 0, got -0.1"),
    (("check_real", "p", 1, {"low": 0, "high": 1, "high_open": True}),
     "p must be a number in [0, 1), got 1"),
    (("check_real", "x", math.nan, {}), "x must be a finite number, got nan"),
    (("check_real", "t", 2.5, {"high": 1}),
     "t must be a finite number <= 1, got 2.5"),
    (("check_bool", "nesterov", 1, {}),
     "nesterov must be True or False, got 1"),
    (("check_choice", "mode", "max", {"choices": ("min",)}),
     "mode must be one of 'min', got 'max'"),
])
def test_the_messages_name_the_argument_and_the_range(canonical, call,
                                                      message):
    name, arg, value, kwargs = call
    with pytest.raises(ValueError) as error:
        canonical[name](arg, value, **kwargs)
    assert str(error.value) == message


def test_good_values_pass(canonical):
    canonical["check_int"]("n", 3, low=1)
    canonical["check_real"]("lr", 0.1, low=0, low_open=True)
    canonical["check_real"]("p", 0.0, low=0, high=1, high_open=True)
    canonical["check_bool"]("b", False)
    canonical["check_choice"]("m", "min", ("min", "max"))


# Every copy, as each module has it, against one table of calls: the good
# values at each bound pass, and each bad one raises the exact message.
# (The shape test above already holds the copies to the canonical text;
# this runs them, as the mutation tests need: docs/contributing/testing.md.)
INF, NAN = math.inf, math.nan
CALLS = [  # (function, name, value, keyword arguments, message or None)
    ("check_int", "n", 1, {"low": 1}, None),
    ("check_int", "n", 0, {"low": 1}, "n must be an integer >= 1, got 0"),
    ("check_int", "k", 8, {"low": 1, "high": 8}, None),
    ("check_int", "k", 1, {"low": 1, "high": 8}, None),
    ("check_int", "k", 9, {"low": 1, "high": 8},
     "k must be an integer in [1, 8], got 9"),
    ("check_int", "k", 0, {"low": 1, "high": 8},
     "k must be an integer in [1, 8], got 0"),
    ("check_int", "n", True, {"low": 0},
     "n must be an integer >= 0, got True"),
    ("check_int", "n", 2.0, {"low": 0}, "n must be an integer >= 0, got 2.0"),
    ("check_real", "x", 3, {}, None),
    ("check_real", "x", -1e300, {}, None),
    ("check_real", "x", NAN, {}, "x must be a finite number, got nan"),
    ("check_real", "x", INF, {}, "x must be a finite number, got inf"),
    ("check_real", "x", True, {}, "x must be a finite number, got True"),
    ("check_real", "x", "1", {}, "x must be a finite number, got '1'"),
    ("check_real", "lr", 0, {"low": 0}, None),
    ("check_real", "lr", -1e-12, {"low": 0},
     "lr must be a finite number >= 0, got -1e-12"),
    ("check_real", "lr", 1e-12, {"low": 0, "low_open": True}, None),
    ("check_real", "lr", 0, {"low": 0, "low_open": True},
     "lr must be a finite number > 0, got 0"),
    ("check_real", "t", 1, {"high": 1}, None),
    ("check_real", "t", 1.5, {"high": 1},
     "t must be a finite number <= 1, got 1.5"),
    ("check_real", "t", 0.999, {"high": 1, "high_open": True}, None),
    ("check_real", "t", 1, {"high": 1, "high_open": True},
     "t must be a finite number < 1, got 1"),
    ("check_real", "t", -INF, {"high": 1, "high_open": True},
     "t must be a finite number < 1, got -inf"),
    ("check_real", "p", 0, {"low": 0, "high": 1}, None),
    ("check_real", "p", 1, {"low": 0, "high": 1}, None),
    ("check_real", "p", 1.01, {"low": 0, "high": 1},
     "p must be a number in [0, 1], got 1.01"),
    ("check_real", "p", 0, {"low": 0, "high": 1, "low_open": True},
     "p must be a number in (0, 1], got 0"),
    ("check_real", "p", 1, {"low": 0, "high": 1, "high_open": True},
     "p must be a number in [0, 1), got 1"),
    ("check_real", "p", 0.5, {"low": 0, "high": 1, "low_open": True,
                              "high_open": True}, None),
    ("check_real", "p", 0, {"low": 1e-3, "high": 0.5},
     "p must be a number in [0.001, 0.5], got 0"),
    ("check_bool", "b", True, {}, None),
    ("check_bool", "b", False, {}, None),
    ("check_bool", "b", 1, {}, "b must be True or False, got 1"),
    ("check_bool", "b", None, {}, "b must be True or False, got None"),
    ("check_choice", "m", "b", {"choices": ("a", "b")}, None),
    ("check_choice", "m", "c", {"choices": ("a", "b")},
     "m must be one of 'a', 'b', got 'c'"),
]


def copies():
    """(module, function name) for every check a snippet module has."""
    found = []
    for path in SOURCES:
        if path.is_relative_to(ROOT / "snippets"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found += [(module, n) for n in sorted({c.name for c in
                                                   checks(path)})]
    return found


@pytest.mark.parametrize("module, function", copies(),
                         ids=lambda x: x.removeprefix("snippets."))
def test_every_copy_behaves(module, function):
    import importlib

    check = getattr(importlib.import_module(module), function)
    cases = [c for c in CALLS if c[0] == function]
    assert cases
    for _, name, value, kwargs, message in cases:
        if message is None:
            check(name, value, **kwargs)
            continue
        with pytest.raises(ValueError) as error:
            check(name, value, **kwargs)
        assert str(error.value) == message
