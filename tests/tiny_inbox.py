"""A tiny, hand-made delivery for 2020 whose indicator values are worked out by hand below.

Records (year 2020, target classification 2024):
- Amsterdam GM0363, written '363': 30 births, 12 preterm (<37 weeks), 10 with percentile < 10
  (none of them preterm), 1 perinatal death; plus one stillbirth at 23 weeks (not a birth).
- Weesp GM0457, written 'GM0457': 20 births, 2 preterm, 0 SGA. Weesp joined Amsterdam in 2022, so on the
  2024 classification Amsterdam has 50 births, 14 preterm, 10 SGA, 24 big2.
- Haaren GM0788, written '0788': 25 births, split in 2021; 12 records carry a later address in Vught
  (GM0865) and 13 in Oisterwijk (GM0824). 11 preterm: 7 in the Vught group, 4 in the Oisterwijk group.
  Both gemeenten fall below 10; their GGD-regio Hart voor Brabant (GG5406) gets 11 of 25.
- 20 births with gemeente code 'GM9999' (unknown): counted in Nederland only; 10 preterm.

Nederland: 30 + 20 + 25 + 20 = 95 births; preterm 12 + 2 + 11 + 10 = 35; big2 24 + 11 + 10 = 45.
"""

from __future__ import annotations

import csv
from pathlib import Path

from demo.reference import GGD_REGIONS, PROVINCES, classification, mergers

YEAR = 2020
CLASSIFICATION_YEARS = range(2020, 2025)

EXPECTED = {
    # (indicator, region_code): (numerator, denominator)
    ("preterm", "GM0363"): (14, 50),
    ("preterm", "GM0865"): (7, 12),  # below 10: suppressed
    ("preterm", "NL01"): (35, 95),
    ("preterm", "GG5406"): (11, 25),
    ("sga", "GM0363"): (10, 50),
    ("big2", "GM0363"): (24, 50),
    ("big2", "NL01"): (45, 95),
    ("sga", "NL01"): (10, 95),
    ("perinatal_mortality", "NL01"): (1, 95),  # below 10: suppressed
}


def _write(path: Path, header: list[str], rows: list[list], encoding="utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def write_regions(inbox: Path, years=CLASSIFICATION_YEARS) -> None:
    header = ["Gemeentecode (GM-code)", "Gemeentenaam", "GGD-regiocode (GG-code)", "GGD-regionaam",
              "Provinciecode (PV-code)", "Provincienaam"]
    all_mergers = mergers()
    for year in years:
        rows = [[g.code, g.name, g.ggd_code, GGD_REGIONS[g.ggd_code], g.provincie_code, PROVINCES[g.provincie_code]]
                for g in classification(year)]
        _write(inbox / "regions" / str(year) / f"gebieden_in_nederland_{year}.csv", header, rows)
        merger_rows = [[m.date.isoformat(), m.old_code, m.old_name, m.new_code, m.new_name, str(m.share).replace(".", ",")]
                       for m in all_mergers if m.classification_year <= year]
        _write(inbox / "regions" / str(year) / "herindelingen.csv",
               ["datum", "oude_code", "oude_naam", "nieuwe_code", "nieuwe_naam", "aandeel"], merger_rows)


def _births() -> list[dict]:
    births = []

    def add(n, code, preterm=0, sga=0, deaths=0, actueel=""):
        for i in range(n):
            births.append({
                "gemeente_code": code,
                "gemeente_code_actueel": actueel,
                "amww": 34 if i < preterm else 39,
                # SGA records are taken after the preterm ones, so they do not overlap
                "hoftiezer": "5,5" if preterm <= i < preterm + sga else "50,0",
                "sterfte": 3 if i == n - 1 and deaths else 0,
            })

    add(30, "363", preterm=12, sga=10, deaths=1)
    add(20, "GM0457", preterm=2)
    add(12, "0788", preterm=7, actueel="GM0865")
    add(13, "0788", preterm=4, actueel="824")
    add(20, "GM9999", preterm=10)
    # a stillbirth before 24 weeks is not a birth in the monitor
    births.append({"gemeente_code": "363", "gemeente_code_actueel": "", "amww": 23, "hoftiezer": "",
                   "sterfte": 1})
    return births


def write_tiny_inbox(inbox: Path, year: int = YEAR) -> None:
    """The tiny delivery; another `year` gets the same records under that year (codes as written)."""
    write_regions(inbox)
    births = _births()
    if year > 2020:  # Haaren was split on 1 January 2021: later deliveries code its births to the new gemeenten
        for b in births:
            if b["gemeente_code"] == "0788":
                b["gemeente_code"] = b["gemeente_code_actueel"]
    perined_rows, linked_rows, vektis_rows = [], [], []
    for n, b in enumerate(births, start=1):
        kid = f"K{n:04d}"
        perined_rows.append([kid, f"M{n:04d}", year, b["gemeente_code"], b["gemeente_code_actueel"], b["amww"],
                             b["hoftiezer"], 60, b["sterfte"], 1, 1, 30, n % 2])
        linked_rows.append([kid, year, (n % 5) + 1, "midden", "nederland", 0, 0, 0])
        if b["sterfte"] not in (1, 2):
            vektis_rows.append([kid, year, 1, 0])
    _write(inbox / "perined" / str(year) / f"perined_{year}.csv",
           ["kind_id", "moeder_id", "geboortejaar", "gemeente_code", "gemeente_code_actueel", "amww", "hoftiezer",
            "amddd1ond", "sterfte", "omv", "rangnummer", "leeftijd_moeder", "pariteit"], perined_rows)
    _write(inbox / "cbs_linked" / str(year) / f"cbs_linked_{year}.csv",
           ["kind_id", "jaar", "inkomen_kwintiel", "opleiding_moeder", "migratieachtergrond",
            "problematische_schulden", "psychische_problemen", "meervoudig_kwetsbaar"], linked_rows)
    _write(inbox / "vektis" / str(year) / f"vektis_{year}.csv",
           ["kind_id", "jaar", "kraamzorg_declaratie", "lange_opname"], vektis_rows)
    _write(inbox / "youth_protection" / str(year) / f"youth_protection_{year}.csv",
           ["kind_id", "jaar", "gemeente_code", "leeftijd", "residentieel_overlap"],
           [[f"J{i}", year, "GM0363", i % 2, 1] for i in range(12)])
    _write(inbox / "population" / str(year) / f"population_{year}.csv",
           ["RegioS", "Perioden", "Leeftijd", "BevolkingOp1Januari_1"],
           [[f"{code:<10}", f"{year}JJ00", age, 500] for code in ("GM0363", "GM0457", "GM0788" if year < 2021 else "GM0865") for age in (0, 1)])
    _write(inbox / "questionnaire" / str(year) / f"questionnaire_{year}.csv",
           ["jaar", "gemeente_code", "gemeentenaam", "coalitie", "actieplan", "prenataal_huisbezoek",
            "nu_niet_zwanger"],
           # a few gemeenten leave the action plan unanswered; nobody answers nu_niet_zwanger
           [[year, g.code, g.name, "ja" if i % 3 == 0 else "nee", "" if i % 7 == 1 else "nee", "ja", ""]
            for i, g in enumerate(classification(year))],
           encoding="cp1252")
