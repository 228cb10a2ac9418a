"""Write requirements.txt: the direct requirements, then every package they
pull in, all pinned with ==, from what is installed in .venv.

    .venv/bin/python tools/pin.py   # after installing or upgrading a package
"""

import re
import subprocess
import sys
from pathlib import Path

# What the project uses directly, and why.
DIRECT = {
    "mkdocs": "the site generator (1.6 is the last 1.x; 2.0 breaks plugins)",
    "mkdocs-material": "the theme",
    "pymdown-extensions": "snippets, superfences, tabbed, arithmatex",
    "markdown-exec": "runs page code at build time, prints its output",
    "mkdocs-jupyter": "notebook pages, executed at build time",
    "pybtex": "reads references.bib for citations and the bibliography",
    "quickjs": "runs the vendored KaTeX at build time: no math script",
    "numpy": "from-scratch implementations",
    "torch": "the reference implementations (CPU build)",
    "matplotlib": "figures, drawn at build time",
    "scikit-learn": "the digits data set, shipped inside the package",
    "scipy": "quasi-random (Sobol, Halton) points for tuning",
    "optuna": "Bayesian optimization (TPE), pruners, shared storage",
    "pytest": "tests",
    "pytest-xdist": "tests on every core",
    "pytest-codeblocks": "runs README.md's code blocks",
    "beautifulsoup4": "reads the built HTML in tests",
    "ruff": "lint",
    "playwright": "browser tests (drives a system or Playwright Chromium)",
    "axe-playwright-python": "accessibility checks; bundles axe-core",
}

ROOT = Path(__file__).resolve().parents[1]


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> None:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    pins = {}
    for line in frozen:
        name, _, ver = line.partition("==")
        pins[canon(name)] = (name, ver.split("+")[0])  # torch 2.13.0+cpu
    missing = [n for n in DIRECT if canon(n) not in pins]
    if missing:
        raise SystemExit(f"not installed: {missing}")
    lines = ["# Direct requirements (written by tools/pin.py).", ""]
    for name, why in DIRECT.items():
        _, ver = pins.pop(canon(name))
        lines.append(f"{name}=={ver}  # {why}")
    lines += ["", "# What they pull in, pinned too: two installs are equal."]
    lines += [""]
    lines += [f"{n}=={v}" for n, v in sorted(pins.values(),
                                             key=lambda p: canon(p[0]))]
    (ROOT / "requirements.txt").write_text("\n".join(lines) + "\n")
    print(f"pinned {len(DIRECT)} direct and {len(pins)} other packages")


main()
