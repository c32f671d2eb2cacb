"""One warm dbt process for all the dbt builds of a `ksm run`, instead of a new one per year.

A new dbt process costs about 4 s per build before and after its work: starting Python and
importing dbt (1.7 s), loading the adapter and the project's parse state (1.5 s), writing the
manifest and tearing down. `ksm run` starts one server process at the beginning (`warm_dbt`),
which imports dbt and parses the project beside the ingest, on the other core; each build then
costs only its own work.

- dagster-dbt still starts a process per build, but that process is `ksm-dbt` (`client_main`):
  it imports nothing heavy, hands its arguments, environment and folder to the server and copies
  the server's output (dbt's JSON log lines, which dagster-dbt turns into events) to its own
  stdout, then exits with dbt's exit code. Without a server (the Dagster UI, the daemon, a test
  that runs the job in-process) it runs dbt itself and is plain dbt.
- The server runs one build at a time, with the request's environment (the build year, the
  target and log folders dagster-dbt chose) and the manifest it parsed at the start; the
  project does not change during a run. The warehouse is closed after each build (dbt closes
  its connections at the end of an invocation), so the next year's ingest can write it.
- The server ends with the `ksm` process that started it (it watches its stdin), and an
  interrupted build stops it (`stop_warm_dbt`), so nothing keeps the warehouse's write lock.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

SERVER_ENV = "KSM_DBT_SERVER"  # host:port:key of the running server, for ksm-dbt

_server: subprocess.Popen | None = None


# --- in the ksm process ---------------------------------------------------------------------

def start_warm_dbt(project_dir: Path, profiles_dir: Path, parse_state: Path, log: Path) -> None:
    """Start the server (importing dbt and parsing the project happen in it, meanwhile) and
    point ksm-dbt at it through the environment that dagster-dbt hands to every dbt process."""
    global _server
    stop_warm_dbt()
    key = secrets.token_hex(16)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:  # the log of this run's server
        _server = subprocess.Popen(
            [sys.executable, "-m", "orchestration.dbt_server", str(project_dir), str(profiles_dir), str(parse_state)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sink,
            env={**os.environ, SERVER_ENV: f"key:{key}"},
        )
    port = _server.stdout.readline().decode().strip()
    if not port.isdigit():
        stop_warm_dbt()  # it could not listen: every build starts its own dbt, as without it
        return
    os.environ[SERVER_ENV] = f"127.0.0.1:{port}:{key}"


def stop_warm_dbt() -> None:
    """End the server now (after the run, or when a build is interrupted: a build it is still
    running must not keep the warehouse locked)."""
    global _server
    os.environ.pop(SERVER_ENV, None)
    if _server is None:
        return
    server, _server = _server, None
    with contextlib.suppress(OSError):
        server.stdin.close()  # its watcher leaves at once when it is idle
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextlib.contextmanager
def warm_dbt(project_dir: Path, profiles_dir: Path, parse_state: Path, log: Path):
    start_warm_dbt(project_dir, profiles_dir, parse_state, log)
    try:
        yield
    finally:
        stop_warm_dbt()


# --- ksm-dbt: the process dagster-dbt starts ----------------------------------------------------

def client_main() -> None:
    """`ksm-dbt <dbt arguments>`: the build by the server when there is one, else dbt itself."""
    address = os.environ.get(SERVER_ENV, "")
    if address.count(":") == 2 and not address.startswith("key:"):
        code = _ask_server(address, sys.argv[1:])
        if code is not None:
            sys.exit(code)
    from dbt.cli.main import cli

    sys.exit(cli())


def _ask_server(address: str, args: list[str]) -> int | None:
    """dbt's exit code for the build the server ran, or None when it did not take it."""
    from multiprocessing.connection import Client

    host, port, key = address.split(":")
    try:
        conn = Client((host, int(port)), authkey=key.encode())
    except OSError:
        return None
    out = sys.stdout.buffer
    with conn:
        conn.send((args, dict(os.environ), os.getcwd()))
        while True:
            try:
                kind, value = conn.recv()
            except EOFError:
                out.write(b"ksm-dbt: the dbt server ended during the build\n")
                return 2
            if kind == "out":
                out.write(value)
                out.flush()
            elif kind == "exit":
                return value
            else:  # "declined": not for this project, or it could not parse it
                return None


# --- the server -------------------------------------------------------------------------------

class _Forward(io.TextIOBase):
    """stdout and stderr of one build, sent to its ksm-dbt as they are written."""

    def __init__(self, conn):
        self.conn = conn

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self.conn.send(("out", text.encode("utf-8", "replace")))
        return len(text)


def _parse(project_dir: str, profiles_dir: str, parse_state: Path):
    """The project's manifest, parsed once from this home's last parse state; None on failure
    (each build then parses as plain dbt would)."""
    from dbt.cli.main import dbtRunner

    target = parse_state.parent / "server"
    target.mkdir(parents=True, exist_ok=True)
    if parse_state.exists():
        (target / parse_state.name).write_bytes(parse_state.read_bytes())
    done = dbtRunner().invoke(["parse", "--quiet", "--project-dir", project_dir, "--profiles-dir", profiles_dir,
                               "--target-path", str(target), "--log-path", str(target)])
    if not done.success:
        return None
    written = target / parse_state.name
    if written.exists():  # the builds parse nothing: this is the home's parse state from now on
        written.replace(parse_state)
    return done.result


def _exit_with_parent() -> None:
    """Leave when the ksm process that started this one closes our stdin or dies."""
    sys.stdin.buffer.read()
    os._exit(0)


def _serve_one(conn, manifest, project_dir: str) -> None:
    from dbt.cli.main import dbtRunner

    args, env, cwd = conn.recv()
    if manifest is None or Path(env.get("DBT_PROJECT_DIR", cwd)).resolve() != Path(project_dir).resolve():
        conn.send(("declined", None))
        return
    saved_env, saved_cwd, saved_streams = dict(os.environ), os.getcwd(), (sys.stdout, sys.stderr)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdout = sys.stderr = _Forward(conn)
    try:
        done = dbtRunner(manifest=manifest).invoke(list(args))
    except Exception as error:  # dbtRunner returns its errors; anything else ends this build only
        done = None
        print(f"ksm-dbt: {type(error).__name__}: {error}")
    finally:
        _close_warehouse()
        sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    # dbt's own exit codes: 0 success, 1 a model or test failed, 2 an error
    code = 0 if done is not None and done.success else (1 if done is not None and done.exception is None else 2)
    print(f"served: dbt {' '.join(args)} (exit {code})", flush=True)  # this server's log
    conn.send(("exit", code))


def _close_warehouse() -> None:
    """Close the warehouse dbt-duckdb leaves open after an invocation in a living process (its
    environment closes only when the last handle does, and one is never returned): the next
    year's ingest must be able to write it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def serve(project_dir: str, profiles_dir: str, parse_state: Path) -> None:
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Listener

    key = os.environ.pop(SERVER_ENV).removeprefix("key:")
    listener = Listener(("127.0.0.1", 0), authkey=key.encode())
    print(listener.address[1], flush=True)
    sys.stdout = sys.stderr  # nobody reads the pipe any more: anything else goes to the log
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    manifest = _parse(project_dir, profiles_dir, parse_state)
    while True:
        try:
            conn = listener.accept()
        except (OSError, AuthenticationError):
            continue  # a caller that did not know the key
        with conn:
            try:
                _serve_one(conn, manifest, project_dir)
            except (EOFError, OSError):
                pass  # its ksm-dbt went away; the next build gets a fresh connection


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
