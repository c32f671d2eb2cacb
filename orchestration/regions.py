"""Municipal mergers (herindelingen) and how codes of one classification map onto a later one.

Pure functions (standard library only). The classifications and the merger list themselves are
data: each year's come from that year's `regions` extract (`orchestration.assets.ingest.regions`);
the copies bundled with the demo generator are in `demo.reference`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Tolerance when checking that the shares of one old gemeente add up to 1.
_SHARE_TOLERANCE = 1e-6


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
