"""Reading a CBS StatLine table through either OData API, into one shape.

- v3 (`<base>/ODataApi/odata/<table>/...`): `TableInfos` (title), `DataProperties` (dimensions,
  topics and the topic groups they sit in), one code list per dimension (`<base>/.../<Dimension>`),
  and `TypedDataSet`: wide rows, one column per topic. The plain API answers at most 10,000 rows
  and gives no next link; a table that big is read from the bulk feed
  (`<base>/ODataFeed/odata/<table>/TypedDataSet`), which pages with `odata.nextLink`.
- v4 (`<base>/<catalog>/<table>/...`): `Properties` (title), `Dimensions`, `MeasureCodes` and
  `MeasureGroups`, `<Dimension>Codes`, and `Observations`: long rows (one per measure and cell,
  `Measure` + `Value` or `StringValue` + one column per dimension), paged with `@odata.nextLink`.

Both end up as `Table` (metadata) and `Row`s: dimension codes and measure values by key, keys
and string values with CBS's space padding trimmed, suppressed cells as None.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .http import FetchError, NotFound, RetryPolicy, get_json

V3_BASE_URL = "https://opendata.cbs.nl"
V4_BASE_URL = "https://odata4.cbs.nl"
V3_ROW_CAP = 10_000  # rows the plain v3 API returns at most per call
PERIOD = re.compile(r"^(\d{4})([A-Z]{2})(\d{2})$")  # 2023JJ00, 2022MM03, 2021KW02


class StatLineError(Exception):
    """The table cannot be read as expected; one line, naming table and URL where it helps."""


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    kind: str  # 'geo' | 'time' | 'other'


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    groups: tuple[str, ...] = ()  # titles of the groups it sits in, outermost first


@dataclass
class Table:
    table_id: str
    api: str
    title: str
    dimensions: list[Dimension]
    measures: list[Measure]
    codes: dict[str, dict[str, str]]  # dimension key -> code -> title
    urls: list[str] = field(default_factory=list)  # every URL read, metadata and data

    def dimension(self, kind: str) -> Dimension | None:
        found = [d for d in self.dimensions if d.kind == kind]
        return found[0] if len(found) == 1 else None


@dataclass
class Row:
    dims: dict[str, str]
    values: dict[str, object]


def period_year(code: str) -> tuple[int, str] | None:
    """(year, kind) of a StatLine period code: '2023JJ00' -> (2023, 'JJ'); None if not one."""
    match = PERIOD.match(code.strip())
    return (int(match.group(1)), match.group(2)) if match else None


def clean(value: object) -> object:
    """Trim CBS's padding from strings; everything else (numbers, None) as it came."""
    return value.strip() if isinstance(value, str) else value


def _kind(text: str | None, key: str) -> str:
    text = (text or "").lower()
    if "geo" in text or key == "RegioS":
        return "geo"
    if "time" in text or key == "Perioden":
        return "time"
    return "other"


def _values(payload: object, url: str) -> list[dict]:
    if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
        shape = type(payload).__name__ if not isinstance(payload, dict) else "keys " + ", ".join(list(payload)[:5])
        raise StatLineError(f"{url}: unexpected payload, expected an OData 'value' list ({shape})")
    if not all(isinstance(item, dict) for item in payload["value"]):
        raise StatLineError(f"{url}: unexpected payload, 'value' holds something other than records")
    return payload["value"]


