"""The synthetic RA layout (`ksm demo-data --layout cbs-ra`): real .sav files that the RA reading
layer loads, encoding the same population as the extract generator (same years, scale, seed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from demo import reference
from demo.generator import write_demo_extracts
from orchestration.ra.records import DERIVED_SOURCES
from demo.ra_layout import layout_toml, write_ra_layout
from orchestration.ra.layout import DEFAULT_TABLES, parse_layout, resolve_table
from orchestration.ra.read_sav import load_ra_table

YEARS = (2021, 2022)
SCALE = 0.005
SEED = 42


@pytest.fixture(scope="module")
def ra(tmp_path_factory):
    root = tmp_path_factory.mktemp("ra")
    result = write_ra_layout(root / "ra", YEARS, SCALE, SEED, crosswalk=True)
    inbox = root / "inbox"
    write_demo_extracts(inbox, YEARS, SCALE, SEED, sources=DERIVED_SOURCES)
    layout = parse_layout(layout_toml(root / "ra"))
    con = duckdb.connect()
    for table in DEFAULT_TABLES:
        load_ra_table(con, layout, table)
    con.register("crosswalk_df", result["crosswalk"])
    con.execute("CREATE TABLE crosswalk AS SELECT * FROM crosswalk_df")
    for source in DERIVED_SOURCES:
        files = [str(inbox / source / str(y) / f"{source}_{y}.csv") for y in YEARS]
        con.execute(f"CREATE TABLE x_{source} AS SELECT * FROM read_csv({files!r}, delim=';', header=true, "
                    "all_varchar=true)")
    valid = [(y, g.code) for y in YEARS for g in reference.classification(y)]
    con.execute("CREATE TABLE valid_codes (jaar INTEGER, code VARCHAR)")
    con.executemany("INSERT INTO valid_codes VALUES (?, ?)", valid)
    yield root / "ra", layout, con, result
    con.close()


def placement_sql(year: int, births_sql: str) -> str:
    """The rule of docs/sources.md, written out: the mother's spell covering 30 June of `year`
    (the latest-starting; without one, the first that starts later in the year: the fallback),
    its object's gem<year>, Weesp 0457 as Amsterdam from 2022 on."""
    code = f"lpad(trim(CAST(g.gem{year} AS VARCHAR)), 4, '0')"
    if year >= 2022:
        code = f"CASE WHEN {code} = '0457' THEN '0363' ELSE {code} END"
    return f"""
        WITH births AS ({births_sql}),
        spell AS (
            SELECT b.RINPERSOON, s.SOORTOBJECTNUMMER, s.RINOBJECTNUMMER
            FROM births AS b JOIN raw_ra.gbaadresobjectbus AS s
              ON s.RINPERSOONS = b.RINPERSOONSMa AND s.RINPERSOON = b.RINPERSOONMa
             AND strptime(s.GBADATUMAANVANGADRESHOUDING, '%Y%m%d') <= make_date({year}, 12, 31)
             AND strptime(s.GBADATUMEINDEADRESHOUDING, '%Y%m%d') >= make_date({year}, 6, 30)
            QUALIFY row_number() OVER (
                PARTITION BY b.RINPERSOON
                ORDER BY strptime(s.GBADATUMAANVANGADRESHOUDING, '%Y%m%d') <= make_date({year}, 6, 30) DESC,
                         CASE WHEN strptime(s.GBADATUMAANVANGADRESHOUDING, '%Y%m%d') <= make_date({year}, 6, 30)
                              THEN s.GBADATUMAANVANGADRESHOUDING END DESC NULLS LAST,
                         s.GBADATUMAANVANGADRESHOUDING) = 1),
        objects AS (
            SELECT SOORTOBJECTNUMMER, RINOBJECTNUMMER, gem{year} FROM raw_ra.vslgwbtab
            UNION ALL SELECT SOORTOBJECTNUMMER, RINOBJECTNUMMER, gem{year} FROM raw_ra.nietvslgwbtab)
        SELECT b.RINPERSOON, 'GM' || {code} AS gemeente_code
        FROM births AS b
        LEFT JOIN spell AS s ON s.RINPERSOON = b.RINPERSOON
        LEFT JOIN objects AS g ON g.SOORTOBJECTNUMMER = s.SOORTOBJECTNUMMER AND g.RINOBJECTNUMMER = s.RINOBJECTNUMMER"""


