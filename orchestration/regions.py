"""Dutch municipal classifications (gemeentelijke indelingen) and mergers, 2017-2024.

Pure reference module (standard library only). The bundled data lives in
`orchestration/demo/reference/`:

- `gemeenten.csv`: one row per gemeente that exists on 1 January of at least one classification
  year 2017..2024, with its provincie, its GGD-regio and the first/last classification year (within
  2017..2024) in which it exists. A gemeente that disappeared by merger keeps the provincie and
  GGD-regio it belonged to while it existed.
- `herindelingen.csv`: one row per (old gemeente, successor) for every merger in force from
  2017-01-01 up to and including 2024-01-01, with the share of the old gemeente's population
  that went to that successor.

Split shares. Three old gemeenten were divided over several successors: Littenseradiel (2018),
Winsum (2019) and Haaren (2021). Their `aandeel` values are approximate population shares of the
villages transferred to each successor, rounded to two decimals so that they sum to 1.0. They
are only a fallback: a record that carries the person's later address (the newest
classification's gemeente) is allocated by that address, and these shares are used only when a
record has no such address.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

FIRST_YEAR = 2017
LAST_YEAR = 2024

PROVINCES: dict[str, str] = {
    "PV20": "Groningen",
    "PV21": "Fryslân",
    "PV22": "Drenthe",
    "PV23": "Overijssel",
    "PV24": "Flevoland",
    "PV25": "Gelderland",
    "PV26": "Utrecht",
    "PV27": "Noord-Holland",
    "PV28": "Zuid-Holland",
    "PV29": "Zeeland",
    "PV30": "Noord-Brabant",
    "PV31": "Limburg",
}

GGD_REGIONS: dict[str, str] = {
    "GG0111": "GGD Groningen",
    "GG0706": "GGD Drenthe",
    "GG1009": "GGD IJsselland",
    "GG1106": "GGD Twente",
    "GG1413": "GGD Noord- en Oost-Gelderland",
    "GG1911": "GGD Gelderland-Midden",
    "GG2014": "GGD Gelderland-Zuid",
    "GG2209": "GGD Flevoland",
    "GG2514": "GGD Regio Utrecht",
    "GG2707": "GGD Hollands Noorden",
    "GG3109": "GGD Kennemerland",
    "GG3406": "GGD Amsterdam",
    "GG3606": "GGD Gooi en Vechtstreek",
    "GG4506": "GGD Hollands Midden",
    "GG4607": "GGD Rotterdam-Rijnmond",
    "GG4816": "GGD Zuid-Holland Zuid",
    "GG5006": "GGD Zeeland",
    "GG5206": "GGD West-Brabant",
    "GG5406": "GGD Hart voor Brabant",
    "GG5608": "GGD Brabant-Zuidoost",
    "GG6011": "GGD Limburg-Noord",
    "GG6106": "GGD Zuid-Limburg",
    "GG7014": "GGD Haaglanden",
    "GG7206": "GGD Fryslân",
    "GG7306": "GGD Zaanstreek-Waterland",
}

GEMEENTEN_FILE = "gemeenten.csv"
HERINDELINGEN_FILE = "herindelingen.csv"

# Tolerance when checking that the shares of one old gemeente add up to 1.
_SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    provincie_code: str
    ggd_code: str


@dataclass(frozen=True)
class Merger:
    date: datetime.date
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    share: float

    @property
    def classification_year(self) -> int:
        """First 1-January classification in which this merger is in force."""
        if (self.date.month, self.date.day) == (1, 1):
            return self.date.year
        return self.date.year + 1


# --------------------------------------------------------------------------- reading


def _reference_text(filename: str) -> str:
    package = __name__.rpartition(".")[0] or "orchestration"
    try:
        resource = resources.files(package).joinpath("demo").joinpath("reference").joinpath(filename)
        return resource.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # Fallback for a plain checkout where the package is not importable by name.
        return (Path(__file__).parent / "demo" / "reference" / filename).read_text(encoding="utf-8")


def _rows(text: str) -> list[dict[str, str]]:
    return [
        {k.strip(): (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    ]


@lru_cache(maxsize=1)
def _gemeente_rows() -> tuple[tuple[Gemeente, int, int], ...]:
    out = []
    for row in _rows(_reference_text(GEMEENTEN_FILE)):
        gemeente = Gemeente(
            code=row["gemeente_code"],
            name=row["gemeente_name"],
            provincie_code=row["provincie_code"],
            ggd_code=row["ggd_code"],
        )
        out.append((gemeente, int(row["first_year"]), int(row["last_year"])))
    return tuple(out)


def classification(year: int) -> list[Gemeente]:
    """The gemeenten on 1 January of `year` (2017..2024), sorted by code."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"no bundled classification for {year}; available: {FIRST_YEAR}..{LAST_YEAR}"
        )
    found = [g for g, first, last in _gemeente_rows() if first <= year <= last]
    return sorted(found, key=lambda g: g.code)


