import duckdb
import pytest

from orchestration.codes import GEMEENTE_CODE_MACRO, gemeente_status, parse_gemeente_code

CASES = [
    ("363", "GM0363"),
    ("0363", "GM0363"),
    ("GM0363", "GM0363"),
    ("gm363", "GM0363"),
    ("GM0363    ", "GM0363"),  # StatLine pads keys with spaces
    ("  14 ", "GM0014"),
    ("1992", "GM1992"),
    ("00363", "GM0363"),
    ("", None),
    ("   ", None),
    (None, None),
    ("0", None),
    ("GM0000", None),
    ("GM03X3", None),
    ("12345", None),
    ("NL01", None),
    ("PV27", None),
    ("GM 0363", None),
    ("=HYPERLINK(\"x\")", None),
    # both rules trim Unicode's space separators, not tabs or line ends (a delivered value with
    # one of those quarantines its row anyway: a control character)
    ("0363\t", None),
    ("\u00a00363", "GM0363"),
    ("0363\u2003", "GM0363"),
    ("\u20280363", None),
]


@pytest.mark.parametrize("delivered,expected", CASES)
def test_parse_gemeente_code(delivered, expected):
    assert parse_gemeente_code(delivered) == expected


def test_sql_macro_agrees_with_python():
    con = duckdb.connect()
    con.execute(GEMEENTE_CODE_MACRO)
    for delivered, expected in CASES:
        got = con.execute("SELECT ksm_gemeente_code(?)", [delivered]).fetchone()[0]
        assert got == expected, delivered


def test_the_space_separators_are_what_duckdb_trims():
    """SPACE_SEPARATORS is Unicode's Zs category, and DuckDB's trim() strips exactly those of all
    the characters Python counts as white space."""
    import sys
    import unicodedata

    from orchestration.codes import SPACE_SEPARATORS

    everything = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    zs = [ch for ch in everything if unicodedata.category(ch) == "Zs"]
    assert sorted(SPACE_SEPARATORS) == zs
    white = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    trimmed = duckdb.connect().execute("SELECT list(c ORDER BY c) FROM unnest($chars) AS t(c) "
                                       "WHERE trim(c || 'x' || c) = 'x'", {"chars": white}).fetchone()[0]
    assert trimmed == zs


def test_gemeente_status():
    valid = {"GM0363", "GM0014"}
    assert gemeente_status("363", "GM0363", valid) == "ok"
    assert gemeente_status("GM9999", "GM9999", valid) == "unknown"
    assert gemeente_status("GM03X3", None, valid) == "invalid"
    assert gemeente_status("", None, valid) == "missing"
    assert gemeente_status("   ", None, valid) == "missing"
    assert gemeente_status("\t", None, valid) == "invalid"  # as the ingest's SQL has it
