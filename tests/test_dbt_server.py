"""The warm dbt of a `ksm run` (orchestration/dbt_server.py): builds go through one dbt process,
answer exactly as plain dbt does, and never leave the warehouse locked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_invocation import BUILD_YEAR_ENV, warm_dbt_args
from orchestration import dbt_server
from orchestration.dbt_server import SERVER_ENV, start_warm_dbt, stop_warm_dbt, warm_dbt
from orchestration.settings import DBT_PROJECT_DIR, Paths, venv_program
from faults import process_alive
from tiny_inbox import YEAR

# the processes' states are read from /proc
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")]

KSM_DBT = str(venv_program("ksm-dbt"))


def _dbt(paths: Paths, *args: str, year: str = str(YEAR), target: str = "t", program: str = KSM_DBT,
         wait: bool = True, sigint_ignored: bool = False):
    """ksm-dbt as dagster-dbt starts it: JSON logs, its own target folder, the year in the env
    (`sigint_ignored`: started with SIGINT ignored, as every child of `nohup ksm run &` is)."""
    env = {**os.environ, BUILD_YEAR_ENV: year, "DBT_LOG_FORMAT": "json", "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
           "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), "DBT_TARGET_PATH": str(paths.home / "dbt" / target),
           "DBT_LOG_PATH": str(paths.home / "dbt" / target)}
    process = subprocess.Popen([program, *args], cwd=DBT_PROJECT_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               preexec_fn=_ignore_sigint if sigint_ignored else None)
    if not wait:
        return process
    out, _ = process.communicate(timeout=300)
    return process.returncode, out.decode()


def _ignore_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _events(output: str) -> list[str]:
    return [json.loads(line)["info"]["name"] for line in output.splitlines() if line.startswith("{")]


def _results(output: str) -> list[str]:
    """dbt's lines on each node's result and the run's totals, without the timings, the
    position ('3 of 8') and the dots that pad to it, sorted: the profile's threads finish
    independent nodes in any order."""
    kept = {"LogModelResult", "LogTestResult", "RunResultError", "StatsLine"}
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return sorted(re.sub(r"^\d+ of \d+ | \.+ ", " ", re.sub(r"in [0-9.]+s", "", e["info"]["msg"])).strip()
                  for e in lines if e["info"]["name"] in kept)


def _warehouse_is_free(paths: Paths) -> bool:
    try:
        duckdb.connect(str(paths.warehouse)).close()  # read-write: no other process may hold it
    except duckdb.IOException:
        return False
    return True


def _served(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith("served: ")] if log.exists() else []


def test_builds_are_served_by_one_warm_dbt_with_plain_dbts_answers(copy_home):
    log = warm_dbt_args(copy_home)[-1]
    build = ("build", "--select", "stg_regions", "regions", "--exclude-resource-type", "unit_test")
    cases = {  # what plain dbt answers: a build, a year the models refuse, an unknown option
        "build": (build, str(YEAR)),
        "error": (build, "not-a-year"),
        "usage": (("build", "--no-such-option"), str(YEAR)),
    }
    plain = {name: _dbt(copy_home, *args, year=year, program=str(venv_program("dbt")))
             for name, (args, year) in cases.items()}
    assert [code for code, _ in plain.values()] == [0, 1, 2]

    with warm_dbt(*warm_dbt_args(copy_home)):
        assert os.environ[SERVER_ENV].startswith("127.0.0.1:")
        for name, (args, year) in cases.items():
            code, output = _dbt(copy_home, *args, year=year)
            assert code == plain[name][0], (name, output)
            assert _warehouse_is_free(copy_home), f"{name}: the warehouse is still held after the build"
            if name == "usage":  # plain dbt says what was wrong, and so does the server
                assert "no-such-option" in output and "no-such-option" in plain[name][1]
            # the same results, node by node, as plain dbt's
            assert _results(output) == _results(plain[name][1]), name
            assert bool(_results(output)) == (name != "usage"), name
        results = json.loads((copy_home.home / "dbt" / "t" / "run_results.json").read_text())
        assert results["args"]["invocation_command"].startswith("dbt build --select stg_regions")  # not the server's
        served = _served(log)
        assert len(served) == 3 and served[0].endswith("(exit 0)") and served[2].endswith("(exit 2)"), served
        # what its parse does not hold for is run by plain dbt: another command, vars (they may
        # change a model's configuration: keep_work_tables puts the work tables in the warehouse),
        # another warehouse
        code, output = _dbt(copy_home, "ls", "--select", "regions", "--output", "name")
        assert code == 0 and "regions" in output
        code, output = _dbt(copy_home, "build", "--select", "stg_regions", "--vars", "{keep_work_tables: true}",
                            "--exclude-resource-type", "unit_test")
        assert code == 0 and "LogModelResult" in _events(output), output
        other = copy_home.home / "other.duckdb"
        os.environ["KSM_WAREHOUSE"], kept = str(other), os.environ["KSM_WAREHOUSE"]
        try:
            code, output = _dbt(copy_home, "build", "--select", "breakdown_categories", "--exclude-resource-type", "test")
        finally:
            os.environ["KSM_WAREHOUSE"] = kept
        assert code == 0 and other.exists(), output
        assert len(_served(log)) == 3
        with duckdb.connect(str(copy_home.warehouse), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM marts.regions").fetchone()[0] > 0
    assert SERVER_ENV not in os.environ

    # without a server (or with one that is gone) ksm-dbt is plain dbt
    code, output = _dbt(copy_home, *build)
    assert code == 0 and "LogModelResult" in _events(output) and len(_served(log)) == 3


def test_an_interrupted_build_stops_the_warm_dbt_and_frees_the_warehouse(copy_home):
    start_warm_dbt(*warm_dbt_args(copy_home))
    try:
        client = _dbt(copy_home, "build", "--exclude-resource-type", "unit_test", wait=False)
        for line in client.stdout:  # until the server is building a model
            if b'"LogStartLine"' in line:
                break
        assert not _warehouse_is_free(copy_home), "the build holds the warehouse"
        server = dbt_server._server.pid
    finally:
        stop_warm_dbt()  # what build_year does when its step is interrupted
    out, _ = client.communicate(timeout=60)
    assert client.returncode == 2 and b"the dbt server ended during the build" in out
    assert not process_alive(server) and _warehouse_is_free(copy_home)
    assert SERVER_ENV not in os.environ


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGKILL"])
def test_a_build_whose_ksm_dbt_goes_away_ends_the_warm_dbt(copy_home, signal_name):
    """dagster-dbt interrupts a build by signalling its ksm-dbt (SIGINT); the build must not go
    on in the server, holding the warehouse. ksm-dbt starts here with SIGINT ignored, as under
    `nohup ksm run --all &`: dagster-dbt's SIGINT must reach it all the same."""
    import signal

    start_warm_dbt(*warm_dbt_args(copy_home))
    try:
        server = dbt_server._server.pid
        client = _dbt(copy_home, "build", "--exclude-resource-type", "unit_test", wait=False,
                      sigint_ignored=True)
        for line in client.stdout:
            if b'"LogStartLine"' in line:
                break
        client.send_signal(getattr(signal, signal_name))
        out, _ = client.communicate(timeout=60)
        assert client.returncode == (130 if signal_name == "SIGINT" else -signal.SIGKILL), out[-2000:]
        assert b"Traceback" not in out
        # its threads may take a moment to end after the process is a zombie (the lock goes last)
        deadline = time.monotonic() + 30
        while process_alive(server) or not _warehouse_is_free(copy_home):
            assert time.monotonic() < deadline, "the build went on in the server"
            time.sleep(0.1)
    finally:
        stop_warm_dbt()


