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


def _install(tmp_path, torch_found_by_pip: bool) -> list[str]:
    """`make` installing into a venv whose python is a stand-in that logs
    each pip call and, for the torch pin, fails unless PyTorch's index
    was named or pip can find it."""
    import os
    import subprocess

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls"
    fake = venv / "bin/python"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'case "$*" in\n'
        f'  *torch==*) case "$*" in *--index-url*) exit 0;; esac;'
        f' exit {0 if torch_found_by_pip else 1};;\n'
        "esac\n")
    fake.chmod(0o755)
    proc = subprocess.run(
        ["make", "-s", str(venv / ".installed"), f"VENV={venv}",
         f"BIN={venv}/bin", f"INSTALLED={venv}/.installed"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "MAKEFLAGS": ""})
    assert proc.returncode == 0, proc.stderr
    assert (venv / ".installed").exists()
    return log.read_text().splitlines()


def test_torch_comes_from_pytorch_s_index_only_when_pip_finds_it_nowhere(
        tmp_path):
    torch = "torch==" + pins("requirements.txt")["torch"]
    # here: pip finds the pinned wheel (a local folder, PyPI, an index the
    # machine names), and PyTorch's index is never asked
    calls = _install(tmp_path / "here", torch_found_by_pip=True)
    assert len(calls) == 3
    assert torch in calls[0] and "--no-deps" in calls[0]
    assert "--index-url" not in " ".join(calls)
    assert calls[1].endswith("-r requirements.txt")
    # then what must come without its dependencies (mup: see the file)
    assert calls[2].endswith("--no-deps -r requirements-nodeps.txt")
    # a fresh machine: PyPI has no +cpu build; the CPU index, then the rest
    calls = _install(tmp_path / "fresh", torch_found_by_pip=False)
    assert len(calls) == 4
    assert "--index-url https://download.pytorch.org/whl/cpu" in calls[1]
    assert torch in calls[1] and "--no-deps" in calls[1]
    assert calls[2].endswith("-r requirements.txt")


def test_the_no_deps_requirements_are_pinned():
    lines = [line.split("#")[0].strip() for line in
             (ROOT / "requirements-nodeps.txt").read_text().splitlines()]
    pins_ = [line for line in lines if line]
    assert pins_ and all(re.fullmatch(r"[\w.-]+==[\w.+]+", p)
                         for p in pins_)
    # none of them is also in requirements.txt (installed twice)
    compiled = pins("requirements.txt")
    assert not {p.split("==")[0] for p in pins_} & set(compiled)