def q(con, sql):
    return con.execute(sql).fetchall()


def test_files_and_versions(ra):
    root, layout, con, result = ra
    for rel in ("G/Bevolking/KINDOUDERTAB/KINDOUDER2022TABV1.sav",
                "G/Bevolking/GBAPERSOONTAB/2022/GBAPERSOON2022TABV1.sav",
                "G/Bevolking/GBALEVENDGEBORENENMASSATAB/2021/GBALEVENDGEBORENENMASSA2021TABV1.sav",
                "G/InkomenBestedingen/INHATAB/2022/INHA2022TABV1.sav",
                "G/GezondheidWelzijn/ZVWZORGKOSTENTAB/2021/ZVWZORGKOSTEN2021TABV1.sav",
                "K/Utilities/Code_Listings/SSBreferentiebestanden/OPLEIDINGSNRREFV33.sav",
                "L/Perined/Perined_2017_2021V1.csv", "L/Perined/Perined_2017_2022V1.sav"):
        assert (root / rel).is_file(), rel
    perined = resolve_table(layout, "perined")
    assert Path(perined.chosen[None]).name == "Perined_2017_2022V2.sav"
    assert {Path(p).name for p in perined.superseded} == {"Perined_2017_2022V1.sav", "Perined_2017_2021V1.csv"}
    assert Path(resolve_table(layout, "opleidingsnrref").chosen[None]).name == "OPLEIDINGSNRREFV34.sav"
    assert sorted(resolve_table(layout, "gbalevendgeborenen").chosen) == list(YEARS)
    assert not list(root.rglob(".*.tmp"))
    # the 2022 variable change of the care costs
    cols = {r[0] for r in q(con, "SELECT column_name FROM information_schema.columns WHERE table_name = 'zvwzorgkostentab'")}
    assert {"ZVWKGENBASGGZ", "ZVWKSPECGGZ", "ZVWKGGZZPMTOTAAL"} <= cols
    # person keys unique over the whole layout
    assert q(con, "SELECT count(*) - count(DISTINCT RINPERSOONS || RINPERSOON) FROM raw_ra.gbapersoontab") == [(0,)]


def test_perined_delivery_has_every_child(ra):
    _, _, con, _ = ra
    rows = q(con, """
        SELECT count(*), count(p.Rinpersoon_Kind),
               count(*) FILTER (WHERE p.amww = CAST(x.amww AS INTEGER) AND p.sterfte = CAST(x.sterfte AS INTEGER)
                                  AND p.lft = CAST(x.leeftijd_moeder AS INTEGER) AND p.par = CAST(x.pariteit AS INTEGER)
                                  AND p.jaar = CAST(x.geboortejaar AS INTEGER)),
               count(*) FILTER (WHERE p.RINPERSOONS_Kind = CASE WHEN x.sterfte IN ('1', '2') THEN 'D' ELSE 'R' END)
        FROM x_perined AS x
        JOIN crosswalk AS c ON c.source = 'perined' AND c.kind_id = x.kind_id AND c.jaar = CAST(x.geboortejaar AS INTEGER)
        LEFT JOIN raw_ra.perined AS p ON p.Rinpersoon_Kind = c.RINPERSOON""")
    n, found, same, kind = rows[0]
    assert n > 1500 and found == n and same == n and kind == n
    assert q(con, "SELECT count(*) FROM raw_ra.perined") == [(n,)]


