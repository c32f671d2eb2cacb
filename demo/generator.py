"""Synthetic source extracts that look like the real yearly deliveries (`ksm demo-data`).

`write_demo_extracts` fills the inbox with one folder per source and year, with the columns that
`orchestration.sources` defines, so the whole pipeline can run without access to the real
microdata.

What is realistic:
- the file layout, names, delimiters, encodings (BOM, Latin-1), CRLF line ends, decimal commas
  and the mix of gemeente code forms ('363', '0363', 'GM0363', StatLine's padded 'GM0363    ');
- the geography: every year uses that year's official classification bundled in
  `demo.reference`, so merged gemeenten appear under their old codes in the early years,
  and records of gemeenten that were later split carry the successor of the mother's later
  address (`gemeente_code_actueel`), allocated by the documented shares;
- national magnitudes: about 170,000 births a year, roughly 7% preterm, 10% below the 10th
  Hoftiezer percentile, 15% Big2, 5-8 perinatal deaths per 1000 births, ~1.6% of children from
  twins, ~45% first births, ~1% teenage mothers, ~12% late start of antenatal care, and the
  spread of the municipal questionnaire answers over the years;
- the direction of the known gradients: every adverse outcome is more frequent in the lowest
  income quintile, in young mothers and in deprived (often urban) gemeenten.

What is synthetic:
- every record. Nothing comes from real persons; ids are pseudonyms drawn from a bijective
  scramble of a counter;
- gemeente sizes (lognormal weights, with hand-set sizes for the big cities and the smallest
  islands), gemeente risk effects and deprivation levels are random but stable per gemeente
  code and seed. A successor gemeente's weight is the sum of its predecessors' (shares for
  splits), so series stay continuous over mergers;
- the risk model is a handful of logistic terms chosen to land on the published national
  magnitudes, not fitted to data; gemeente-level figures mean nothing;
- about 0.5% of the record-level rows carry an unknown or malformed gemeente code on purpose,
  and the population table has one or two suppressed (empty) cells a year.

Determinism: every random stream is seeded from (seed, year, stream name), so the same seed,
scale and year give byte-identical files, whichever other years are generated alongside.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from orchestration import regions
from demo import reference
from orchestration.provenance import write_synthetic_marker
from orchestration.sources import (
    ALL_SOURCES,
    CBS_LINKED,
    PERINED,
    POPULATION,
    QUESTIONNAIRE,
    VEKTIS,
    YOUTH_PROTECTION,
)

__all__ = ["write_demo_extracts", "national_births", "demo_year"]

# --------------------------------------------------------------------------------------------
# National magnitudes (births at scale 1.0, live births plus stillbirths from 22 weeks)
# --------------------------------------------------------------------------------------------

_NATIONAL_BIRTHS = {
    2014: 176_300, 2015: 171_500, 2016: 173_300, 2017: 170_300, 2018: 169_400,
    2019: 170_500, 2020: 169_300, 2021: 174_800, 2022: 168_700, 2023: 165_900,
    2024: 166_600,
}

# share of gemeenten answering 'ja' on the coalition question, per questionnaire year
_COALITION_SHARE = {2017: 0.02, 2018: 0.05, 2019: 0.11, 2020: 0.25, 2021: 0.40,
                    2022: 0.70, 2023: 0.78, 2024: 0.82}

# Births per year (national scale) for gemeenten whose size matters for realism; every other
# gemeente gets a lognormal weight. Codes without the 'GM' prefix.
_FIXED_SIZE = {
    "0363": 9_800, "0599": 7_300, "0518": 6_600, "0344": 4_300, "0034": 2_400, "0772": 2_400,
    "0855": 2_100, "0014": 1_900, "0758": 1_750, "0479": 1_800, "0394": 1_800, "0307": 1_800,
    "0268": 1_550, "0202": 1_650, "0392": 1_650, "0153": 1_400, "0200": 1_450, "0796": 1_500,
    "0193": 1_500, "0546": 1_300, "0935": 1_100, "0503": 950,
    # the Wadden islands and Rozendaal: the smallest gemeenten
    "0088": 7, "0096": 9, "0060": 30, "0093": 35, "0277": 11,
}
# deprivation level (shifts the income distribution and the risks); other gemeenten random
_FIXED_DEPRIVATION = {
    "0599": 1.9, "0518": 1.3, "0363": 1.0, "0153": 1.1, "0014": 0.9, "0202": 0.9, "0772": 0.7,
    "0855": 0.7, "0034": 0.6, "0344": 0.4, "0268": 0.6, "0479": 0.6, "0935": 0.6, "0392": 0.2,
}

_INVALID_CODES = np.array(["GM9999", "9999", "", "GM03X3", "0000", "GM099X", "99999"])
_INVALID_SHARE = 0.005


def national_births(year: int) -> int:
    """Births (live + stillborn from 22 weeks) a year at scale 1.0."""
    return _NATIONAL_BIRTHS.get(year, 169_000)


# --------------------------------------------------------------------------------------------
# Random streams and small helpers
# --------------------------------------------------------------------------------------------


def _rng(seed: int, year: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(year), zlib.crc32(stream.encode())])


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _scramble(n: int, seed: int, year: int, stream: str) -> np.ndarray:
    """n distinct pseudo-random 40-bit integers (a bijective mix of a counter)."""
    mask = np.uint64((1 << 40) - 1)
    rng = _rng(seed, year, "ids:" + stream)
    a = np.uint64(int(rng.integers(1, 1 << 39)) * 2 + 1)
    b = np.uint64(int(rng.integers(0, 1 << 40)))
    c = np.uint64(int(rng.integers(1, 1 << 39)) * 2 + 1)
    x = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = (x * a + b) & mask
        x ^= x >> np.uint64(17)
        x = (x * c) & mask
        x ^= x >> np.uint64(13)
        x = (x * a) & mask
        x ^= x >> np.uint64(19)
    return x


def _ids(n: int, prefix: str, seed: int, year: int, stream: str) -> list[str]:
    return [f"{prefix}{v:010X}" for v in _scramble(n, seed, year, stream).tolist()]


def _ints(values: np.ndarray) -> list[str]:
    return [str(v) for v in values.tolist()]


def _flags(values: np.ndarray) -> list[str]:
    return ["1" if v else "0" for v in values.tolist()]


def _code_forms(codes: np.ndarray, form: np.ndarray) -> np.ndarray:
    """'GM0363' (form 0), '0363' (form 1) or '363' (form 2), per element."""
    digits = np.char.lstrip(codes.astype(str), "GM") if codes.size else codes.astype(str)
    bare = np.array([d.lstrip("0") or "0" for d in digits.tolist()], dtype=object)
    out = np.where(form == 0, codes.astype(object), np.where(form == 1, digits.astype(object), bare))
    return out.astype(object)


def _quote(value: str) -> str:
    if any(ch in value for ch in ';"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write_csv(path: Path, header: list[str], columns: list[list[str]], *, encoding: str = "utf-8",
               bom: bool = False, crlf: bool = False) -> int:
    """Write a semicolon CSV atomically (temp file in the same folder, then os.replace)."""
    nl = "\r\n" if crlf else "\n"
    n_rows = len(columns[0]) if columns else 0
    parts = [";".join(_quote(h) for h in header)]
    if n_rows:
        parts.append(nl.join(map(";".join, zip(*columns))))
    text = nl.join(parts) + nl
    data = text.encode(encoding, errors="replace")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n_rows


def _gm(code: str) -> str:
    """'GM0363' from whatever form the regions module uses."""
    text = str(code).strip().upper()
    digits = text[2:] if text.startswith("GM") else text
    return "GM" + digits.zfill(4)


def _prefixed(code: str, prefix: str, width: int) -> str:
    text = str(code).strip().upper()
    return text if text.startswith(prefix) else prefix + text.zfill(width)


def _mapping_targets(value) -> list[tuple[str, float]]:
    """code_mapping's value for one code as [(GM-code, share)]."""
    if isinstance(value, str):
        return [(_gm(value), 1.0)]
    out = []
    for item in value:
        if isinstance(item, str):
            out.append((_gm(item), 1.0))
        else:
            out.append((_gm(item[0]), float(item[1])))
    return out


