"""The README's one-line `ksm query` examples run on a released file, each region once, years apart."""

from __future__ import annotations

import json
import re

from orchestration.cli import main
from orchestration.settings import PROJECT_ROOT


def readme_queries() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return [q for q in re.findall(r'ksm query "([^"\n]+)"', text) if q.lower().startswith("select")]


def test_readme_query_examples_run_and_give_readable_answers(copy_home, capsys):
    queries = readme_queries()
    assert len(queries) >= 3
    for sql in queries:
        code = main(["query", sql, "--format", "json"])
        out, err = capsys.readouterr()
        assert code == 0, f"{sql}: {err}"
        rows = json.loads(out)
        if "indicator_series" in sql and "period_type = 'year'" in sql:
            years = [r.get("year", r.get("year_to")) for r in rows]
            assert years == sorted(set(years)), f"{sql}: a year twice or out of order"
        if sql.startswith("select year, version"):
            assert rows and "input_checksums" not in rows[0] and all(len(json.dumps(r)) < 400 for r in rows)