def test_kindoudertab_exactly_for_cbs_linked_children(ra):
    _, _, con, _ = ra
    rows = q(con, """
        SELECT count(*) FILTER (WHERE l.kind_id IS NOT NULL AND k.RINPERSOON IS NULL),
               count(*) FILTER (WHERE l.kind_id IS NULL AND k.RINPERSOON IS NOT NULL),
               count(*) FILTER (WHERE k.RINPERSOONMa IS DISTINCT FROM c.RINPERSOONMa AND k.RINPERSOON IS NOT NULL)
        FROM crosswalk AS c
        LEFT JOIN x_cbs_linked AS l ON l.kind_id = c.kind_id AND CAST(l.jaar AS INTEGER) = c.jaar
        LEFT JOIN raw_ra.kindoudertab AS k ON k.RINPERSOON = c.RINPERSOON
        WHERE c.source = 'perined'""")
    assert rows == [(0, 0, 0)]


def test_mothers_address_on_30_june_gives_the_gemeente(ra):
    _, _, con, _ = ra
    for year in YEARS:
        births = f"""
            SELECT c.RINPERSOONS, c.RINPERSOON, c.jaar AS geboortejaar, k.RINPERSOONSMa, k.RINPERSOONMa
            FROM crosswalk AS c LEFT JOIN raw_ra.kindoudertab AS k ON k.RINPERSOON = c.RINPERSOON
            WHERE c.source = 'perined' AND c.jaar = {year}"""
        con.execute(f"CREATE OR REPLACE TABLE placed AS {placement_sql(year, births)}")
        rows = q(con, f"""
            WITH expected AS (
                SELECT x.kind_id,
                       CASE WHEN regexp_full_match(upper(trim(x.gemeente_code)), '(GM)?[0-9]{{1,4}}')
                            THEN 'GM' || lpad(regexp_replace(upper(trim(x.gemeente_code)), '^GM', ''), 4, '0') END AS code
                FROM x_perined AS x WHERE x.geboortejaar = '{year}'),
            checked AS (
                SELECT CASE WHEN v.code IS NULL THEN NULL
                            WHEN {year} >= 2022 AND e.code = 'GM0457' THEN 'GM0363' ELSE e.code END AS want,
                       p.gemeente_code AS got
                FROM expected AS e
                LEFT JOIN valid_codes AS v ON v.jaar = {year} AND v.code = e.code
                JOIN crosswalk AS c ON c.source = 'perined' AND c.jaar = {year} AND c.kind_id = e.kind_id
                JOIN placed AS p ON p.RINPERSOON = c.RINPERSOON)
            SELECT count(*), count(*) FILTER (WHERE want IS NOT DISTINCT FROM got), count(want), count(got)
            FROM checked""")
        n, same, with_code, placed = rows[0]
        assert n > 800 and same == n, (year, rows)
        assert 0 < n - with_code < 0.05 * n  # a few invalid or empty codes: no gemeente
    # Weesp: a few 2022 Amsterdam births at an address whose gem2022 is 0457
    assert q(con, "SELECT count(*) > 0 FROM raw_ra.vslgwbtab WHERE gem2022 = '0457' AND gem2021 = '0457'") == [(True,)]


