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


def test_gemeente_status():
    valid = {"GM0363", "GM0014"}
    assert gemeente_status("363", "GM0363", valid) == "ok"
    assert gemeente_status("GM9999", "GM9999", valid) == "unknown"
    assert gemeente_status("GM03X3", None, valid) == "invalid"
    assert gemeente_status("", None, valid) == "missing"
