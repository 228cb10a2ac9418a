"""Tests for snippets/tuning/scaling_out.py (docs/tuning/scaling-out.md).

The multi-process test: two worker processes (new interpreters, started
by the page's start_process) add 4 trials each to one Optuna study in a
journal file. Every trial must be recorded once
(numbers 0..7, unique), finished (COMPLETE or PRUNED), four per worker.
Against eight trials run by one process with seed 0: worker 0 (seed 0)
proposes that process's first four configurations, worker 1 four others,
and a configuration reaches the same accuracies, epoch by epoch, in both
studies. Nothing here compares accuracies with a number: they depend on
the machine (a trial with a large learning rate is chaotic), and which
trials the pruner stops depends on timing.

When a worker dies: the page's build-time run (SQLite) kills worker 0
inside a trial and restarts it; its record must show the killed trial
FAIL, its retry complete with the same parameters, three complete, none
running. The tests marked `postgres` do the same for real, against a
PostgreSQL server started for this module (tests/snippets/tuning/
conftest.py): three `machine` processes (the page's code, started with
the database's URL in OPTUNA_STORAGE, as on three machines), one of them
killed with SIGKILL inside a trial, then restarted. Their studies hold
five trials in all, so that every one of them completes: the chapter's
MedianPruner prunes nothing before five trials have completed
(n_startup_trials=5).

What the page's own runs printed is read from the build's record of it
(tools.records), not run again.
"""

import inspect
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from unittest import mock

import optuna
import pytest
from optuna.exceptions import DuplicatedStudyError
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from snippets.tuning import scaling_out as so
from snippets.tuning.task import MAX_EPOCHS, SPACE
from tests.conftest import ROOT
from tests.snippets.tuning import conftest as pg
from tools.records import output

PAGE = ROOT / "docs/tuning/scaling-out.md"
# pytest shows every warning; the module silences these for its readers
pytestmark = pytest.mark.filterwarnings(
    "ignore::optuna.exceptions.ExperimentalWarning")


def check_record(trials, workers, n_trials):
    n = workers * n_trials
    assert len(trials) == n
    assert sorted(t.number for t in trials) == list(range(n))
    assert {t.state.name for t in trials} <= {"COMPLETE", "PRUNED"}
    per_worker = [sum(t.user_attrs["worker"] == k for t in trials)
                  for k in range(workers)]
    assert per_worker == [n_trials] * workers
    # each trial reported its epochs in order, and a complete one all 9
    for t in trials:
        steps = sorted(t.intermediate_values)
        assert steps == list(range(1, len(steps) + 1))
        assert t.state.name == "PRUNED" or len(steps) == MAX_EPOCHS


def test_the_page_run_recorded_every_trial_once():
    text = output("tuning/scaling-out.md", "parallel.py")
    assert text == ("8 trials; numbers 0..7, each once: True\n"
                    "every trial finished (complete or pruned): True\n"
                    "trials per worker: {0: 4, 1: 4}\n")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    path = tmp_path_factory.mktemp("journal") / "digits.log"
    return so.parallel_study(path, workers=2, n_trials=4)


def test_two_processes_share_one_study(two_workers):
    check_record(two_workers, workers=2, n_trials=4)


def config(trial):
    return tuple(sorted(trial.params.items()))


def test_the_two_workers_and_one_process(two_workers, tmp_path):
    storage = so.journal(tmp_path / "one.log")
    optuna.create_study(study_name="digits", storage=storage,
                        direction="maximize")
    so.work(storage, n_trials=8, seed=0, worker=0)
    single = optuna.load_study(study_name="digits", storage=storage).trials
    check_record(single, workers=1, n_trials=8)

    def of_worker(k):
        return sorted((t for t in two_workers
                       if t.user_attrs["worker"] == k),
                      key=lambda t: t.number)

    # worker 0, seeded 0, proposes the single process's first four
    # configurations, in order; worker 1 four others (TPE's first ten
    # trials come from its seed alone)
    first = [config(t) for t in sorted(single, key=lambda t: t.number)]
    assert [config(t) for t in of_worker(0)] == first[:4]
    assert not {config(t) for t in of_worker(1)} & set(first)
    # a configuration trains the same in both studies: the same accuracy
    # after every epoch that both ran (a pruned trial ran fewer)
    alone = {config(t): t for t in single}
    shared = [t for t in two_workers if config(t) in alone]
    complete_in_both = 0
    for t in shared:
        other = alone[config(t)]
        steps = set(t.intermediate_values) & set(other.intermediate_values)
        assert steps
        for step in steps:
            assert t.intermediate_values[step] == \
                other.intermediate_values[step]
        if t.state.name == other.state.name == "COMPLETE":
            assert t.value == other.value
            complete_in_both += 1
    assert complete_in_both >= 1  # the first trial: nothing prunes it


