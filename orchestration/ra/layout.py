"""Where each RA table is, and which of its files counts.

A layout is a root folder per drive (`G:` CBS's standard microdata, `K:` the reference files,
`L:` the project's own deliveries; on RA the drives themselves, elsewhere any folder) and one
or more globs per logical table, written with the drive first (`G:/Bevolking/KINDOUDERTAB/**/*.sav`).
The defaults follow CBS's standard layout; a small TOML file (`ra_layout.toml`, see
docs/sources.md) overrides roots and globs. Of the files a table's globs find, the year and
version in the file name decide: per year the highest version (`...V2.sav` over `...V1.sav`),
or, for a table that is one file for all years, the newest (highest year, then version).
Column names match case-insensitively.

Everything here is pure except `list_table_files` and `load_layout`, which read folders and the
config file (and never write).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath, PurePosixPath

from orchestration.errors import UserError
from orchestration.escaping import escaped, named

# on RA the drives are the roots; elsewhere (tests, the demo) the config maps them to folders
DEFAULT_ROOTS: dict[str, str] = {"G:": "G:/", "K:": "K:/", "L:": "L:/"}
LAYOUT_FILE_NAME = "ra_layout.toml"
SAV_SUFFIXES = (".sav", ".zsav")
CSV_SUFFIXES = (".csv",)
READABLE_SUFFIXES = SAV_SUFFIXES + CSV_SUFFIXES

# a year in a file name: four digits 19xx/20xx not part of a longer number (so the delivery
# date 20240115 is no year); a version: V<digits> at the end of the name
YEAR_IN_NAME = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
VERSION_IN_NAME = re.compile(r"V([0-9]+)[^A-Za-z0-9]*$", re.IGNORECASE)
DRIVE_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):[\\/]*(.*)$", re.DOTALL)
MAGIC = re.compile(r"[*?\[]")


class LayoutError(UserError):
    """The layout config or the files it finds cannot be used; one line says why."""


@dataclass(frozen=True)
class TableSpec:
    """One logical RA table: where its files are and which columns the monitor reads.

    `columns` are required; an entry `A|B` accepts either name (the first is the name in
    `raw_ra`). `optional` columns are read when present (a variable that exists only in some
    years); `column_patterns` read every column whose name matches (`gem[0-9]{4}`: a gemeente
    column per classification year). `keys` are the person keys (RINPERSOONS, RINPERSOON) pairs,
    by their names in `raw_ra`: kept as text, missing forms NULL.
    """

    name: str
    globs: tuple[str, ...]
    columns: tuple[str, ...]
    per_year: bool = False
    optional: tuple[str, ...] = ()
    column_patterns: tuple[str, ...] = ()
    keys: tuple[tuple[str, str], ...] = ()
    csv_delimiter: str = ";"
    csv_decimal: str = ","
    encoding: str = "utf-8"
    description: str = ""

    @property
    def raw_columns(self) -> list[str]:
        return [c.split("|")[0] for c in self.columns + self.optional]

    @property
    def key_columns(self) -> set[str]:
        return {name for pair in self.keys for name in pair}


PERSON = ("RINPERSOONS", "RINPERSOON")

DEFAULT_TABLES: dict[str, TableSpec] = {spec.name: spec for spec in (
    TableSpec(
        "kindoudertab", ("G:/Bevolking/KINDOUDERTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "RINPERSOONSMa", "RINPERSOONMa",
                 "RINPERSOONSpa", "RINPERSOONpa"),
        keys=(PERSON, ("RINPERSOONSMa", "RINPERSOONMa"), ("RINPERSOONSpa", "RINPERSOONpa")),
        description="child to legal parents (mother, other parent); one file, the newest counts"),
    TableSpec(
        "gbapersoontab", ("G:/Bevolking/GBAPERSOONTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "GBAGEBOORTEJAAR", "GBAGEBOORTEMAAND",
                 "GBAGESLACHT", "GBAHERKOMSTGROEPERING", "GBAGENERATIE"),
        optional=("GBAGEBOORTEDAG",),
        keys=(PERSON,),
        description="persons: birth date, sex, migration background; the newest file counts"),
    TableSpec(
        "gbaadresobjectbus", ("G:/Bevolking/GBAADRESOBJECTBUS/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "GBADATUMAANVANGADRESHOUDING",
                 "GBADATUMEINDEADRESHOUDING", "SOORTOBJECTNUMMER", "RINOBJECTNUMMER"),
        keys=(PERSON,),
        description="address spells per person; the newest file counts"),
    TableSpec(
        "vslgwbtab", ("G:/BouwenWonen/VSLGWBTAB/**/*.sav",),
        columns=("SOORTOBJECTNUMMER", "RINOBJECTNUMMER"), column_patterns=("gem[0-9]{4}",),
        description="addresses with a BAG object to their gemeente, a column per classification year"),
    TableSpec(
        "nietvslgwbtab", ("G:/BouwenWonen/NIETVSLGWBTAB/**/*.sav",),
        columns=("SOORTOBJECTNUMMER", "RINOBJECTNUMMER"), column_patterns=("gem[0-9]{4}",),
        description="addresses without a BAG object to their gemeente, a column per classification year"),
    TableSpec(
        "gbalevendgeborenen", ("G:/Bevolking/GBALEVENDGEBORENENMASSATAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "RANGNUMMERMOEDER"), per_year=True,
        keys=(PERSON,), description="live births of the year with the mother's rank number"),
    TableSpec(
        "perined", ("L:/Perined/**/*.sav", "L:/Perined/**/*.csv"),
        columns=("RINPERSOONS_Kind|CBKSoortNr_Kind", "Rinpersoon_Kind",
                 "RINPERSOONS_Moeder|CBKSoortNr_Moeder", "Rinpersoon_Moeder",
                 "jaar", "amww", "sterfte", "omv", "rangnummer"),
        optional=("hoftiezer", "amddd1ond", "lft", "par"),
        keys=(("RINPERSOONS_Kind", "Rinpersoon_Kind"), ("RINPERSOONS_Moeder", "Rinpersoon_Moeder")),
        description="the linked Perined delivery (all years in one; `lft` mother's age, `par` parity); "
                    "the newest delivery counts"),
    TableSpec(
        "vektis_bevallingen", ("L:/Vektis/**/*bevallingen*.sav", "L:/Vektis/**/*bevallingen*.csv"),
        columns=("RINPERSOONS", "RINPERSOON", "trajectid", "bevallingsmaand"), keys=(PERSON,),
        description="Vektis delivery trajectories keyed on the mother (`bevallingsmaand` YYYYMM); "
                    "the newest delivery counts"),
    TableSpec(
        "vektis_zorg", ("L:/Vektis/**/*geboortezorg*.sav", "L:/Vektis/**/*geboortezorg*.csv"),
        columns=("RINPERSOONS", "RINPERSOON", "trajectid", "prestatiemaand", "ib_indeling"),
        optional=("aantal",), keys=(PERSON,),
        description="Vektis birth-care claims keyed on the mother (`ib_indeling` 'Kraamzorg per uur' is "
                    "kraamzorg); the newest delivery counts"),
    TableSpec(
        "mszprestatiesvekttab", ("G:/GezondheidWelzijn/MSZPRESTATIESVEKTTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "VEKTMSZDBCZorgproduct"), per_year=True, keys=(PERSON,),
        description="hospital care products per person and year (a long stay after birth)"),
    TableSpec(
        "wsnppersbus", ("G:/VeiligheidRecht/WSNPPERSBUS/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "WSNPDATUMTOELAAT", "WSNPDATUMBEEIN"), keys=(PERSON,),
        description="debt-restructuring spells (admitted, ended; YYYYMMDD); the newest file counts"),
    TableSpec(
        "wanbzvwtab", ("G:/GezondheidWelzijn/WANBZVWTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON"), per_year=True, keys=(PERSON,),
        description="persons listed in the year for six months or more of unpaid health-insurance premium"),
    TableSpec(
        "zvwzorgkostentab", ("G:/GezondheidWelzijn/ZVWZORGKOSTENTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON"), per_year=True, keys=(PERSON,),
        optional=("ZVWKGENBASGGZ", "ZVWKSPECGGZ", "ZVWKGGZZPMTOTAAL"),
        description="health-insurance care costs per person and year: mental-health care before 2022 "
                    "(basic, specialised) and from 2022 (one total)"),
    TableSpec(
        "medicijntab", ("G:/GezondheidWelzijn/MEDICIJNTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "ATC4"), per_year=True, keys=(PERSON,),
        description="medicines dispensed per person and year by ATC4 code"),
    TableSpec(
        "koppelpersoonhuishouden", ("G:/InkomenBestedingen/INHATAB/**/KOPPELPERSOONHUISHOUDEN*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "RINPERSOONSHKW", "RINPERSOONHKW"), per_year=True,
        keys=(PERSON, ("RINPERSOONSHKW", "RINPERSOONHKW")),
        description="person to household (its key is the household's reference person) per year"),
    TableSpec(
        "inhatab", ("G:/InkomenBestedingen/INHATAB/**/INHA*TAB*.sav",),
        columns=("RINPERSOONSHKW", "RINPERSOONHKW", "INHP100HGEST|INHP100HGESTES"), per_year=True,
        keys=(("RINPERSOONSHKW", "RINPERSOONHKW"),),
        description="household income per year: percentile of standardised income (negative = unknown)"),
    TableSpec(
        "hoogsteopltab", ("G:/Onderwijs/HOOGSTEOPLTAB/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "OPLNRHB"), per_year=True, keys=(PERSON,),
        description="highest education attained per person and year, as an education number"),
    TableSpec(
        "opleidingsnrref", ("K:/Utilities/Code_Listings/SSBreferentiebestanden/OPLEIDINGSNRREFV*.sav",),
        columns=("OPLNR", "CTO"),
        description="reference file: education number to CTO code; the newest version counts"),
    TableSpec(
        "ctoref", ("K:/Utilities/Code_Listings/SSBreferentiebestanden/CTOREFV*.sav",),
        columns=("CTO", "OPLNIVSOI2016AGG4HB"),
        description="reference file: CTO code to level (first digit 1/2/3 low/middle/high); the newest counts"),
    TableSpec(
        "landaktueelref", ("K:/Utilities/Code_Listings/SSBreferentiebestanden/LANDAKTUEELREFV*.sav",),
        columns=("LAND", "LANDNAAM", "WERELDDEEL"),
        description="reference file: country code to name and part of the world; the newest counts"),
    TableSpec(
        "kwetsbaarheid", ("L:/Kwetsbaarheid/**/*.sav", "L:/Kwetsbaarheid/**/*.csv"),
        columns=("RINPERSOONS_Kind|RINPERSOONS", "RINPERSOON_Kind|RINPERSOON", "voorspelling_kwetsbaar"),
        optional=("kans_kwetsbaar",), keys=(("RINPERSOONS_Kind", "RINPERSOON_Kind"),),
        description="the prediction of multiple vulnerability per child (ja/nee); the newest file counts"),
    TableSpec(
        "jgdbeschermbus", ("G:/VeiligheidRecht/JGDBESCHERMBUS/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "JGDBMAATREGEL", "JGDBGELDIGHEIDBEGINDATUM",
                 "JGDBGELDIGHEIDEINDDATUM"), per_year=True, keys=(PERSON,),
        description="youth-protection measures with their validity dates (YYYYMMDD)"),
    TableSpec(
        "jgdhulpbus", ("G:/GezondheidWelzijn/JGDHULPBUS/**/*.sav",),
        columns=("RINPERSOONS", "RINPERSOON", "JGDHHULPVORM", "JGDHGELDIGHEIDBEGINDATUM",
                 "JGDHGELDIGHEIDEINDDATUM"), per_year=True, keys=(PERSON,),
        description="youth care with its form (11-14: with stay) and validity dates (YYYYMMDD)"),
)}

# what a table entry of the config may set
TABLE_KEYS = {"glob", "per_year", "csv_delimiter", "csv_decimal", "encoding"}


@dataclass(frozen=True)
class RaLayout:
    roots: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROOTS))
    tables: dict[str, TableSpec] = field(default_factory=lambda: dict(DEFAULT_TABLES))

    def table(self, name: str) -> TableSpec:
        try:
            return self.tables[name]
        except KeyError:
            raise LayoutError(f"no RA table {escaped(name, 60)!r}; known: {', '.join(sorted(self.tables))}") from None


def drive_key(drive: str) -> str:
    """`g`, `G:` -> `G:` (drive names are case-insensitive, as on Windows)."""
    return drive.rstrip(":").upper() + ":"


def parse_layout(text: str, source: str = LAYOUT_FILE_NAME) -> RaLayout:
    """The layout of a config text (TOML) over the defaults: `[roots]` maps a drive to a folder,
    `[tables.<name>]` sets `glob` (one or a list), `per_year`, `csv_delimiter`, `csv_decimal`,
    `encoding`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{named(source)}: not valid TOML ({exc})") from None
    unknown = set(data) - {"roots", "tables"}
    if unknown:
        raise LayoutError(f"{named(source)}: unknown section {escaped(sorted(unknown)[0], 60)!r}; "
                          "expected [roots] and [tables.<name>]")
    roots = dict(DEFAULT_ROOTS)
    for drive, folder in (data.get("roots") or {}).items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*:?", drive) or not isinstance(folder, str):
            raise LayoutError(f"{named(source)}: root {escaped(drive, 60)!r} must be a drive name "
                              "such as \"G:\" mapped to a folder (text)")
        roots[drive_key(drive)] = folder
    tables = dict(DEFAULT_TABLES)
    for name, entry in (data.get("tables") or {}).items():
        if name not in tables:
            raise LayoutError(f"{named(source)}: unknown table {escaped(name, 60)!r}; "
                              f"known: {', '.join(sorted(tables))}")
        if not isinstance(entry, dict) or set(entry) - TABLE_KEYS:
            bad = sorted(set(entry) - TABLE_KEYS)[0] if isinstance(entry, dict) else name
            raise LayoutError(f"{named(source)}: table {name}: unknown setting {escaped(bad, 60)!r}; "
                              f"allowed: {', '.join(sorted(TABLE_KEYS))}")
        changes = dict(entry)
        if "glob" in changes:
            globs = changes.pop("glob")
            globs = (globs,) if isinstance(globs, str) else tuple(globs)
            if not globs or not all(isinstance(g, str) and g for g in globs):
                raise LayoutError(f"{named(source)}: table {name}: glob must be a text or a list of texts")
            for pattern in globs:
                split_drive(pattern, roots)  # refuse an unknown drive now, not at read time
            changes["globs"] = globs
        if "per_year" in changes and not isinstance(changes["per_year"], bool):
            raise LayoutError(f"{named(source)}: table {name}: per_year must be true or false")
        tables[name] = replace(tables[name], **changes)
    return RaLayout(roots=roots, tables=tables)


