"""The real classifications (gemeentelijke indelingen) and mergers bundled with the demo generator.

They serve `ksm demo-data` only: the warehouse reads every classification from the `regions`
extract of its year. The bundled data lives in `demo/reference/`:

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from orchestration.regions import Merger

REFERENCE_DIR = Path(__file__).parent / "reference"

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



@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    provincie_code: str
    ggd_code: str


# --------------------------------------------------------------------------- reading


def _reference_text(filename: str) -> str:
    return (REFERENCE_DIR / filename).read_text(encoding="utf-8")


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


def bundled_years() -> list[int]:
    """The classification years the bundled files cover (2017..2024 as shipped)."""
    rows = _gemeente_rows()
    return list(range(min(first for _, first, _ in rows), max(last for _, _, last in rows) + 1))


def classification(year: int) -> list[Gemeente]:
    """The gemeenten on 1 January of `year` (a bundled year), sorted by code."""
    years = bundled_years()
    if year not in years:
        raise ValueError(f"no bundled classification for {year}; available: {years[0]}..{years[-1]}")
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


