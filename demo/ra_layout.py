"""A synthetic CBS Remote Access layout of real SPSS `.sav` files (`ksm demo-data --layout cbs-ra`).

`write_ra_layout(root, years, scale, seed)` writes folders `G/` (CBS standard microdata), `K/`
(CBS reference files) and `L/` (the project's deliveries) under `root`, as the RA drives. They
hold the same synthetic population as the extract generator (`demo.generator`) for the same
years, scale and seed: every record of the extracts' record-level sources (perined, cbs_linked,
vektis, youth_protection) is encoded into the RA tables so that the rules of docs/sources.md
("From the RA tables to the records of a year") give those rows back. What cannot be encoded
exactly is listed in docs/sources.md (the RA demo paragraph).

Persons get unique 9-digit RINPERSOON numbers (a bijective scramble of a counter, so unique over
the whole layout); RINPERSOONS is 'R', 'D' for stillborn children. Persons the monitor does not
need (other residents, older children, unrelated care rows) are added in proportion
`extra_persons` to make the tables look like population tables.

Every file is written with pyreadstat to a hidden temporary name in its folder and then renamed.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from demo import reference
from demo.generator import _rng, demo_year
from orchestration import regions

__all__ = ["write_ra_layout", "write_ra_layout_with_config", "layout_toml", "LONG_STAY_PRODUCTS", "FIRST_CLASSIFICATION_YEAR"]

FIRST_CLASSIFICATION_YEAR = 2017
OPEN_END = "88881231"
LONG_STAY_PRODUCTS = np.array(["159899011", "159899012", "990016382", "990017011"])
OTHER_PRODUCTS = np.array(["979001032", "140301003", "990356052", "150101009", "028899022"])
PSYCH_ATC4 = np.array(["N05A", "N05B", "N05C", "N06A", "N06B", "N06C"])
OTHER_ATC4 = np.array(["A02B", "J01C", "R03A", "H03A", "B03A", "G03A", "C07A", "M01A"])
YOUTH_MEASURES = np.array([11, 12, 21, 22, 23])

# reference files (synthetic codes in CBS's shape)
COUNTRIES = [  # LAND, LANDNAAM, WERELDDEEL
    ("6030", "Nederland", "Nederland"),
    ("5010", "Belgie", "Europa"), ("9089", "Duitsland", "Europa"), ("6066", "Polen", "Europa"),
    ("5049", "Bulgarije", "Europa"), ("6002", "Roemenie", "Europa"), ("7050", "Portugal", "Europa"),
    ("5022", "Marokko", "Afrika"), ("5007", "Suriname", "Amerika"), ("6043", "India", "Azie"),
    ("5001", "China", "Azie"), ("5046", "Eritrea", "Afrika"), ("5034", "Syrie", "Azie"),
    ("5075", "Australie", "Oceanie"), ("5065", "Colombia", "Amerika"),
]
EUROPE = np.array([c for c, _, w in COUNTRIES if w == "Europa"])
OUTSIDE_EUROPE = np.array([c for c, _, w in COUNTRIES if w not in ("Europa", "Nederland")])
UNKNOWN_COUNTRY = np.array(["", "0000", "9999"])  # empty, or codes the reference file does not know
LEVEL_CODES = {0: ["1111", "1112", "1211", "1212"], 1: ["2111", "2121", "2131", "2132"],
               2: ["3111", "3112", "3212", "3213"], 3: ["9999", "9000"]}


def layout_toml(root: Path) -> str:
    """The `ra_layout.toml` text that maps the drives G:, K: and L: to `root/G`, `root/K`, `root/L`."""
    root = Path(root)
    lines = ["# the synthetic RA layout of `ksm demo-data --layout cbs-ra`: the drives are folders", "[roots]"]
    for drive in ("G", "K", "L"):
        lines.append(f"\"{drive}:\" = {json.dumps((root / drive).as_posix())}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


class _Keys:
    """Unique 9-digit person numbers: 1 + (c * A + B) mod (10**9 - 1) over a running counter c."""

    MOD = 10**9 - 1

    def __init__(self, seed: int):
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 424242])
        a = int(rng.integers(10**8, 10**9 - 2))
        while math.gcd(a, self.MOD) != 1:
            a += 1
        self.a, self.b, self.next, self.seed = a, int(rng.integers(0, self.MOD)), 0, int(seed)

    def take(self, n: int) -> np.ndarray:
        if self.next + n > 9 * 10**9:  # keeps c * a within int64
            raise ValueError("too many persons for the key scramble")
        c = np.arange(self.next, self.next + n, dtype=np.int64)
        # shuffled within the batch, so neighbouring rows show no arithmetic pattern
        np.random.default_rng([self.seed & 0xFFFFFFFF, self.next]).shuffle(c)
        self.next += n
        vals = (c * self.a + self.b) % self.MOD + 1
        return np.array([f"{v:09d}" for v in vals.tolist()], dtype=object)


def _texts(values: np.ndarray, width: int = 0) -> np.ndarray:
    """Whole numbers as text (zero-padded to `width`), one shared str object per distinct value:
    a population table of repeated dates and codes then costs a pointer per cell."""
    values = np.asarray(values, dtype=np.int64)
    if values.size == 0:
        return np.array([], dtype=object)
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = np.array([str(v).zfill(width) for v in distinct.tolist()], dtype=object)
    return texts[inverse]


def _ymd(dates: np.ndarray) -> np.ndarray:
    """datetime64[D] -> 'YYYYMMDD' text."""
    idx = pd.DatetimeIndex(dates)
    return _texts((idx.year * 10000 + idx.month * 100 + idx.day).to_numpy())


def _day(year, month=1, day=1) -> np.datetime64:
    return np.datetime64(f"{int(year):04d}-{int(month):02d}-{int(day):02d}")


def _dates_in(rng, start, end, n) -> np.ndarray:
    """n uniform dates in [start, end] (datetime64[D], scalars or arrays)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    span = (end - start).astype(np.int64) + 1
    return start + np.floor(rng.random(n) * span).astype(np.int64).astype("timedelta64[D]")


