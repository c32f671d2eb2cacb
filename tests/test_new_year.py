"""A new year is an ordinary event: a year after the bundled ones, with a classification of its
own that merges two gemeenten (fictitious: GM9001 'Fictiefstad' is no real gemeente), rebuilds
the released year on it and publishes both classifications."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from faults import write_second_year
from orchestration.cli import main
from demo.reference import GGD_REGIONS, PROVINCES, Gemeente, classification, mergers
from tiny_inbox import YEAR

NEW_YEAR = 2025
# tiny_inbox on the 2024 classification: Amsterdam 14 of 50 births preterm, Vught 7 of 12
MERGED = {"GM0363": "Amsterdam", "GM0865": "Vught"}
NEW_CODE, NEW_NAME = "GM9001", "Fictiefstad"


def _write_new_classification(inbox, year: int) -> list[Gemeente]:
    """The 2024 gemeenten with Amsterdam and Vught merged into GM9001 on 1 January `year`."""
    amsterdam = next(g for g in classification(2024) if g.code == "GM0363")
    gemeenten = [g for g in classification(2024) if g.code not in MERGED]
    gemeenten.append(Gemeente(NEW_CODE, NEW_NAME, amsterdam.provincie_code, amsterdam.ggd_code))
    folder = inbox / "regions" / str(year)
    folder.mkdir(parents=True)
    with (folder / f"gebieden_in_nederland_{year}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Gemeentecode (GM-code)", "Gemeentenaam", "GGD-regiocode (GG-code)", "GGD-regionaam",
                         "Provinciecode (PV-code)", "Provincienaam"])
        writer.writerows([g.code, g.name, g.ggd_code, GGD_REGIONS[g.ggd_code], g.provincie_code,
                          PROVINCES[g.provincie_code]] for g in gemeenten)
    with (folder / "herindelingen.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["datum", "oude_code", "oude_naam", "nieuwe_code", "nieuwe_naam", "aandeel"])
        writer.writerows([m.date.isoformat(), m.old_code, m.old_name, m.new_code, m.new_name,
                          str(m.share).replace(".", ",")] for m in mergers())
        writer.writerows([f"{year}-01-01", code, name, NEW_CODE, NEW_NAME, "1"] for code, name in MERGED.items())
    return gemeenten


def _rows(parquet, sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql.replace(" FROM T", f" FROM read_parquet('{parquet}')", 1)).fetchall()


def _multiply(inbox, year: int, times: int) -> None:
    """Every record of the year's record-level extracts `times` over (new ids), so that the
    gemeenten's figures are no longer withheld as fewer than 10."""
    for source, ids in (("perined", ("kind_id", "moeder_id")), ("cbs_linked", ("kind_id",)),
                        ("vektis", ("kind_id",)), ("youth_protection", ("kind_id",))):
        path = inbox / source / str(year) / f"{source}_{year}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle, delimiter=";"))
        positions = [header.index(c) for c in ids]
        copies = [[f"{v}x{k}" if i in positions else v for i, v in enumerate(row)]
                  for k in range(times) for row in rows]
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=";").writerows([header, *copies])


def _deliver_new_year(paths) -> None:
    gemeenten = _write_new_classification(paths.inbox, NEW_YEAR)
    # the same records coded as in 2025: Amsterdam's in the merged gemeente, Weesp's and Haaren's
    # (both gone by then) in gemeenten that still exist
    write_second_year(paths.inbox, NEW_YEAR, gemeenten=gemeenten,
                      recode={"363": NEW_CODE, "GM0363": NEW_CODE, "GM0457": "GM0384", "0788": "GM0824",
                              "GM0788": "GM0824"})


def test_the_inbox_sensor_registers_the_new_year_and_rebuilds_the_released_one_first(copy_home, monkeypatch):
    from orchestration.sensors import inbox_sensor
    from test_alerts_e2e import tick

    monkeypatch.setenv("KSM_INBOX_SETTLE_SECONDS", "0")
    _deliver_new_year(copy_home)
    result, _ = tick(inbox_sensor, copy_home)
    assert [(r.partition_key, r.tags.get("ksm/rebuild_reason")) for r in result.run_requests] == [
        (str(YEAR), f"classification 2024 -> {NEW_YEAR}"), (str(NEW_YEAR), None)]
    [added] = result.dynamic_partitions_requests
    assert added.partitions_def_name == "year" and list(added.partition_keys) == [str(NEW_YEAR)]


