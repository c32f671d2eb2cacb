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
  project does not change during a run. The warehouse is closed after each build (dbt-duckdb
  keeps its database open for the life of the process: `keep_open` in the profile), so the next
  year's ingest can write it, and the build's in-memory `build_scratch` goes with it.
- The server ends with the `ksm` process that started it (it watches its stdin), when the
  ksm-dbt of a build it is running goes away (dagster-dbt interrupted it), and when a build step
  is interrupted (`stop_warm_dbt`): nothing keeps the warehouse's write lock.
- A build is handed over only once the server has taken the connection (it says "ready"
  after its parse and after the build before): a server that has not within
  `SERVER_WAIT_SECONDS` (a parse that hangs, say) is left alone and ksm-dbt runs plain dbt; it
  never gets the build, so two dbts never write the warehouse at once.
- It serves only `dbt build`, and only what its one parse holds for: the same project,
  warehouse and parse-time env vars, no `--vars` (a var can change a model's configuration,
  which is read when parsing), and no ephemeral models (dbt would compile a reused manifest's
  ephemeral CTEs only once). Anything else ksm-dbt runs as plain dbt.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

SERVER_ENV = "KSM_DBT_SERVER"  # host:port:key of the running server, for ksm-dbt
SERVED_COMMAND = "build"
PARSE_TIME_ENV = ("KSM_WAREHOUSE",)  # read by the profile: the models' database is its file name
# How long ksm-dbt waits for the server to take its build (parsing a national project takes
# seconds; the build before is over when dagster-dbt starts the next); the env var for tests
SERVER_WAIT_SECONDS = 600.0
SERVER_WAIT_ENV = "KSM_DBT_SERVER_WAIT"

_server: subprocess.Popen | None = None


# --- in the ksm process ---------------------------------------------------------------------

