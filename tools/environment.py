"""The examples' interpreter environment, and what of it goes into their
content keys.

An example's output is a function of its code and of the machine that
runs it. The same seeded code prints other numbers when torch, MKL or
OpenBLAS pick other kernels, which they do by CPU and by environment
variable (``ATEN_CPU_CAPABILITY=avx2`` makes torch behave as on a CPU
without AVX-512; ``=default`` as on one without AVX at all). So a content
key (tools/examples.py) holds, beside the code:

- the interpreter: Python, the platform, tools/kernel.py, the modules it
  preloads, and every installed distribution with its version, read from
  the environment (not from the text of requirements.txt);
- every environment variable of the examples' interpreter that changes
  numbers or figures (``ATEN_*``, ``OMP_*``, ``MKL_*``, ``OPENBLAS_*``, ...,
  ``MPLBACKEND``); matplotlib reads no personal configuration there
  (``MPLCONFIGDIR`` is an empty folder of the site's);
- the CPU (vendor, model and flags), NumPy's BLAS and the kernel it
  picked, and torch's CPU capability, found by a probe that runs in that
  interpreter; the probe's answer is kept on disk, keyed by everything
  that decides it.

The torch part (its capability and the variables only torch and its MKL
and oneDNN read) is in the key of a chain that imports torch, and not in
the key of one that does not: a cache made under one kernel setting runs
the torch examples again under another, and serves the NumPy ones.

The settings the site is checked under (``SETTINGS``) stand in for three
machines: torch's native kernels, and ``ATEN_CPU_CAPABILITY`` set to
``avx2`` and to ``default``.
"""

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from tools import ROOT

# Imported by the examples' interpreter before it forks (tools/kernel.py):
# what most examples import.
PRELOAD = ("numpy", "torch", "matplotlib.pyplot", "sklearn.datasets",
           "scipy.stats", "optuna")
# Variables that change what numerical code computes, or how matplotlib
# draws: kept in the examples' interpreter, and in the key.
NUMERIC = ("ATEN_", "OMP_", "MKL_", "OPENBLAS_", "GOTO", "KMP_", "DNNL_",
           "ONEDNN_", "TORCH_", "NPY_", "NUMPY_", "MPL", "MATPLOTLIB",
           "CUBLAS_", "CUDA_")
# Of those, the ones that only torch (with its MKL and oneDNN) reads.
TORCH = ("ATEN_", "MKL_", "KMP_", "DNNL_", "ONEDNN_", "TORCH_", "CUBLAS_",
         "CUDA_")
# The stand-ins for three machines: torch's own choice of kernels, and two
# older CPUs. None removes the variable.
SETTINGS = {
    "native": {"ATEN_CPU_CAPABILITY": None},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "default": {"ATEN_CPU_CAPABILITY": "default"},
}
Setting = tuple[tuple[str, str | None], ...]  # hashable overrides


def setting(name: str | None) -> Setting:
    """The overrides of a named setting; None: the environment as it is."""
    if name is None:
        return ()
    if name not in SETTINGS:
        raise ValueError(f"setting must be one of {sorted(SETTINGS)}, got "
                         f"{name!r}")
    return tuple(sorted(SETTINGS[name].items()))


def current_setting(environ=None) -> str | None:
    """The name of the setting the environment is in, if it is one."""
    environ = os.environ if environ is None else environ
    for name, overrides in SETTINGS.items():
        if all(environ.get(k) == v for k, v in overrides.items()) and not any(
                k.startswith("ATEN_") and k not in overrides for k in environ):
            return name
    return None


def mpl_config_dir() -> Path:
    """An empty matplotlib configuration folder (its font cache only): a
    personal matplotlibrc must not restyle the site's figures, nor those
    in the cache."""
    path = Path(tempfile.gettempdir()) / f"hpe-matplotlib-{os.getuid()}"
    path.mkdir(exist_ok=True)
    (path / "matplotlibrc").unlink(missing_ok=True)
    return path


