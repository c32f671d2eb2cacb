"""The demo generator: deterministic, shaped like the deliveries `orchestration.sources` describes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from demo import reference as regions
from orchestration.codes import parse_gemeente_code
from demo.generator import write_demo_extracts
from orchestration.provenance import is_synthetic
from orchestration.sources import YEARLY_SOURCES

YEARS = (2017, 2022)
SCALE = 0.01
ENCODINGS = {"perined": "utf-8-sig", "questionnaire": "latin-1"}
REGION_TITLES = {
    "Gemeentecode (GM-code)", "Gemeentenaam", "Provinciecode (PV-code)", "Provincienaam",
    "GGD-regiocode (GG-code)", "GGD-regionaam",
}


def read(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader)
    return header, [dict(zip(header, row)) for row in reader]


def extract(inbox: Path, source: str, year: int) -> tuple[list[str], list[dict[str, str]]]:
    return read(inbox / source / str(year) / f"{source}_{year}.csv", ENCODINGS.get(source, "utf-8"))


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "inbox"
    lines: list[str] = []
    counts = write_demo_extracts(root, years=YEARS, scale=SCALE, seed=42, progress=lines.append)
    root.joinpath("_counts").write_text(repr(counts))
    root.joinpath("_progress").write_text("\n".join(lines))
    return root


def test_deterministic_and_independent_of_other_years(inbox, tmp_path):
    first = {k: v for k, v in all_files(inbox).items() if not k.startswith("_")}
    again = tmp_path / "again"
    write_demo_extracts(again, years=YEARS, scale=SCALE, seed=42)
    assert all_files(again) == first

    # a year on its own is byte-identical to the same year generated next to others
    alone = tmp_path / "alone"
    write_demo_extracts(alone, years=[2022], scale=SCALE, seed=42)
    assert all_files(alone) == {k: v for k, v in first.items() if "/2022/" in k}

    other_seed = tmp_path / "other"
    write_demo_extracts(other_seed, years=[2022], scale=SCALE, seed=7)
    perined = "perined/2022/perined_2022.csv"
    assert all_files(other_seed)[perined] != first[perined]


def test_overwrites_existing_files(tmp_path):
    target = tmp_path / "inbox" / "vektis" / "2022" / "vektis_2022.csv"
    target.parent.mkdir(parents=True)
    target.write_text("old content")
    write_demo_extracts(tmp_path / "inbox", years=[2022], scale=SCALE)
    assert target.read_text().startswith("kind_id;jaar;")
    # no temp files left; beside the extract only its marker, which says it is synthetic
    assert sorted(p.name for p in target.parent.iterdir()) == ["vektis_2022.csv", "vektis_2022.source.json"]
    assert is_synthetic(target)
    target.write_text(target.read_text() + "\n")  # a changed file is no longer the generator's
    assert not is_synthetic(target)


def test_files_and_columns_match_sources(inbox):
    counts = eval(inbox.joinpath("_counts").read_text())  # noqa: S307 - our own repr
    progress = inbox.joinpath("_progress").read_text()
    for year in YEARS:
        for name, spec in YEARLY_SOURCES.items():
            header, rows = extract(inbox, name, year)
            assert header == spec.column_names, name
            assert rows, f"{name} {year} is empty"
            assert all(len(r) == len(header) for r in rows)
            if spec.year_column:
                assert {r[spec.year_column] for r in rows} == {str(year)}
            if spec.record_id and name != "questionnaire":
                assert len({r[spec.record_id] for r in rows}) == len(rows), f"{name}: duplicate ids"
            assert f"{year} {name}:" in progress
        header, _ = read(inbox / "regions" / str(year) / f"gebieden_in_nederland_{year}.csv")
        assert set(header) == REGION_TITLES
        header, merger_rows = read(inbox / "regions" / str(year) / "herindelingen.csv")
        assert header == ["datum", "oude_code", "oude_naam", "nieuwe_code", "nieuwe_naam", "aandeel"]
        expected = [m for m in regions.mergers() if m.classification_year <= year]
        assert len(merger_rows) == len(expected)
    assert counts["perined"] == sum(len(extract(inbox, "perined", y)[1]) for y in YEARS)
    assert set(counts) == {*YEARLY_SOURCES, "regions"}


def test_formats(inbox):
    perined = (inbox / "perined" / "2017" / "perined_2017.csv").read_bytes()
    assert perined.startswith(b"\xef\xbb\xbf") and b"\r\n" in perined
    linked = (inbox / "cbs_linked" / "2017" / "cbs_linked_2017.csv").read_bytes()
    assert not linked.startswith(b"\xef\xbb\xbf") and b"\r\n" not in linked
    # questionnaire in Latin-1: Súdwest-Fryslân's accents are single bytes
    questionnaire = (inbox / "questionnaire" / "2022" / "questionnaire_2022.csv").read_bytes()
    assert "Súdwest-Fryslân".encode("latin-1") in questionnaire
    _, rows = extract(inbox, "perined", 2017)
    assert any("," in r["hoftiezer"] for r in rows)
    assert not any("." in r["hoftiezer"] for r in rows)
    _, pop = extract(inbox, "population", 2022)
    assert all(len(r["RegioS"]) == 10 and r["RegioS"].startswith("GM") for r in pop)
    assert {r["Perioden"] for r in pop} == {"2022JJ00"} and {r["Leeftijd"] for r in pop} == {"0", "1"}
    assert 1 <= sum(r["BevolkingOp1Januari_1"] == "" for r in pop) <= 2


def test_region_columns_move_between_years(inbox):
    orders = {read(inbox / "regions" / str(y) / f"gebieden_in_nederland_{y}.csv")[0].index("GGD-regiocode (GG-code)")
              for y in YEARS}
    assert len(orders) > 1


def test_mixed_code_forms_and_invalid_codes(inbox):
    _, rows = extract(inbox, "perined", 2017)
    codes = [r["gemeente_code"] for r in rows]
    assert any(c.startswith("GM") for c in codes)
    assert any(len(c) == 4 and c.isdigit() and c.startswith("0") for c in codes)
    assert any(c.isdigit() and len(c) < 4 for c in codes)
    valid = {g.code for g in regions.classification(2017)}
    bad = sum(parse_gemeente_code(c) not in valid for c in codes)
    assert 0 < bad / len(codes) < 0.02


@pytest.mark.parametrize("source", ["perined", "youth_protection", "questionnaire"])
def test_codes_belong_to_the_years_classification(inbox, source):
    for year in YEARS:
        valid = {g.code for g in regions.classification(year)}
        _, rows = extract(inbox, source, year)
        parsed = {parse_gemeente_code(r["gemeente_code"]) for r in rows}
        in_year = {c for c in parsed if c in valid}
        unknown = {c for c in parsed if c is not None and c not in valid}
        assert unknown <= {"GM9999"}, f"{source} {year}: codes outside the classification {unknown}"
        if source == "questionnaire":
            assert in_year == valid
    # merged gemeenten appear under their old codes in the early year only
    codes_2017 = {parse_gemeente_code(r["gemeente_code"]) for r in extract(inbox, "perined", 2017)[1]}
    codes_2022 = {parse_gemeente_code(r["gemeente_code"]) for r in extract(inbox, "perined", 2022)[1]}
    assert "GM1980" not in codes_2017 and "GM0398" not in codes_2022


def test_split_gemeenten_carry_the_later_address(inbox):
    _, rows = extract(inbox, "perined", 2017)
    successors = {"GM0140": {"GM0080", "GM1900", "GM1949"},
                  "GM0053": {"GM1966", "GM1969"},
                  "GM0788": {"GM0824", "GM0865", "GM0757", "GM0855"}}
    split_rows = [r for r in rows if parse_gemeente_code(r["gemeente_code"]) in successors]
    assert split_rows
    filled = [r for r in split_rows if r["gemeente_code_actueel"]]
    assert len(filled) >= 0.8 * len(split_rows)
    for r in filled:
        later = parse_gemeente_code(r["gemeente_code_actueel"])
        assert later in successors[parse_gemeente_code(r["gemeente_code"])]
    others = [r for r in rows if parse_gemeente_code(r["gemeente_code"]) not in successors]
    assert not any(r["gemeente_code_actueel"] for r in others)
    # after the last split nobody carries a later address
    assert not any(r["gemeente_code_actueel"] for r in extract(inbox, "perined", 2022)[1])


def test_rough_rates(inbox):
    _, rows = extract(inbox, "perined", 2017)
    assert 1_500 <= len(rows) <= 1_900  # ~170,000 births at scale 1
    births = [r for r in rows if not (r["sterfte"] in ("1", "2") and int(r["amww"]) < 24)]
    preterm = sum(int(r["amww"]) < 37 for r in births) / len(births)
    assert 0.04 <= preterm <= 0.10
    known = [float(r["hoftiezer"].replace(",", ".")) for r in births if r["hoftiezer"]]
    assert 0.06 <= sum(v < 10 for v in known) / len(known) <= 0.15
    twins = [r for r in rows if r["omv"] == "2"]
    assert twins and {r["rangnummer"] for r in twins} == {"1", "2"}
    mothers = {}
    for r in twins:
        mothers.setdefault(r["moeder_id"], []).append(r["rangnummer"])
    assert all(sorted(v) == ["1", "2"] for v in mothers.values())
    # vektis holds the live births only, with the perined ids
    _, vektis = extract(inbox, "vektis", 2017)
    live = {r["kind_id"] for r in rows if r["sterfte"] not in ("1", "2")}
    assert {r["kind_id"] for r in vektis} == live
    _, linked = extract(inbox, "cbs_linked", 2017)
    assert [r["kind_id"] for r in linked] == [r["kind_id"] for r in rows]


def test_a_year_after_the_bundled_classifications_reuses_the_newest_and_says_so(tmp_path):
    import json

    newest = regions.bundled_years()[-1]
    later = newest + 2
    write_demo_extracts(tmp_path, years=[later], scale=0.002, seed=42)
    folder = tmp_path / "regions" / str(later)
    header, rows = read(folder / f"gebieden_in_nederland_{later}.csv")
    codes = sorted(r["Gemeentecode (GM-code)"] for r in rows)
    assert codes == sorted(g.code for g in regions.classification(newest))
    _, merger_rows = read(folder / "herindelingen.csv")
    assert len(merger_rows) == len(regions.mergers())  # no merger is invented
    notes = json.loads((folder / f"gebieden_in_nederland_{later}.source.json").read_text())
    assert notes["synthetic"] and f"reuses the {newest} gemeenten" in notes["notes"]
    _, births = extract(tmp_path, "perined", later)
    assert births and {b["geboortejaar"] for b in births} == {str(later)}
    assert not (tmp_path / "regions" / str(newest)).exists()
