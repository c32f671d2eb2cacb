"""Every RA table the monitor reads, as real `.sav` files with a handful of persons, for the
tests of the rules from RA tables to a year's records (tests/test_ra_records.py). Build year
2022; the expected records are in EXPECTED_* below, each with the rule it pins.

Address objects (gemeente per classification column gem2021, gem2022, gem2023):
  A1 Amsterdam 0363 | A2 0344 | A3 0599 | A5 0014 | N1 (no BAG object) Weesp, 457 in 2021-2022, 363 in 2023
"""

from __future__ import annotations

from pathlib import Path

from tests.ra_fixtures import write_sav

YEAR = 2022
OPEN = "88881231"


def key(name: str) -> str:
    """A 9-digit person number per name (stable, leading zeros)."""
    return f"{abs(hash_name(name)) % 10**8:09d}"


def hash_name(name: str) -> int:
    value = 0
    for ch in name:
        value = (value * 131 + ord(ch)) % 1_000_000_007
    return value


def persons(*names: str) -> dict[str, list]:
    return {"RINPERSOONS": ["R"] * len(names), "RINPERSOON": [key(n) for n in names]}


def write_full_layout(root: Path) -> str:
    """Write the drives G, K, L under `root`; returns the ra_layout.toml text."""
    g, k, ell = root / "G", root / "K", root / "L"
    bev = g / "Bevolking"
    write_sav(bev / "KINDOUDERTAB" / "KINDOUDER2022TABV1.sav", {
        **persons("C1", "C2", "C4", "C5", "C6", "C7", "Y1", "Y2", "Y3", "Y4"),
        "RINPERSOONSMa": ["R"] * 10,
        "RINPERSOONMa": [key(m) for m in ("M1", "M2", "M4", "M5", "M6", "M6", "M8", "M1", "M8", "M8")],
        "RINPERSOONSpa": ["R", "R", "", "", "", "", "", "", "", ""],
        "RINPERSOONpa": [key("P1"), key("P2"), "", "", "", "", "", "", "", ""],
    })
    people = [  # name, birth date, origin country
        ("C1", "20220310", ""), ("C2", "20220520", ""), ("C4", "20221001", ""), ("C5", "20220102", ""),
        ("C6", "20220704", ""), ("C7", "20220704", ""), ("Y1", "20210601", ""), ("Y2", "20220115", ""),
        ("Y3", "20190601", ""), ("Y4", "20210301", ""),
        ("M1", "19900815", "6030"), ("M2", "19950101", "5001"), ("M4", "20040601", "9999"),
        ("M5", "19880520", "6030"), ("M6", "19850101", "7002"), ("M8", "19920202", "6030"),
        ("P1", "19890101", "6030"), ("P2", "19900101", "6030"), ("X1", "19700101", "6030"),
    ]
    write_sav(bev / "GBAPERSOONTAB" / "GBAPERSOON2023TABV1.sav", {
        **persons(*[p[0] for p in people]),
        "GBAGEBOORTEJAAR": [p[1][:4] for p in people], "GBAGEBOORTEMAAND": [p[1][4:6] for p in people],
        "GBAGEBOORTEDAG": [p[1][6:] for p in people], "GBAGESLACHT": ["2"] * len(people),
        "GBAHERKOMSTGROEPERING": [p[2] for p in people], "GBAGENERATIE": ["0"] * len(people),
    })
    spells = [  # person, object kind, object, from, to
        ("M1", "VBO", "A1", "20100101", OPEN),
        ("M2", "VBO", "A2", "20150101", "20220531"), ("M2", "VBO", "A3", "20220601", OPEN),
        ("M4", "VBO", "A2", "20200101", "20220301"), ("M4", "VBO", "A5", "20220901", OPEN),
        ("M5", "NIETVBO", "N1", "20180101", OPEN),
        ("M6", "VBO", "A1", "20200101", OPEN),
        ("M8", "VBO", "A1", "20190101", OPEN),
        ("X1", "VBO", "A2", "20000101", OPEN),
    ]
    write_sav(bev / "GBAADRESOBJECTBUS" / "GBAADRESOBJECT2023BUSV1.sav", {
        **persons(*[s[0] for s in spells]),
        "SOORTOBJECTNUMMER": [s[1] for s in spells], "RINOBJECTNUMMER": [s[2] for s in spells],
        "GBADATUMAANVANGADRESHOUDING": [s[3] for s in spells], "GBADATUMEINDEADRESHOUDING": [s[4] for s in spells],
    })
    bag = [("A1", "363", "363", "363"), ("A2", "344", "344", "344"), ("A3", "599", "599", "599"),
           ("A5", "14", "14", "14")]
    write_sav(g / "BouwenWonen" / "VSLGWBTAB" / "VSLGWB2023TABV1.sav", {
        "SOORTOBJECTNUMMER": ["VBO"] * len(bag), "RINOBJECTNUMMER": [b[0] for b in bag],
        "gem2021": [b[1] for b in bag], "gem2022": [b[2] for b in bag], "gem2023": [b[3] for b in bag],
    })
    write_sav(g / "BouwenWonen" / "NIETVSLGWBTAB" / "NIETVSLGWB2023TABV1.sav", {
        "SOORTOBJECTNUMMER": ["NIETVBO"], "RINOBJECTNUMMER": ["N1"],
        "gem2021": ["457"], "gem2022": ["457"], "gem2023": ["363"],
    })
    write_sav(bev / "GBALEVENDGEBORENENMASSATAB" / "2022" / "GBALEVENDGEBORENENMASSA2022TABV1.sav", {
        **persons("C1", "C2", "C4", "C5", "C6", "C7", "Y2"), "RANGNUMMERMOEDER": [2, 1, 1, 3, 1, 1, 1],
    })
    perined = [  # child (kind), mother, amww, hoftiezer, amddd1ond, sterfte, omv, rangnummer, lft, par
        ("C1", "R", "M1", 39, 45.5, 60, 0, 1, 1, 31, 1),
        ("C2", "R", "M2", 36, 8.0, 80, 0, 1, 1, 27, 0),
        ("C3", "R", "M3", 40, None, None, 0, 1, 1, 25, 2),
        ("C4", "R", "M4", 38, 50.0, 65, 0, 1, 1, 17, 0),
        ("C5", "R", "M5", 41, 70.0, 55, 0, 1, 1, 33, 2),
        ("C6", "R", "M6", 35, 20.0, 62, 0, 2, 1, 37, 0),
        ("C7", "R", "M6", 35, 5.0, 62, 3, 2, 2, 37, 0),
        ("C9", "D", "M7", 30, None, 70, 1, 1, 1, 29, 1),
    ]
    write_sav(ell / "Perined" / "Perined_2017_2022V1.sav", {
        "RINPERSOONS_Kind": [p[1] for p in perined], "Rinpersoon_Kind": [key(p[0]) for p in perined],
        "RINPERSOONS_Moeder": ["R"] * len(perined), "Rinpersoon_Moeder": [key(p[2]) for p in perined],
        "jaar": [YEAR] * len(perined), "amww": [p[3] for p in perined], "hoftiezer": [p[4] for p in perined],
        "amddd1ond": [p[5] for p in perined], "sterfte": [p[6] for p in perined], "omv": [p[7] for p in perined],
        "rangnummer": [p[8] for p in perined], "lft": [p[9] for p in perined], "par": [p[10] for p in perined],
    })
    vektis = ell / "Vektis"
    write_sav(vektis / "Vektis_01Moedersenbevallingen202312V1.sav", {
        **persons("M1", "M2", "M6", "M6"), "trajectid": ["T1", "T2", "T5", "T6"],
        "bevallingsmaand": [202203, 202205, 202107, 202207],  # T5: M6's delivery of an earlier year
    })
    write_sav(vektis / "Vektis_03Geboortezorgmoeders202312V1.sav", {
        "RinPersoons": ["R"] * 4, "Rinpersoon": [key(m) for m in ("M1", "M2", "M6", "M6")],
        "trajectid": ["T1", "T2", "T6", "T6"], "prestatiemaand": [202203, 202204, 202208, 202208],
        "ib_indeling": ["Kraamzorg per uur", "Kraamzorg per uur", "Verloskunde", "Kraamzorg per uur"],
        "aantal": [40, 30, 1, 45],
    })
    gw = g / "GezondheidWelzijn"
    write_sav(gw / "MSZPRESTATIESVEKTTAB" / "2022" / "MSZPRESTATIESVEKT2022TABV1.sav", {
        **persons("M2", "M1"), "VEKTMSZDBCZorgproduct": ["159899011", "131999001"],
    })
    write_sav(g / "VeiligheidRecht" / "WSNPPERSBUS" / "WSNPPERS2023BUSV1.sav", {
        **persons("M1", "M5"), "WSNPDATUMTOELAAT": ["20210501", "20180101"],
        "WSNPDATUMBEEIN": ["20220201", "20211231"],  # M5's spell ended before 2022
    })
    write_sav(gw / "WANBZVWTAB" / "2022" / "WANBZVW2022TABV1.sav", persons("P2", "X1"))
    write_sav(gw / "ZVWZORGKOSTENTAB" / "2022" / "ZVWZORGKOSTEN2022TABV1.sav", {
        **persons("M4", "M5"), "ZVWKGENBASGGZ": [0.0, 80.0], "ZVWKSPECGGZ": [0.0, 0.0],
        "ZVWKGGZZPMTOTAAL": [100.0, 0.0],  # from 2022 only the total counts
    })
    write_sav(gw / "MEDICIJNTAB" / "2022" / "MEDICIJN2022TABV1.sav", {
        **persons("P2", "M6", "X1"), "ATC4": ["N06A", "A02B", "N05B"],
    })
    inha = g / "InkomenBestedingen" / "INHATAB" / "2022"
    write_sav(inha / "KOPPELPERSOONHUISHOUDEN2022V1.sav", {
        **persons("M1", "M2", "M5", "M6"),
        "RINPERSOONSHKW": ["R"] * 4, "RINPERSOONHKW": [key(h) for h in ("H1", "H2", "H5", "H6")],
    })
    write_sav(inha / "INHA2022TABV1.sav", {
        "RINPERSOONSHKW": ["R"] * 4, "RINPERSOONHKW": [key(h) for h in ("H1", "H2", "H5", "H6")],
        "INHP100HGEST": [15, -1, 20, 81],
    })
    write_sav(g / "Onderwijs" / "HOOGSTEOPLTAB" / "2022" / "HOOGSTEOPL2022TABV1.sav", {
        **persons("M1", "M5", "M6"), "OPLNRHB": ["1001", "2002", "3003"],
    })
    ref = k / "Utilities" / "Code_Listings" / "SSBreferentiebestanden"
    write_sav(ref / "OPLEIDINGSNRREFV33.sav", {"OPLNR": ["1001"], "CTO": ["999"]})  # superseded
    write_sav(ref / "OPLEIDINGSNRREFV34.sav", {"OPLNR": ["1001", "2002", "3003"], "CTO": ["111", "222", "333"]})
    write_sav(ref / "CTOREFV12.sav", {"CTO": ["111", "222", "333"], "OPLNIVSOI2016AGG4HB": ["1111", "2121", "9999"]})
    write_sav(ref / "LANDAKTUEELREFV13.sav", {
        "LAND": ["6030", "5001", "7002"], "LANDNAAM": ["Nederland", "Belgie", "Marokko"],
        "WERELDDEEL": ["Nederland", "Europa", "Afrika"],
    })
    write_sav(ell / "Kwetsbaarheid" / "meervoudig_kwetsbaar_2022V1.sav", {
        "RINPERSOONS_KIND": ["R", "R"], "RINPERSOON_KIND": [key("C1"), key("C2")],
        "voorspelling_kwetsbaar": ["ja", "nee"], "kans_kwetsbaar": [0.8, 0.1],
    })
    vr = g / "VeiligheidRecht" / "JGDBESCHERMBUS" / "2022"
    write_sav(vr / "JGDBESCHERM2022BUSV1.sav", {
        **persons("Y1", "Y2", "Y3", "Y4"), "JGDBMAATREGEL": [11, 21, 11, 31],
        "JGDBGELDIGHEIDBEGINDATUM": ["20220201", "20220301", "20220101", "20220101"],
        "JGDBGELDIGHEIDEINDDATUM": ["20221001", "20220401", "20221231", "20221231"],
    })
    write_sav(gw / "JGDHULPBUS" / "2022" / "JGDHULP2022BUSV1.sav", {
        **persons("Y1", "Y2", "Y4"), "JGDHHULPVORM": [12, 12, 12],
        "JGDHGELDIGHEIDBEGINDATUM": ["20220501", "20220601", "20220101"],
        "JGDHGELDIGHEIDEINDDATUM": ["20220601", "20220701", "20221231"],
    })
    return "\n".join(["[roots]", f'"G:" = "{g.as_posix()}"', f'"K:" = "{k.as_posix()}"', f'"L:" = "{ell.as_posix()}"', ""])


