"""The "tested with" line on the home page, written at build time."""

import platform
from importlib.metadata import version

PACKAGES = {
    "NumPy": "numpy",
    "PyTorch": "torch",
    "Matplotlib": "matplotlib",
    "scikit-learn": "scikit-learn",
    "MkDocs Material": "mkdocs-material",
}


def stamp() -> str:
    """One sentence naming the versions this build ran the examples with."""
    parts = [f"Python {platform.python_version()}"]
    parts += [f"{name} {version(pkg)}" for name, pkg in PACKAGES.items()]
    return "Every example on this site ran when it was built, with " + (
        ", ".join(parts[:-1]) + " and " + parts[-1] + "."
    )
