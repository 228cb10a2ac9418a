"""What a copy of the repository leaves out: the benchmark's scratch
copies (tools/bench.py) and the execution-cache tests' copies
(tests/site/test_execution_cache.py) are made with
``shutil.copytree(root, dest, ignore=ignore(root))``."""

from pathlib import Path

# at the top only: the venv, the built site, the execution cache, mutmut's
# copy; anywhere: what Python, pytest and ruff leave behind
TOP = {".git", ".venv", "site", ".cache", "mutants"}
ANYWHERE = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def ignore(root: Path):
    """A copytree ignore function for a copy of the repository at `root`
    (it leaves out root/site/, never tests/site/)."""
    def names_to_skip(folder, names) -> list[str]:
        top = Path(folder) == root
        return [n for n in names if n in ANYWHERE or (top and n in TOP)]
    return names_to_skip
