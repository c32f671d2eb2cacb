"""`ksm cbs fetch` against a StatLine look-alike on 127.0.0.1 (tests/cbs_server.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

import duckdb
import pytest

from cbs_server import FixtureServer, Script
from orchestration.cli import main
from orchestration.connectors.cbs import CbsFetchError, age_of, fetch, region_field
from orchestration.connectors.http import RetryPolicy, retry_after_seconds
from orchestration.connectors.statline import period_year
from demo.reference import GGD_REGIONS, PROVINCES, classification

FAST = RetryPolicy(timeout=5, retries=3, backoff=0.05)
FEW = {"GM0014", "GM0080", "GM0363", "GM0518", "GM0599", "GM1992"}


@pytest.fixture
def server():
    with FixtureServer(Script(page_size=50)) as running:
        yield running


def _fetch(server, table, source, year, inbox, api="v3", **kw):
    lines = []
    target, sidecar, extract = fetch(table, source, year, inbox, api=api, base_url=server.base_url,
                                     policy=kw.pop("policy", FAST), say=lines.append, **kw)
    return target, sidecar, lines


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ---------------------------------------------------------------- small pure functions


def test_period_codes_map_to_years():
    assert period_year("2023JJ00") == (2023, "JJ")
    assert period_year("2022MM03 ") == (2022, "MM")
    assert period_year("2023") is None


def test_region_fields_are_recognised_by_title_only():
    assert region_field(("GGD-regio's",), "Code") == "ggd_code"
    assert region_field(("Provincies",), "Naam") == "provincie_name"
    assert region_field(("Gemeenten",), "Code") == "gemeente_code"
    assert region_field((), "GGD-regiocode (GG-code)") == "ggd_code"
    assert region_field((), "Gemeentenaam") == "gemeente_name"
    assert region_field(("Gemeenten",), "Sorteringnaam") is None
    assert region_field(("Arbeidsmarktregio's",), "Code") is None


def test_retry_after_and_ages():
    now = dt.datetime(2024, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert retry_after_seconds("3") == 3
    assert retry_after_seconds("Mon, 01 Jan 2024 12:00:07 GMT", now) == 7
    assert retry_after_seconds("soon") is None
    assert (age_of("10010", "0 jaar"), age_of("10100", "1 jaar"), age_of("70100", "0 tot 5 jaar")) == (0, 1, None)


# ---------------------------------------------------------------- both APIs, same extract


@pytest.mark.parametrize("year", [2020, 2023])
def test_population_from_v3_and_v4_is_the_same_extract(server, tmp_path, year):
    v3, sidecar, _ = _fetch(server, "03759ned", "population", year, tmp_path / "a", "v3")
    v4, _, lines = _fetch(server, "03759ned", "population", year, tmp_path / "b", "v4")
    assert v3.read_bytes() == v4.read_bytes()
    assert sum("Observations page" in line for line in lines) >= 3  # v4 read over several pages
    rows = [line.split(";") for line in v3.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["RegioS", "Perioden", "Leeftijd", "BevolkingOp1Januari_1"]
    if year == 2023:
        # trimmed keys, gemeenten only, ages 0 and 1 of the totals; null stays empty, a real 0 stays 0
        assert rows[1:] == [["GM0363", "2023JJ00", "0", "9012"], ["GM0363", "2023JJ00", "1", "9188"],
                            ["GM0518", "2023JJ00", "0", "5321"], ["GM0518", "2023JJ00", "1", ""],
                            ["GM1992", "2023JJ00", "0", "0"], ["GM1992", "2023JJ00", "1", "611"]]
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    assert (meta["table_id"], meta["source"], meta["year"], meta["rows"], meta["api"]) == (
        "03759ned", "population", year, 6, "v3")
    assert meta["sha256"] == hashlib.sha256(v3.read_bytes()).hexdigest()
    assert any("TypedDataSet" in url and "Perioden" in url for url in meta["urls"])
    assert dt.datetime.fromisoformat(meta["fetched_at"]).tzinfo is not None
    assert _files(v3.parent) == [f"population_{year}.csv", f"population_{year}.source.json"]


@pytest.mark.parametrize("table,api,year", [("85385NED", "v3", 2023), ("85755NED", "v4", 2024)])
def test_gebieden_columns_are_found_by_title_wherever_they_are(server, tmp_path, table, api, year):
    from orchestration.assets.ingest.regions import read_classification

    target, _, _ = _fetch(server, table, "regions", year, tmp_path, api)
    frame, _ = read_classification(target, year)  # the ingest's own reader accepts it
    got = {r.gemeente_code: (r.gemeente_name, r.provincie_code, r.provincie_name, r.ggd_code, r.ggd_name)
           for r in frame.itertuples()}
    expected = {g.code: (g.name, g.provincie_code, PROVINCES[g.provincie_code], g.ggd_code, GGD_REGIONS[g.ggd_code])
                for g in classification(year) if g.code in FEW}
    assert got == expected


def test_a_gebieden_table_of_another_year_is_refused(server, tmp_path):
    with pytest.raises(CbsFetchError, match="Gebieden in Nederland 2023.*--year 2023"):
        _fetch(server, "85385NED", "regions", 2024, tmp_path)
    assert _files(tmp_path) == []


# ---------------------------------------------------------------- paging and the 10,000-row cap


def test_an_answer_of_exactly_the_cap_is_read_again_from_the_bulk_feed(tmp_path):
    with FixtureServer(Script(page_size=50)) as plain:
        expected, _, _ = _fetch(plain, "03759ned", "population", 2020, tmp_path / "plain")
    with FixtureServer(Script(page_size=4000, filler_rows=10_000)) as big:
        target, _, lines = _fetch(big, "03759ned", "population", 2020, tmp_path / "big")
        feed_requests = [r for r in big.script.requests if r.startswith("/ODataFeed/")]
    assert target.read_bytes() == expected.read_bytes()
    assert any("cap" in line for line in lines)
    assert len(feed_requests) == 3  # 10,080 rows in pages of 4,000, followed by next links


# ---------------------------------------------------------------- network failures


def test_503_then_429_then_an_answer(tmp_path):
    script = Script(fail_first=[503, 429], retry_after="1")
    with FixtureServer(script) as flaky:
        started = time.monotonic()
        target, _, lines = _fetch(flaky, "03759ned", "population", 2020, tmp_path)
        elapsed = time.monotonic() - started
    retries = [line for line in lines if "retry" in line]
    assert len(retries) == 2 and "HTTP 503" in retries[0] and "HTTP 429" in retries[1]
    assert "in 1s" in retries[1] and elapsed >= 1.0  # Retry-After honoured
    assert target.exists()


def test_a_stalled_answer_times_out_and_is_retried(tmp_path):
    script = Script(stall_first=1.0)
    with FixtureServer(script) as slow:
        target, _, lines = _fetch(slow, "03759ned", "population", 2020, tmp_path,
                                  policy=RetryPolicy(timeout=0.3, retries=2, backoff=0.05))
    assert target.exists() and any("timed out" in line for line in lines)


def test_giving_up_leaves_the_inbox_as_it_was(tmp_path):
    folder = tmp_path / "population" / "2023"
    folder.mkdir(parents=True)
    (folder / "population_2023.csv").write_text("old delivery\n", encoding="utf-8")
    # every page after the first fails: the extract must not be half written
    with FixtureServer(Script(page_size=50, fail_always={"skip=": 500})) as broken:
        with pytest.raises(CbsFetchError, match=r"HTTP 500 .*gave up after 3 attempts"):
            _fetch(broken, "03759ned", "population", 2023, tmp_path, "v4",
                   policy=RetryPolicy(timeout=5, retries=2, backoff=0.01))
    assert _files(tmp_path) == ["population_2023.csv"]
    assert (folder / "population_2023.csv").read_text(encoding="utf-8") == "old delivery\n"


@pytest.mark.parametrize("table,message", [
    ("99999NED", "table 99999NED not found on the v3 API"),
    ("GARBAGE1", "the answer is not JSON (it starts with '<html>"),
    ("ODDSHAPE1", "unexpected payload, expected an OData 'value' list"),
])
def test_bad_tables_give_one_line_and_write_nothing(server, tmp_path, monkeypatch, capsys, table, message):
    monkeypatch.setenv("KSM_HOME", str(tmp_path / "home"))
    code = main(["cbs", "fetch", table, "--source", "population", "--year", "2020", "--base-url", server.base_url])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert _files(tmp_path / "home") == []


def test_another_extract_in_the_folder_is_replaced_only_on_request(server, tmp_path):
    folder = tmp_path / "population" / "2020"
    folder.mkdir(parents=True)
    (folder / "bevolking_2020.csv").write_text("old\n", encoding="utf-8")
    with pytest.raises(CbsFetchError, match="already holds bevolking_2020.csv.*--replace"):
        _fetch(server, "03759ned", "population", 2020, tmp_path)
    assert _files(folder) == ["bevolking_2020.csv"]
    _fetch(server, "03759ned", "population", 2020, tmp_path, replace=True)
    assert _files(folder) == ["population_2020.csv", "population_2020.source.json"]


# ---------------------------------------------------------------- into the warehouse


def _slice(con, sql):
    return sorted(con.execute(sql).fetchall(), key=repr)


def test_fetched_extracts_are_ingested_like_the_delivered_ones(copy_home, capsys):
    """Fetch population and regions 2020 over the tiny delivery's own files (same content), ingest
    again and get the same raw rows; then a v4 population for 2023 with a suppressed cell."""
    from dagster import DagsterInstance, materialize

    from orchestration.assets.ingest import ingest_assets, raw_regions
    from orchestration.partitions import register_years
    from orchestration.resources import build_resources

    population_sql = ("SELECT * EXCLUDE (source_row) FROM raw.population WHERE year = {year}")
    regions_sql = "SELECT * FROM raw.regions WHERE classification_year = 2020"
    with duckdb.connect(str(copy_home.warehouse), read_only=True) as con:
        before = _slice(con, population_sql.format(year=2020)), _slice(con, regions_sql)

    with FixtureServer(Script(page_size=50)) as server:
        for args in (["03759ned", "--source", "population", "--year", "2020"],
                     ["84721NED", "--source", "regions", "--year", "2020"],
                     ["03759ned", "--source", "population", "--year", "2023", "--api", "v4"]):
            assert main(["cbs", "fetch", *args, "--base-url", server.base_url]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "source.json" in out
    assert (copy_home.inbox / "regions" / "2020" / "herindelingen.csv").exists()  # left alone

    population = next(a for a in ingest_assets if a.key.path == ["raw", "population"])
    resources = build_resources(copy_home)
    instance = DagsterInstance.ephemeral()
    register_years(instance, [2020, 2023])
    for year in (2020, 2023):
        result = materialize([raw_regions, population], partition_key=str(year), resources=resources,
                             instance=instance)
        assert result.success
    with duckdb.connect(str(copy_home.warehouse), read_only=True) as con:
        after = _slice(con, population_sql.format(year=2020)), _slice(con, regions_sql)
        new_year = con.execute('SELECT "RegioS", "Leeftijd", "BevolkingOp1Januari_1" FROM raw.population '
                               "WHERE year = 2023 ORDER BY 1, 2").fetchall()
        logged = con.execute("SELECT file_name, rows_read, rows_quarantined FROM raw.ingest_log "
                             "WHERE source = 'population' AND year = 2023").fetchall()
    assert after == before
    assert new_year == [("GM0363", 0, 9012), ("GM0363", 1, 9188), ("GM0518", 0, 5321), ("GM0518", 1, None),
                        ("GM1992", 0, 0), ("GM1992", 1, 611)]
    assert logged == [("population_2023.csv", 6, 0)]  # the sidecar was not read as an extract