# --------------------------------------------------------------------------------------------
# Geography: gemeenten of a year with stable weights and effects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geography:
    year: int
    codes: np.ndarray          # 'GM0363', sorted
    names: list[str]
    provincie: list[str]       # 'PV27'
    ggd: list[str]             # 'GG3406'
    weight: np.ndarray         # births at national scale (expected)
    effect: np.ndarray         # logit risk effect
    deprivation: np.ndarray    # shifts income distribution
    split_targets: dict[int, tuple[np.ndarray, np.ndarray]]  # index -> (successor codes, shares)

    @property
    def p(self) -> np.ndarray:
        return self.weight / self.weight.sum()


def _base_year(year: int) -> int:
    """The classification whose gemeenten carry the stable weights (the first bundled year)."""
    return min(reference.bundled_years()[0], year)


def reference_year(year: int) -> int:
    """The bundled classification a demo year uses: its own, or for a year after the newest
    bundled one that newest one (real facts only: no merger is invented)."""
    return min(year, reference.bundled_years()[-1])


def _unit_attributes(code: str, seed: int) -> tuple[float, float, float]:
    """(weight, effect, deprivation) of one gemeente code of the base classification."""
    digits = _gm(code)[2:]
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 7_919, zlib.crc32(digits.encode())])
    z_size, z_effect, z_depr = rng.standard_normal(3)
    weight = _FIXED_SIZE.get(digits, float(np.exp(np.log(230.0) + 0.78 * z_size)))
    deprivation = _FIXED_DEPRIVATION.get(digits, 0.55 * z_depr - 0.1)
    effect = 0.14 * z_effect + 0.08 * deprivation
    return float(weight), float(effect), float(deprivation)


