"""The content key holds everything outside the code that changes an
output (tools/environment.py): a cache copied to another machine, or made
under another kernel setting, never shows that machine's outputs."""

import json
import os

import pytest

from tests.conftest import ROOT
from tools import environment, execute
from tools.cache import Cache
from tools.environment import environment_key, kernel_env, setting
from tools.examples import Block, check_chains, key, needs


def block(index, code, title=""):
    return Block(page="p.md", index=index, code=code,
                 options={"source": "block", "extra": {"title": title}},
                 needs=needs(title))


TORCH = [block(0, "import torch\n"
                  "print(torch.backends.cpu.get_cpu_capability())")]
NUMPY = [block(0, "import numpy as np\nprint(np.arange(3).sum())")]


@pytest.fixture(scope="module")
def env():
    """The key under torch's native kernels, whatever setting the tests
    run in (make kernels runs them under ATEN_CPU_CAPABILITY too)."""
    return environment_key(overrides=setting("native"))


@pytest.fixture
def native(monkeypatch):
    """This process's environment as the native setting's."""
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)


def test_the_kernel_setting_is_in_the_key_of_torch_code_only(env):
    other = environment_key(overrides=setting("default"))
    assert other["torch"]["capability"] == "DEFAULT"
    assert other["torch"]["variables"]["ATEN_CPU_CAPABILITY"] == "default"
    assert "ATEN_CPU_CAPABILITY" not in env["torch"]["variables"]
    assert key("chain", TORCH, env) != key("chain", TORCH, other)
    assert key("chain", NUMPY, env) == key("chain", NUMPY, other)
    # torch imported by a project file that hidden lines import counts too
    hidden = [block(0, "x = 1\nfrom snippets.glossary.digits_task import "
                       "digits  # markdown-exec: hide")]
    assert key("chain", hidden, env) != key("chain", hidden, other)


