"""Every snippet section is shown somewhere; every include exists.

Pages (docs/**/*.md) include sections with ``--8<-- "file.py:section"``;
notebook stories (notebooks/*.py) with ``# --8<-- "file.py:section"``.
Also: every snippet module has its unit tests at the mirrored path
(snippets/a/b.py -> tests/snippets/a/test_b.py).
"""

import re

import pytest

from tests.conftest import ROOT
from tools import fences
from tools.sections import sections

PAGE_INCLUDE = re.compile(r"""^\s*--8<--\s+["'](?P<target>[^"']+)["']""")
STORY_INCLUDE = re.compile(r"""^# --8<--\s+["'](?P<target>[^"']+)["']""",
                           re.M)
MODULES = sorted(
    p for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py"
)


def includes() -> list[tuple[str, str]]:
    """(the page or story, "file.py:section") for every include: in the
    pages, the include lines of their fenced blocks (tools/fences.py); in
    the notebook stories, the comment lines of their code cells."""
    found = [
        (str(page.relative_to(ROOT)), m["target"])
        for page in (ROOT / "docs").rglob("*.md")
        for fence in fences.fences(page.read_text())
        for line in fence.body
        if (m := PAGE_INCLUDE.match(line))
    ]
    found += [
        (str(story.relative_to(ROOT)), target)
        for story in (ROOT / "notebooks").glob("*.py")
        for target in STORY_INCLUDE.findall(story.read_text())
    ]
    return found


def test_every_include_names_an_existing_section():
    for src, target in includes():
        file, _, section = target.partition(":")
        path = ROOT / file
        assert path.is_file(), f"{src}: include of missing file {file}"
        if path.suffix == ".py":
            assert section, f"{src}: include all of {file}? name a section"
            assert section in sections(path), (
                f"{src}: {file} has no section '{section}'"
            )


def test_includes_are_found():
    # The parser must see the first chapter's includes, or the checks
    # above would pass on anything.
    assert sum(t.startswith("snippets/history/backprop_1986.py:")
               for _, t in includes()) >= 6


@pytest.mark.parametrize("module", MODULES,
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_section_is_shown(module):
    rel = str(module.relative_to(ROOT))
    found = sections(module)
    shown = {t.partition(":")[2] for _, t in includes()
             if t.startswith(rel + ":")}
    assert found, f"{rel} has no sections"
    unused = set(found) - shown
    assert not unused, f"{rel}: sections nothing includes: {sorted(unused)}"


@pytest.mark.parametrize("module", MODULES,
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_has_mirrored_tests(module):
    rel = module.relative_to(ROOT / "snippets")
    test = ROOT / "tests" / "snippets" / rel.parent / f"test_{rel.name}"
    assert test.is_file(), f"no unit tests for snippets/{rel} at {test}"


def test_malformed_sections_are_refused(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("# --8<-- [start:a]\nx = 1\n# --8<-- [end:b]\n")
    with pytest.raises(ValueError, match="does not close"):
        sections(bad)
    bad.write_text("# --8<-- [start:a]\nx = 1\n")
    with pytest.raises(ValueError, match="left open"):
        sections(bad)