def test_the_sqlite_study():
    # two trials, both complete: the pruner waits for five (n_startup_trials)
    text = output("tuning/scaling-out.md", "database.py")
    found = re.fullmatch(r"2 trials in digits\.db; best (\S+) with "
                         r"lr=\S+, weight_decay=\S+, hidden=\d+, "
                         r"dropout=\S+, batch_size=\d+\n", text)
    assert found and 0 < float(found[1]) <= 1


@pytest.mark.parametrize("make, pattern", [
    (lambda tmp: so.work(so.journal(tmp / "x.log"), n_trials=0, seed=0,
                         worker=0), r"^n_trials must be an integer >= 1"),
    (lambda tmp: so.parallel_study(tmp / "y.log", workers=0),
     r"^workers must be an integer >= 1"),
    (lambda tmp: so.parallel_study(tmp / "z.log", n_trials=0),
     r"^n_trials must be an integer >= 1"),
    (lambda tmp: so.open_storage(f"sqlite:///{tmp}/a.db",
                                 heartbeat_interval=0),
     r"^heartbeat_interval must be an integer >= 1, got 0$"),
    (lambda tmp: so.open_storage(f"sqlite:///{tmp}/b.db",
                                 heartbeat_interval=60, grace_period=60),
     r"^grace_period must be an integer >= 61, got 60$"),
    (lambda tmp: so.open_storage(f"sqlite:///{tmp}/c.db", max_retry=-1),
     r"^max_retry must be an integer >= 0, got -1$"),
    (lambda tmp: so.kill_inside_a_trial(0, None, worker=0),
     r"^pid must be an integer >= 1, got 0$"),
    (lambda tmp: so.kill_inside_a_trial(1, None, worker=0, timeout=0),
     r"^timeout must be a finite number > 0, got 0$"),
])
def test_bad_counts_are_refused(make, pattern, tmp_path):
    with pytest.raises(ValueError, match=pattern):
        make(tmp_path)


def test_numbers_in_the_prose_are_what_the_code_computes():
    page = " ".join(PAGE.read_text().split())  # one line
    assert "two processes run four trials each" in page
    assert "Worker 0, seeded 0 too, proposes exactly the first four " \
        "configurations of that process" in page
    assert "a trial that completes in both studies reaches the same " \
        "accuracy in both" in page
    assert "TPE's first ten trials are drawn from its seed alone" in page
    assert optuna.samplers.TPESampler()._n_startup_trials == 10
    source = inspect.getsource(so.parallel_study)
    assert "work(journal(path), n_trials=n_trials, seed=k, worker=k)" \
        in source  # worker k has seed k: worker 0 seed 0
    shown = output("tuning/scaling-out.md", "parallel.py")
    assert "eight trials numbered 0 to 7" in page
    assert shown.startswith("8 trials; numbers 0..7, each once: True")
    assert "four from each worker" in page
    assert "trials per worker: {0: 4, 1: 4}" in shown


# --- when a worker dies ----------------------------------------------------

DIES = ("worker 0 killed inside trial 0, exit code -9\n"
        "trial 0: FAIL\n"
        "trial 1: COMPLETE, the retry of trial 0, same parameters: True\n"
        "trial 2: COMPLETE\n"
        "trial 3: COMPLETE\n"
        "3 complete, as worker 0 was asked for; 0 running\n")


def test_the_page_run_kills_a_worker_and_loses_nothing():
    assert output("tuning/scaling-out.md", "dies.py") == DIES


def test_the_page_shows_one_line_errors_without_the_password():
    text = output("tuning/scaling-out.md", "errors.py")
    assert text == (
        "ValueError: url must be a database URL such as "
        "postgresql+psycopg://user:password@host:5432/dbname, got "
        "'postgresql+psycopg://optuna:***@db.example.org:54x2/digits' "
        "(invalid literal for int() with base 10: '54x2')\n"
        "ConnectionError: cannot open the study storage "
        "sqlite:////no/such/folder/digits.db: unable to open database "
        "file\n")
    assert "s3cret" not in text