class StatLineClient:
    """One table of one API version; `say` receives progress lines."""

    def __init__(self, table_id: str, api: str = "v3", base_url: str | None = None, catalog: str = "CBS",
                 policy: RetryPolicy = RetryPolicy(), say: Callable[[str], None] | None = None,
                 row_cap: int = V3_ROW_CAP):
        if api not in ("v3", "v4"):
            raise StatLineError(f"unknown StatLine API version {api!r} (use v3 or v4)")
        if not re.fullmatch(r"[A-Za-z0-9_]+", table_id):
            raise StatLineError(f"{table_id!r} is not a StatLine table id (like 03759ned or 85385NED)")
        self.table_id = table_id
        self.api = api
        base = (base_url or (V3_BASE_URL if api == "v3" else V4_BASE_URL)).rstrip("/")
        if api == "v3":
            self.root = f"{base}/ODataApi/odata/{table_id}"
            self.feed_root = f"{base}/ODataFeed/odata/{table_id}"
        else:
            self.root = f"{base}/{catalog}/{table_id}"
        self.policy = policy
        self.say = say or (lambda _line: None)
        self.row_cap = row_cap
        self.urls: list[str] = []

    # ------------------------------------------------------------------ plumbing

    def _url(self, root: str, entity: str, **query: str) -> str:
        params = {**({"$format": "json"} if self.api == "v3" else {}), **query}
        text = "&".join(f"{k}={urllib.parse.quote(v, safe=chr(39) + ',')}" for k, v in params.items())
        return f"{root}/{entity}" + (f"?{text}" if text else "")

    def _get(self, url: str, what: str) -> object:
        self.urls.append(url)
        try:
            return get_json(url, self.policy, say=lambda line: self.say(f"{what}: {line}"))
        except NotFound as exc:
            raise StatLineError(
                f"table {self.table_id} not found on the {self.api} API ({exc}); check the table id, "
                f"--api and --base-url") from None
        except FetchError as exc:
            raise StatLineError(str(exc)) from None

    def _list(self, entity: str) -> list[dict]:
        url = self._url(self.root, entity)
        return _values(self._get(url, entity), url)

    # ------------------------------------------------------------------ metadata

    def table(self) -> Table:
        return self._table_v3() if self.api == "v3" else self._table_v4()

    def _table_v3(self) -> Table:
        infos = self._list("TableInfos")
        title = str(clean(infos[0].get("Title", ""))) if infos else ""
        props = self._list("DataProperties")
        by_id = {p.get("ID"): p for p in props}

        def groups(prop: dict) -> tuple[str, ...]:
            chain, parent, seen = [], prop.get("ParentID"), set()
            while parent is not None and parent in by_id and parent not in seen:
                seen.add(parent)
                chain.append(str(clean(by_id[parent].get("Title", ""))))
                parent = by_id[parent].get("ParentID")
            return tuple(reversed(chain))

        dimensions, measures = [], []
        for prop in props:
            ptype = str(prop.get("Type", ""))
            key = str(clean(prop.get("Key", "")))
            if ptype.endswith("Dimension"):
                dimensions.append(Dimension(key, str(clean(prop.get("Title", ""))), _kind(ptype, key)))
            elif ptype == "Topic":
                measures.append(Measure(key, str(clean(prop.get("Title", ""))), groups(prop)))
        if not measures:
            raise StatLineError(f"{self.root}/DataProperties: no topics; is {self.table_id} a data table?")
        codes = {}
        for dim in dimensions:
            codes[dim.key] = {str(clean(c.get("Key", ""))): str(clean(c.get("Title", ""))) for c in self._list(dim.key)}
        return Table(self.table_id, "v3", title, dimensions, measures, codes, self.urls)

    def _table_v4(self) -> Table:
        url = self._url(self.root, "Properties")
        props = self._get(url, "Properties")
        if not isinstance(props, dict):
            raise StatLineError(f"{url}: unexpected payload, expected the table's properties")
        title = str(clean(props.get("Title", "")))
        dimensions = [Dimension(str(clean(d.get("Identifier", ""))), str(clean(d.get("Title", ""))),
                                _kind(d.get("Kind"), str(clean(d.get("Identifier", "")))))
                      for d in self._list("Dimensions")]
        group_rows = {g.get("Id"): g for g in self._list("MeasureGroups")}

        def groups(group_id) -> tuple[str, ...]:
            chain, seen = [], set()
            while group_id is not None and group_id in group_rows and group_id not in seen:
                seen.add(group_id)
                chain.append(str(clean(group_rows[group_id].get("Title", ""))))
                group_id = group_rows[group_id].get("ParentId")
            return tuple(reversed(chain))

        measures = [Measure(str(clean(m.get("Identifier", ""))), str(clean(m.get("Title", ""))),
                            groups(m.get("MeasureGroupId")))
                    for m in self._list("MeasureCodes")]
        if not measures:
            raise StatLineError(f"{self.root}/MeasureCodes: no measures; is {self.table_id} a data table?")
        codes = {}
        for dim in dimensions:
            codes[dim.key] = {str(clean(c.get("Identifier", ""))): str(clean(c.get("Title", "")))
                              for c in self._list(f"{dim.key}Codes")}
        return Table(self.table_id, "v4", title, dimensions, measures, codes, self.urls)

    # ------------------------------------------------------------------ data

    def rows(self, table: Table, odata_filter: str | None = None,
             keep: Callable[[dict[str, str]], bool] = lambda dims: True) -> Iterator[Row]:
        """Every row (v3) or cell group (v4) whose dimension codes pass `keep`."""
        query = {"$filter": odata_filter} if odata_filter else {}
        if self.api == "v3":
            yield from self._rows_v3(table, query, keep)
        else:
            yield from self._rows_v4(table, query, keep)

    def _pages(self, url: str, next_key: str, what: str) -> Iterator[tuple[str, list[dict], str | None]]:
        seen = set()
        page = 0
        while url:
            if url in seen:
                raise StatLineError(f"{url}: the next link points back to a page already read")
            seen.add(url)
            payload = self._get(url, what)
            records = _values(payload, url)
            page += 1
            nxt = payload.get(next_key)
            if nxt is not None and not isinstance(nxt, str):
                raise StatLineError(f"{url}: unexpected payload, {next_key} is not a link")
            if nxt:
                nxt = urllib.parse.urljoin(url, nxt)
                if self.api == "v3" and "$format=" not in nxt:
                    nxt += ("&" if "?" in nxt else "?") + "$format=json"
            yield url, records, nxt
            url = nxt

    def _rows_v3(self, table: Table, query: dict, keep) -> Iterator[Row]:
        dim_keys = [d.key for d in table.dimensions]
        measure_keys = [m.key for m in table.measures]

        def convert(records: list[dict], url: str) -> Iterator[Row]:
            for record in records:
                missing = [k for k in dim_keys if k not in record]
                if missing:
                    raise StatLineError(f"{url}: unexpected payload, a row lacks dimension(s) {', '.join(missing)}")
                dims = {k: str(clean(record[k])) for k in dim_keys}
                if keep(dims):
                    yield Row(dims, {k: clean(record.get(k)) for k in measure_keys})

        url = self._url(self.root, "TypedDataSet", **query)
        pages = self._pages(url, "odata.nextLink", "TypedDataSet")
        first_url, records, nxt = next(pages)
        total = len(records)
        if len(records) >= self.row_cap and not nxt:
            # exactly the cap and no link onward: the answer was cut off; read the bulk feed instead
            self.say(f"TypedDataSet: {len(records):,} rows, the plain API's cap; reading the bulk feed instead")
            pages = self._pages(self._url(self.feed_root, "TypedDataSet", **query), "odata.nextLink", "feed")
            total = 0
            try:
                for number, (page_url, page_records, _next) in enumerate(pages, start=1):
                    total += len(page_records)
                    self.say(f"feed page {number}: {len(page_records):,} rows ({total:,} so far)")
                    yield from convert(page_records, page_url)
            except StatLineError as exc:
                raise StatLineError(f"the plain API answered {len(records):,} rows, its cap, so the answer may be "
                                    f"cut off, and the bulk feed failed: {exc}") from None
            return
        self.say(f"TypedDataSet page 1: {len(records):,} rows")
        yield from convert(records, first_url)
        for number, (page_url, page_records, _next) in enumerate(pages, start=2):
            total += len(page_records)
            self.say(f"TypedDataSet page {number}: {len(page_records):,} rows ({total:,} so far)")
            yield from convert(page_records, page_url)

    def _rows_v4(self, table: Table, query: dict, keep) -> Iterator[Row]:
        dim_keys = [d.key for d in table.dimensions]
        measures = {m.key for m in table.measures}
        cells: dict[tuple, Row] = {}
        total = 0
        url = self._url(self.root, "Observations", **query)
        for number, (page_url, records, _next) in enumerate(self._pages(url, "@odata.nextLink", "Observations"),
                                                            start=1):
            total += len(records)
            self.say(f"Observations page {number}: {len(records):,} observations ({total:,} so far)")
            for record in records:
                missing = [k for k in ("Measure", *dim_keys) if k not in record]
                if missing:
                    raise StatLineError(f"{page_url}: unexpected payload, an observation lacks {', '.join(missing)}")
                dims = {k: str(clean(record[k])) for k in dim_keys}
                if not keep(dims):
                    continue
                measure = str(clean(record["Measure"]))
                if measure not in measures:
                    raise StatLineError(f"{page_url}: observation of measure {measure!r}, "
                                        "which MeasureCodes does not list")
                value = record.get("Value")
                if value is None:
                    value = record.get("StringValue")
                row = cells.setdefault(tuple(dims[k] for k in dim_keys), Row(dims, {}))
                row.values[measure] = clean(value)
        yield from cells.values()
