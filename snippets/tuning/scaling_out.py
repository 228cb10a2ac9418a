"""Tuning: one Optuna study, several worker processes, one shared storage.

The page docs/tuning/scaling-out.md shows the shared code folded (the
glossary's task, snippets/tuning/task.py and the Optuna objective of
snippets/tuning/methods.py), then the sections of this script. Importing
it runs nothing; run the page's experiments, in order, from the repository
root with ``python -m snippets.tuning.scaling_out``. `machine` is what
each machine of a real cluster runs; the tests run it against a
PostgreSQL server (tests/snippets/tuning/test_scaling_out.py).
"""

from snippets.glossary.digits_task import digits
from snippets.tuning.task import SPACE, check_int, check_real, describe
from snippets.tuning.methods import make_objective


# --8<-- [start:worker]
import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)


def journal(path):
    """A study storage in one append-only file: processes on one machine
    share it, and a file lock keeps their writes whole."""
    return JournalStorage(JournalFileBackend(str(path)))


def work(storage, *, n_trials, seed, worker, study_name="digits"):
    """What every worker runs: open the shared study and run trials until
    the worker named `worker` has finished n_trials of them. Run again
    with the same name (after a crash), it counts the ones it finished
    and adds the rest. `storage` is a storage object or a database URL.
    Each worker needs its own sampler seed, or all workers would start
    with the same configurations."""
    check_int("n_trials", n_trials, low=1)
    study = optuna.load_study(
        study_name=study_name, storage=storage,
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5))
    finished = study.get_trials(deepcopy=False, states=(
        TrialState.COMPLETE, TrialState.PRUNED))
    done = sum(t.user_attrs.get("worker") == worker for t in finished)
    objective = make_objective(SPACE, data=digits())

    def tagged(trial):
        trial.set_user_attr("worker", worker)  # who ran it, for the record
        return objective(trial)

    if done < n_trials:
        study.optimize(tagged, n_trials=n_trials - done)
# --8<-- [end:worker]


# --8<-- [start:process]
import os
import subprocess
import sys

import cloudpickle

# what the new interpreter runs: take this one's sys.path (to import the
# modules fn comes from), read fn and its arguments, call it
CALL = ("import sys, cloudpickle; sys.path[:0] = cloudpickle.load("
        "sys.stdin.buffer); fn, kwargs = cloudpickle.load(sys.stdin.buffer)"
        "; fn(**kwargs)")


