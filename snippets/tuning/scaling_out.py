"""Tuning: one Optuna study, several worker processes, one shared storage.

The page docs/tuning/scaling-out.md shows the shared code folded (the
glossary's task, snippets/tuning/task.py and the Optuna objective of
snippets/tuning/methods.py), then the sections of this script. Importing
it runs nothing; run the page's experiments, in order, from the repository
root with ``python -m snippets.tuning.scaling_out``.
"""

from snippets.glossary.digits_task import digits
from snippets.tuning.task import SPACE, check_int, describe
from snippets.tuning.methods import make_objective


# --8<-- [start:worker]
import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.WARNING)


def journal(path):
    """A study storage in one append-only file: processes on one machine
    share it, and a file lock keeps their writes whole."""
    return JournalStorage(JournalFileBackend(str(path)))


def work(storage, *, n_trials, seed, worker, study_name="digits"):
    """What every worker runs: open the shared study and add n_trials to
    it. `storage` is a storage object or a database URL. Each worker needs
    its own sampler seed, or all workers would start with the same
    configurations."""
    check_int("n_trials", n_trials, low=1)
    study = optuna.load_study(
        study_name=study_name, storage=storage,
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5))
    objective = make_objective(SPACE, data=digits())

    def tagged(trial):
        trial.set_user_attr("worker", worker)  # who ran it, for the record
        return objective(trial)

    study.optimize(tagged, n_trials=n_trials)
# --8<-- [end:worker]


# --8<-- [start:parallel]
import multiprocessing
import tempfile
from collections import Counter


def parallel_study(path, *, workers=2, n_trials=4):
    """Create the study in the journal file `path`, run `workers`
    processes on it at once, and return its trials. On Linux, the 'fork'
    start method lets each child inherit the functions defined above, so
    the script needs no `if __name__ == "__main__"` guard."""
    check_int("workers", workers, low=1)
    check_int("n_trials", n_trials, low=1)
    optuna.create_study(study_name="digits", storage=journal(path),
                        direction="maximize")

    def worker(k):  # runs in the child process
        work(journal(path), n_trials=n_trials, seed=k, worker=k)

    fork = multiprocessing.get_context("fork")
    processes = [fork.Process(target=worker, args=(k,))
                 for k in range(workers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    if any(p.exitcode != 0 for p in processes):
        raise RuntimeError("a worker failed; its error is printed above")
    study = optuna.load_study(study_name="digits", storage=journal(path))
    return study.trials
# --8<-- [end:parallel]


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
    # can reach, for example (PostgreSQL, with its driver installed):
    #     work("postgresql://user:password@host/dbname", n_trials=50, seed=3,
    #          worker=3)
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