def test_every_numeric_variable_is_in_the_key(env, native, monkeypatch):
    before = {name: key("chain", chain, env)
              for name, chain in (("torch", TORCH), ("numpy", NUMPY))}
    for name, value in (("OPENBLAS_CORETYPE", "Haswell"),
                        ("OPENBLAS_VERBOSE", "2"), ("NPY_DISABLE_CPU_"
                                                    "FEATURES", "AVX512F"),
                        ("ATEN_CPU_CAPABILITY", "avx2"),
                        ("ONEDNN_MAX_CPU_ISA", "AVX2"),
                        ("KMP_AFFINITY", "compact")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            m.setattr(environment, "probe", lambda overrides=(): {
                "torch_capability": env["torch"]["capability"],
                "numpy_blas": env["numpy_blas"], "mkl": True,
                "mkldnn": True})
            changed = environment_key()
        assert key("chain", TORCH, changed) != before["torch"], name
        numpy_changes = not name.startswith(environment.TORCH)
        assert (key("chain", NUMPY, changed) != before["numpy"]) == (
            numpy_changes), name


def test_the_interpreter_s_threads_and_matplotlib_are_fixed(monkeypatch,
                                                           tmp_path):
    # a reader's settings do not reach the examples, so they are not in
    # the key: the interpreter fixes them
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.setenv("MKL_CBWR", "AVX")
    monkeypatch.setenv("MPLBACKEND", "TkAgg")
    monkeypatch.setenv("MATPLOTLIBRC", str(tmp_path))
    personal = tmp_path / "mpl"
    personal.mkdir()
    (personal / "matplotlibrc").write_text("lines.linewidth: 7\n")
    monkeypatch.setenv("MPLCONFIGDIR", str(personal))
    env = kernel_env()
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
    assert "MKL_CBWR" not in env and "MATPLOTLIBRC" not in env
    assert env["MPLBACKEND"] == "Agg"
    assert env["MPLCONFIGDIR"] != str(personal)
    assert not (environment.mpl_config_dir() / "matplotlibrc").exists()
    variables = environment.variables(env)
    assert "MPLCONFIGDIR" not in variables  # a path; its content is fixed
    assert variables["MPLBACKEND"] == "Agg"


def test_installed_versions_cpu_and_blas_are_in_the_key(env, native,
                                                        monkeypatch):
    before = key("chain", NUMPY, env)
    real = environment.distributions()
    assert real["numpy"] and real["torch"]  # read from the environment
    # an install changes the folder it writes to: the key is read again
    monkeypatch.setattr(environment, "_installed_stamp",
                        lambda: (("site-packages", 1),))
    monkeypatch.setattr(environment, "distributions",
                        lambda: {**real, "numpy": "0.0.1"})
    assert key("chain", NUMPY, environment_key()) != before
    monkeypatch.undo()
    monkeypatch.setattr(environment, "cpu", lambda: {"model name": "x"})
    assert key("chain", NUMPY, environment_key()) != before
    monkeypatch.undo()
    # another architecture than this machine's (OpenBLAS picks its kernels
    # by CPU: SkylakeX on one, Zen or Haswell on another)
    other = "Zen" if env["numpy_blas"][0].get("architecture") == "SkylakeX" \
        else "SkylakeX"
    blas = [{**env["numpy_blas"][0], "architecture": other}]
    assert key("chain", NUMPY, {**env, "numpy_blas": blas}) != before
    other = "AVX2" if env["torch"]["capability"] == "AVX512" else "AVX512"
    capability = {**env["torch"], "capability": other}
    assert key("chain", TORCH, {**env, "torch": capability}) != key(
        "chain", TORCH, env)


def test_the_probe_is_kept_under_what_decides_it(tmp_path, monkeypatch):
    first = environment.probe(cache_dir=tmp_path)
    kept = list((tmp_path / "probes").glob("*.json"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text()) == first
    assert first["torch_capability"] in ("DEFAULT", "AVX2", "AVX512",
                                         "ZVECTOR", "VSX", "SVE256")
    # another CPU is another probe, not this one's answer
    monkeypatch.setattr(environment, "cpu", lambda: {"model name": "x"})
    environment.probe(cache_dir=tmp_path)
    assert len(list((tmp_path / "probes").glob("*.json"))) == 2


def plan(chain: list[Block], overrides=()) -> execute.PagePlan:
    env = environment_key(overrides=overrides)
    chains = check_chains(chain)
    keys = {i: key("chain", c, env) for i, c in chains.items()}
    return execute.PagePlan("p.md", chain, chains, keys, None)


def test_a_cache_made_under_one_setting_runs_torch_again_under_another(
        tmp_path):
    cache = Cache(tmp_path)
    blocks = [block(0, TORCH[0].code, "t.py"), block(1, NUMPY[0].code,
                                                     "n.py")]
    ran = {}
    for name in ("native", "default", "native"):
        found = plan(blocks, setting(name))
        jobs = execute.jobs(found, cache, overrides=setting(name))
        assert execute.run_all(jobs, cache, ROOT) == []
        ran[name] = found
    printed = {n: [p.records[i]["stdout"].strip() for i in (0, 1)]
               for n, p in ran.items()}
    capability = environment.probe(setting("native"))["torch_capability"]
    assert printed["native"] == [capability, "3"]
    assert printed["default"] == ["DEFAULT", "3"]  # not native's record
    counts = [e["what"] for e in cache.executions()]
    # torch ran under each setting; NumPy once, served to the other
    assert counts.count("p.md#0") == 2 and counts.count("p.md#1") == 1


def test_the_key_is_the_same_before_and_after_the_libraries_load():
    # the build's process has not imported scikit-learn, a test's has;
    # importing it sets KMP_* variables, which must not change the key
    import subprocess
    import sys

    code = ("import json, sys; sys.path.insert(0, '.'); {imp}"
            "from tools.environment import environment_key; "
            "print(json.dumps(environment_key()))")
    found = [subprocess.run([sys.executable, "-c", code.format(imp=imp)],
                            cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
             for imp in ("", "import sklearn, torch, matplotlib.pyplot; ")]
    assert found[0] == found[1]


def test_settings_are_named(monkeypatch):
    assert setting(None) == ()
    assert dict(setting("avx2")) == {"ATEN_CPU_CAPABILITY": "avx2"}
    with pytest.raises(ValueError, match="setting must be one of"):
        setting("avx512")
    env = kernel_env(setting("native"))
    assert "ATEN_CPU_CAPABILITY" not in env
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    assert kernel_env(setting("native")).get("ATEN_CPU_CAPABILITY") is None
    assert kernel_env()["ATEN_CPU_CAPABILITY"] == "default"
    assert os.environ["ATEN_CPU_CAPABILITY"] == "default"