def _geography(year: int, seed: int) -> _Geography:
    try:
        gemeenten = sorted(reference.classification(reference_year(year)), key=lambda g: _gm(g.code))
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"no gemeente classification for {year}: {exc}") from exc
    if not gemeenten:
        raise ValueError(f"no gemeente classification for {year}")
    merger_list = reference.mergers()
    base = _base_year(year)
    base_codes = [_gm(g.code) for g in reference.classification(base)]
    codes = [_gm(g.code) for g in gemeenten]
    index = {c: i for i, c in enumerate(codes)}

    weight = np.zeros(len(codes))
    effect_sum = np.zeros(len(codes))
    depr_sum = np.zeros(len(codes))
    mapping = (regions.code_mapping(merger_list, base, year, base_codes)
               if base != year else {c: [(c, 1.0)] for c in base_codes})
    for code in base_codes:
        w, e, d = _unit_attributes(code, seed)
        targets = _mapping_targets(mapping.get(code, [(code, 1.0)]))
        for target, share in targets:
            i = index.get(target)
            if i is None:
                continue
            weight[i] += w * share
            effect_sum[i] += w * share * e
            depr_sum[i] += w * share * d
    effect = np.zeros(len(codes))
    deprivation = np.zeros(len(codes))
    for i, code in enumerate(codes):
        if weight[i] > 0:
            effect[i] = effect_sum[i] / weight[i]
            deprivation[i] = depr_sum[i] / weight[i]
        else:  # not reached from the base year: a gemeente of its own
            weight[i], effect[i], deprivation[i] = _unit_attributes(code, seed)

    # gemeenten of this year that a later merger split over several successors
    newest = reference.bundled_years()[-1]
    split_old = {}
    for m in merger_list:
        split_old.setdefault(_gm(m.old_code), set()).add(_gm(m.new_code))
    split_targets: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if newest > year:
        split_here = [c for c in codes if len(split_old.get(c, ())) > 1]
        if split_here:
            later = regions.code_mapping(merger_list, year, newest, split_here)
            for c in split_here:
                targets = _mapping_targets(later.get(c, [(c, 1.0)]))
                succ = np.array([t for t, _ in targets], dtype=object)
                shares = np.array([s for _, s in targets], dtype=float)
                if len(succ) > 1 and shares.sum() > 0:
                    split_targets[index[c]] = (succ, shares / shares.sum())

    return _Geography(
        year=year,
        codes=np.array(codes, dtype=object),
        names=[g.name for g in gemeenten],
        provincie=[_prefixed(g.provincie_code, "PV", 2) for g in gemeenten],
        ggd=[_prefixed(g.ggd_code, "GG", 4) for g in gemeenten],
        weight=weight,
        effect=effect,
        deprivation=deprivation,
        split_targets=split_targets,
    )


