"""Every snippet section is shown on some page; every include exists.

Also: every snippet module has its unit tests at the mirrored path
(snippets/a/b.py -> tests/snippets/a/test_b.py).
"""

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

START = re.compile(r"^# --8<-- \[start:(?P<name>[\w-]+)\]\s*$")
END = re.compile(r"^# --8<-- \[end:(?P<name>[\w-]+)\]\s*$")
INCLUDE = re.compile(r"""^\s*--8<--\s+["'](?P<target>[^"']+)["']""", re.M)

MODULES = sorted(
    p for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py"
)


def sections(path: Path) -> set[str]:
    names, open_ = set(), []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if m := START.match(line):
            assert m["name"] not in names, f"{path}:{n} duplicate section"
            open_.append(m["name"])
            names.add(m["name"])
        elif m := END.match(line):
            assert open_ and open_.pop() == m["name"], (
                f"{path}:{n} [end:{m['name']}] does not close the open section"
            )
    assert not open_, f"{path}: sections left open: {open_}"
    return names


def includes() -> list[tuple[Path, str]]:
    found = []
    for page in (ROOT / "docs").rglob("*.md"):
        for target in INCLUDE.findall(page.read_text()):
            found.append((page, target))
    return found


def test_every_include_names_an_existing_section():
    for page, target in includes():
        file, _, section = target.partition(":")
        path = ROOT / file
        assert path.is_file(), f"{page}: include of missing file {file}"
        if path.suffix == ".py":
            assert section, f"{page}: include the whole of {file}? name a section"
            assert section in sections(path), (
                f"{page}: {file} has no section '{section}'"
            )


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_section_is_shown_on_a_page(module):
    rel = str(module.relative_to(ROOT))
    shown = {t.partition(":")[2] for _, t in includes() if t.startswith(rel + ":")}
    unused = sections(module) - shown
    assert sections(module), f"{rel} has no sections"
    assert not unused, f"{rel}: sections no page includes: {sorted(unused)}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_has_mirrored_tests(module):
    rel = module.relative_to(ROOT / "snippets")
    test = ROOT / "tests" / "snippets" / rel.parent / f"test_{rel.name}"
    assert test.is_file(), f"no unit tests for snippets/{rel} at {test}"