def test_a_new_year_with_a_merger_rebuilds_the_released_years_on_its_classification(copy_home, capsys, monkeypatch):
    monkeypatch.setenv("KSM_OWN_CLASSIFICATION", "true")  # the default (the session turns it off)
    # ten times the tiny delivery: Amsterdam 140 of 500 births preterm, Vught 70 of 120
    _multiply(copy_home.inbox, YEAR, 10)
    _deliver_new_year(copy_home)

    code = main(["run", "--year", str(NEW_YEAR)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"also rebuilding {YEAR}: classification 2024 -> {NEW_YEAR}" in out
    assert out.index(f"== {YEAR}:") < out.index(f"== {NEW_YEAR}:")  # the earlier year first

    # the released year: a new version on the new classification, the old one intact
    year_dir = copy_home.releases / str(YEAR)
    assert sorted(p.name for p in year_dir.iterdir()) == ["v1", "v2"]
    manifest = json.loads((year_dir / "v2" / "manifest.json").read_text())
    assert manifest["classification_year"] == NEW_YEAR
    assert manifest["changes"]["classification"] == f"2024 -> {NEW_YEAR}"
    assert manifest["changes"]["reason"] == f"classification 2024 -> {NEW_YEAR}"
    old = year_dir / "v1" / "indicator_values.parquet"
    assert _rows(old, "SELECT DISTINCT classification_year FROM T ORDER BY 1") == [(2024,)]

    # on the new classification the merged gemeente holds the sum of its parts
    new = year_dir / "v2" / "indicator_values.parquet"
    merged = _rows(new, f"SELECT region_name, numerator, denominator, suppressed FROM T WHERE indicator_code = "
                        f"'preterm' AND breakdown = 'total' AND period = '{YEAR}' AND classification_year = "
                        f"{NEW_YEAR} AND region_code = '{NEW_CODE}'")
    assert merged == [(NEW_NAME, 140 + 70, 500 + 120, False)]
    assert not _rows(new, f"SELECT 1 FROM T WHERE classification_year = {NEW_YEAR} "
                          f"AND region_code IN ({', '.join(repr(c) for c in MERGED)})")
    # ... and the year also on its own classification, where Haaren still exists
    assert _rows(new, "SELECT DISTINCT classification_year FROM T ORDER BY 1") == [(YEAR,), (NEW_YEAR,)]
    assert _rows(new, f"SELECT count(*) FROM T WHERE classification_year = {YEAR} AND region_code = 'GM0788'")[0][0]

    with duckdb.connect(str(copy_home.published), read_only=True) as con:
        releases = con.execute("SELECT year, max(version), json_extract_string(arg_max(changes, version), "
                               "'$.classification') FROM releases GROUP BY year ORDER BY year").fetchall()
        assert releases == [(YEAR, 2, f"2024 -> {NEW_YEAR}"), (NEW_YEAR, 1, None)]
        # the analysts' series is on the newest classification
        series = con.execute("SELECT DISTINCT classification_year FROM indicator_series").fetchall()
        assert series == [(NEW_YEAR,)]

    # ksm status lists the new year with its classification
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert any(line.split()[:1] == [str(NEW_YEAR)] and line.split()[-2] == str(NEW_YEAR)  # then: placed
               for line in status.splitlines()), status


def test_a_year_without_its_classification_stops_with_one_line_naming_the_file(copy_home, capsys):
    write_second_year(copy_home.inbox, NEW_YEAR, gemeenten=classification(2024), recode={"GM0457": "GM0384"})
    code = main(["run", "--year", str(NEW_YEAR)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and f"no gemeente classification for {NEW_YEAR}" in err
    assert f"gebieden_in_nederland_{NEW_YEAR}.csv" in err
    assert sorted(p.name for p in (copy_home.releases / str(YEAR)).iterdir()) == ["v1"]


@pytest.mark.parametrize("argv, message", [
    (["run", "--year", "2031"], "no extracts for 2031"),
    (["run", "--year", "2010"], "before the monitor's first year 2017"),
    (["demo-data", "--years", "20x4"], "expected e.g. 2017-2026"),
    (["demo-data", "--years", "2012-2014"], "demo data start in 2017"),
])
def test_years_outside_the_data_get_one_line(ksm_home, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_scale_that_is_not_positive_is_a_usage_error(ksm_home, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["demo-data", "--scale", "0"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "'0' is not a positive number" in err and "Traceback" not in err