def kernel_env(overrides: Setting = ()) -> dict[str, str]:
    """The environment of the reader's interpreter, as the site fixes it:
    one torch/BLAS thread (the examples are tiny, so one thread is faster,
    and the same thread count gives the same numbers to the last digit),
    no window for plt.show(), no personal matplotlib configuration; and
    the kernel setting's variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "MPL", "MATPLOTLIB", "OMP_",
                                "MKL_"))}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg",
               MPLCONFIGDIR=str(mpl_config_dir()))
    # what importing scikit-learn (preloaded) sets unless already set: the
    # same in the build, whose process has not imported it, and in a test
    # process that has
    env.setdefault("KMP_DUPLICATE_LIB_OK", "True")
    env.setdefault("KMP_INIT_AT_FORK", "FALSE")
    for name, value in overrides:
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def variables(env: dict[str, str]) -> dict[str, str]:
    """The variables of `env` that can change an example's output (not
    MPLCONFIGDIR, a path, whose content kernel_env fixes)."""
    return {k: v for k, v in sorted(env.items())
            if k.startswith(NUMERIC) and k != "MPLCONFIGDIR"}


def _digest(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()
                          ).hexdigest()


def cpu() -> dict[str, str]:
    """The CPU, as kernels choose by it: vendor, model and flags."""
    found = {"machine": platform.machine(),
             "processor": platform.processor()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        name, _, value = line.partition(":")
        name = name.strip()
        if name in ("vendor_id", "model name", "flags", "Features",
                    "CPU implementer", "CPU part") and name not in found:
            found[name] = " ".join(value.split())
    return found


def _installed_stamp() -> tuple:
    """The folders packages are installed in, with their modification
    times: installing or removing a package changes one of them."""
    return tuple((p, os.stat(p).st_mtime_ns) for p in sys.path
                 if p and os.path.isdir(p))


@functools.lru_cache(maxsize=4)
def _distributions(stamp: tuple) -> tuple[tuple[str, str], ...]:
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower().replace("_", "-")] = dist.version
    return tuple(sorted(found.items()))


def distributions() -> dict[str, str]:
    """Every installed distribution and its version, as the examples'
    interpreter (this one) finds them (read again after an install)."""
    return dict(_distributions(_installed_stamp()))


PROBE = """\
import json
import numpy
import torch
from threadpoolctl import threadpool_info

blas = [{k: lib.get(k) for k in ("internal_api", "version", "architecture",
                                  "threading_layer")}
        for lib in threadpool_info() if lib["user_api"] == "blas"]
print(json.dumps({
    "torch_capability": torch.backends.cpu.get_cpu_capability(),
    "numpy_blas": blas,
    "mkl": torch.backends.mkl.is_available(),
    "mkldnn": torch.backends.mkldnn.is_available(),
}))
"""


def probe(overrides: Setting = (), cache_dir: Path | None = None) -> dict:
    """torch's CPU capability and NumPy's BLAS with the kernel it picked,
    as the examples' interpreter finds them. Kept on disk under everything
    that decides the answer: the CPU, the variables, the interpreter and
    the installed distributions (a few seconds to find out otherwise)."""
    from tools.cache import folder

    env = kernel_env(overrides)
    inputs = {"cpu": cpu(), "variables": variables(env),
              "python": sys.executable, "version": sys.version,
              "distributions": distributions(), "probe": PROBE}
    path = (cache_dir or folder()) / "probes" / f"{_digest(inputs)}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    proc = subprocess.run([sys.executable, "-I", "-c", PROBE], env=env,
                          cwd=tempfile.gettempdir(), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the environment probe failed:\n{proc.stderr}")
    found = json.loads(proc.stdout)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(found))
    os.replace(tmp, path)
    return found


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def environment_key(root: Path = ROOT, overrides: Setting = ()) -> dict:
    """What outside the code can change what an example prints. The
    ``torch`` part counts only for code that imports torch
    (tools/examples.py, ``key``). Kept in the process for the same
    variables, installed packages and kernel (tests ask once per page)."""
    numeric = variables(kernel_env(overrides))
    return json.loads(_environment_key(
        root, overrides, tuple(numeric.items()), _installed_stamp(),
        _file_digest(root / "tools/kernel.py"), _digest(cpu())))


@functools.lru_cache(maxsize=16)
def _environment_key(root: Path, overrides: Setting, numeric: tuple,
                     installed: tuple, kernel: str, cpu_digest: str) -> str:
    numeric = dict(numeric)
    found = probe(overrides)
    return json.dumps({
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": sysconfig.get_platform(),
        "kernel": kernel,
        "preload": list(PRELOAD),
        "distributions": _digest(distributions()),
        "cpu": cpu_digest,
        "numpy_blas": found["numpy_blas"],
        "variables": {k: v for k, v in numeric.items()
                      if not k.startswith(TORCH)},
        "torch": {
            "capability": found["torch_capability"],
            "mkl": found["mkl"], "mkldnn": found["mkldnn"],
            "variables": {k: v for k, v in numeric.items()
                          if k.startswith(TORCH)},
        },
    })


NAMES = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}


@functools.cache
def machine() -> str:
    """The kernels the build machine's CPU gave the examples, in words (the
    home page's stamp)."""
    found = probe()
    blas = [(NAMES.get(b["internal_api"], b["internal_api"]), b["version"],
             b.get("architecture")) for b in found["numpy_blas"]]
    if not blas:
        return (f"torch ran its {found['torch_capability']} kernels (NumPy "
                f"found no BLAS)")
    name, version, arch = blas[0]
    kernels = f" its {arch} kernels" if arch else " its own kernels"
    return (f"torch ran its {found['torch_capability']} kernels and "
            f"NumPy's BLAS ({name} {version}){kernels}")