def kid(name: str, kind: str = "R") -> str:
    return kind + key(name)


# perined: kind_id -> (gemeente_code, gemeente_code_actueel, leeftijd_moeder, pariteit)
EXPECTED_PERINED = {
    kid("C1"): ("GM0363", "GM0363", "31", "1"),   # GBA dates: 1990-08-15 to 2022-03-10; rank 2
    kid("C2"): ("GM0599", "GM0599", "27", "0"),   # moved on 1 June: the address on 30 June
    kid("C3"): ("", "", "25", "2"),               # no parents link, mother without address; Perined's lft, par
    kid("C4"): ("GM0014", "GM0014", "18", "0"),   # no address on 30 June: the fallback (arrived in September)
    kid("C5"): ("GM0363", "GM0363", "33", "2"),   # non-BAG address in Weesp (457): Amsterdam from 2022
    kid("C6"): ("GM0363", "GM0363", "37", "0"),
    kid("C7"): ("GM0363", "GM0363", "37", "0"),
    kid("C9", "D"): ("", "", "29", "1"),          # stillbirth: no parents link, Perined's mother M7 unknown
}
# cbs_linked: kind_id -> (inkomen_kwintiel, opleiding_moeder, migratieachtergrond,
#                         problematische_schulden, psychische_problemen, meervoudig_kwetsbaar)
EXPECTED_CBS_LINKED = {
    kid("C1"): ("1", "laag", "nederland", "1", "0", "1"),        # WSNP spell active in 2022
    kid("C2"): ("", "onbekend", "europa", "1", "1", "0"),        # negative percentile; the other parent's debts and medicine
    kid("C4"): ("", "onbekend", "onbekend", "0", "1", ""),       # country 9999 not in the reference; 2022 total costs
    kid("C5"): ("1", "midden", "nederland", "0", "0", ""),       # percentile 20 is quintile 1; WSNP ended 2021; old variable only
    kid("C6"): ("5", "onbekend", "buiten_europa", "0", "0", ""),  # level 9999: unknown; A02B is no mental-health medicine
    kid("C7"): ("5", "onbekend", "buiten_europa", "0", "0", ""),
}
# vektis: kind_id -> (kraamzorg_declaratie, lange_opname)
EXPECTED_VEKTIS = {
    kid("C1"): ("1", "0"),
    kid("C2"): ("0", "1"),   # the claim precedes the delivery month; the mother's long-stay product
    kid("C6"): ("1", "0"),   # twins share the 2022 trajectory (not the 2021 one)
    kid("C7"): ("1", "0"),
}
# youth_protection: kind_id -> (gemeente_code, leeftijd, residentieel_overlap)
EXPECTED_YOUTH_PROTECTION = {
    kid("Y1"): ("GM0363", "1", "1"),
    kid("Y2"): ("GM0363", "0", "0"),   # measure and stay in the year, but they do not overlap
}
# how the births were placed
EXPECTED_PLACEMENT = {"adres": 5, "terugval": 1, "geen": 2}