def test_a_new_home_parses_from_the_projects_parse_state(tmp_path):
    """A home without a parse state of its own starts from the project's (written by the parse
    `ksm run` makes of a changed project), as dagster-dbt seeds a plain build: not a full parse."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    env = {**os.environ, "KSM_WAREHOUSE": str(tmp_path / "warehouse.duckdb")}
    subprocess.run([str(venv_program("dbt")), "parse", "--quiet", "--project-dir", str(project),
                    "--profiles-dir", str(project)], env=env, check=True, capture_output=True, timeout=300)
    home_state, folder = tmp_path / "home" / "dbt" / "partial_parse.msgpack", tmp_path / "home" / "dbt" / "server"
    parse = (f"from pathlib import Path\nfrom orchestration.dbt_server import _parse\n"
             f"assert _parse({str(project)!r}, {str(project)!r}, Path({str(home_state)!r}), Path({str(folder)!r}))\n")
    subprocess.run([sys.executable, "-c", parse], env=env, check=True, capture_output=True, timeout=300)
    log = (folder / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log and home_state.exists()


def test_the_warm_dbt_ends_with_the_process_that_started_it(tmp_path):
    """A ksm process killed outright (no clean-up) must not leave its dbt server behind."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from orchestration import dbt_server\n"
        f"dbt_server.start_warm_dbt(Path({str(DBT_PROJECT_DIR)!r}), Path({str(DBT_PROJECT_DIR)!r}), "
        f"Path({str(tmp_path / 'parse.msgpack')!r}), Path({str(tmp_path / 'server')!r}), "
        f"Path({str(tmp_path / 'server.log')!r}))\n"
        "print(dbt_server._server.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "KSM_WAREHOUSE": str(tmp_path / "warehouse.duckdb")}
    started = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    pid = int(started.stdout.strip())
    deadline = time.monotonic() + 30
    while process_alive(pid):
        assert time.monotonic() < deadline, "the dbt server outlived its ksm process"
        time.sleep(0.1)


def test_a_server_that_does_not_take_the_build_never_gets_it(monkeypatch, capfdbinary):
    """A server stuck before it accepts (a hanging parse, say): ksm-dbt gives up after its wait
    and runs plain dbt, and when the server wakes up it is not handed the build, so two dbts
    never write the warehouse at once."""
    from multiprocessing.connection import Listener

    key = "k" * 16
    monkeypatch.setenv(dbt_server.SERVER_WAIT_ENV, "1")
    with Listener(("127.0.0.1", 0), authkey=key.encode()) as listener:  # listens, never accepts
        host, port = listener.address
        started = time.monotonic()
        assert dbt_server._ask_server(f"{host}:{port}:{key}", ["build"]) is None
        assert 0.9 < time.monotonic() - started < 10
        assert b"has not taken the build in 1 s; running dbt itself" in capfdbinary.readouterr().out
        late = listener.accept()  # the server wakes up: the handshake completes, the build is not sent
        late.send(("ready", None))
        if late.poll(5):  # what comes is the end of the connection, never a build
            with pytest.raises(EOFError):
                late.recv()
        late.close()