def start_process(fn, kwargs, *, log):
    """Start fn(**kwargs) in a new Python interpreter, as on a machine of
    its own, and return it (a subprocess.Popen: .pid, .wait(),
    .returncode); its errors go to the file `log`. New, not a fork of
    this process: a fork copies memory but not threads, so a child forked
    after torch ran on several threads can wait for ever on a lock one of
    them held. cloudpickle sends fn by value, with the functions and
    values it uses, so fn can be defined in this script or notebook. The
    child runs one torch thread: the workers share the cores."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    with open(log, "w") as stderr:  # the child keeps its own copy
        child = subprocess.Popen([sys.executable, "-c", CALL], env=env,
                                 stdin=subprocess.PIPE, stderr=stderr)
    child.stdin.write(cloudpickle.dumps(sys.path))
    child.stdin.write(cloudpickle.dumps((fn, kwargs)))
    child.stdin.close()
    return child
# --8<-- [end:process]


# --8<-- [start:parallel]
import tempfile
from collections import Counter


def parallel_study(path, *, workers=2, n_trials=4):
    """Create the study in the journal file `path`, run `workers`
    processes on it at once, and return its trials."""
    check_int("workers", workers, low=1)
    check_int("n_trials", n_trials, low=1)
    optuna.create_study(study_name="digits", storage=journal(path),
                        direction="maximize")

    def worker(k):  # runs in the new interpreter
        work(journal(path), n_trials=n_trials, seed=k, worker=k)

    logs = [f"{path}.{k}.err" for k in range(workers)]
    processes = [start_process(worker, {"k": k}, log=logs[k])
                 for k in range(workers)]
    for k, p in enumerate(processes):
        if p.wait() != 0:
            with open(logs[k]) as f:
                raise RuntimeError(f"worker {k} failed:\n{f.read()}")
    study = optuna.load_study(study_name="digits", storage=journal(path))
    return study.trials
# --8<-- [end:parallel]


# --8<-- [start:heartbeat]
import re
import warnings

from optuna.exceptions import ExperimentalWarning, StorageInternalError
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

# Optuna 5.0 calls the heartbeat experimental, and warns at every use
warnings.filterwarnings("ignore", category=ExperimentalWarning)
EXAMPLE = "postgresql+psycopg://user:password@host:5432/dbname"


def open_storage(url, *, heartbeat_interval=60, grace_period=120,
                 max_retry=3):
    """The study storage in the database at `url`, with a heartbeat:
    while a worker runs a trial, a thread of it records every
    heartbeat_interval seconds that the trial is alive. A running trial
    with no heartbeat for grace_period seconds is failed by the next
    worker that starts a trial, and retried (at most max_retry times) as
    a new trial with the same parameters. Errors take one line and mask
    the password: ValueError for a URL that does not parse,
    ConnectionError for a database that is down or refuses the login."""
    check_int("heartbeat_interval", heartbeat_interval, low=1)
    check_int("grace_period", grace_period, low=heartbeat_interval + 1)
    check_int("max_retry", max_retry, low=0)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError) as error:
        hidden = (re.sub(r"(://[^:/@]*:).*@", r"\1***@", url)
                  if isinstance(url, str) else url)
        raise ValueError(f"url must be a database URL such as {EXAMPLE}, "
                         f"got {hidden!r} ({error})") from None
    safe = parsed.render_as_string(hide_password=True)
    try:
        return RDBStorage(
            url, heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                max_retry=max_retry))
    except ArgumentError as error:  # a database SQLAlchemy does not know
        raise ValueError(f"url must be a database URL such as {EXAMPLE}, "
                         f"got {safe!r} ({error})") from None
    except ImportError as error:  # its driver is not installed
        raise ImportError(f"cannot open the study storage {safe}: "
                          f"{error.__cause__ or error}") from None
    except (OperationalError, StorageInternalError) as error:
        cause = error.__cause__ or error  # Optuna wraps some of them
        reason = " ".join(str(getattr(cause, "orig", cause)).split())
        if parsed.password:  # in case the driver quotes it
            reason = reason.replace(parsed.password, "***")
        raise ConnectionError(f"cannot open the study storage {safe}: "
                              f"{reason}") from None
# --8<-- [end:heartbeat]


# --8<-- [start:machine]
import os


def machine(*, worker, seed, n_trials, heartbeat_interval=60,
            grace_period=120):
    """What each machine runs: `work` on the study in the database that
    the environment variable OPTUNA_STORAGE names (a URL such as
    postgresql+psycopg://user:password@host:5432/dbname: the password
    stays out of the code), heartbeat on. A machine restarted after a
    crash runs it again with the same `worker` and a new `seed`."""
    url = os.environ.get("OPTUNA_STORAGE")
    if not url:
        raise ValueError(f"OPTUNA_STORAGE must name the study's database, "
                         f"such as {EXAMPLE}, got {url!r}")
    storage = open_storage(url, heartbeat_interval=heartbeat_interval,
                           grace_period=grace_period)
    work(storage, n_trials=n_trials, seed=seed, worker=worker)
# --8<-- [end:machine]


# --8<-- [start:kill]
import os
import signal
import time

from optuna.trial import TrialState


def kill_inside_a_trial(pid, study, *, worker, timeout=60.0):
    """Kill process `pid`, the worker named `worker`, with SIGKILL while
    it is inside a trial of `study` (one with its parameters, that has
    reported an epoch), as a machine that dies: first freeze it
    (SIGSTOP), then look again; if its trial is still running, it can no
    longer finish it; if it finished in between, let it go on (SIGCONT)
    and wait for the next. Returns the number of the trial it died in.
    On SQLite, use WAL mode, or looking may wait for a lock the frozen
    worker holds."""
    check_int("pid", pid, low=1)
    check_real("timeout", timeout, low=0, low_open=True)

    def inside():
        running = study.get_trials(deepcopy=False,
                                   states=(TrialState.RUNNING,))
        return [t.number for t in running if t.intermediate_values
                and t.user_attrs.get("worker") == worker]

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if inside():
            os.kill(pid, signal.SIGSTOP)  # frozen: its trial cannot end
            time.sleep(0.05)  # what it sent before it froze lands
            numbers = inside()
            if numbers:
                os.kill(pid, signal.SIGKILL)
                return numbers[0]
            os.kill(pid, signal.SIGCONT)
        time.sleep(0.01)
    raise TimeoutError(f"worker {worker!r} was inside no trial in "
                       f"{timeout} s")
# --8<-- [end:kill]


if __name__ == "__main__":
    # --8<-- [start:parallel_run]
    workers, n_trials = 2, 4
    with tempfile.TemporaryDirectory() as folder:
        trials = parallel_study(f"{folder}/digits.log", workers=workers,
                                n_trials=n_trials)
    n = workers * n_trials
    numbers = sorted(t.number for t in trials)
    print(f"{len(trials)} trials; numbers 0..{n - 1}, each once: "
          f"{numbers == list(range(n))}")
    print("every trial finished (complete or pruned):",
          all(t.state.name in ("COMPLETE", "PRUNED") for t in trials))
    print("trials per worker:", dict(sorted(
        Counter(t.user_attrs["worker"] for t in trials).items())))
    # --8<-- [end:parallel_run]

    # --8<-- [start:database]
    import tempfile

    # Many machines: the same work() with a database URL that every machine
    # can reach, for example (PostgreSQL, with psycopg installed):
    #     work("postgresql+psycopg://user:password@host:5432/dbname",
    #          n_trials=50, seed=3, worker=3)
    # SQLite is a database in one file: the same code, on this machine.
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/digits.db"
        optuna.create_study(study_name="digits", storage=url,
                            direction="maximize")
        work(url, n_trials=2, seed=0, worker=0)
        study = optuna.load_study(study_name="digits", storage=url)
        sqlite_trials = study.trials
        print(f"{len(sqlite_trials)} trials in {url.split('/')[-1]}; best "
              f"{study.best_value:.3f} with {describe(study.best_params)}")
    # --8<-- [end:database]

    # --8<-- [start:dies_run]
    import os
    import sqlite3
    import tempfile
    import time
    from collections import Counter

    fast = dict(heartbeat_interval=1, grace_period=2)  # s; real: 60, 120
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(f"{folder}/digits.db")
        db.execute("PRAGMA journal_mode=WAL")  # see kill_inside_a_trial
        db.close()
        url = f"sqlite:///{folder}/digits.db"
        os.environ["OPTUNA_STORAGE"] = url  # what machine() opens
        optuna.create_study(study_name="digits", storage=url,
                            direction="maximize")
        # worker 0, in a process of its own, killed inside a trial
        victim = start_process(
            machine, dict(worker=0, seed=0, n_trials=3, **fast),
            log=f"{folder}/worker0.err")
        study = optuna.load_study(study_name="digits", storage=url)
        killed = kill_inside_a_trial(victim.pid, study, worker=0)
        print(f"worker 0 killed inside trial {killed}, exit code "
              f"{victim.wait()}")
        time.sleep(fast["grace_period"] + 1)  # a restart takes longer
        machine(worker=0, seed=1, n_trials=3, **fast)  # same name, new seed
        trials = study.get_trials()
    retried = RetryHeartbeatStaleTrialCallback.retried_trial_number
    for t in trials:
        line = f"trial {t.number}: {t.state.name}"
        if retried(t) is not None:
            same = t.params == trials[retried(t)].params
            line += (f", the retry of trial {retried(t)}, same "
                     f"parameters: {same}")
        print(line)
    states = Counter(t.state.name for t in trials)
    print(f"{states['COMPLETE']} complete, as worker 0 was asked for; "
          f"{states['RUNNING']} running")
    # --8<-- [end:dies_run]

    # --8<-- [start:errors_run]
    for url in [
        "postgresql+psycopg://optuna:s3cret@db.example.org:54x2/digits",
        "sqlite:////no/such/folder/digits.db",
    ]:
        try:
            open_storage(url)
        except (ValueError, ConnectionError) as error:
            print(f"{type(error).__name__}: {error}")
    # --8<-- [end:errors_run]