def test_income_quintile_and_debts(ra):
    _, _, con, _ = ra
    rows = q(con, """
        WITH derived AS (
            SELECT c.kind_id, c.jaar,
                   CASE WHEN i.INHP100HGEST BETWEEN 1 AND 100 THEN CAST(CAST(ceil(i.INHP100HGEST / 20.0) AS INTEGER) AS VARCHAR) ELSE '' END AS kwintiel,
                   CASE WHEN EXISTS (SELECT 1 FROM raw_ra.wsnppersbus AS w
                                     WHERE w.RINPERSOON IN (k.RINPERSOONMa, k.RINPERSOONpa)
                                       AND strptime(w.WSNPDATUMTOELAAT, '%Y%m%d') <= make_date(c.jaar, 12, 31)
                                       AND (coalesce(w.WSNPDATUMBEEIN, '') = ''
                                            OR strptime(w.WSNPDATUMBEEIN, '%Y%m%d') >= make_date(c.jaar, 1, 1)))
                          OR EXISTS (SELECT 1 FROM raw_ra.wanbzvwtab AS z
                                     WHERE z.ra_year = c.jaar AND z.RINPERSOON IN (k.RINPERSOONMa, k.RINPERSOONpa))
                        THEN '1' ELSE '0' END AS schulden,
                   CASE WHEN EXISTS (SELECT 1 FROM raw_ra.wsnppersbus AS w
                                     WHERE w.RINPERSOON = k.RINPERSOONMa
                                       AND strptime(w.WSNPDATUMTOELAAT, '%Y%m%d') <= make_date(c.jaar, 12, 31)
                                       AND (coalesce(w.WSNPDATUMBEEIN, '') = ''
                                            OR strptime(w.WSNPDATUMBEEIN, '%Y%m%d') >= make_date(c.jaar, 1, 1)))
                          OR EXISTS (SELECT 1 FROM raw_ra.wanbzvwtab AS z
                                     WHERE z.ra_year = c.jaar AND z.RINPERSOON = k.RINPERSOONMa)
                        THEN '1' ELSE '0' END AS schulden_moeder
            FROM crosswalk AS c
            JOIN raw_ra.kindoudertab AS k ON k.RINPERSOON = c.RINPERSOON
            LEFT JOIN raw_ra.koppelpersoonhuishouden AS h ON h.ra_year = c.jaar AND h.RINPERSOON = k.RINPERSOONMa
            LEFT JOIN raw_ra.inhatab AS i ON i.ra_year = c.jaar AND i.RINPERSOONHKW = h.RINPERSOONHKW
            WHERE c.source = 'perined')
        SELECT count(*),
               count(*) FILTER (WHERE d.kwintiel = coalesce(l.inkomen_kwintiel, '')),
               count(*) FILTER (WHERE d.schulden = l.problematische_schulden),
               count(*) FILTER (WHERE l.problematische_schulden = '1'),
               count(*) FILTER (WHERE d.schulden_moeder <> d.schulden),
               count(*) FILTER (WHERE coalesce(l.inkomen_kwintiel, '') = '')
        FROM derived AS d JOIN x_cbs_linked AS l ON l.kind_id = d.kind_id AND CAST(l.jaar AS INTEGER) = d.jaar""")
    n, quintile, debts, flagged, other_parent_only, unknown = rows[0]
    assert n > 1500 and quintile == n and debts == n, rows
    assert flagged > 20 and other_parent_only > 0 and unknown > 0


def test_vektis_and_mental_health(ra):
    _, _, con, _ = ra
    rows = q(con, """
        WITH t AS (
            SELECT c.kind_id, c.jaar, b.trajectid, b.bevallingsmaand, c.RINPERSOON, c.RINPERSOONMa
            FROM crosswalk AS c
            JOIN raw_ra.vektis_bevallingen AS b ON b.RINPERSOON = c.RINPERSOONMa
             AND CAST(b.bevallingsmaand AS INTEGER) // 100 = c.jaar
            WHERE c.source = 'perined'),
        derived AS (
            SELECT t.kind_id, t.jaar,
                   CASE WHEN EXISTS (SELECT 1 FROM raw_ra.vektis_zorg AS z WHERE z.trajectid = t.trajectid
                        AND z.ib_indeling = 'Kraamzorg per uur'
                        AND CAST(z.prestatiemaand AS INTEGER) >= CAST(t.bevallingsmaand AS INTEGER))
                        THEN '1' ELSE '0' END AS kraamzorg,
                   CASE WHEN EXISTS (SELECT 1 FROM raw_ra.mszprestatiesvekttab AS m WHERE m.ra_year = t.jaar
                        AND m.RINPERSOON IN (t.RINPERSOON, t.RINPERSOONMa)
                        AND m.VEKTMSZDBCZorgproduct IN ('159899011', '159899012', '990016382', '990017011'))
                        THEN '1' ELSE '0' END AS lang
            FROM t)
        SELECT (SELECT count(*) FROM x_vektis), count(*),
               count(*) FILTER (WHERE d.kraamzorg = v.kraamzorg_declaratie AND d.lang = v.lange_opname)
        FROM derived AS d JOIN x_vektis AS v ON v.kind_id = d.kind_id AND CAST(v.jaar AS INTEGER) = d.jaar""")
    assert rows[0][0] == rows[0][1] == rows[0][2], rows
    rows = q(con, """
        WITH derived AS (
            SELECT c.kind_id, c.jaar,
                   CASE WHEN EXISTS (SELECT 1 FROM raw_ra.zvwzorgkostentab AS z WHERE z.ra_year = c.jaar
                             AND z.RINPERSOON IN (k.RINPERSOONMa, k.RINPERSOONpa)
                             AND (CASE WHEN c.jaar < 2022 THEN coalesce(z.ZVWKGENBASGGZ, 0) > 0 OR coalesce(z.ZVWKSPECGGZ, 0) > 0
                                       ELSE coalesce(z.ZVWKGGZZPMTOTAAL, 0) > 0 END))
                          OR EXISTS (SELECT 1 FROM raw_ra.medicijntab AS m WHERE m.ra_year = c.jaar
                             AND m.RINPERSOON IN (k.RINPERSOONMa, k.RINPERSOONpa)
                             AND m.ATC4 IN ('N05A', 'N05B', 'N05C', 'N06A', 'N06B', 'N06C'))
                        THEN '1' ELSE '0' END AS psych
            FROM crosswalk AS c JOIN raw_ra.kindoudertab AS k ON k.RINPERSOON = c.RINPERSOON
            WHERE c.source = 'perined')
        SELECT count(*), count(*) FILTER (WHERE d.psych = l.psychische_problemen)
        FROM derived AS d JOIN x_cbs_linked AS l ON l.kind_id = d.kind_id AND CAST(l.jaar AS INTEGER) = d.jaar""")
    assert rows[0][0] == rows[0][1] > 1500, rows


