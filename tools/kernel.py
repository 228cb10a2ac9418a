"""The interpreter in which every example of the site runs.

This file is not imported: tools/runner.py starts it as
``python -I -c <this file's text> ROOT PRELOAD`` in an empty folder, so
nothing of the repository is on ``sys.path`` (``-I`` also ignores the
``PYTHON*`` variables and the user's site-packages): the reader's fresh
interpreter. It then serves jobs read from stdin, one JSON line each.

A job is a tree of code blocks (tools/examples.py). The kernel forks a
child for it, which runs the root block in a fresh namespace; where the
tree branches, the child forks again, so that each branch starts from the
state the blocks before it left and from nothing else, as a reader who
copies that chain into a new interpreter. Every block runs once.

Forking from this process instead of starting a new interpreter per job
skips the 2 to 4 s that importing NumPy, PyTorch and Matplotlib costs:
they are imported here once (PRELOAD), before any example runs, which
changes no example's output (importing a module a second time returns
the same module).

Each block's stdout and stderr are captured separately, at the level of
file descriptors (what C code prints is caught too). While a block's
visible code runs, the repository is out of reach: it is not on
``sys.path``, and opening one of its files raises ``PermissionError``.
Only its hidden lines (``# markdown-exec: hide``: the figure helper) run
with the repository on ``sys.path``, in a copy of the namespace, so that
they leave no name behind. There ``glue(name, value)`` keeps a value, as
text, for the page's prose to show as ``{{ name }}`` (tools/glue.py): a
number the run produced is inserted from the run, never typed.
"""

import contextlib
import json
import os
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings

ROOT = os.path.realpath(sys.argv[1])
# Library files may live under ROOT (a .venv inside the repository).
ALLOWED = tuple({os.path.realpath(p) + os.sep
                 for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
_guard = {"on": False, "busy": False}


def _audit(event, args):
    """Refuse to open a file of the repository while visible code runs."""
    if event != "open" or not _guard["on"] or _guard["busy"]:
        return
    path = args[0]
    if isinstance(path, int) or path is None:
        return
    _guard["busy"] = True
    try:
        real = os.path.realpath(os.fsdecode(path))
    finally:
        _guard["busy"] = False
    if (real + os.sep).startswith(ROOT + os.sep) and not real.startswith(
            ALLOWED):
        raise PermissionError(
            f"an example read {real}, a file of the repository; a "
            f"reader's interpreter does not have it")


def _project_modules() -> set[str]:
    """Modules loaded from the repository (not from a .venv inside it)."""
    found = set()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        real = os.path.realpath(file)
        if real.startswith(ROOT + os.sep) and not real.startswith(ALLOWED):
            found.add(name)
    return found


def _glue(glued: dict):
    def glue(name: str, value) -> None:
        """Keep `value`, as text, for the prose's ``{{ name }}``."""
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(f"glue: the name must be an identifier, got "
                             f"{name!r}")
        glued[name] = str(value)
    return glue


def _run_hidden(code: str, ns: dict, name: str, modules: set,
                glued: dict) -> None:
    """Build-only lines: the repository on sys.path, a copy of the
    namespace with ``glue`` in it, and every project module unloaded
    afterwards."""
    before = set(sys.modules)
    sys.path.insert(0, ROOT)
    try:
        exec(compile(code, f"{name} (hidden lines)", "exec"),
             {**ns, "glue": _glue(glued)})
    finally:
        sys.path.remove(ROOT)
        sys.path_importer_cache.pop(ROOT, None)
        for mod in _project_modules():
            if mod not in before:
                modules.add(sys.modules[mod].__file__)
            del sys.modules[mod]


def _run_visible(code: str, ns: dict, name: str) -> None:
    import linecache

    filename = name  # as the reader saved it, in the current folder
    # tracebacks quote the reader's lines
    linecache.cache[filename] = (len(code), None,
                                 code.splitlines(True), filename)
    _guard["on"] = True
    try:
        exec(compile(code, filename, "exec"), ns)
    finally:
        _guard["on"] = False


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _read(path: str) -> str:
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def run_block(node: dict, ns: dict, out_dir: str) -> dict:
    """Run one block; its output and error, captured."""
    out_path = os.path.join(out_dir, f"{node['id']}.out")
    err_path = os.path.join(out_dir, f"{node['id']}.err")
    _flush()
    saved = os.dup(1), os.dup(2)
    out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out, 1)
    os.dup2(err, 2)
    modules: set[str] = set()
    glued: dict[str, str] = {}
    error = None
    start = time.perf_counter()
    try:
        if node.get("prelude"):
            _run_hidden(node["prelude"], ns, node["name"], modules, glued)
        _run_visible(node["visible"], ns, node["name"])
        if node.get("epilogue"):
            _run_hidden(node["epilogue"], ns, node["name"], modules,
                        glued)
    except BaseException as exc:  # SystemExit too: the block did not finish
        kernel = __file__ if "__file__" in globals() else "<string>"
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename not in (kernel, "<string>")]
        error = "".join(traceback.format_list(frames)
                        + traceback.format_exception_only(exc))
        error = "Traceback (most recent call last):\n" + error
    seconds = time.perf_counter() - start
    _flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
    for fd in (out, err, *saved):
        os.close(fd)
    result = {
        "id": node["id"], "stdout": _read(out_path),
        "stderr": _read(err_path), "error": error,
        "seconds": round(seconds, 3), "modules": sorted(modules),
        "glue": glued,
    }
    os.unlink(out_path)
    os.unlink(err_path)
    return result


