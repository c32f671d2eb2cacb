"""The `ksm` command line on the released tiny year: query, status, export, errors in one line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from orchestration.cli import main
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_formats(copy_home, capsys):
    sql = ("select period, value from indicator_values where indicator_code = 'preterm' "
           "and region_level = 'nederland' and breakdown = 'total' order by period")
    code, out, _ = run_cli(capsys, "query", sql, "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"period": str(YEAR), "value": pytest.approx(100 * 35 / 95)}]
    code, out, _ = run_cli(capsys, "query", sql, "--format", "csv")
    assert list(csv.reader(io.StringIO(out)))[0] == ["period", "value"]
    code, out, _ = run_cli(capsys, "query", sql)
    assert code == 0 and "(1 row)" in out


@pytest.mark.parametrize("sql", [
    "create table x as select 1",
    "attach '/tmp/other.duckdb' as other",
    "select * from read_csv('/etc/passwd')",
    "copy indicator_values to '/tmp/leak.csv'",
    "install httpfs",
    "select * from not_a_table",
])
def test_query_is_read_only_and_errors_are_one_line(copy_home, capsys, sql):
    code, out, err = run_cli(capsys, "query", sql)
    assert code == 2
    assert err.startswith("ksm: query failed:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_status_shows_the_release(copy_home, capsys):
    code, out, _ = run_cli(capsys, "status")
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith(str(YEAR)))
    assert "v1" in line and "success" in line


def test_export_writes_parquet_and_csv(copy_home, capsys, tmp_path):
    out_dir = tmp_path / "analyst's exports"  # a quote in the path must not break the COPY statement
    code, out, _ = run_cli(capsys, "export", "--year", str(YEAR), "--out", str(out_dir))
    assert code == 0
    files = sorted(p.name for p in out_dir.iterdir())
    assert f"indicator_values_{YEAR}.parquet" in files and f"indicator_values_{YEAR}.csv" in files
    code, _, err = run_cli(capsys, "export", "--year", "2017", "--out", str(tmp_path / "out"))
    assert code == 2 and "2017 has no release" in err


def test_unknown_year_is_a_clear_error(copy_home, capsys):
    code, _, err = run_cli(capsys, "run", "--year", "2031")
    assert code == 2 and "no extracts for 2031" in err


def test_report_and_site_share_one_lang_option():
    """`ksm report` speaks Dutch by default, as `ksm site`: the same --lang, defined once."""
    from orchestration.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    options = [next(a for a in commands[name]._actions if a.dest == "lang") for name in ("report", "site")]
    expected = (["nl", "en"], "nl", "language of the pages (default nl)")
    assert [(o.choices, o.default, o.help) for o in options] == [expected] * 2
    assert parser.parse_args(["report", "--year", "2024"]).lang == "nl"
    assert parser.parse_args(["report", "--year", "2024", "--lang", "en"]).lang == "en"


def _ksm_command(args: list[str], home, **kwargs):
    """`ksm` as users start it: the console entry point (`cli.run`) in a process of its own."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "KSM_HOME": str(home), "KSM_WAREHOUSE": str(home / "warehouse.duckdb"),
           "DAGSTER_HOME": str(home / "dagster")}
    return subprocess.run([sys.executable, "-c", "from orchestration.cli import run; run()", *args],
                          env=env, timeout=300, **kwargs)


def test_the_command_leaves_with_mains_code_and_all_its_output(tmp_path):
    """run() skips the interpreter's teardown: the exit code is still main's, and what was
    printed (stdout to a pipe, buffered) and the errors on stderr arrive whole."""
    done = _ksm_command(["status"], tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.lower().startswith("no extracts in ") and done.stdout.endswith("delivery\n")
    done = _ksm_command(["run", "--year", "1900"], tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr == "ksm: 1900 is before the monitor's first year 2017 (KSM_FIRST_YEAR)\n"
    done = _ksm_command(["status", "--bogus"], tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "unrecognized arguments: --bogus" in done.stderr


def test_a_closed_pipe_at_the_final_flush_is_a_quiet_exit(monkeypatch):
    """`ksm query ... | head -1`: the reader is gone by run()'s final flush. No traceback, and
    Python's own code for it, 120 (in-process: os._exit and the exit handlers stubbed)."""
    import atexit
    import os
    import sys

    import orchestration.cli as cli

    class ClosedPipe:
        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    class Left(Exception):
        pass

    def leave(code):
        raise Left(code)

    monkeypatch.setattr(cli, "main", lambda: 0)
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: None)
    monkeypatch.setattr(os, "_exit", leave)
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    with pytest.raises(Left) as left:
        cli.run()
    assert left.value.args == (120,)