def _gemeente_columns(geo: _Geography, idx: np.ndarray, rng: np.random.Generator,
                      invalid_share: float = _INVALID_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Delivered gemeente codes (mixed forms, some invalid) and the form used, per element."""
    n = idx.size
    form = rng.choice(3, size=n, p=[0.55, 0.27, 0.18])
    codes = _code_forms(geo.codes[idx].astype(str), form)
    bad = rng.random(n) < invalid_share
    if bad.any():
        codes[bad] = _INVALID_CODES[rng.integers(0, _INVALID_CODES.size, size=int(bad.sum()))]
    return codes, form


# --------------------------------------------------------------------------------------------
# The births of a year: one model shared by perined, cbs_linked and vektis
# --------------------------------------------------------------------------------------------

# logit effects by true income quintile 1..5
_Q_PRETERM = np.array([0.30, 0.15, 0.03, -0.08, -0.16])
_Q_SGA = np.array([0.40, 0.19, 0.00, -0.15, -0.30])
_Q_LATE = np.array([0.55, 0.25, 0.00, -0.20, -0.40])
_Q_DEATH = np.array([0.30, 0.12, 0.00, -0.08, -0.15])

# gestational age given preterm (22..36) and term (37..43), singletons and multiples
_GA_PRETERM = np.array([0.010, 0.011, 0.012, 0.013, 0.015, 0.018, 0.020, 0.023, 0.028, 0.035,
                        0.055, 0.075, 0.130, 0.200, 0.355])
_GA_TERM_SINGLE = np.array([0.065, 0.150, 0.270, 0.300, 0.185, 0.025, 0.005])
_GA_TERM_MULTI = np.array([0.560, 0.380, 0.050, 0.010, 0.0, 0.0, 0.0])

# probability of foetal death, and of neonatal death when born alive, by gestational age 22..43
_GA_WEEKS = np.arange(22, 44)
_P_STILL = np.select(
    [_GA_WEEKS < 24, _GA_WEEKS < 28, _GA_WEEKS < 32, _GA_WEEKS < 37],
    [0.42, 0.25, 0.08, 0.014], 0.0014)
_P_NEONATAL = np.select(
    [_GA_WEEKS < 24, _GA_WEEKS < 28, _GA_WEEKS < 32, _GA_WEEKS < 37],
    [0.60, 0.20, 0.04, 0.006], 0.0007)


@dataclass
class _Births:
    """Child-level arrays (one element per child) plus pregnancy-level arrays (suffix _p)."""
    year: int
    n_preg: int
    preg: np.ndarray          # pregnancy index of each child
    gem_p: np.ndarray         # gemeente index per pregnancy
    q_p: np.ndarray           # true income quintile 1..5 per pregnancy
    mig_p: np.ndarray         # 0 nederland, 1 europa, 2 buiten_europa, 3 onbekend
    age_p: np.ndarray
    par_p: np.ndarray
    omv_p: np.ndarray
    ga_p: np.ndarray
    first_visit_p: np.ndarray  # days, -1 = missing
    rang: np.ndarray
    hoftiezer10: np.ndarray   # tenths of a percentile, -1 = missing
    sterfte: np.ndarray


def _draw_births(year: int, scale: float, seed: int, geo: _Geography) -> _Births:
    rng = _rng(seed, year, "births")
    t = year - 2017
    n_target = max(int(round(national_births(year) * scale)), 1)

    plural_p = np.array([0.99185, 0.0080, 0.00015])
    mean_children = float((plural_p * np.arange(1, 4)).sum())
    n_preg = max(int(round(n_target / mean_children)), 1)
    omv_p = rng.choice(np.arange(1, 4), size=n_preg, p=plural_p)

    gem_p = rng.choice(geo.codes.size, size=n_preg, p=geo.p)
    u = geo.effect[gem_p]
    d = geo.deprivation[gem_p]

    # income quintile of the mother's household: tilted towards 1 in deprived gemeenten
    tilt = -0.36 * d[:, None] * (np.arange(1, 6)[None, :] - 3)
    pq = np.exp(tilt)
    pq /= pq.sum(axis=1, keepdims=True)
    q_p = (rng.random(n_preg)[:, None] > np.cumsum(pq, axis=1)).sum(axis=1) + 1
    q_p = np.minimum(q_p, 5)
    qi = q_p - 1

    # migration background
    p_be = np.clip(0.12 + 0.08 * d + np.array([0.07, 0.03, 0.0, -0.03, -0.05])[qi], 0.02, 0.6)
    p_eu = np.full(n_preg, 0.10)
    p_unk = np.full(n_preg, 0.015)
    r = rng.random(n_preg)
    mig_p = np.where(r < p_be, 2, np.where(r < p_be + p_eu, 1, np.where(r < p_be + p_eu + p_unk, 3, 0)))

    # parity and age (older with each child, younger in low income)
    par_p = rng.choice(np.arange(8), size=n_preg,
                       p=[0.452, 0.340, 0.130, 0.048, 0.018, 0.007, 0.003, 0.002])
    mean_age = 29.75 + 2.0 * np.minimum(par_p, 3) + 0.65 * (q_p - 3) - 0.6 * (mig_p == 2)
    age_p = np.floor(mean_age + 4.4 * rng.standard_normal(n_preg)).astype(int)
    age_p = np.clip(age_p, 15 + np.minimum(par_p, 4), 49)
    teen = age_p < 20
    old = age_p >= 40

    # pregnancy-level preterm birth and gestational age
    year_pt = -0.012 * t - (0.05 if year == 2020 else 0.0)
    lp = (_logit(0.052) + _Q_PRETERM[qi] + u + year_pt + 0.25 * teen + 0.30 * old
          + 0.15 * (par_p == 0) + 3.1 * (omv_p >= 2))
    preterm = rng.random(n_preg) < _expit(lp)
    ga_pre = rng.choice(np.arange(22, 37), size=n_preg, p=_GA_PRETERM / _GA_PRETERM.sum())
    ga_single = rng.choice(np.arange(37, 44), size=n_preg, p=_GA_TERM_SINGLE / _GA_TERM_SINGLE.sum())
    ga_multi = rng.choice(np.arange(37, 44), size=n_preg, p=_GA_TERM_MULTI / _GA_TERM_MULTI.sum())
    ga_p = np.where(preterm, ga_pre, np.where(omv_p >= 2, ga_multi, ga_single))

    # first antenatal visit (days of gestation)
    ll = (_logit(0.105) + _Q_LATE[qi] + 0.8 * teen + 0.45 * (mig_p == 2) + 0.25 * (par_p >= 3)
          + 0.8 * u - 0.03 * t)
    late = rng.random(n_preg) < _expit(ll)
    late_days = 71 + np.floor(rng.gamma(1.3, 22.0, size=n_preg)).astype(int)
    early_days = np.clip(np.rint(60 + 6.5 * rng.standard_normal(n_preg)), 28, 70).astype(int)
    visit = np.where(late, np.minimum(late_days, 280), early_days)
    visit = np.minimum(visit, ga_p * 7)
    visit = np.where(rng.random(n_preg) < 0.025, -1, visit)

    # expand to children
    preg = np.repeat(np.arange(n_preg), omv_p)
    n = preg.size
    starts = np.cumsum(omv_p) - omv_p
    rang = np.arange(n) - starts[preg] + 1
    ga = ga_p[preg]
    qc = qi[preg]
    uc = u[preg]
    multi = omv_p[preg] >= 2

    # Hoftiezer percentile: P(< 10) shifted by risk, percentile = 100 * U ** k
    ls = (_logit(0.081) + _Q_SGA[qc] + 0.8 * uc - 0.008 * t + 1.25 * multi + 0.30 * (ga < 37)
          + 0.20 * teen[preg] + 0.15 * (par_p[preg] == 0))
    p_small = np.clip(_expit(ls), 0.01, 0.9)
    k = np.log(0.1) / np.log(p_small)
    pct = 100.0 * rng.random(n) ** k
    hoftiezer10 = np.clip(np.rint(pct * 10), 0, 1000).astype(int)

    # mortality
    gi = np.clip(ga - 22, 0, _GA_WEEKS.size - 1)
    m = np.exp(_Q_DEATH[qc] + uc - 0.01 * t)
    still = rng.random(n) < np.clip(_P_STILL[gi] * m, 0, 0.95)
    neonatal = ~still & (rng.random(n) < np.clip(_P_NEONATAL[gi] * m, 0, 0.95))
    infant = ~still & ~neonatal & (rng.random(n) < 0.0011 * m)
    sterfte = np.zeros(n, dtype=int)
    sterfte[still] = np.where(rng.random(int(still.sum())) < 0.85, 1, 2)
    sterfte[neonatal] = np.where(rng.random(int(neonatal.sum())) < 0.75, 3, 4)
    sterfte[infant] = 5

    p_missing = np.where(ga < 24, 0.35, np.where(still, 0.12, 0.011))
    hoftiezer10 = np.where(rng.random(n) < p_missing, -1, hoftiezer10)

    return _Births(year=year, n_preg=n_preg, preg=preg, gem_p=gem_p, q_p=q_p,
                   mig_p=mig_p, age_p=age_p, par_p=par_p, omv_p=omv_p, ga_p=ga_p,
                   first_visit_p=visit, rang=rang, hoftiezer10=hoftiezer10, sterfte=sterfte)


def _perined_columns(b: _Births, geo: _Geography, kind_ids: list[str], seed: int) -> list[list[str]]:
    rng = _rng(seed, b.year, "perined")
    gem_code_p, _ = _gemeente_columns(geo, b.gem_p, rng)

    # gemeente of the mother's later address, for gemeenten that were split later on
    actueel_p = np.full(b.n_preg, "", dtype=object)
    for gi, (succ, shares) in sorted(geo.split_targets.items()):
        here = np.flatnonzero(b.gem_p == gi)
        if here.size == 0:
            continue
        chosen = succ[rng.choice(succ.size, size=here.size, p=shares)]
        form = rng.choice(3, size=here.size, p=[0.7, 0.2, 0.1])
        chosen = _code_forms(chosen.astype(str), form)
        filled = rng.random(here.size) < 0.95
        actueel_p[here[filled]] = chosen[filled]

    mother_ids = np.array(_ids(b.n_preg, "M", seed, b.year, "moeder"), dtype=object)
    p = b.preg
    hof = b.hoftiezer10
    hof_text = ["" if v < 0 else f"{v // 10},{v % 10}" for v in hof.tolist()]
    visit = b.first_visit_p[p]
    visit_text = ["" if v < 0 else str(v) for v in visit.tolist()]
    n = p.size
    return [
        kind_ids,
        mother_ids[p].tolist(),
        [str(b.year)] * n,
        gem_code_p[p].tolist(),
        actueel_p[p].tolist(),
        _ints(b.ga_p[p]),
        hof_text,
        visit_text,
        _ints(b.sterfte),
        _ints(b.omv_p[p]),
        _ints(b.rang),
        _ints(b.age_p[p]),
        _ints(b.par_p[p]),
    ]


_MIGRATION = np.array(["nederland", "europa", "buiten_europa", "onbekend"], dtype=object)
_EDUCATION = np.array(["laag", "midden", "hoog", "onbekend"], dtype=object)


def _cbs_linked_columns(b: _Births, geo: _Geography, kind_ids: list[str], seed: int) -> list[list[str]]:
    rng = _rng(seed, b.year, "cbs_linked")
    n_p = b.n_preg
    qi = b.q_p - 1
    u = geo.effect[b.gem_p]
    be = b.mig_p == 2
    t = b.year - 2017

    # reported quintile: unknown for ~3% (more often with a migration background)
    unknown_q = rng.random(n_p) < np.where(be, 0.075, 0.02)
    q_text = np.where(unknown_q, "", b.q_p.astype(str)).astype(object)

    # education of the mother
    p_low = np.array([0.38, 0.25, 0.17, 0.11, 0.06])[qi]
    p_high = np.array([0.12, 0.25, 0.37, 0.50, 0.64])[qi]
    p_unk = np.where(be, 0.12, 0.03)
    r = rng.random(n_p)
    edu = np.where(r < p_unk, 3, np.where(r < p_unk + p_low * (1 - p_unk), 0,
                   np.where(r < p_unk + (p_low + (1 - p_low - p_high)) * (1 - p_unk), 1, 2)))

    # household flags: all more frequent with low income
    debts = rng.random(n_p) < _expit(np.array([_logit(p) for p in (0.115, 0.058, 0.033, 0.018, 0.009)])[qi]
                                     + 0.8 * u + 0.02 * t)
    psych = rng.random(n_p) < _expit(np.array([_logit(p) for p in (0.19, 0.155, 0.135, 0.12, 0.105)])[qi]
                                     + 0.5 * u + 0.03 * t + 0.5 * debts)
    mv_logit = (np.array([_logit(p) for p in (0.15, 0.065, 0.034, 0.019, 0.011)])[qi]
                + 1.4 * debts + 0.6 * psych + 0.3 * (b.age_p < 20) + 0.5 * u)
    mv = rng.random(n_p) < _expit(mv_logit)
    mv_text = np.where(rng.random(n_p) < 0.02, "", np.where(mv, "1", "0")).astype(object)

    p = b.preg
    n = p.size
    return [
        kind_ids,
        [str(b.year)] * n,
        q_text[p].tolist(),
        _EDUCATION[edu][p].tolist(),
        _MIGRATION[b.mig_p][p].tolist(),
        _flags(debts[p]),
        _flags(psych[p]),
        mv_text[p].tolist(),
    ]


def _vektis_columns(b: _Births, geo: _Geography, kind_ids: list[str], seed: int) -> list[list[str]]:
    rng = _rng(seed, b.year, "vektis")
    live = (b.sterfte != 1) & (b.sterfte != 2)
    idx = np.flatnonzero(live)
    p = b.preg[idx]
    ga = b.ga_p[p]
    st = b.sterfte[idx]
    qi = b.q_p[p] - 1
    n = idx.size
    t = b.year - 2017

    p_long = (0.013 + 0.55 * (ga < 32) + 0.27 * ((ga >= 32) & (ga < 35)) + 0.06 * ((ga >= 35) & (ga < 37))
              + 0.15 * (b.omv_p[p] >= 2) + 0.6 * ((st == 3) | (st == 4)))
    long_stay = rng.random(n) < np.clip(p_long, 0, 0.95)
    lk = (_logit(0.038) + np.array([0.55, 0.25, 0.0, -0.15, -0.25])[qi] + 0.7 * (b.mig_p[p] == 2)
          + 0.25 * geo.deprivation[b.gem_p[p]] + geo.effect[b.gem_p[p]] + 0.02 * t)
    p_none = np.where(long_stay, 0.5, _expit(lk))
    none = rng.random(n) < p_none
    # the flags belong to the pregnancy (in the RA layout: one delivery trajectory per mother):
    # every live child of a pregnancy carries the values drawn for its first live child
    _, first = np.unique(p, return_index=True)
    first_of = np.empty(b.n_preg, dtype=int)
    first_of[p[first]] = first
    long_stay = long_stay[first_of[p]]
    none = none[first_of[p]]
    ids = np.asarray(kind_ids, dtype=object)[idx].tolist()
    return [ids, [str(b.year)] * n, _flags(~none), _flags(long_stay)]


# --------------------------------------------------------------------------------------------
# Aggregated and reference sources
# --------------------------------------------------------------------------------------------


def _youth_protection_columns(year: int, scale: float, seed: int, geo: _Geography) -> list[list[str]]:
    rng = _rng(seed, year, "youth_protection")
    children = (national_births(year - 1) + national_births(year - 2)) * scale
    t = year - 2017
    rate_res = (2.25 - 0.06 * t) / 1000.0
    rate_other = (3.6 - 0.05 * t) / 1000.0
    n_res = int(rng.poisson(rate_res * children))
    n_other = int(rng.poisson(rate_other * children))
    n = n_res + n_other
    w = geo.weight * np.exp(0.45 * geo.deprivation + geo.effect)
    gem = rng.choice(geo.codes.size, size=n, p=w / w.sum())
    residential = np.zeros(n, dtype=bool)
    residential[:n_res] = True
    age = np.where(rng.random(n) < np.where(residential, 0.42, 0.47), 0, 1)
    order = rng.permutation(n)
    gem, residential, age = gem[order], residential[order], age[order]
    codes, _ = _gemeente_columns(geo, gem, rng)
    return [
        _ids(n, "K", seed, year, "youth_protection"),
        [str(year)] * n,
        codes.tolist(),
        _ints(age),
        _flags(residential),
    ]


def _population_columns(year: int, scale: float, seed: int, geo: _Geography) -> list[list[str]]:
    rng = _rng(seed, year, "population")
    p = geo.p
    k = geo.codes.size
    # on 1 January of `year`: age 0 was born in year-1, age 1 in year-2 (minus deaths, +/- moves)
    lam0 = p * national_births(year - 1) * scale * 0.992 * np.exp(0.03 * rng.standard_normal(k))
    lam1 = p * national_births(year - 2) * scale * 0.990 * np.exp(0.04 * rng.standard_normal(k))
    counts = np.stack([rng.poisson(lam0), rng.poisson(lam1)], axis=1)
    text = counts.astype(str).astype(object)
    # CBS suppresses one or two cells a year (null in OData): among the smallest gemeenten
    smallest = np.argsort(geo.weight, kind="stable")[: min(12, k)]
    n_supp = int(rng.integers(1, 3))
    for gi in rng.choice(smallest, size=min(n_supp, smallest.size), replace=False):
        text[gi, int(rng.integers(0, 2))] = ""
    regio, perioden, leeftijd, value = [], [], [], []
    period = f"{year}JJ00"
    for age in (0, 1):
        for gi in range(k):
            regio.append(f"{geo.codes[gi]:<10}")
            perioden.append(period)
            leeftijd.append(str(age))
            value.append(text[gi, age])
    return [regio, perioden, leeftijd, value]


def _stable_uniform(code: str, seed: int, question: str) -> float:
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(question.encode()),
                                 zlib.crc32(_gm(code).encode())])
    return float(rng.random())


def _questionnaire_columns(year: int, seed: int, geo: _Geography) -> list[list[str]]:
    rng = _rng(seed, year, "questionnaire")
    k = geo.codes.size
    years = sorted(_COALITION_SHARE)
    target = float(np.interp(year, years, [_COALITION_SHARE[y] for y in years]))
    t = year - 2017
    nonresponse = 0.08 + 0.04 * rng.random()  # share of gemeenten that skipped the questionnaire
    silent = rng.random(k) < nonresponse
    # the true state is stable per gemeente over the years (a coalition, once formed, stays)
    p_coal = min(target / (1.0 - nonresponse), 0.97)
    p_plan = 0.82 * p_coal
    p_visit = min(0.50 + 0.042 * t, 0.85)
    p_nnz = min(0.30 + 0.042 * t, 0.62)

    def answer(question: str, threshold: float) -> list[str]:
        out = []
        for i, code in enumerate(geo.codes.tolist()):
            if silent[i] or rng.random() < 0.015:
                out.append("")
            else:
                out.append("ja" if _stable_uniform(code, seed, question) < threshold else "nee")
        return out

    coalition = answer("coalitie", p_coal)
    # same stable draw with a lower threshold: an action plan only where there is a coalition
    plan = answer("coalitie", p_plan)
    visits = answer("prenataal_huisbezoek", p_visit)
    nnz = answer("nu_niet_zwanger", p_nnz)
    form = rng.choice(3, size=k, p=[0.8, 0.15, 0.05])
    codes = _code_forms(geo.codes.astype(str), form).tolist()
    names = [_quote(n) for n in geo.names]
    return [[str(year)] * k, codes, names, coalition, plan, visits, nnz]


_REGION_TITLES = {
    "gm_code": "Gemeentecode (GM-code)",
    "gm_name": "Gemeentenaam",
    "pv_code": "Provinciecode (PV-code)",
    "pv_name": "Provincienaam",
    "gg_code": "GGD-regiocode (GG-code)",
    "gg_name": "GGD-regionaam",
}


def _region_column_order(year: int) -> list[str]:
    """Column order of the 'Gebieden in Nederland' extract: the GGD pair moves between years."""
    order = [["gm_code", "gm_name"], ["pv_code", "pv_name"], ["gg_code", "gg_name"]]
    shift = year % 3
    if shift == 1:
        order = [order[0], order[2], order[1]]
    elif shift == 2:
        order = [order[2], order[0], order[1]]
    flat = [c for pair in order for c in pair]
    if year % 2:  # some years put the name before the code of the gemeente
        i = flat.index("gm_code")
        flat[i], flat[i + 1] = flat[i + 1], flat[i]
    return flat


def _regions_files(year: int, geo: _Geography) -> tuple[list[str], list[list[str]], list[str], list[list[str]]]:
    provinces = {_prefixed(k, "PV", 2): v for k, v in reference.PROVINCES.items()}
    ggds = {_prefixed(k, "GG", 4): v for k, v in reference.GGD_REGIONS.items()}
    values = {
        "gm_code": geo.codes.tolist(),
        "gm_name": [_quote(n) for n in geo.names],
        "pv_code": list(geo.provincie),
        "pv_name": [_quote(provinces.get(c, "")) for c in geo.provincie],
        "gg_code": list(geo.ggd),
        "gg_name": [_quote(ggds.get(c, "")) for c in geo.ggd],
    }
    order = _region_column_order(year)
    header = [_REGION_TITLES[c] for c in order]
    columns = [values[c] for c in order]

    m_header = ["datum", "oude_code", "oude_naam", "nieuwe_code", "nieuwe_naam", "aandeel"]
    rows = [m for m in reference.mergers() if m.classification_year <= year]
    m_columns = [
        [m.date.isoformat() if isinstance(m.date, date) else str(m.date) for m in rows],
        [_gm(m.old_code) for m in rows],
        [_quote(m.old_name) for m in rows],
        [_gm(m.new_code) for m in rows],
        [_quote(m.new_name) for m in rows],
        [_decimal(m.share) for m in rows],
    ]
    return header, columns, m_header, m_columns


def _decimal(value: float) -> str:
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------




def write_demo_extracts(inbox: Path, years: Iterable[int] | None = None, scale: float = 1.0,
                        seed: int = 42, progress: Callable[[str], None] | None = None,
                        sources: Iterable[str] | None = None) -> dict[str, int]:
    """Write synthetic extracts of every source (or only of `sources`) for each year into
    `inbox/<source>/<year>/`.

    Returns the number of rows written per source, summed over the years (for `regions`: the
    gemeenten plus the merger rows). Existing files are replaced atomically. Leaving sources out
    does not change the others' files (every source has its own random stream).
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    wanted = set(ALL_SOURCES if sources is None else sources)
    if wanted - set(ALL_SOURCES):
        raise ValueError(f"unknown source(s): {', '.join(sorted(wanted - set(ALL_SOURCES)))}")
    years = reference.bundled_years() if years is None else years
    inbox = Path(inbox)
    say = progress or (lambda _line: None)
    counts = {name: 0 for name in ALL_SOURCES if name in wanted}

    def emit(source: str, year: int, filename: str, header: list[str], columns,
             label: str | None = None, notes: str | None = None, **fmt) -> None:
        if source not in wanted:
            return
        if callable(columns):
            columns = columns()
        target = inbox / source / str(year) / filename
        rows = _write_csv(target, header, columns, **fmt)
        write_synthetic_marker(target, {"command": "ksm demo-data", "seed": seed, "scale": scale}, notes)
        counts[source] += rows
        say(f"{year} {label or source}: {rows:,} rows")

    for year in sorted({int(y) for y in years}):
        geo = _geography(year, seed)
        if wanted & {"perined", "cbs_linked", "vektis"}:
            births = _draw_births(year, scale, seed, geo)
            kind_ids = _ids(births.preg.size, "K", seed, year, "kind")

        emit("perined", year, f"perined_{year}.csv", PERINED.column_names,
             lambda: _perined_columns(births, geo, kind_ids, seed), encoding="utf-8", bom=True, crlf=True)
        emit("cbs_linked", year, f"cbs_linked_{year}.csv", CBS_LINKED.column_names,
             lambda: _cbs_linked_columns(births, geo, kind_ids, seed))
        emit("vektis", year, f"vektis_{year}.csv", VEKTIS.column_names,
             lambda: _vektis_columns(births, geo, kind_ids, seed))
        emit("youth_protection", year, f"youth_protection_{year}.csv", YOUTH_PROTECTION.column_names,
             lambda: _youth_protection_columns(year, scale, seed, geo))
        emit("population", year, f"population_{year}.csv", POPULATION.column_names,
             lambda: _population_columns(year, scale, seed, geo))
        emit("questionnaire", year, f"questionnaire_{year}.csv", QUESTIONNAIRE.column_names,
             lambda: _questionnaire_columns(year, seed, geo), encoding="latin-1", crlf=True)
        header, columns, m_header, m_columns = _regions_files(year, geo)
        note = None
        if reference_year(year) != year:
            note = (f"the bundled real classifications end in {reference_year(year)}; {year} reuses the "
                    f"{reference_year(year)} gemeenten and no merger is invented")
            say(f"{year} regions: {note}")
        emit("regions", year, f"gebieden_in_nederland_{year}.csv", header, columns,
             label="regions (gebieden)", notes=note)
        emit("regions", year, "herindelingen.csv", m_header, m_columns, label="regions (herindelingen)", notes=note)
    return counts


def demo_year(year: int, scale: float = 1.0, seed: int = 42) -> dict:
    """The record-level sources of one demo year as the extract writer draws them, in memory:
    `{source: {column: list of texts}}` for perined, cbs_linked, vektis and youth_protection,
    plus `preg` (the pregnancy index of each Perined child, numpy) and `geo_codes` (the year's
    gemeente codes). The RA layout writer (`demo.ra_layout`) encodes exactly these rows."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    geo = _geography(year, seed)
    births = _draw_births(year, scale, seed, geo)
    kind_ids = _ids(births.preg.size, "K", seed, year, "kind")
    out = {
        "perined": dict(zip(PERINED.column_names, _perined_columns(births, geo, kind_ids, seed))),
        "cbs_linked": dict(zip(CBS_LINKED.column_names, _cbs_linked_columns(births, geo, kind_ids, seed))),
        "vektis": dict(zip(VEKTIS.column_names, _vektis_columns(births, geo, kind_ids, seed))),
        "youth_protection": dict(zip(YOUTH_PROTECTION.column_names,
                                     _youth_protection_columns(year, scale, seed, geo))),
    }
    out["preg"] = births.preg
    out["geo_codes"] = geo.codes.astype(str)
    return out