def test_youth_protection_children(ra):
    _, _, con, _ = ra
    rows = q(con, """
        SELECT count(*),
               count(*) FILTER (WHERE CAST(x.leeftijd AS INTEGER) = c.jaar - CAST(p.GBAGEBOORTEJAAR AS INTEGER)),
               count(*) FILTER (WHERE (x.residentieel_overlap = '1') = EXISTS (
                   SELECT 1 FROM raw_ra.jgdbeschermbus AS b JOIN raw_ra.jgdhulpbus AS h
                     ON h.RINPERSOON = b.RINPERSOON AND h.ra_year = b.ra_year
                   WHERE b.RINPERSOON = c.RINPERSOON AND b.ra_year = c.jaar AND h.JGDHHULPVORM BETWEEN 11 AND 14
                     AND h.JGDHGELDIGHEIDBEGINDATUM <= b.JGDBGELDIGHEIDEINDDATUM
                     AND h.JGDHGELDIGHEIDEINDDATUM >= b.JGDBGELDIGHEIDBEGINDATUM))
        FROM x_youth_protection AS x
        JOIN crosswalk AS c ON c.source = 'youth_protection' AND c.kind_id = x.kind_id AND c.jaar = CAST(x.jaar AS INTEGER)
        JOIN raw_ra.gbapersoontab AS p ON p.RINPERSOON = c.RINPERSOON""")
    n, age, res = rows[0]
    assert n == q(con, "SELECT count(*) FROM x_youth_protection")[0][0] > 0
    assert age == n and res == n


