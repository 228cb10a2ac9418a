"""Root conftest: loaded for every test, including README.md's code blocks.

pytest-codeblocks 0.18 reports a failure as ``excinfo.value.args[0]``; for
a shell block that exits non-zero that is the exit code, an int, and
pytest-xdist crashes on it (INTERNALERROR, "argument of type 'int' is not
iterable") instead of showing the failure. Report it as text instead.

It also loads tests/reuse.py, which skips a slow test that passed on
identical inputs and says so (a plugin is named here, in the rootdir's
conftest, as pytest requires).
"""

import subprocess

from pytest_codeblocks.plugin import TestBlock

pytest_plugins = ["tests.reuse"]


def _repr_failure(self, excinfo):
    error = excinfo.value
    if isinstance(error, subprocess.CalledProcessError):
        out = (error.stdout or b"").decode() + (error.stderr or b"").decode()
        return (f"{self.name}, line {self.obj.lineno}: `{error.cmd.strip()}`"
                f" exited with {error.returncode}\n{out}")
    return str(error.args[0]) if error.args else repr(error)


TestBlock.repr_failure = _repr_failure