def test_a_worker_run_again_adds_only_what_it_has_not_finished(tmp_path):
    url = f"sqlite:///{tmp_path}/digits.db"
    optuna.create_study(study_name="digits", storage=url,
                        direction="maximize")

    def count():
        return Counter(t.user_attrs["worker"] for t in optuna.load_study(
            study_name="digits", storage=url).trials)

    so.work(url, n_trials=2, seed=0, worker="a")
    so.work(url, n_trials=2, seed=1, worker="a")  # has its two: adds none
    assert count() == {"a": 2}
    so.work(url, n_trials=3, seed=2, worker="a")  # one more
    so.work(url, n_trials=1, seed=3, worker="b")  # another name
    assert count() == {"a": 3, "b": 1}


def test_only_a_database_storage_has_a_heartbeat(tmp_path):
    # what the page says a journal file cannot do (Optuna 5.0.0)
    from optuna.storages._heartbeat import BaseHeartbeat

    assert not isinstance(so.journal(tmp_path / "j.log"), BaseHeartbeat)
    storage = so.open_storage(f"sqlite:///{tmp_path}/h.db")
    assert isinstance(storage, RDBStorage)
    assert isinstance(storage, BaseHeartbeat)
    assert storage.get_heartbeat_interval() == 60
    assert storage.grace_period == 120
    callback = storage.get_heartbeat_stale_trial_callback()
    assert isinstance(callback, RetryHeartbeatStaleTrialCallback)
    assert callback._max_retry == 3


def test_machine_needs_the_database_url(monkeypatch):
    monkeypatch.delenv("OPTUNA_STORAGE", raising=False)
    with pytest.raises(ValueError, match=r"^OPTUNA_STORAGE must name the "
                       r"study's database, such as postgresql\+psycopg://"):
        so.machine(worker=0, seed=0, n_trials=1)