def test_cli_writes_the_ra_layout_and_only_the_aggregate_sources(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main
    from orchestration.provenance import is_synthetic

    monkeypatch.setenv("KSM_HOME", str(tmp_path))
    assert main(["demo-data", "--years", "2022", "--scale", "0.002"]) == 0
    assert is_synthetic(tmp_path / "inbox" / "perined" / "2022" / "perined_2022.csv")
    assert main(["demo-data", "--years", "2022", "--scale", "0.002", "--layout", "cbs-ra", "--extra-persons", "1"]) == 0
    out = capsys.readouterr().out
    assert "KINDOUDERTAB" in out and "population" in out
    inbox = {p.parent.parent.name for p in (tmp_path / "inbox").rglob("*.csv")}
    assert inbox == {"population", "questionnaire", "regions"}
    layout = parse_layout((tmp_path / "ra_layout.toml").read_text(encoding="utf-8"))
    assert Path(layout.roots["G:"]) == tmp_path / "ra" / "G"
    assert Path(resolve_table(layout, "perined").chosen[None]).name == "Perined_2017_2022V2.sav"


def test_age_parity_education_migration_vulnerability(ra):
    _, _, con, _ = ra
    rows = q(con, """
        WITH c AS (
            SELECT c.*, k.RINPERSOONMa AS ma FROM crosswalk AS c
            JOIN raw_ra.kindoudertab AS k ON k.RINPERSOON = c.RINPERSOON WHERE c.source = 'perined'),
        d AS (
            SELECT c.kind_id, c.jaar,
                   date_diff('year', make_date(CAST(m.GBAGEBOORTEJAAR AS INTEGER), CAST(m.GBAGEBOORTEMAAND AS INTEGER),
                                               CAST(m.GBAGEBOORTEDAG AS INTEGER)),
                             make_date(CAST(p.GBAGEBOORTEJAAR AS INTEGER), CAST(p.GBAGEBOORTEMAAND AS INTEGER),
                                       CAST(p.GBAGEBOORTEDAG AS INTEGER))) AS years_between,
                   CAST(g.RANGNUMMERMOEDER AS INTEGER) - 1 AS pariteit,
                   CASE left(coalesce(r.OPLNIVSOI2016AGG4HB, ''), 1) WHEN '1' THEN 'laag' WHEN '2' THEN 'midden'
                        WHEN '3' THEN 'hoog' ELSE 'onbekend' END AS opleiding,
                   CASE WHEN m.GBAHERKOMSTGROEPERING = '6030' THEN 'nederland' WHEN l.WERELDDEEL = 'Europa' THEN 'europa'
                        WHEN l.LAND IS NOT NULL THEN 'buiten_europa' ELSE 'onbekend' END AS migratie,
                   CASE w.voorspelling_kwetsbaar WHEN 'ja' THEN '1' WHEN 'nee' THEN '0' ELSE '' END AS kwetsbaar
            FROM c
            JOIN raw_ra.gbapersoontab AS m ON m.RINPERSOON = c.ma
            LEFT JOIN raw_ra.gbapersoontab AS p ON p.RINPERSOON = c.RINPERSOON
            LEFT JOIN raw_ra.gbalevendgeborenen AS g ON g.RINPERSOON = c.RINPERSOON AND g.ra_year = c.jaar
            LEFT JOIN raw_ra.hoogsteopltab AS h ON h.RINPERSOON = c.ma AND h.ra_year = c.jaar
            LEFT JOIN raw_ra.opleidingsnrref AS o ON o.OPLNR = h.OPLNRHB
            LEFT JOIN raw_ra.ctoref AS r ON r.CTO = o.CTO
            LEFT JOIN raw_ra.landaktueelref AS l ON l.LAND = m.GBAHERKOMSTGROEPERING
            LEFT JOIN raw_ra.kwetsbaarheid AS w ON w.RINPERSOON_Kind = c.RINPERSOON)
        SELECT count(*),
               count(*) FILTER (WHERE coalesce(CAST(d.years_between AS VARCHAR), x.leeftijd_moeder) = x.leeftijd_moeder),
               count(*) FILTER (WHERE d.years_between IS NOT NULL),
               count(*) FILTER (WHERE coalesce(CAST(d.pariteit AS VARCHAR), x.pariteit) = x.pariteit),
               count(*) FILTER (WHERE d.opleiding = l.opleiding_moeder AND d.migratie = l.migratieachtergrond
                                  AND d.kwetsbaar = coalesce(l.meervoudig_kwetsbaar, ''))
        FROM d JOIN x_perined AS x ON x.kind_id = d.kind_id AND CAST(x.geboortejaar AS INTEGER) = d.jaar
        JOIN x_cbs_linked AS l ON l.kind_id = d.kind_id AND CAST(l.jaar AS INTEGER) = d.jaar""")
    n, age, aged, parity, household = rows[0]
    assert n > 1500 and age == n and aged > 0.98 * n and parity == n and household == n, rows
