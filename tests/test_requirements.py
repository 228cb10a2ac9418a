"""Every requirement is pinned, and requirements.txt is compiled from
requirements.in (make pin, with pip-tools)."""

import re

from tests.conftest import ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)")


def pins(path) -> dict[str, str]:
    out = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        m = PIN.match(line)
        assert m, f"{path}: not pinned with ==: {line!r}"
        out[re.sub(r"[-_.]+", "-", m["name"]).lower()] = m["version"]
    return out


def test_every_requirement_is_pinned_and_compiled_from_the_direct_ones():
    direct, compiled = pins("requirements.in"), pins("requirements.txt")
    for name, version in direct.items():
        assert compiled.get(name) == version, (
            f"{name}=={version} in requirements.in, "
            f"{compiled.get(name)} in requirements.txt: run make pin")
    assert "make pin" in (ROOT / "requirements.txt").read_text()


def test_mkdocs_stays_below_2_and_torch_is_the_cpu_build():
    compiled = pins("requirements.txt")
    assert int(compiled["mkdocs"].split(".")[0]) < 2
    assert compiled["torch"].endswith("+cpu")