def start_warm_dbt(project_dir: Path, profiles_dir: Path, parse_state: Path, folder: Path, log: Path) -> None:
    """Start the server (importing dbt and parsing the project happen in it, meanwhile; its
    parse goes to `folder`) and point ksm-dbt at it through the environment that dagster-dbt
    hands to every dbt process."""
    global _server
    stop_warm_dbt()
    key = secrets.token_hex(16)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:  # the log of this run's server
        _server = subprocess.Popen(
            [sys.executable, "-m", "orchestration.dbt_server", str(project_dir), str(profiles_dir), str(parse_state),
             str(folder)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sink,
            env={**os.environ, SERVER_ENV: f"key:{key}"},
        )
    address = _server.stdout.readline().decode().strip()  # host:port, or nothing if it failed
    if address.count(":") != 1:
        stop_warm_dbt()  # every build starts its own dbt, as without a server
        return
    os.environ[SERVER_ENV] = f"{address}:{key}"


def stop_warm_dbt() -> None:
    """End the server now (after the run, or when a build is interrupted: a build it is still
    running must not keep the warehouse locked)."""
    global _server
    os.environ.pop(SERVER_ENV, None)
    if _server is None:
        return
    server, _server = _server, None
    with contextlib.suppress(OSError):
        server.stdin.close()  # its watcher ends it at once, mid-build too
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextlib.contextmanager
def warm_dbt(project_dir: Path, profiles_dir: Path, parse_state: Path, folder: Path, log: Path):
    start_warm_dbt(project_dir, profiles_dir, parse_state, folder, log)
    try:
        yield
    finally:
        stop_warm_dbt()


# --- ksm-dbt: the process dagster-dbt starts ----------------------------------------------------

def client_main() -> None:
    """`ksm-dbt <dbt arguments>`: the build by the server when there is one, else dbt itself."""
    # dagster-dbt stops a build with SIGINT: heard even when ksm was started with SIGINT ignored
    # (`nohup ksm run --all &`, a background job of a script), which every child inherits
    signal.signal(signal.SIGINT, signal.default_int_handler)
    address = os.environ.get(SERVER_ENV, "")
    if address.count(":") == 2 and not address.startswith("key:"):
        try:
            code = _ask_server(address, sys.argv[1:])
        except KeyboardInterrupt:  # dagster-dbt stops the build: the closed connection ends it
            sys.exit(130)
        if code is not None:
            sys.exit(code)
    from dbt.cli.main import cli

    sys.exit(cli())


def _ask_server(address: str, args: list[str]) -> int | None:
    """dbt's exit code for the build the server ran, or None when it did not take it."""
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

    host, port, key = address.split(":")
    try:
        wait = float(os.environ.get(SERVER_WAIT_ENV) or SERVER_WAIT_SECONDS)
    except ValueError:  # not a number of seconds: the default
        wait = SERVER_WAIT_SECONDS
    out = sys.stdout.buffer
    taken: dict = {}

    def take() -> None:  # the handshake needs the server's accept; then it says "ready"
        try:
            conn = Client((host, int(port)), authkey=key.encode())
            conn.recv()
            taken["conn"] = conn
        except (OSError, EOFError, AuthenticationError):
            pass  # no server there (any more): plain dbt

    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    taker.join(wait)
    if taker.is_alive():  # not taken: the build is never handed over, so the server never runs it
        out.write(f"ksm-dbt: the dbt server has not taken the build in {wait:.0f} s; running dbt itself\n".encode())
        out.flush()
        return None
    conn = taken.get("conn")
    if conn is None:
        return None
    try:
        conn.send((args, dict(os.environ), os.getcwd()))
    except OSError:
        return None
    with conn:
        while True:
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                out.write(b"ksm-dbt: the dbt server ended during the build\n")
                return 2
            if kind == "out":
                out.write(value)
                out.flush()
            elif kind == "exit":
                return value
            else:  # "declined": a build its parse does not hold for
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


def _parse(project_dir: str, profiles_dir: str, parse_state: Path, target: Path):
    """The project's manifest, parsed once from this home's last parse state (a new home: the
    project's own, as dagster-dbt seeds a plain build); None on failure or when it has
    ephemeral models (each build then runs as plain dbt)."""
    from dbt.cli.main import dbtRunner

    target.mkdir(parents=True, exist_ok=True)
    seed = parse_state if parse_state.exists() else Path(project_dir) / "target" / parse_state.name
    if seed.exists():
        (target / parse_state.name).write_bytes(seed.read_bytes())
    done = dbtRunner().invoke(["parse", "--quiet", "--project-dir", project_dir, "--profiles-dir", profiles_dir,
                               "--target-path", str(target), "--log-path", str(target)])
    if not done.success:
        return None
    written = target / parse_state.name
    if written.exists():  # the builds parse nothing: this is the home's parse state from now on
        written.replace(parse_state)
    manifest = done.result
    if any(node.config.materialized == "ephemeral" for node in manifest.nodes.values()):
        return None
    return manifest


def _parse_env(manifest) -> dict:
    """The env vars the parse read (a build records more in the same manifest as it compiles)
    and those of PARSE_TIME_ENV, with their values: a build with other values is not served."""
    from dbt.constants import DEFAULT_ENV_PLACEHOLDER

    read = {name: (None if value == DEFAULT_ENV_PLACEHOLDER else value) for name, value in manifest.env_vars.items()}
    return {**read, **{name: os.environ.get(name) for name in PARSE_TIME_ENV}}


def _exit_with_parent() -> None:
    """Leave when the ksm process that started this one closes our stdin or dies."""
    sys.stdin.buffer.read()
    os._exit(0)


def _serve_one(conn, manifest, parse_env: dict, project_dir: str) -> None:
    from dbt.cli.main import dbtRunner
    from dbt.utils.utils import ExitCodes
    from dbt_common.events.event_manager_client import cleanup_event_logger

    args, env, cwd = conn.recv()
    if (manifest is None or list(args[:1]) != [SERVED_COMMAND]
            or any(arg == "--vars" or arg.startswith("--vars=") for arg in args)
            or Path(env.get("DBT_PROJECT_DIR", cwd)).resolve() != Path(project_dir).resolve()
            or any(env.get(name) != value for name, value in parse_env.items())):
        conn.send(("declined", None))
        return
    finished = threading.Event()
    watcher = threading.Thread(target=_exit_if_abandoned, args=(conn, finished), daemon=True)
    watcher.start()
    saved_env, saved_cwd, saved_streams, saved_argv = dict(os.environ), os.getcwd(), (sys.stdout, sys.stderr), sys.argv
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdout = sys.stderr = _Forward(conn)
    sys.argv = ["dbt", *args]  # what dbt writes into its artifacts as the command
    try:
        done = dbtRunner(manifest=manifest).invoke(list(args))
        if done.exception is not None:  # plain dbt prints it (a usage error, say); dbtRunner does not
            print(f"ksm-dbt: {type(done.exception).__name__}: {done.exception}")
    except Exception as error:  # dbtRunner returns its errors; anything else ends this build only
        done = None
        print(f"ksm-dbt: {type(error).__name__}: {error}")
    finally:
        _close_warehouse()
        cleanup_event_logger()  # its handlers hold this build's connection and dbt.log open
        sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    if done is not None and done.success:
        code = ExitCodes.Success
    else:  # as dbt's own command line: a failed node is a model error, anything else unhandled
        code = ExitCodes.ModelError if done is not None and done.exception is None else ExitCodes.UnhandledError
    print(f"served: dbt {' '.join(args)} (exit {int(code)})", flush=True)  # this server's log
    finished.set()
    conn.send(("exit", int(code)))
    watcher.join(timeout=5)  # ksm-dbt closes on the exit code; its reader must not outlive the connection


def _exit_if_abandoned(conn, finished: threading.Event) -> None:
    """End this process when the build's ksm-dbt goes away before the build is done (dagster-dbt
    interrupted it): dbt would otherwise build on, holding the warehouse."""
    with contextlib.suppress(EOFError, OSError):
        conn.recv()
    if not finished.is_set():
        os._exit(1)


def _close_warehouse() -> None:
    """Close the warehouse dbt-duckdb leaves open after an invocation in a living process (the
    profile's `keep_open`: its environment is closed only when the process ends): the next
    year's ingest must be able to write it, and the next build starts with an empty
    build_scratch."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def serve(project_dir: str, profiles_dir: str, parse_state: Path, folder: Path) -> None:
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Listener

    key = os.environ.pop(SERVER_ENV).removeprefix("key:")
    listener = Listener(("127.0.0.1", 0), authkey=key.encode())
    host, port = listener.address
    print(f"{host}:{port}", flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nobody reads the pipe any more: to the log
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    manifest = _parse(project_dir, profiles_dir, parse_state, folder)
    parse_env = _parse_env(manifest) if manifest is not None else {}
    while True:
        try:
            conn = listener.accept()
        except (OSError, AuthenticationError):
            continue  # a caller that did not know the key
        with conn:
            try:
                conn.send(("ready", None))
                _serve_one(conn, manifest, parse_env, project_dir)
            except (EOFError, OSError):
                pass  # its ksm-dbt went away; the next build gets a fresh connection


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