def _write(path: str, data) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def run_tree(node: dict, ns: dict, folder: str, out_dir: str) -> None:
    """Run `node`, then each of its branches from the state it left: all
    but the last in a forked child, the last in this process."""
    result = run_block(node, ns, out_dir)
    _write(os.path.join(out_dir, f"{node['id']}.json"), result)
    if result["error"] is not None:
        return  # what runs after it cannot run
    children = node.get("children", [])
    for child in children[:-1]:
        _flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                # a reader running this chain has no files of the others
                fresh = tempfile.mkdtemp(prefix="branch-", dir=out_dir)
                shutil.copytree(folder, fresh, dirs_exist_ok=True)
                os.chdir(fresh)
                run_tree(child, ns, fresh, out_dir)
            except BaseException:
                code = 70
            finally:
                _flush()
                os._exit(code)
        os.waitpid(pid, 0)
    if children:
        run_tree(children[-1], ns, folder, out_dir)


def run_job(job: dict) -> None:
    """In a forked child: an empty folder, a fresh namespace, the tree."""
    os.setpgid(0, 0)  # the runner can kill the job with its branches
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    out_dir = job["out"]
    log = os.open(os.path.join(out_dir, "job.log"),
                  os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # input() gets EOF, never the runner's messages
    os.dup2(log, 1)
    os.dup2(log, 2)
    # as in a terminal: print() and C code's output keep their order
    sys.stdout.reconfigure(line_buffering=True)
    folder = tempfile.mkdtemp(prefix="example-", dir=out_dir)
    os.chdir(folder)
    ns = {"__name__": "__main__", "__builtins__": __builtins__}
    run_tree(job["tree"], ns, folder, out_dir)


def _say(message: dict) -> None:
    os.write(1, (json.dumps(message) + "\n").encode())


def serve() -> None:
    """Fork a child per job line on stdin; report when each one ends."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    running: dict[int, str] = {}
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    pending = b""
    while True:
        for _ in selector.select(timeout=0.05):
            chunk = os.read(0, 1 << 16)
            if not chunk:  # the runner is gone
                for pid in running:
                    with contextlib.suppress(OSError):
                        os.killpg(pid, signal.SIGKILL)
                return
            pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            job = json.loads(line)
            _flush()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    run_job(job)
                except BaseException:
                    traceback.print_exc()
                    code = 70
                finally:
                    _flush()
                    os._exit(code)
            running[pid] = job["id"]
            _say({"started": job["id"], "pid": pid})
        while running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            _say({"done": running.pop(pid),
                  "status": os.waitstatus_to_exitcode(status)})


def main() -> None:
    sys.dont_write_bytecode = True  # no __pycache__ in the watched folders
    sys.addaudithook(_audit)
    # plt.show() under Agg warns that it shows nothing: expected here
    warnings.filterwarnings("ignore",
                            message=".*non-interactive, and thus cannot")
    for name in filter(None, sys.argv[2].split(",")):
        __import__(name)
    if len(sys.argv) > 3:  # one job, no server: python -I -c ... JOB
        with open(sys.argv[3]) as f:
            run_job(json.load(f))
        return
    _say({"ready": os.getpid()})
    serve()


main()
