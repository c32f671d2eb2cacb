"""Gemeente codes as delivered ('363', '0363', 'GM0363', 'GM0363    ') made canonical ('GM0363').

The same rule exists twice on purpose: as a Python function for code that handles single values
(the CBS connector, tests) and as a DuckDB macro for the ingest, which normalises whole files in
SQL. `tests/test_codes.py` checks that both give the same answer on every case.
"""

from __future__ import annotations

import re

# what DuckDB's trim() strips, used by the ingest's macro below: Unicode's space separators (Zs),
# not tabs or line ends as Python's strip() would (those quarantine a delivered row anyway)
SPACE_SEPARATORS = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

# [0-9], not \d: Python's \d takes full-width and other Unicode digits ('０３６３'), DuckDB's RE2 does not
_GEMEENTE = re.compile(r"^(?:GM)?0*([0-9]{1,4})$", re.IGNORECASE)


def parse_gemeente_code(value: str | None) -> str | None:
    """Canonical 'GMnnnn' code, or None when the value is empty or not a gemeente code."""
    if value is None:
        return None
    text = value.strip(SPACE_SEPARATORS)
    match = _GEMEENTE.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    return "GM" + match.group(1).zfill(4)


# DuckDB's regexp functions use RE2, so the pattern above carries over unchanged. Its digits are
# extracted, not matched and then extracted: two regular expressions a value instead of three
# ('' when the value does not match, which casts to NULL)
_DIGITS_SQL = f"regexp_extract(trim(value), '(?i){_GEMEENTE.pattern}', 1)"
GEMEENTE_CODE_MACRO = f"""
CREATE OR REPLACE MACRO ksm_gemeente_code(value) AS (
    CASE WHEN TRY_CAST({_DIGITS_SQL} AS INTEGER) > 0 THEN 'GM' || lpad({_DIGITS_SQL}, 4, '0') END
)
"""


def gemeente_status(delivered: str | None, code: str | None, valid_codes: set[str]) -> str:
    """'ok', 'unknown' (well-formed, not in the year's classification), 'missing' or 'invalid'."""
    if delivered is None or not delivered.strip(SPACE_SEPARATORS):
        return "missing"
    if code is None:
        return "invalid"
    return "ok" if code in valid_codes else "unknown"
