"""The "tested with" line on the home page, written at build time."""

import platform
from importlib.metadata import version

from tools.environment import machine

PACKAGES = {
    "NumPy": "numpy",
    "PyTorch": "torch",
    "Matplotlib": "matplotlib",
    "scikit-learn": "scikit-learn",
    "MkDocs Material": "mkdocs-material",
}


def stamp() -> str:
    """Two sentences naming the versions this build ran the examples with,
    and the kernels the build machine's CPU gave them (another CPU prints
    other last digits: see tools/environment.py)."""
    parts = [f"Python {platform.python_version()}"]
    parts += [f"{name} {version(pkg)}" for name, pkg in PACKAGES.items()]
    return "Every example on this site ran when it was built, with " + (
        ", ".join(parts[:-1]) + " and " + parts[-1] + "."
    ) + f" On the build machine's CPU, {machine()}."