def test_a_missing_server_skips_or_fails_under_ci(monkeypatch):
    monkeypatch.setenv("HPE_PG_CTL", "/nonexistent/pg_ctl")
    assert pg.find_pg_ctl() is None
    monkeypatch.delenv("HPE_REQUIRE_POSTGRES", raising=False)
    with pytest.warns(UserWarning, match="skipped: no server"), \
            pytest.raises(pytest.skip.Exception, match="no server"):
        pg.missing("no server")
    monkeypatch.setenv("HPE_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="no server"):
        pg.missing("no server")


# --- on a real PostgreSQL server --------------------------------------------

FAST = {"heartbeat_interval": 1, "grace_period": 2}  # seconds
SHARES = {0: 2, 1: 2, 2: 1}  # worker -> n_trials: five in all


def on_postgres(test):
    """A test against the module's server; all on one xdist worker, so
    that the module starts one server. Slow: reused after a pass on the
    same files and the same server binary (tests/conftest.py)."""
    for mark in (pytest.mark.postgres, pytest.mark.xdist_group("postgres"),
                 pytest.mark.reuse_pass(server=pg.server_identity)):
        test = mark(test)
    return test


def start_machine(url, log, *, worker, seed, n_trials):
    """`machine` in a Python process of its own, as on another machine,
    started by the page's start_process: it gets the database's URL from
    OPTUNA_STORAGE."""
    with mock.patch.dict(os.environ, OPTUNA_STORAGE=url):
        return so.start_process(so.machine, dict(
            worker=worker, seed=seed, n_trials=n_trials, **FAST), log=log)


def finish(proc, log, *, timeout=120):
    assert proc.wait(timeout=timeout) == 0, log.read_text()[-3000:]


def check_study(trials, *, shares):
    """Exactly sum(shares) complete trials, each worker's share, every
    trial with all its parameters, no two complete ones alike, none left
    running or waiting."""
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == sum(shares.values())
    assert Counter(t.user_attrs["worker"] for t in complete) == shares
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert all(set(t.params) == set(SPACE.names) for t in trials)
    configs = [tuple(sorted(t.params.items())) for t in complete]
    assert len(set(configs)) == len(configs)  # none ran twice
    assert all(len(t.intermediate_values) == MAX_EPOCHS for t in complete)
    assert not [t for t in trials if t.state in (TrialState.RUNNING,
                                                 TrialState.WAITING)]


def start_three(postgres, dbname, tmp_path):
    """A new study in a new database, and the three machines on it:
    (the URL, worker -> its process)."""
    url = postgres.create_database(dbname)
    optuna.create_study(study_name="digits", storage=url,
                        direction="maximize")
    return url, {k: start_machine(url, tmp_path / f"{k}.log", worker=k,
                                  seed=k, n_trials=n)
                 for k, n in SHARES.items()}


@on_postgres
def test_three_machines_one_killed_inside_a_trial_lose_nothing(postgres,
                                                              tmp_path):
    """Three machines share one study; one is killed inside a trial and
    comes back: exactly the five COMPLETE trials asked for, each machine's
    share, numbers 0..N-1 each once, the killed one FAIL and retried,
    none RUNNING. (One run covers both: a study of three machines with
    no kill is the same run without the middle.)"""
    url, machines = start_three(postgres, "killed", tmp_path)
    study = optuna.load_study(study_name="digits", storage=url)
    killed = so.kill_inside_a_trial(machines[0].pid, study, worker=0)
    assert machines[0].wait(timeout=30) == -signal.SIGKILL
    # what was finished when it died, and the trial it died in
    before = {t.number: (t.params, t.value, t.user_attrs)
              for t in study.get_trials(states=(TrialState.COMPLETE,))}
    died = study.trials[killed]
    assert died.state == TrialState.RUNNING  # nobody will finish it
    assert set(died.params) == set(SPACE.names)  # not half-written
    # the machine comes back after the grace period, same name, new seed
    time.sleep(FAST["grace_period"] + 1)
    again = start_machine(url, tmp_path / "0-again.log", worker=0, seed=10,
                          n_trials=SHARES[0])
    finish(again, tmp_path / "0-again.log")
    for k in (1, 2):
        finish(machines[k], tmp_path / f"{k}.log")

    trials = optuna.load_study(study_name="digits", storage=url).trials
    assert Counter(t.state.name for t in trials) == {"COMPLETE": 5,
                                                     "FAIL": 1}
    check_study(trials, shares=SHARES)
    assert trials[killed].state == TrialState.FAIL
    retried = RetryHeartbeatStaleTrialCallback.retried_trial_number
    retries = [t for t in trials if retried(t) is not None]
    assert [retried(t) for t in retries] == [killed]
    retry = retries[0]
    assert retry.number > killed  # a new number: numbers are never reused
    assert retry.state == TrialState.COMPLETE
    assert retry.params == died.params
    for number, (params, value, attrs) in before.items():
        t = trials[number]
        assert t.state == TrialState.COMPLETE
        assert (t.params, t.value, t.user_attrs) == (params, value, attrs)


@on_postgres
def test_create_once_and_load_everywhere(postgres):
    url = postgres.create_database("names")
    storage = so.open_storage(url)
    first = optuna.create_study(study_name="digits", storage=storage,
                                direction="maximize")
    with pytest.raises(DuplicatedStudyError, match="digits"):
        optuna.create_study(study_name="digits", storage=storage,
                            direction="maximize")
    same = optuna.create_study(study_name="digits", storage=storage,
                               direction="maximize", load_if_exists=True)
    loaded = optuna.load_study(study_name="digits", storage=url)
    assert first._study_id == same._study_id == loaded._study_id
    with pytest.raises(KeyError):
        optuna.load_study(study_name="digtis", storage=url)  # a typo
    assert len(optuna.get_all_study_names(storage=url)) == 1


@on_postgres
@pytest.mark.parametrize("case", ["malformed", "password", "down"])
def test_bad_input_is_one_line_without_the_password(postgres, case):
    dbname = f"bad_{case}"
    postgres.create_database(dbname)
    url, kind, reason = {
        "malformed": (postgres.url(dbname).replace(
            f":{postgres.port}/", f":{postgres.port}x/"), ValueError,
            "invalid literal for int()"),
        "password": (postgres.url(dbname, password="x" + postgres.password),
                     ConnectionError, "password authentication failed"),
        # nothing listens on a free port: as a server that is down
        "down": (postgres.url(dbname, port=pg.free_port()), ConnectionError,
                 "Connection refused"),
    }[case]
    with pytest.raises(kind) as info:
        so.open_storage(url)
    message = str(info.value)
    assert "\n" not in message
    assert reason in message
    assert postgres.host in message and dbname in message
    assert postgres.password not in message
    assert f"{postgres.user}:***@" in message
    assert info.value.__suppress_context__  # no chained, longer error
    assert postgres.tables(dbname) == []  # nothing was written


@on_postgres
def test_the_pages_commands_create_the_study_on_the_server(postgres):
    # the shell lines the page gives for PostgreSQL, run as they are, with
    # the server's URL in place of the placeholder one
    text = PAGE.read_text()
    export = re.search(r'^export OPTUNA_STORAGE="(.+)"$', text, re.M)
    create = re.search(r"^(optuna create-study .+?)\s+# once$", text, re.M)
    assert export and create
    assert export.group(1).startswith("postgresql+psycopg://")
    url = postgres.create_database("cli")
    bin_dir = os.path.dirname(sys.executable)  # the venv's `optuna`
    done = subprocess.run(
        create.group(1), shell=True, capture_output=True, text=True,
        env=dict(os.environ, OPTUNA_STORAGE=url,
                 PATH=bin_dir + os.pathsep + os.environ["PATH"]))
    assert done.returncode == 0, done.stderr
    study = optuna.load_study(study_name="digits", storage=url)
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    so.work(so.open_storage(url), n_trials=1, seed=0, worker=0)  # it runs
    assert [t.state for t in study.trials] == [TrialState.COMPLETE]


def test_the_page_says_what_the_code_does():
    page = " ".join(PAGE.read_text().split())
    defaults = inspect.signature(so.open_storage).parameters
    assert (defaults["heartbeat_interval"].default,
            defaults["grace_period"].default,
            defaults["max_retry"].default) == (60, 120, 3)
    assert ("heartbeat_interval=60, grace_period=120, max_retry=3"
            in page)
    # the cited values: Optuna's own example, in the installed version
    example = " ".join(RetryHeartbeatStaleTrialCallback.__doc__.split())
    assert ("heartbeat_interval=60, grace_period=120, "
            "heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback"
            "(max_retry=3)" in example)
    assert FAST == {"heartbeat_interval": 1, "grace_period": 2}
    assert "`heartbeat_interval=1` and `grace_period=2`" in page
    # "at least two heartbeats long": the example's ratio, and Optuna's
    # grace period when none is given, in the installed version
    assert "`grace_period` at least two heartbeats long" in page
    assert defaults["grace_period"].default == \
        2 * defaults["heartbeat_interval"].default
    import optuna.storages._rdb.storage as rdb
    assert "grace_period = 2 * self.heartbeat_interval" in \
        inspect.getsource(rdb)
    # SQLite for one worker at a time: Optuna's own words, quoted
    quote = "would never recommend SQLite3 for parallel optimization"
    assert quote in " ".join(RDBStorage.__doc__.split())
    assert f'"{quote}"' in page
    assert "five trials in all" in page
    assert sum(SHARES.values()) == 5


def test_a_worker_runs_in_a_new_interpreter_not_a_fork(tmp_path,
                                                      monkeypatch):
    # a function defined in a notebook (module __main__) goes by value, and
    # the child is a new interpreter: its parent this one, one torch
    # thread though a reader's environment names none, and its errors in
    # the log
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    code = compile("def where(out):\n"
                   "    import os, torch\n"
                   "    with open(out, 'w') as f:\n"
                   "        f.write(f'{os.getppid()} "
                   "{torch.get_num_threads()}')\n", "<cell>", "exec")
    ns = {"__name__": "__main__"}
    exec(code, ns)
    out = tmp_path / "out.txt"
    child = so.start_process(ns["where"], {"out": str(out)},
                             log=tmp_path / "err")
    assert child.wait(timeout=60) == 0, (tmp_path / "err").read_text()
    assert out.read_text() == f"{os.getpid()} 1"
    bad = so.start_process(ns["where"], {"out": str(tmp_path / "no/such")},
                           log=tmp_path / "err")
    assert bad.wait(timeout=60) == 1
    assert "FileNotFoundError" in (tmp_path / "err").read_text()