def parse_mergers(text: str) -> list[Merger]:
    """Parse merger rows (`datum;oude_code;oude_naam;nieuwe_code;nieuwe_naam;aandeel`).

    Accepts a decimal comma in `aandeel`. Sorted by date, old code, new code.
    """
    out = []
    for row in _rows(text):
        out.append(
            Merger(
                date=datetime.date.fromisoformat(row["datum"]),
                old_code=row["oude_code"],
                old_name=row["oude_naam"],
                new_code=row["nieuwe_code"],
                new_name=row["nieuwe_naam"],
                share=float(row["aandeel"].replace(",", ".")),
            )
        )
    return sorted(out, key=lambda m: (m.date, m.old_code, m.new_code))


@lru_cache(maxsize=1)
def _bundled_mergers() -> tuple[Merger, ...]:
    return tuple(parse_mergers(_reference_text(HERINDELINGEN_FILE)))


def mergers() -> list[Merger]:
    """All mergers in the bundled `herindelingen.csv` (2017-01-01 .. 2024-01-01)."""
    return list(_bundled_mergers())


# --------------------------------------------------------------------------- mapping


def code_mapping(
    mergers: Iterable[Merger],
    from_year: int,
    to_year: int,
    from_codes: Iterable[str],
) -> dict[str, list[tuple[str, float]]]:
    """Map codes of the `from_year` classification onto the `to_year` classification.

    Follows every merger whose `classification_year` lies in (from_year, to_year], in date order,
    so that multi-step mergers chain (A->B, later B->C gives A->C) and shares multiply through
    splits. Mergers on the same date are applied together. Codes untouched by mergers map to
    themselves with share 1.0. Each result list is sorted by code and its shares sum to 1.0.

    Raises ValueError when to_year < from_year, or when the shares of one old gemeente on one
    date do not add up to 1.
    """
    if to_year < from_year:
        raise ValueError(f"cannot map backwards from {from_year} to {to_year}")

    # date -> old_code -> [(new_code, share)]
    steps: dict[datetime.date, dict[str, list[tuple[str, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for m in mergers:
        if from_year < m.classification_year <= to_year:
            steps[m.date][m.old_code].append((m.new_code, m.share))

    for date, by_old in steps.items():
        for old, successors in by_old.items():
            total = sum(share for _, share in successors)
            if abs(total - 1.0) > _SHARE_TOLERANCE:
                raise ValueError(
                    f"shares of {old} in the merger of {date.isoformat()} sum to {total}, not 1"
                )

    ordered_steps = [steps[d] for d in sorted(steps)]
    result: dict[str, list[tuple[str, float]]] = {}
    for code in from_codes:
        current: dict[str, float] = {code: 1.0}
        for by_old in ordered_steps:
            nxt: dict[str, float] = defaultdict(float)
            for c, weight in current.items():
                if c in by_old:
                    for new_code, share in by_old[c]:
                        nxt[new_code] += weight * share
                else:
                    nxt[c] += weight
            current = dict(nxt)
        result[code] = sorted(current.items())
    return result
