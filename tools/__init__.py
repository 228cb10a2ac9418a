"""Build and test tooling for the site (not reader-facing code).

ROOT is the repository's folder, the one place it is computed (hooks.py
and bench.py, which run before ``tools`` can be imported, find it
themselves to put it on sys.path).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