def load_layout(path: Path | None = None) -> RaLayout:
    """The defaults, overridden by the config file at `path` when given."""
    if path is None:
        return RaLayout()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"{named(path)}: cannot read the RA layout config ({exc})") from None
    return parse_layout(text, source=str(path))


def split_drive(pattern: str, roots: dict[str, str]) -> tuple[str, str]:
    """`G:/Bevolking/X/*.sav` -> (root folder of G:, `Bevolking/X/*.sav`); backslashes are
    separators (Windows), the drive is case-insensitive."""
    match = DRIVE_PREFIX.match(pattern.replace("\\", "/"))
    if not match:
        raise LayoutError(f"glob {escaped(pattern, 120)!r} must start with a drive such as G: "
                          f"(roots: {', '.join(sorted(roots))})")
    drive = drive_key(match.group(1))
    if drive not in roots:
        raise LayoutError(f"glob {escaped(pattern, 120)!r}: no root for drive {drive} "
                          f"(roots: {', '.join(sorted(roots))})")
    return roots[drive], match.group(2)


def glob_regex(pattern: str) -> re.Pattern:
    """A relative glob as a case-insensitive regex over '/'-separated paths: `*` and `?` stay
    within a folder name, `**/` spans any number of folders (none too), `[...]` is a class."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.IGNORECASE)


def fixed_prefix(pattern: str) -> tuple[str, str]:
    """The leading folders of a glob without wildcards, and the rest (`Bevolking/X/**/*.sav` ->
    (`Bevolking/X`, `**/*.sav`)): only the prefix folder is walked."""
    parts = [p for p in pattern.split("/") if p]
    for i, part in enumerate(parts):
        if MAGIC.search(part):
            return "/".join(parts[:i]), "/".join(parts[i:])
    return "/".join(parts[:-1]), parts[-1] if parts else ""


def list_table_files(layout: RaLayout, table: str) -> list[Path]:
    """The plain files the globs of `table` find (never through a symbolic link), sorted."""
    spec = layout.table(table)
    found: set[Path] = set()
    for pattern in spec.globs:
        root, rest = split_drive(pattern, layout.roots)
        prefix, remainder = fixed_prefix(rest)
        base = Path(root) / prefix if prefix else Path(root)
        if not base.is_dir() or base.is_symlink():
            continue
        regex = glob_regex(remainder)
        for folder, dirs, files in os.walk(base):  # does not follow links into folders
            for name in files:
                path = Path(folder) / name
                relative = path.relative_to(base).as_posix()
                if regex.fullmatch(relative) and not path.is_symlink() and path.is_file():
                    found.add(path)
    return sorted(found)


@dataclass(frozen=True)
class FileVersion:
    path: PurePath
    years: tuple[int, ...]
    version: int

    @property
    def sav_first(self) -> int:
        return 1 if self.path.suffix.lower() in SAV_SUFFIXES else 0


def parse_file_name(path: PurePath | str) -> FileVersion:
    """Years (4 digits, 19xx/20xx, not inside a longer number) and version (`V<n>` at the end,
    0 when absent) in a file name: `GBAPERSOON2023TABV2.sav` -> (2023,), 2."""
    path = PurePosixPath(path) if isinstance(path, str) else path
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    years = tuple(int(y) for y in YEAR_IN_NAME.findall(stem))
    version = VERSION_IN_NAME.search(stem)
    return FileVersion(path, years, int(version.group(1)) if version else 0)


@dataclass(frozen=True)
class Resolution:
    table: str
    chosen: dict[int | None, PurePath]  # year -> file (per-year tables); None -> the one file
    superseded: tuple[PurePath, ...] = ()  # older versions, ignored
    without_year: tuple[PurePath, ...] = ()  # per-year table: a file whose name has no year


def choose_files(table: str, paths: list[PurePath], per_year: bool) -> Resolution:
    """Which file counts: per year the highest version (`.sav` over `.csv` of the same version),
    or for a one-file table the newest (highest year in the name, then version). Two different
    files with the same year and version are an error naming both."""
    versions = [parse_file_name(p) for p in paths
                if p.suffix.lower() in READABLE_SUFFIXES and not p.name.startswith(".")]
    groups: dict[int | None, list[FileVersion]] = {}
    without_year = []
    for fv in versions:
        if per_year:
            if not fv.years:
                without_year.append(fv.path)
                continue
            groups.setdefault(fv.years[0], []).append(fv)
        else:
            groups.setdefault(None, []).append(fv)

    def rank(fv: FileVersion) -> tuple:
        return (max(fv.years, default=-1) if not per_year else 0, fv.version, fv.sav_first)

    chosen, superseded = {}, []
    for year, group in groups.items():
        group.sort(key=rank, reverse=True)
        best = group[0]
        if len(group) > 1 and rank(group[1]) == rank(best):
            where = f" {year}" if year is not None else ""
            raise LayoutError(f"{table}{where}: two files with the same year and version, "
                              f"{named(best.path)} and {named(group[1].path)}: remove one")
        chosen[year] = best.path
        superseded.extend(fv.path for fv in group[1:])
    return Resolution(table, dict(sorted(chosen.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))),
                      tuple(sorted(superseded)), tuple(sorted(without_year)))


def resolve_table(layout: RaLayout, table: str) -> Resolution:
    """The files of `table` that count (see `choose_files`)."""
    spec = layout.table(table)
    return choose_files(table, list(list_table_files(layout, table)), spec.per_year)


def match_columns(spec: TableSpec, available: list[str], file: PurePath | str) -> dict[str, str]:
    """raw_ra name -> the file's own column name, matched case-insensitively; a required column
    that is missing is one line naming the file and the column."""
    by_lower: dict[str, str] = {}
    for name in available:
        if name.lower() in by_lower:
            raise LayoutError(f"{named(file)}: column {escaped(name, 60)} appears twice "
                              "(names differing only in case)")
        by_lower[name.lower()] = name
    chosen: dict[str, str] = {}
    for entry, required in [(c, True) for c in spec.columns] + [(c, False) for c in spec.optional]:
        names = entry.split("|")
        actual = next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)
        if actual is None:
            if required:
                raise LayoutError(f"{named(file)}: column {' or '.join(names)} of table {spec.name} "
                                  "not found (names match in any case)")
            continue
        chosen[names[0]] = actual
    for pattern in spec.column_patterns:
        regex = re.compile(pattern, re.IGNORECASE)
        hits = [n for n in available if regex.fullmatch(n)]
        if not hits:
            raise LayoutError(f"{named(file)}: no column matching {pattern} in table {spec.name}")
        for name in hits:
            chosen.setdefault(name.lower(), name)
    return chosen
