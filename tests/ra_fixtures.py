"""A tiny RA layout of real SPSS `.sav` files (written with pyreadstat), for the RA reading tests.

`write_ra_layout(root)` writes drives `G`, `L` as folders under `root` and returns the text of
an `ra_layout.toml` that maps `G:` and `L:` to them. What is in it, by hand:

Persons (RINPERSOONS 'R'): children C1..C6, mothers M1..M6, one other parent P1.
- C1 (born 2023): mother M1 at address object BAG 1 (gemeente 0363 in 2023) all along.
- C2 (born 2023): mother M2 moved on 1 June 2023 from BAG 2 (0344) to BAG 3 (0599): placed in 0599.
- C3 (born 2023): mother key missing ('000000000'): unknown gemeente.
- C4 (born 2023): mother M4 has no address on 30 June 2023 (her spell ended in 2022): unknown.
- C5 (born 2023): mother M5 at a non-BAG address (NIETVSLGWBTAB), gemeente 0014.
- C6 (born 2022): mother M6 in Weesp (0457 in the 2022 column): Amsterdam 0363 by the hand rule.

Versions: KINDOUDERTAB comes as V1 (superseded: C1 without a mother) and V2 (counts; its
column names are in mixed case, `RinPersoonsMa`). GBALEVENDGEBORENENMASSATAB has 2022 V1 and
2023 V1 + V2 (V2 counts: it adds C5). The Perined delivery comes as an older `.sav` and a newer
`;`-separated CSV with decimal commas (the CSV counts: it covers up to 2024).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

R = "R"
C = {i: f"00000010{i}" for i in range(1, 7)}
M = {i: f"00000001{i}" for i in range(1, 7)}
P1 = "000000021"
OPEN_END = "88881231"


def write_sav(path: Path, columns: dict[str, list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(pd.DataFrame(columns), str(path))
    return path


def kindoudertab(version: int) -> dict[str, list]:
    children = [1, 2, 3, 4, 5, 6]
    mothers = [M[1] if version >= 2 else "---------", M[2], "000000000", M[4], M[5], M[6]]
    table = {
        "RINPERSOONS": [R] * 6, "RINPERSOON": [C[i] for i in children],
        "RINPERSOONSMa": [R] * 6, "RINPERSOONMa": mothers,
        "RINPERSOONSpa": [R, "", "", "", "", ""], "RINPERSOONpa": [P1, "", "---------", "", "000000000", ""],
        "XKOPPELNUMMER": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # a variable the monitor does not read
    }
    if version >= 2:  # a later delivery writes the names in another case
        table = {name.replace("RINPERSOONS", "RinPersoons").replace("RINPERSOON", "RinPersoon"): values for name, values in table.items()}
    return table


def write_ra_layout(root: Path) -> str:
    g, ell = root / "G", root / "L"
    bev = g / "Bevolking"
    write_sav(bev / "KINDOUDERTAB" / "KINDOUDER2023TABV1.sav", kindoudertab(1))
    write_sav(bev / "KINDOUDERTAB" / "KINDOUDER2023TABV2.sav", kindoudertab(2))
    births = bev / "GBALEVENDGEBORENENMASSATAB"
    write_sav(births / "2022" / "GBALEVENDGEBORENENMASSA2022TABV1.sav",
              {"RINPERSOONS": [R], "RINPERSOON": [C[6]], "RANGNUMMERMOEDER": [1.0]})
    write_sav(births / "2023" / "GBALEVENDGEBORENENMASSA2023TABV1.sav",
              {"RINPERSOONS": [R] * 4, "RINPERSOON": [C[i] for i in (1, 2, 3, 4)],
               "RANGNUMMERMOEDER": [1.0, 2.0, 1.0, 3.0]})
    write_sav(births / "2023" / "GBALEVENDGEBORENENMASSA2023TABV2.sav",
              {"rinpersoons": [R] * 5, "rinpersoon": [C[i] for i in (1, 2, 3, 4, 5)],
               "rangnummermoeder": [1.0, 2.0, 1.0, 3.0, 1.0]})
    write_sav(bev / "GBAADRESOBJECTBUS" / "GBAADRESOBJECT2023BUSV1.sav", {
        "RINPERSOONS": [R] * 6,
        "RINPERSOON": [M[1], M[2], M[2], M[4], M[5], M[6]],
        "GBADATUMAANVANGADRESHOUDING": ["20150101", "20200101", "20230601", "20100101", "20190301", "20180101"],
        "GBADATUMEINDEADRESHOUDING": [OPEN_END, "20230531", OPEN_END, "20221231", OPEN_END, OPEN_END],
        "SOORTOBJECTNUMMER": ["BAG", "BAG", "BAG", "BAG", "NBAG", "BAG"],
        "RINOBJECTNUMMER": ["1", "2", "3", "4", "5", "6"],
    })
    wonen = g / "BouwenWonen"
    write_sav(wonen / "VSLGWBTAB" / "VSLGWB2024TAB03V1.sav", {
        "SOORTOBJECTNUMMER": ["BAG"] * 5, "RINOBJECTNUMMER": ["1", "2", "3", "4", "6"],
        "gem2022": ["0363", "0344", "0599", "0518", "0457"],
        "gem2023": ["0363", "0344", "0599", "0518", "0363"],
    })
    write_sav(wonen / "NIETVSLGWBTAB" / "NIETVSLGWB2024TAB03V1.sav", {
        "SOORTOBJECTNUMMER": ["NBAG"], "RINOBJECTNUMMER": ["5"], "GEM2022": ["0014"], "GEM2023": ["0014"],
    })
    perined = ell / "Perined"
    write_sav(perined / "2024" / "Perined_2017_2023V1.sav", {
        "RINPERSOONS_Kind": [R], "Rinpersoon_Kind": [C[1]], "RINPERSOONS_Moeder": [R],
        "Rinpersoon_Moeder": [M[1]], "jaar": [2023.0], "amww": [39.0], "hoftiezer": [50.5],
        "sterfte": [0.0], "omv": [1.0], "rangnummer": [1.0],
    })
    csv = perined / "2025" / "Perined_2017_2024V1.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    csv.write_text(
        "CBKSoortNr_Kind;Rinpersoon_Kind;CBKSoortNr_Moeder;Rinpersoon_Moeder;jaar;amww;hoftiezer;sterfte;omv;rangnummer\n"
        f"R;{C[1]};R;{M[1]};2023;39;50,5;0;1;1\n"
        f"R;{C[2]};R;{M[2]};2023;36;7,25;0;1;1\n"
        f"R;{C[3]};;000000000;2023;41;;0;1;1\n",
        encoding="utf-8")
    return (
        "# the tiny RA layout of the tests: the drives are folders\n"
        "[roots]\n"
        f"\"G:\" = '{g.as_posix()}'\n"
        f"\"L:\" = '{ell.as_posix()}'\n"
    )
