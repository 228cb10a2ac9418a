"""A real PostgreSQL server for tests/snippets/tuning/test_scaling_out.py.

The server is Debian's `postgresql` package (.ci/run installs it), or the
pg_ctl that HPE_PG_CTL names: `initdb` makes a cluster in a temporary
folder, `pg_ctl` starts it on a free loopback port with password
authentication (scram-sha-256, for the user `hpe` and a random password),
and stops it at the end of the test module; the folder is then deleted.
Without a server the tests are skipped with the reason (and a warning, so
the run says so), unless HPE_REQUIRE_POSTGRES=1 (CI), where they fail.

Why not pytest-postgresql (10.0.0, which otherwise does exactly this):
`initdb` refuses to run as root, and these tests run as root on CI. The
server must then run as an unprivileged user (Debian's `postgres`), but
pytest-postgresql runs pg_ctl as the current user, and puts the cluster
and its password file in pytest's own temporary folder, which is private
to root (mode 0700): pointing its `executable` at a wrapper that runs
pg_ctl as `postgres` fails with "could not access directory ... Permission
denied" (tried). Doing it by hand takes a dozen lines: a folder that
`postgres` owns, and subprocess's `user=` for initdb and pg_ctl.
"""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

HOW = ("PostgreSQL tests need a PostgreSQL server: install Debian's "
       "`postgresql` (apt-get install postgresql) or set HPE_PG_CTL to a "
       "pg_ctl")
USER = "hpe"


def find_pg_ctl() -> Path | None:
    """$HPE_PG_CTL, else the newest /usr/lib/postgresql/*/bin/pg_ctl, else
    a pg_ctl on PATH."""
    given = os.environ.get("HPE_PG_CTL")
    if given:
        return Path(given) if os.access(given, os.X_OK) else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1])
    on_path = shutil.which("pg_ctl")
    return Path(on_path) if on_path else None


def server_identity() -> str:
    """Which server the tests would start: its pg_ctl, size and date."""
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        return "none"
    st = pg_ctl.stat()
    return f"{pg_ctl.resolve()}:{st.st_size}:{st.st_mtime_ns}"


def missing(reason: str):
    """Fail under CI (HPE_REQUIRE_POSTGRES=1), else skip and say so."""
    if os.environ.get("HPE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (HPE_REQUIRE_POSTGRES=1: a missing server "
                    f"fails the tests)", pytrace=False)
    warnings.warn(f"skipped: {reason}", stacklevel=2)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running server: its address and its one (super)user."""

    host: str
    port: int
    user: str
    password: str
    pg_ctl: Path
    folder: Path

    def url(self, dbname: str, *, password: str | None = None,
            port: int | None = None) -> str:
        """A SQLAlchemy URL for psycopg 3, as a reader writes it."""
        return (f"postgresql+psycopg://{self.user}:"
                f"{self.password if password is None else password}@"
                f"{self.host}:{self.port if port is None else port}/{dbname}")

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port,
                               user=self.user, password=self.password,
                               dbname=dbname, autocommit=True)

    def create_database(self, dbname: str) -> str:
        """A new, empty database; returns its URL."""
        with self.connect() as db:
            db.execute(f'CREATE DATABASE "{dbname}"')
        return self.url(dbname)

    def tables(self, dbname: str) -> list[str]:
        """The tables of a database (Optuna creates its own on the first
        connection that succeeds)."""
        with self.connect(dbname) as db:
            rows = db.execute("SELECT table_name FROM information_schema"
                              ".tables WHERE table_schema = 'public'")
            return sorted(name for (name,) in rows)


def _as_postgres() -> dict:
    """subprocess arguments that run a command as Debian's `postgres` user
    when we are root (initdb refuses root), and nothing otherwise."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        missing("running as root, and there is no `postgres` user to run "
                "the server as (initdb refuses root); Debian's postgresql "
                "package creates it")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _start(pg_ctl: Path, folder: Path, as_user: dict) -> int:
    """initdb, then pg_ctl start on a free port (three tries, in case
    another process takes the port in between); returns the port."""
    data, log = folder / "data", folder / "server.log"
    proc = subprocess.run(
        [pg_ctl.parent / "initdb", "-D", data, "-U", USER,
         f"--pwfile={folder / 'password'}", "--auth=scram-sha-256",
         "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
        capture_output=True, text=True, cwd=folder, **as_user)
    if proc.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{proc.stdout}{proc.stderr}")
    for _ in range(3):
        port = free_port()
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 "
                   f"-c fsync=off -c full_page_writes=off")
        proc = subprocess.run(
            [pg_ctl, "start", "-w", "-t", "60", "-D", data, "-l", log,
             "-o", options], capture_output=True, cwd=folder, **as_user)
        if proc.returncode == 0:
            return port
    raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server on 127.0.0.1, for the test module."""
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        missing(f"{HOW} (no pg_ctl found"
                + (f" at HPE_PG_CTL={os.environ['HPE_PG_CTL']})"
                   if os.environ.get("HPE_PG_CTL") else ")"))
    as_user = _as_postgres()
    folder = Path(tempfile.mkdtemp(prefix="hpe-postgres-"))
    password = secrets.token_urlsafe(16)  # random: a needle to look for
    (folder / "password").write_text(password + "\n")
    if as_user:
        for path in (folder, folder / "password"):
            os.chown(path, as_user["user"], as_user["group"])
    started = False
    try:
        port = _start(pg_ctl, folder, as_user)
        started = True
        yield Server("127.0.0.1", port, USER, password, pg_ctl, folder)
    finally:
        if started:
            subprocess.run([pg_ctl, "stop", "-D", folder / "data", "-m",
                            "fast", "-w"], capture_output=True, cwd=folder,
                           **as_user)
        shutil.rmtree(folder, ignore_errors=True)
