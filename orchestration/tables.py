"""Plain-text tables for the terminal."""

from __future__ import annotations

import datetime as dt


def print_table(columns: list[str], rows: list[tuple]) -> None:
    def fmt(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
        if isinstance(v, (dt.datetime, dt.date)):
            return v.isoformat(sep=" ", timespec="seconds") if isinstance(v, dt.datetime) else v.isoformat()
        return str(v)

    cells = [[fmt(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))