def _write_sav(path: Path, frame: pd.DataFrame) -> tuple[int, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        import pyreadstat

        # plain object columns: pyreadstat iterates pandas' string arrays cell by cell, slowly
        frame = frame.astype({c: object for c in frame.columns if frame[c].dtype.kind not in "fiub"})
        pyreadstat.write_sav(frame, str(tmp))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(frame), path.stat().st_size


def _write_csv(path: Path, frame: pd.DataFrame) -> tuple[int, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame = frame.copy()
    for c in frame.columns:  # whole numbers without ',0'
        v = frame[c]
        if v.dtype.kind == "f" and bool(((v.dropna() % 1) == 0).all()):
            frame[c] = v.astype("Int64")
    try:
        frame.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(frame), path.stat().st_size


def _norm_codes(codes: Iterable[str], valid: set[str]) -> np.ndarray:
    """Delivered gemeente codes ('363', '0363', 'GM0363') -> 'GM0363' when a gemeente of `valid`, else ''."""
    out = []
    for code in codes:
        t = str(code).strip().upper()
        t = t[2:] if t.startswith("GM") else t
        gm = "GM" + t.zfill(4) if t.isdigit() and len(t) <= 4 else ""
        out.append(gm if gm in valid else "")
    return np.array(out, dtype=object)


@lru_cache(maxsize=None)
def reference_year(year: int) -> int:
    """The bundled classification a year uses (its own, or the newest for a later year)."""
    return min(int(year), reference.bundled_years()[-1])


@lru_cache(maxsize=None)
def _classification_codes(year: int) -> tuple[str, ...]:
    return tuple(_gm(g.code) for g in reference.classification(reference_year(year)))


def _gm(code: str) -> str:
    t = str(code).strip().upper()
    return "GM" + (t[2:] if t.startswith("GM") else t).zfill(4)


# --------------------------------------------------------------------------------------------
# geography: a gemeente of a birth year -> its code in every classification column
# --------------------------------------------------------------------------------------------


class _Columns:
    """The `gem<c>` values of an address object, c = 2017..last, for a gemeente of year Y."""

    def __init__(self, last: int):
        self.years = list(range(FIRST_CLASSIFICATION_YEAR, last + 1))
        self.mergers = [type(m)(m.date, _gm(m.old_code), m.old_name, _gm(m.new_code), m.new_name, m.share)
                        for m in reference.mergers()]
        self.codes = {c: list(_classification_codes(c)) for c in self.years}
        self.newest = reference_year(last)
        self._fwd: dict[tuple[int, int], dict] = {}
        self._back: dict[tuple[int, int], dict] = {}
        self.profiles: list[tuple[str, ...]] = []
        self._profile_index: dict[tuple[str, ...], int] = {}

    def valid(self, year: int) -> set[str]:
        return set(_classification_codes(year))

    def fwd(self, a: int, b: int) -> dict:
        ra, rb = reference_year(a), reference_year(b)
        if (ra, rb) not in self._fwd:
            codes = list(_classification_codes(ra))
            m = regions.code_mapping(self.mergers, ra, rb, codes) if rb > ra else {c: [(c, 1.0)] for c in codes}
            self._fwd[(ra, rb)] = {k: [(_gm(t), s) for t, s in v] for k, v in m.items()}
        return self._fwd[(ra, rb)]

    def back(self, c: int, y: int) -> dict:
        """gemeente of y -> its largest predecessor in classification c (c < y)."""
        key = (reference_year(c), reference_year(y))
        if key not in self._back:
            best: dict[str, tuple[float, str]] = {}
            for old, targets in self.fwd(c, y).items():
                for new, share in targets:
                    if new not in best or share > best[new][0]:
                        best[new] = (share, old)
            self._back[key] = {new: old for new, (_, old) in best.items()}
        return self._back[key]

    def destinations(self, year: int, code: str) -> list[tuple[str, float]]:
        return self.fwd(year, self.newest).get(code, [(code, 1.0)])

    def profile(self, year: int, code: str, dest: str, weesp: bool = False) -> int:
        """Index of the profile (codes per classification year) of an object in `code` in `year`
        whose newest-classification gemeente is `dest`."""
        values = []
        for c in self.years:
            if reference_year(c) == reference_year(year):
                value = code
            elif c > year:
                cands = self.fwd(year, c).get(code, [(code, 1.0)])
                value = cands[0][0]
                if len(cands) > 1:
                    for t, _ in cands:
                        if any(d == dest for d, _ in self.fwd(c, self.newest).get(t, [(t, 1.0)])):
                            value = t
                            break
            else:
                value = self.back(c, year).get(code, code)
            values.append(value[2:])
        if weesp:  # an address in Weesp: 0457 up to the 2022 classification, Amsterdam after
            values = ["0457" if c <= 2022 else "0363" for c in self.years]
        key = tuple(values)
        if key not in self._profile_index:
            self._profile_index[key] = len(self.profiles)
            self.profiles.append(key)
        return self._profile_index[key]


# --------------------------------------------------------------------------------------------
# the writer
# --------------------------------------------------------------------------------------------


class _Tables:
    """Rows of the one-file tables, collected over the years, and the files written."""

    def __init__(self, root: Path, say: Callable[[str], None]):
        self.root, self.say = root, say
        self.parts: dict[str, list[pd.DataFrame]] = {}
        self.written: dict[str, dict] = {}

    def add(self, name: str, frame: pd.DataFrame) -> None:
        self.parts.setdefault(name, []).append(frame)

    def write(self, relative: str, frame: pd.DataFrame, label: str) -> None:
        started = time.monotonic()
        path = self.root / relative
        rows, size = (_write_csv if path.suffix == ".csv" else _write_sav)(path, frame)
        self.written[relative] = {"rows": rows, "bytes": size}
        self.say(f"{label}: {rows:,} rows, {size / 1e6:.1f} MB ({time.monotonic() - started:.1f}s) -> {relative}")

    def combined(self, name: str) -> pd.DataFrame:
        return pd.concat(self.parts.pop(name), ignore_index=True)


def _persons(keys, s, year, month, day, sex, country, generation) -> pd.DataFrame:
    return pd.DataFrame({
        "RINPERSOONS": s, "RINPERSOON": keys,
        "GBAGEBOORTEJAAR": _texts(year), "GBAGEBOORTEMAAND": _texts(month, 2),
        "GBAGEBOORTEDAG": _texts(day, 2), "GBAGESLACHT": sex,
        "GBAHERKOMSTGROEPERING": country, "GBAGENERATIE": generation,
    })


def _split_date(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = pd.DatetimeIndex(dates)
    return idx.year.to_numpy(), idx.month.to_numpy(), idx.day.to_numpy()


def write_ra_layout(root: Path, years: Iterable[int] | None = None, scale: float = 1.0, seed: int = 42,
                    progress: Callable[[str], None] | None = None, extra_persons: float = 3.0,
                    crosswalk: bool = False) -> dict:
    """Write the synthetic RA drives `G/`, `K/`, `L/` under `root` for `years`.

    Returns {"roots": {"G:": ..., "K:": ..., "L:": ...}, "files": {relative path: {rows, bytes}},
    "seconds": ...}. `extra_persons`: persons the monitor does not need, as a multiple of the
    persons it needs (other residents with addresses, older children, unrelated care rows).
    `crosswalk=True` adds "crosswalk": a DataFrame (jaar, source, kind_id, moeder_id, RINPERSOONS,
    RINPERSOON, RINPERSOONMa) from the extract ids to the person keys, for tests (not written)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    years = sorted({int(y) for y in (reference.bundled_years() if years is None else years)})
    if not years or years[0] < FIRST_CLASSIFICATION_YEAR:
        raise ValueError(f"the RA demo starts in {FIRST_CLASSIFICATION_YEAR}")
    root = Path(root)
    say = progress or (lambda _line: None)
    started = time.monotonic()
    last = years[-1]
    keys = _Keys(seed)
    cols = _Columns(last)
    out = _Tables(root, say)
    object_counter = [0]
    # objects: profile index per object, BAG or not
    obj_profile: list[np.ndarray] = []
    obj_ids: list[np.ndarray] = []

    def new_objects(profile_idx: np.ndarray, rng) -> np.ndarray:
        """New address objects in the given profiles; every 33rd is not a BAG object (NIETVSLGWBTAB)."""
        n = profile_idx.size
        counter = np.arange(object_counter[0], object_counter[0] + n, dtype=np.int64)
        ids = (counter * 7919 + 1_000_003).astype(str).astype(object)
        object_counter[0] += n
        obj_profile.append(profile_idx.astype(np.int64))
        obj_ids.append(ids)
        return ids

    def soort(objects: np.ndarray) -> np.ndarray:
        counter = (objects.astype(np.int64) - 1_000_003) // 7919
        return np.where(counter % 33 == 0, "NVBO", "VBO").astype(object)

    def spells(person_s, person_k, objects, begin, end) -> None:
        out.add("adres", pd.DataFrame({
            "RINPERSOONS": person_s, "RINPERSOON": person_k,
            "GBADATUMAANVANGADRESHOUDING": _ymd(begin),
            "GBADATUMEINDEADRESHOUDING": np.where(pd.isna(end), OPEN_END, _ymd(np.where(pd.isna(end), begin, end))),
            "SOORTOBJECTNUMMER": soort(objects), "RINOBJECTNUMMER": objects}))

    def place(year, person_k, codes, dest, rng, weesp=None, late_share=0.0):
        """Address spells of persons (one per element) so that their address on 30 June `year`
        is in `codes` ('GM0363'; '' = no address that day). `dest`: newest-classification
        gemeente for a gemeente split later ('' = draw by shares). `late_share`: persons who
        arrive after 30 June (no address that day, the first later one in the year is in `codes`:
        the derivation's counted fallback)."""
        n = person_k.size
        june = _day(year, 6, 30)
        prof = np.full(n, -1, dtype=np.int64)
        cache: dict[tuple, int] = {}
        for i, (code, d) in enumerate(zip(codes.tolist(), dest.tolist())):
            if not code:
                continue
            dests = cols.destinations(year, code)
            if len(dests) > 1 and d not in [t for t, _ in dests]:
                shares = np.array([s for _, s in dests])
                d = dests[int(rng.choice(len(dests), p=shares / shares.sum()))][0]
            elif len(dests) == 1:
                d = dests[0][0]
            w = bool(weesp[i]) if weesp is not None else False
            k = (code, d, w)
            if k not in cache:
                cache[k] = cols.profile(year, code, d, weesp=w)
            prof[i] = cache[k]
        placed = prof >= 0
        pool = prof[placed] if placed.any() else np.array([0], dtype=np.int64)
        other = pool[rng.integers(0, pool.size, size=n)]  # another gemeente's address (a random other mother's)
        s = np.full(n, "R", dtype=object)
        kind = rng.random(n)
        # main spell: begins before 30 June (often years before), open or ending after it
        main_begin = _dates_in(rng, _day(year - 12), june, n)
        main_end = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        moved_in = placed & (kind < 0.12)            # moved here during the year
        moved_out = placed & (kind >= 0.12) & (kind < 0.20)  # moves away after 30 June
        overlap = placed & (kind >= 0.20) & (kind < 0.24)    # an older spell that overlaps
        late = placed & (kind >= 0.24) & (kind < 0.24 + late_share)  # arrives after 30 June
        main_begin[moved_in] = _dates_in(rng, _day(year, 1, 2), june, int(moved_in.sum()))
        main_end[moved_out] = _dates_in(rng, _day(year, 7, 1), _day(year, 12, 31), int(moved_out.sum()))
        main_begin[late] = _dates_in(rng, _day(year, 7, 1), _day(year, 12, 31), int(late.sum()))
        objs = new_objects(np.where(placed, prof, other), rng)
        # no address on 30 June: the spell ended before (emigrated, or an administrative gap)
        gone = ~placed
        main_begin[gone] = _dates_in(rng, _day(year - 8), _day(year - 1, 6, 30), int(gone.sum()))
        main_end[gone] = _dates_in(rng, _day(year - 1, 7, 1), _day(year, 6, 29), int(gone.sum()))
        nothing = gone & (rng.random(n) < 0.5)  # half of them: no spell at all
        keep = ~nothing
        spells(s[keep], person_k[keep], objs[keep], main_begin[keep], main_end[keep])
        # an earlier spell elsewhere that ended the day before the move
        for mask in (moved_in, overlap):
            m = int(mask.sum())
            if not m:
                continue
            o = new_objects(other[mask], rng)
            if mask is moved_in:
                b = _dates_in(rng, _day(year - 10), main_begin[mask] - np.timedelta64(30, "D"), m)
                e = main_begin[mask] - np.timedelta64(1, "D")
            else:  # overlapping: starts before the main spell and runs past 30 June; the latest start counts
                b = main_begin[mask] - rng.integers(1, 400, size=m).astype("timedelta64[D]")
                e = _dates_in(rng, _day(year, 7, 1), _day(year + 1, 3, 1), m)
            spells(s[mask], person_k[mask], o, b, e)
        m = int(moved_out.sum())
        if m:
            o = new_objects(other[moved_out], rng)
            spells(s[moved_out], person_k[moved_out], o, main_end[moved_out] + np.timedelta64(1, "D"),
                   np.full(m, np.datetime64("NaT"), dtype="datetime64[D]"))

    hoogste_refs = _education_reference(seed)
    totals = {"births": 0, "mothers": 0, "youth": 0}
    walks: list[pd.DataFrame] = []

    for year in years:
        t0 = time.monotonic()
        rng = _rng(seed, year, "ra_layout")
        d = demo_year(year, scale, seed)
        per, cbs, vek, yp = d["perined"], d["cbs_linked"], d["vektis"], d["youth_protection"]
        preg = d["preg"]
        n = preg.size
        n_preg = int(preg.max()) + 1 if n else 0
        first_child = np.unique(preg, return_index=True)[1]
        valid = cols.valid(year)

        sterfte = np.array(per["sterfte"], dtype=int)
        live = (sterfte != 1) & (sterfte != 2)
        age_p = np.array(per["leeftijd_moeder"], dtype=int)[first_child]
        par = np.array(per["pariteit"], dtype=int)

        child_k = keys.take(n)
        child_s = np.where(live, "R", "D").astype(object)
        mother_k = keys.take(n_preg)
        has_pa = rng.random(n_preg) < 0.6
        pa_k = np.where(has_pa, keys.take(n_preg), "").astype(object)

        # birth dates: per pregnancy; the mother's birthday on or before the child's day
        child_date_p = _dates_in(rng, _day(year), _day(year, 12, 31), n_preg)
        cy, cm, cd = _split_date(child_date_p)
        my = year - age_p
        limit = pd.to_datetime(pd.DataFrame({"year": my, "month": cm, "day": 1})).to_numpy().astype("datetime64[D]")
        limit = limit + (np.minimum(cd, pd.DatetimeIndex(limit).days_in_month.to_numpy()) - 1).astype("timedelta64[D]")
        mother_date = _dates_in(rng, limit.astype("datetime64[Y]").astype("datetime64[D]"), limit, n_preg)
        pa_date = mother_date - rng.integers(-700, 2500, size=n_preg).astype("timedelta64[D]")

        # migration background -> country of origin
        mig = np.array(cbs["migratieachtergrond"], dtype=object)[first_child]
        country = np.where(mig == "nederland", "6030",
                   np.where(mig == "europa", EUROPE[rng.integers(0, EUROPE.size, n_preg)],
                   np.where(mig == "buiten_europa", OUTSIDE_EUROPE[rng.integers(0, OUTSIDE_EUROPE.size, n_preg)],
                            UNKNOWN_COUNTRY[rng.integers(0, UNKNOWN_COUNTRY.size, n_preg)]))).astype(object)
        generation = np.where(mig == "nederland", "0", np.where(rng.random(n_preg) < 0.7, "1", "2")).astype(object)

        y_, m_, dd = _split_date(mother_date)
        out.add("persoon", _persons(mother_k, "R", y_, m_, dd, "2", country, generation))
        py, pm, pd_ = _split_date(pa_date[has_pa])
        pa_country = np.where(rng.random(int(has_pa.sum())) < 0.8, country[has_pa], "6030").astype(object)
        out.add("persoon", _persons(pa_k[has_pa], "R", py, pm, pd_,
                                    np.where(rng.random(int(has_pa.sum())) < 0.97, "1", "2"), pa_country,
                                    np.where(pa_country == "6030", "0", "1")))
        cy_c, cm_c, cd_c = cy[preg], cm[preg], cd[preg]
        child_gen = np.where(mig[preg] == "nederland", "0", "2").astype(object)
        out.add("persoon", _persons(child_k[live], "R", cy_c[live], cm_c[live], cd_c[live],
                                    np.where(rng.random(int(live.sum())) < 0.512, "1", "2"),
                                    "6030", child_gen[live]))

        # KINDOUDERTAB: exactly the children with a cbs_linked row
        linked = pd.Index(per["kind_id"]).isin(pd.Index(cbs["kind_id"]))
        out.add("kindouder", pd.DataFrame({
            "RINPERSOONS": child_s[linked], "RINPERSOON": child_k[linked],
            "RINPERSOONSMa": "R", "RINPERSOONMa": mother_k[preg][linked],
            "RINPERSOONSpa": np.where(has_pa[preg][linked], "R", ""), "RINPERSOONpa": pa_k[preg][linked]}))

        # live births of the year with the mother's rank
        out.write(f"G/Bevolking/GBALEVENDGEBORENENMASSATAB/{year}/GBALEVENDGEBORENENMASSA{year}TABV1.sav",
                  pd.DataFrame({"RINPERSOONS": child_s[live], "RINPERSOON": child_k[live],
                                "RANGNUMMERMOEDER": (par[live] + 1).astype(float)}),
                  f"{year} GBALEVENDGEBORENENMASSATAB")

        # Perined: all years in one delivery
        hof = pd.to_numeric(pd.Series(per["hoftiezer"], dtype=object).str.replace(",", "."), errors="coerce")
        visit = pd.to_numeric(pd.Series(per["amddd1ond"], dtype=object), errors="coerce")
        out.add("perined", pd.DataFrame({
            "RINPERSOONS_Kind": child_s, "Rinpersoon_Kind": child_k,
            "RINPERSOONS_Moeder": "R", "Rinpersoon_Moeder": mother_k[preg],
            "jaar": float(year), "amww": np.array(per["amww"], dtype=float), "hoftiezer": hof.to_numpy(),
            "amddd1ond": visit.to_numpy(), "sterfte": sterfte.astype(float),
            "omv": np.array(per["omv"], dtype=float), "rangnummer": np.array(per["rangnummer"], dtype=float),
            "lft": np.array(per["leeftijd_moeder"], dtype=float), "par": par.astype(float)}))

        # addresses: the mother's address on 30 June
        gem_p = _norm_codes(np.array(per["gemeente_code"], dtype=object)[first_child], valid)
        act_p = np.array([_gm(c) if c else "" for c in np.array(per["gemeente_code_actueel"], dtype=object)[first_child]],
                         dtype=object)
        weesp = np.zeros(n_preg, dtype=bool)
        if year == 2022 and 2022 in cols.years:
            weesp = (gem_p == "GM0363") & (rng.random(n_preg) < 0.05)
        place(year, mother_k, gem_p, act_p, rng, weesp, late_share=0.004)
        # the other parent mostly lives at another address (no rule reads it)
        if has_pa.any():
            place(year, pa_k[has_pa], gem_p[has_pa], act_p[has_pa], rng)

        # persons the monitor does not need: other residents with addresses, older children
        needed = n + n_preg + int(has_pa.sum()) + 2 * len(yp["kind_id"])
        n_other = int(extra_persons * needed)
        ok = keys.take(n_other)
        odate = _dates_in(rng, _day(1930), _day(year - 1, 12, 31), n_other)
        oy, om, od = _split_date(odate)
        ocountry = np.where(rng.random(n_other) < 0.75, "6030",
                            np.array([c for c, _, _ in COUNTRIES], dtype=object)[rng.integers(0, len(COUNTRIES), n_other)])
        out.add("persoon", _persons(ok, "R", oy, om, od, np.where(rng.random(n_other) < 0.5, "1", "2"), ocountry,
                                    np.where(ocountry == "6030", "0", "1")))
        oprof = np.array(list(range(len(cols.profiles))), dtype=np.int64)
        objs = new_objects(oprof[rng.integers(0, oprof.size, size=n_other)], rng)
        spells("R", ok, objs, odate, np.full(n_other, np.datetime64("NaT"), dtype="datetime64[D]"))
        older = ok[(oy >= year - 17) & (oy < year - 1)]
        parents = ok[oy < year - 25]
        if older.size and parents.size:
            out.add("kindouder", pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": older, "RINPERSOONSMa": "R",
                                               "RINPERSOONMa": parents[rng.integers(0, parents.size, size=older.size)],
                                               "RINPERSOONSpa": "", "RINPERSOONpa": ""}))
        # income: mother -> household (its key: the mother or the other parent) -> percentile
        q = np.array(cbs["inkomen_kwintiel"], dtype=object)[first_child]
        hh = np.where(has_pa & (rng.random(n_preg) < 0.5), pa_k, mother_k).astype(object)
        unknown = q == ""
        absent = unknown & (rng.random(n_preg) < 0.5)
        qn = np.where(unknown, 1, pd.to_numeric(pd.Series(q)).fillna(1).to_numpy()).astype(int)
        pct = (20 * (qn - 1) + rng.integers(1, 21, size=n_preg)).astype(float)
        pct[unknown] = -1.0
        koppel = pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": mother_k, "RINPERSOONSHKW": "R", "RINPERSOONHKW": hh})
        inha = pd.DataFrame({"RINPERSOONSHKW": "R", "RINPERSOONHKW": hh[~absent], "INHP100HGEST": pct[~absent]})
        inha = inha.drop_duplicates(["RINPERSOONHKW"])
        out.write(f"G/InkomenBestedingen/INHATAB/{year}/KOPPELPERSOONHUISHOUDEN{year}V1.sav", koppel,
                  f"{year} KOPPELPERSOONHUISHOUDEN")
        out.write(f"G/InkomenBestedingen/INHATAB/{year}/INHA{year}TABV1.sav", inha, f"{year} INHATAB")

        # education of the mother
        edu = np.array(cbs["opleiding_moeder"], dtype=object)[first_child]
        level = np.select([edu == "laag", edu == "midden", edu == "hoog"], [0, 1, 2], 3)
        oplnr = np.empty(n_preg, dtype=object)
        for lv in range(4):
            here = level == lv
            pool = hoogste_refs[lv]
            oplnr[here] = pool[rng.integers(0, pool.size, size=int(here.sum()))]
        no_row = (level == 3) & (rng.random(n_preg) < 0.4)
        out.write(f"G/Onderwijs/HOOGSTEOPLTAB/{year}/HOOGSTEOPL{year}TABV1.sav",
                  pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": mother_k[~no_row], "OPLNRHB": oplnr[~no_row]}),
                  f"{year} HOOGSTEOPLTAB")

        # debts: mother or (for ~20%) the other parent; WSNP active in the year and/or WANBZVW listing
        debts = np.array(cbs["problematische_schulden"], dtype=object)[first_child] == "1"
        on_pa = debts & has_pa & (rng.random(n_preg) < 0.33)  # about a fifth of the flagged births
        debtor = np.where(on_pa, pa_k, mother_k).astype(object)
        how = rng.random(n_preg)
        wsnp = debts & (how < 0.6)
        wanb = debts & (how >= 0.4)
        m = int(wsnp.sum())
        w_begin = _dates_in(rng, _day(year - 3), _day(year, 12, 31), m)
        w_end = w_begin + rng.integers(300, 1300, size=m).astype("timedelta64[D]")
        w_end = np.where(w_end < _day(year), _day(year, 1, 1) + rng.integers(0, 365, size=m).astype("timedelta64[D]"), w_end)
        open_ = rng.random(m) < 0.3
        # noise: unflagged mothers with a spell that ended before the year or starts after it
        noise = ~debts & (rng.random(n_preg) < 0.02)
        k = int(noise.sum())
        before = rng.random(k) < 0.7
        nb = np.where(before, _dates_in(rng, _day(year - 8), _day(year - 4), k), _dates_in(rng, _day(year + 1), _day(year + 2), k))
        ne = np.where(before, nb + rng.integers(300, 1000, size=k).astype("timedelta64[D]"), nb + np.timedelta64(900, "D"))
        ne = np.where(before & (ne >= _day(year)), _day(year - 1, 12, 31), ne)
        out.add("wsnp", pd.DataFrame({
            "RINPERSOONS": "R", "RINPERSOON": np.concatenate([debtor[wsnp], mother_k[noise]]),
            "WSNPDATUMTOELAAT": np.concatenate([_ymd(w_begin), _ymd(nb)]),
            "WSNPDATUMBEEIN": np.concatenate([np.where(open_, "", _ymd(w_end)), _ymd(ne)])}))
        adults = ok[oy < year - 18]
        wanb_noise = adults[rng.random(adults.size) < 0.01][:max(1, int(0.01 * adults.size))] if adults.size else adults
        out.write(f"G/GezondheidWelzijn/WANBZVWTAB/{year}/WANBZVW{year}TABV1.sav",
                  pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": np.concatenate([debtor[wanb], wanb_noise])}),
                  f"{year} WANBZVWTAB")

        # mental health: care costs and/or medicines of the mother or (~20%) the other parent
        psych = np.array(cbs["psychische_problemen"], dtype=object)[first_child] == "1"
        on_pa = psych & has_pa & (rng.random(n_preg) < 0.33)
        person = np.where(on_pa, pa_k, mother_k).astype(object)
        how = rng.random(n_preg)
        costs = psych & (how < 0.65)
        meds = psych & (how >= 0.5)
        zero_row = ~psych & (rng.random(n_preg) < 0.6)  # unflagged: a row with zero mental-health costs
        rows = costs | zero_row
        amount = np.where(costs[rows], np.round(rng.gamma(1.2, 900.0, size=int(rows.sum())) + 25, 2), 0.0)
        zvw = pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": person[rows],
                            "ZVWKHUISARTS": np.round(rng.gamma(2.0, 120.0, size=int(rows.sum())), 2)})
        if year < 2022:
            basic = rng.random(int(rows.sum())) < 0.5
            zvw["ZVWKGENBASGGZ"] = np.where(basic, amount, 0.0)
            zvw["ZVWKSPECGGZ"] = np.where(basic, 0.0, amount)
        else:
            zvw["ZVWKGGZZPMTOTAAL"] = amount
        n_extra = int(extra_persons * rows.sum() * 0.3)
        extra_k = keys.take(n_extra)
        extra = pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": extra_k,
                              "ZVWKHUISARTS": np.round(rng.gamma(2.0, 120.0, size=n_extra), 2)})
        for c in zvw.columns[3:]:
            extra[c] = np.where(rng.random(n_extra) < 0.1, np.round(rng.gamma(1.2, 900.0, size=n_extra), 2), 0.0)
        out.write(f"G/GezondheidWelzijn/ZVWZORGKOSTENTAB/{year}/ZVWZORGKOSTEN{year}TABV1.sav",
                  pd.concat([zvw, extra], ignore_index=True), f"{year} ZVWZORGKOSTENTAB")
        med_k = person[meds]
        noise_k = np.concatenate([mother_k[~psych & (rng.random(n_preg) < 0.35)], extra_k[: n_extra // 2]])
        out.write(f"G/GezondheidWelzijn/MEDICIJNTAB/{year}/MEDICIJN{year}TABV1.sav", pd.DataFrame({
            "RINPERSOONS": "R", "RINPERSOON": np.concatenate([med_k, noise_k, extra_k[n_extra // 2:]]),
            "ATC4": np.concatenate([PSYCH_ATC4[rng.integers(0, 6, size=med_k.size)],
                                    OTHER_ATC4[rng.integers(0, OTHER_ATC4.size, size=noise_k.size)],
                                    np.where(rng.random(n_extra - n_extra // 2) < 0.2,
                                             PSYCH_ATC4[rng.integers(0, 6, size=n_extra - n_extra // 2)],
                                             OTHER_ATC4[rng.integers(0, OTHER_ATC4.size, size=n_extra - n_extra // 2)])]),
        }), f"{year} MEDICIJNTAB")

        # multiple vulnerability: a prediction per child (no row when the extract has none)
        mv = np.array(cbs["meervoudig_kwetsbaar"], dtype=object)
        cbs_ids = np.array(cbs["kind_id"], dtype=object)
        index = pd.Series(np.arange(n), index=np.array(per["kind_id"], dtype=object))
        at = index.loc[cbs_ids].to_numpy()
        has = mv != ""
        kans = np.where(mv[has] == "1", rng.uniform(0.5, 0.99, size=int(has.sum())),
                        rng.uniform(0.0, 0.5, size=int(has.sum())))
        out.add("kwetsbaar", pd.DataFrame({
            "RINPERSOONS_Kind": child_s[at[has]], "RINPERSOON_Kind": child_k[at[has]],
            "voorspelling_kwetsbaar": np.where(mv[has] == "1", "ja", "nee"), "kans_kwetsbaar": np.round(kans, 3)}))

        # Vektis: one trajectory per pregnancy with a vektis row; claims; long stays
        vk_ids = np.array(vek["kind_id"], dtype=object)
        vat = index.loc[vk_ids].to_numpy()
        vp, first_v = np.unique(preg[vat], return_index=True)
        kraam = np.array(vek["kraamzorg_declaratie"], dtype=object)[first_v] == "1"
        lange = np.array(vek["lange_opname"], dtype=object)[first_v] == "1"
        traj = np.array([f"T{year}{i:07d}" for i in range(vp.size)], dtype=object)
        month = (cy[vp] * 100 + cm[vp]).astype(np.int64)
        out.add("bevallingen", pd.DataFrame({"RinPersoons": "R", "Rinpersoon": mother_k[vp], "trajectid": traj,
                                             "bevallingsmaand": month.astype(str)}))
        nxt = np.where(cm[vp] == 12, (cy[vp] + 1) * 100 + 1, month + 1)
        kmonth = np.where(rng.random(vp.size) < 0.8, month, nxt)
        pre = np.where(cm[vp] <= 3, (cy[vp] - 1) * 100 + cm[vp] + 9, month - 3)
        other_ib = np.array(["Verloskundige zorg", "Prenatale screening", "Echo"], dtype=object)
        out.add("zorg", pd.DataFrame({
            "RINPERSOONS": "R", "RINPERSOON": np.concatenate([mother_k[vp][kraam], mother_k[vp]]),
            "trajectid": np.concatenate([traj[kraam], traj]),
            "prestatiemaand": np.concatenate([kmonth[kraam], pre]).astype(str),
            "ib_indeling": np.concatenate([np.full(int(kraam.sum()), "Kraamzorg per uur", dtype=object),
                                           other_ib[rng.integers(0, 3, size=vp.size)]]),
            "aantal": np.concatenate([rng.integers(10, 50, size=int(kraam.sum())), rng.integers(1, 4, size=vp.size)]).astype(float)}))
        # on the child only for singletons: a twin's flag would otherwise miss its sibling
        on_child = (rng.random(vp.size) < 0.5) & (np.bincount(preg, minlength=n_preg)[vp] == 1)
        first_live_child = vat[first_v]
        long_k = np.where(on_child, child_k[first_live_child], mother_k[vp])[lange]
        other_k = mother_k[rng.random(n_preg) < 0.3]
        out.write(f"G/GezondheidWelzijn/MSZPRESTATIESVEKTTAB/{year}/MSZPRESTATIESVEKT{year}TABV1.sav",
                  pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": np.concatenate([long_k, other_k]),
                                "VEKTMSZDBCZorgproduct": np.concatenate([
                                    LONG_STAY_PRODUCTS[rng.integers(0, 4, size=long_k.size)],
                                    OTHER_PRODUCTS[rng.integers(0, OTHER_PRODUCTS.size, size=other_k.size)]])}),
                  f"{year} MSZPRESTATIESVEKTTAB")

        # youth protection: children born in Y - leeftijd with a measure in Y
        ny = len(yp["kind_id"])
        yk, ymk = keys.take(ny), keys.take(ny)
        yage = np.array(yp["leeftijd"], dtype=int)
        res = np.array(yp["residentieel_overlap"], dtype=object) == "1"
        yborn = _dates_in(rng, np.array([_day(year - a) for a in yage]),
                          np.array([_day(year - a, 12, 31) if a else _day(year, 6, 30) for a in yage]), ny)
        by, bm, bd = _split_date(yborn)
        ymd = yborn - (rng.integers(20, 40, size=ny) * 365).astype("timedelta64[D]")
        my_, mm_, md_ = _split_date(ymd)
        out.add("persoon", _persons(yk, "R", by, bm, bd, np.where(rng.random(ny) < 0.5, "1", "2"), "6030", "0"))
        out.add("persoon", _persons(ymk, "R", my_, mm_, md_, "2", "6030", "0"))
        out.add("kindouder", pd.DataFrame({"RINPERSOONS": "R", "RINPERSOON": yk, "RINPERSOONSMa": "R",
                                           "RINPERSOONMa": ymk, "RINPERSOONSpa": "", "RINPERSOONpa": ""}))
        ygem = _norm_codes(np.array(yp["gemeente_code"], dtype=object), valid)
        place(year, ymk, ygem, np.full(ny, "", dtype=object), rng)
        start = np.maximum(yborn + np.timedelta64(7, "D"), _day(year, 1, 1))
        mb = _dates_in(rng, start + np.timedelta64(40, "D"), _day(year, 10, 31), ny)
        me = np.minimum(mb + rng.integers(60, 400, size=ny).astype("timedelta64[D]"), _day(year, 12, 31))
        # older children (2-17) with measures and youth care: not counted (not aged 0-1)
        kids = ok[(oy >= year - 17) & (oy <= year - 2)]
        kids = kids[: max(2, int(0.004 * kids.size))]
        nk = kids.size
        kb = _dates_in(rng, _day(year - 3), _day(year, 12, 31), nk)
        ke = kb + rng.integers(90, 900, size=nk).astype("timedelta64[D]")
        out.write(f"G/VeiligheidRecht/JGDBESCHERMBUS/{year}/JGDBESCHERM{year}BUSV1.sav", pd.DataFrame({
            "RINPERSOONS": "R", "RINPERSOON": np.concatenate([yk, kids]),
            "JGDBMAATREGEL": YOUTH_MEASURES[rng.integers(0, 5, size=ny + nk)].astype(float),
            "JGDBGELDIGHEIDBEGINDATUM": np.concatenate([_ymd(mb), _ymd(kb)]),
            "JGDBGELDIGHEIDEINDDATUM": np.concatenate([_ymd(me), _ymd(ke)])}), f"{year} JGDBESCHERMBUS")
        kind = rng.random(ny)
        with_stay = res
        no_stay = ~res & (kind < 0.3)   # youth care without stay, overlapping
        before = ~res & (kind >= 0.3) & (kind < 0.45)  # with stay, ended before the measure began
        hb = np.where(with_stay | no_stay, mb + rng.integers(0, 20, size=ny).astype("timedelta64[D]"),
                      np.maximum(start, mb - np.timedelta64(39, "D")))
        he = np.where(with_stay | no_stay, me, mb - np.timedelta64(2, "D"))
        rows = with_stay | no_stay | before
        form = np.where(with_stay, rng.integers(11, 15, size=ny), np.where(no_stay, 31, rng.integers(11, 15, size=ny)))
        out.write(f"G/GezondheidWelzijn/JGDHULPBUS/{year}/JGDHULP{year}BUSV1.sav", pd.DataFrame({
            "RINPERSOONS": "R", "RINPERSOON": np.concatenate([yk[rows], kids]),
            "JGDHHULPVORM": np.concatenate([form[rows], rng.choice([11, 12, 31, 32, 41], size=nk)]).astype(float),
            "JGDHGELDIGHEIDBEGINDATUM": np.concatenate([_ymd(hb[rows]), _ymd(kb)]),
            "JGDHGELDIGHEIDEINDDATUM": np.concatenate([_ymd(he[rows]), _ymd(ke)])}),
            f"{year} JGDHULPBUS")

        if crosswalk:
            walks.append(pd.DataFrame({"jaar": year, "source": "perined", "kind_id": per["kind_id"],
                                       "moeder_id": per["moeder_id"], "RINPERSOONS": child_s,
                                       "RINPERSOON": child_k, "RINPERSOONMa": mother_k[preg]}))
            walks.append(pd.DataFrame({"jaar": year, "source": "youth_protection", "kind_id": yp["kind_id"],
                                       "moeder_id": "", "RINPERSOONS": "R", "RINPERSOON": yk, "RINPERSOONMa": ymk}))
        totals["births"] += n
        totals["mothers"] += n_preg
        totals["youth"] += ny
        say(f"{year} encoded {n:,} births, {n_preg:,} mothers, {ny:,} youth-protection children "
            f"({time.monotonic() - t0:.1f}s)")

    # one-file tables
    out.write(f"G/Bevolking/GBAPERSOONTAB/{last}/GBAPERSOON{last}TABV1.sav", out.combined("persoon"), "GBAPERSOONTAB")
    out.write(f"G/Bevolking/KINDOUDERTAB/KINDOUDER{last}TABV1.sav", out.combined("kindouder"), "KINDOUDERTAB")
    out.write(f"G/Bevolking/GBAADRESOBJECTBUS/GBAADRESOBJECT{last}BUSV1.sav", out.combined("adres"),
              "GBAADRESOBJECTBUS")
    profiles = np.array(cols.profiles, dtype=object).reshape(len(cols.profiles), len(cols.years))
    prof = np.concatenate(obj_profile)
    ids = np.concatenate(obj_ids)
    bag = soort(ids) == "VBO"
    for name, mask, soort in (("VSLGWBTAB", bag, "VBO"), ("NIETVSLGWBTAB", ~bag, "NVBO")):
        frame = pd.DataFrame({"SOORTOBJECTNUMMER": soort, "RINOBJECTNUMMER": ids[mask]})
        for j, c in enumerate(cols.years):
            frame[f"gem{c}"] = profiles[prof[mask], j]
        out.write(f"G/BouwenWonen/{name}/{name[:-3]}{last}TAB03V1.sav", frame, name)

    wsnp = out.combined("wsnp")
    out.write(f"G/VeiligheidRecht/WSNPPERSBUS/WSNPPERS{last}BUSV1.sav", wsnp, "WSNPPERSBUS")

    perined = out.combined("perined")
    first = years[0]
    # an older delivery as CSV (one year short), a superseded .sav and the complete one
    if len(years) > 1:
        older = perined[perined["jaar"] < last]
        out.write(f"L/Perined/Perined_{FIRST_CLASSIFICATION_YEAR}_{last - 1}V1.csv", older, "Perined (older CSV delivery)")
    superseded = perined[perined["jaar"] > first].copy() if len(years) > 1 else perined.iloc[: len(perined) // 2].copy()
    out.write(f"L/Perined/Perined_{FIRST_CLASSIFICATION_YEAR}_{last}V1.sav", superseded, "Perined (superseded V1)")
    out.write(f"L/Perined/Perined_{FIRST_CLASSIFICATION_YEAR}_{last}V2.sav", perined, "Perined")

    out.write(f"L/Kwetsbaarheid/meervoudig_kwetsbaar_{FIRST_CLASSIFICATION_YEAR}_{last}V1.sav",
              out.combined("kwetsbaar"), "Kwetsbaarheid")
    out.write(f"L/Vektis/KSM_{FIRST_CLASSIFICATION_YEAR}_{last}_01Moedersenbevallingen_V1.sav",
              out.combined("bevallingen"), "Vektis bevallingen")
    out.write(f"L/Vektis/KSM_{FIRST_CLASSIFICATION_YEAR}_{last}_03Geboortezorgmoeders_V1.sav",
              out.combined("zorg"), "Vektis geboortezorg")

    # K: reference files
    ref = "K/Utilities/Code_Listings/SSBreferentiebestanden"
    opl, cto = _education_reference_tables(seed)
    out.write(f"{ref}/OPLEIDINGSNRREFV33.sav", opl.iloc[: len(opl) * 2 // 3], "OPLEIDINGSNRREF (superseded V33)")
    out.write(f"{ref}/OPLEIDINGSNRREFV34.sav", opl, "OPLEIDINGSNRREF")
    out.write(f"{ref}/CTOREFV12.sav", cto, "CTOREF")
    out.write(f"{ref}/LANDAKTUEELREFV13.sav", pd.DataFrame(COUNTRIES, columns=["LAND", "LANDNAAM", "WERELDDEEL"]),
              "LANDAKTUEELREF")

    roots = {f"{d}:": str(root / d) for d in ("G", "K", "L")}
    seconds = time.monotonic() - started
    size = sum(f["bytes"] for f in out.written.values())
    say(f"RA layout: {len(out.written)} files, {size / 1e6:.1f} MB in {seconds:.1f}s; drives "
        + ", ".join(f"{k} -> {v}" for k, v in roots.items()))
    result = {"roots": roots, "files": out.written, "seconds": seconds, "bytes": size, **totals}
    if crosswalk:
        result["crosswalk"] = pd.concat(walks, ignore_index=True)
    return result


# --------------------------------------------------------------------------------------------
# education reference: OPLNR -> CTO -> level
# --------------------------------------------------------------------------------------------


def _education_reference_tables(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """OPLEIDINGSNRREF (OPLNR, CTO) and CTOREF (CTO, OPLNIVSOI2016AGG4HB); 6 education numbers
    per CTO code, 3 CTO codes per level code. Level 3 ('onbekend') has codes starting with 9."""
    opl_rows, cto_rows = [], []
    for lv, codes in LEVEL_CODES.items():
        for j, level_code in enumerate(codes):
            for k in range(3):
                cto = f"{lv + 1}{j}{k}{(lv * 7 + j * 3 + k) % 10}0"
                cto_rows.append((cto, level_code))
                for m in range(6):
                    opl_rows.append((f"{lv + 1}{j}{k}{m}{(lv + j + k + m) % 10}{m}", cto))
    return (pd.DataFrame(opl_rows, columns=["OPLNR", "CTO"]),
            pd.DataFrame(cto_rows, columns=["CTO", "OPLNIVSOI2016AGG4HB"]))


def _education_reference(seed: int) -> dict[int, np.ndarray]:
    """Education numbers per level 0 laag, 1 midden, 2 hoog, 3 onbekend (level code 9...,
    or a number the reference files do not know)."""
    opl, cto = _education_reference_tables(seed)
    level_of = dict(zip(cto["CTO"], cto["OPLNIVSOI2016AGG4HB"]))
    out = {lv: [] for lv in range(4)}
    for nr, c in zip(opl["OPLNR"], opl["CTO"]):
        first = level_of[c][0]
        out[{"1": 0, "2": 1, "3": 2}.get(first, 3)].append(nr)
    out[3] += ["999999", "000000"]  # not in the reference file
    return {lv: np.array(v, dtype=object) for lv, v in out.items()}


def write_ra_demo(home: Path, **kwargs) -> dict:
    """`ksm demo-data --layout cbs-ra`: the RA layout with its config (write_ra_layout_with_config)
    and, in the inbox, the sources the RA layout does not derive (regions, population,
    questionnaire) from the same population; `inbox_rows` says how many rows those hold."""
    from demo.generator import write_demo_extracts
    from orchestration.ra.records import DERIVED_SOURCES
    from orchestration.sources import ALL_SOURCES

    result = write_ra_layout_with_config(home, **kwargs)
    counts = write_demo_extracts(Path(home) / "inbox", years=kwargs.get("years"), scale=kwargs.get("scale", 1.0),
                                 seed=kwargs.get("seed", 42), progress=kwargs.get("progress"),
                                 sources=[s for s in ALL_SOURCES if s not in DERIVED_SOURCES])
    result["inbox_rows"] = sum(counts.values())
    return result


def write_ra_layout_with_config(home: Path, **kwargs) -> dict:
    """The drives under `home/ra`, the config `home/ra_layout.toml` (written atomically), and the
    record-level extracts of the written years that an earlier `ksm demo-data` put in
    `home/inbox` removed when they are demo files (so the RA tables are the only record-level
    data); a record-level file that is not a demo file is refused."""
    from orchestration.errors import UserError
    from orchestration.provenance import is_synthetic, marker_path
    from orchestration.ra.layout import LAYOUT_FILE_NAME
    from orchestration.ra.records import DERIVED_SOURCES

    home = Path(home)
    years = sorted({int(y) for y in kwargs.get("years") or reference.bundled_years()})
    stale = []
    for source in DERIVED_SOURCES:
        for year in years:
            folder = home / "inbox" / source / str(year)
            for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
                if not is_synthetic(path):
                    raise UserError(f"{path} is a delivered extract, not demo data: the RA layout would "
                                    "give the same year twice; move it away first")
                stale.append(path)
    result = write_ra_layout(home / "ra", **kwargs)
    for path in stale:
        path.unlink()
        marker = marker_path(path)
        if marker.exists():
            marker.unlink()
        kwargs.get("progress", lambda _l: None)(f"removed the demo extract {path.relative_to(home)}")
    config = home / LAYOUT_FILE_NAME
    tmp = config.with_name(f".{config.name}.{os.getpid()}.tmp")
    tmp.write_text(layout_toml(home / "ra"), encoding="utf-8")
    os.replace(tmp, config)
    result["config"] = config
    return result
