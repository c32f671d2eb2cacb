"""Reading one delivered extract: find it, decode it, split it into rows, never touch it.

Deliveries come as semicolon (sometimes comma or tab) separated text, in UTF-8 with or without a
BOM or in Windows-1252 (Latin-1), with CRLF or LF line ends. Only plain files are read, never
through a link. Everything that makes a whole file unreadable raises `ExtractRejected` with the
file (escaped) and, where it helps, the line and column in the message.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.escaping import escaped, named
from orchestration.files import not_a_regular_file

EXTRACT_SUFFIXES = {".csv", ".txt"}
DELIMITERS = (";", ",", "\t", "|")
# a field longer than this makes the whole file unreadable (a runaway quote, a blob); the
# columns themselves have much lower limits, checked per row in load.py
FIELD_SIZE_LIMIT = 10_000_000
# file signatures of things that are delivered by mistake instead of a text export
BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook?); export it as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file (.xls); export it as CSV",
    b"\x1f\x8b": "a gzip archive; unpack it first",
    b"%PDF": "a PDF document",
}
UTF8_BOM = b"\xef\xbb\xbf"
# a UTF-8 multi-byte character: in a file that is not valid UTF-8 as a whole, one of these means
# the file mixes two encodings, and reading it as Windows-1252 would publish 'SÃºdwest-FryslÃ¢n'
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class ExtractRejected(Exception):
    """The whole file cannot be used; the message says why and where."""


@dataclass
class ParsedExtract:
    path: Path
    sha256: str
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[list[str]]  # data rows, as delivered (strings); empty when `plain` holds them
    line_numbers: list[int]  # 1-based line number in the file of each data row
    notes: list[str] = field(default_factory=list)
    # a file without quoting (`plain_data`): its lines after the header, for the load to split
    # in DuckDB, where each line is a row and each delimiter a field boundary, as for csv
    plain: str | None = None


def candidate_files(folder: Path, pattern: str = "*") -> list[Path]:
    """The entries of `folder` that could be an extract (by name), regular file or not;
    hidden names are the generator's temporary files."""
    return sorted(p for p in folder.glob(pattern)
                  if p.suffix.lower() in EXTRACT_SUFFIXES and not p.name.startswith(".")
                  and (p.is_symlink() or not p.is_dir()))


def refuse_irregular(files: list[Path]) -> None:
    """One line for the first entry that is not a plain file inside the inbox."""
    for path in files:
        why = not_a_regular_file(path)
        if why:
            raise ExtractRejected(f"{named(path)} {why}")


def refuse_linked_folder(folder: Path) -> None:
    """inbox/<source>/<year>/ and inbox/<source>/ must be folders of the inbox, not links out of it."""
    for part in (folder, folder.parent):
        if part.is_symlink():
            raise ExtractRejected(f"{named(part)} is a symbolic link, not a folder of the inbox")


def extract_files(folder: Path) -> list[Path]:
    """The plain files the ingest reads from one inbox/<source>/<year>/ folder (ingest, sensor,
    status); links and other entries are not extracts (the ingest refuses them with one line)."""
    if not folder.is_dir():
        return []
    return [p for p in candidate_files(folder) if not_a_regular_file(p) is None]


def find_extract(folder: Path, source: str, year: int | str) -> Path:
    """The single extract file in inbox/<source>/<year>/, or a clear error."""
    refuse_linked_folder(folder)
    if not folder.is_dir():
        raise ExtractRejected(f"no extract for {source} {year}: folder {named(folder)} does not exist")
    files = candidate_files(folder)
    refuse_irregular(files)
    if not files:
        raise ExtractRejected(f"no extract for {source} {year}: no .csv or .txt file in {named(folder)}")
    if len(files) > 1:
        names = ", ".join(named(p.name) for p in files)
        raise ExtractRejected(
            f"{len(files)} files for {source} {year} in {named(folder)} ({names}): "
            "keep exactly one extract per source and year"
        )
    return files[0]


def read_delivery(path: Path) -> bytes:
    """The bytes of a plain file, never through a link (O_NOFOLLOW) and never blocking on a FIFO
    (O_NONBLOCK, then fstat): the check and the read are one step, so nothing is swapped between."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ExtractRejected(f"{named(path)} {not_a_regular_file(path) or 'cannot be read'}") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ExtractRejected(f"{named(path)} {not_a_regular_file(path) or 'is not a regular file'}")
        return handle.read()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# a text export has no NUL byte; a binary file (or UTF-16 text) has one in its first line or many
# throughout. A stray NUL in a row is the row's problem: that row is quarantined (load.py)
BINARY_SNIFF_BYTES = 65536
BINARY_NUL_SHARE = 0.01
BINARY_NUL_MIN = 16  # so that one stray NUL in a small file is not "1% of it"


def _looks_binary(data: bytes) -> bool:
    head = data[:BINARY_SNIFF_BYTES]
    first_line = head.split(b"\n", 1)[0]
    return b"\x00" in first_line or head.count(b"\x00") > max(BINARY_NUL_MIN, BINARY_NUL_SHARE * len(head))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and the encoding it was read with, decided on the whole file: valid UTF-8 (BOM or
    not), else clean Windows-1252; anything else is rejected naming the first line at fault."""
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ExtractRejected(f"{named(path)}: binary content, {what}")
    if _looks_binary(data):
        raise ExtractRejected(f"{named(path)}: binary content (NUL bytes), not a text extract")
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM):] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        bad_line = _line_of(body, exc.start)
    if bom:
        raise ExtractRejected(
            f"{named(path)}, line {bad_line}: the file starts with a UTF-8 byte-order mark but this line is "
            "not UTF-8 (Windows-1252?); save the whole file in one encoding")
    mixed = UTF8_SEQUENCE.search(body)
    if mixed:
        raise ExtractRejected(
            f"{named(path)}, line {bad_line}: not UTF-8 (Windows-1252?), while line "
            f"{_line_of(body, mixed.start())} is UTF-8; save the whole file in one encoding")
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ExtractRejected(
            f"{named(path)}, line {_line_of(body, exc.start)}: byte 0x{body[exc.start]:02x} is neither UTF-8 "
            "nor Windows-1252; save the file as UTF-8") from None


def sniff_delimiter(header_line: str, expected: list[str]) -> str:
    """The delimiter that splits the header into the most expected column names."""
    wanted = {name.lower() for name in expected}

    def score(delim: str) -> tuple[int, int]:
        fields = [f.strip().strip('"').lower() for f in header_line.split(delim)]
        return (sum(f in wanted for f in fields), len(fields))

    return max(DELIMITERS, key=score)


def shown(text: str, limit: int = 60) -> str:
    """A delivered value as it may appear in a one-line message: printable and short, each
    non-printable character a '?' (as the ingest's SQL shows a value: `load._shown`)."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(clean if len(clean) <= limit else clean[:limit] + "...")


def check_header(path: Path, header: list[str]) -> None:
    """Column titles must be unique (case-insensitively), or a value could be read from either."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        key = name.lower()
        if key and key in seen:
            raise ExtractRejected(f"{named(path)}, line 1 (header): column {shown(name)} appears twice "
                                  f"(columns {seen[key]} and {i})")
        seen[key] = i


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector off for the block. Reading an extract creates a list per
    row and a string per field, hundreds of thousands of objects without cycles; they set off
    collection after collection, the full ones walking the process's whole heap (Dagster, the
    dbt manifest), which cost about as much CPU as the parsing itself (docs/performance.md).
    Nothing here needs a collection: the rows are freed by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plain_data(text: str) -> str | None:
    """The lines after the header when reading the file needs no CSV parser: no quote character
    (so no field holds a delimiter or a line end), no NUL, no carriage return but in CRLF line
    ends, at least one line after the header and no line longer than a field may be. Splitting
    each line on the delimiter then gives exactly the csv module's rows (blank lines aside,
    which the load skips as `parse_extract` does). None when the csv module must read it."""
    if '"' in text or "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    data = text.partition("\n")[2]
    if not data.strip():
        return None
    if len(data) > FIELD_SIZE_LIMIT and max(map(len, data.split("\n"))) > FIELD_SIZE_LIMIT:
        return None
    return data


def parse_extract(path: Path, expected_columns: list[str], allow_plain: bool = True,
                  data: bytes | None = None) -> ParsedExtract:
    """The file read and split into header and rows; a plain file's rows are left to DuckDB
    (`ParsedExtract.plain`) unless `allow_plain` is False (files read row by row in Python).
    `data`: the file's bytes when the caller has read them already (`read_delivery`)."""
    data = read_delivery(path) if data is None else data
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ExtractRejected(f"{named(path)}: the file is empty")
    text, encoding = decode(data, path)
    first_line = text.splitlines()[0] if text else ""
    delimiter = sniff_delimiter(first_line, expected_columns)
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ExtractRejected(f"{named(path)}: cannot read the header line ({exc})") from exc
    header = [h.strip().strip("\ufeff") for h in header]
    check_header(path, header)
    notes = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding}")
    if delimiter != ";":
        notes.append(f"delimiter {delimiter!r}")
    plain = plain_data(text) if allow_plain else None
    if plain is not None:
        return ParsedExtract(path, sha, encoding, delimiter, header, [], [], notes, plain=plain)
    rows: list[list[str]] = []
    lines: list[int] = []
    first_line = reader.line_num + 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                first_line = reader.line_num + 1
                continue  # blank line
            # a quoted value that swallows line ends and leaves the row short is a quote that was
            # never closed: everything after it would silently become one value
            if len(row) != len(header) and any("\n" in f or "\r" in f for f in row):
                column = next(i for i, f in enumerate(row) if "\n" in f or "\r" in f)
                name = header[column] if column < len(header) else f"#{column + 1}"
                raise ExtractRejected(
                    f"{named(path)}, line {first_line}, column {escaped(name, 60)}: a quote (\") opened here is not closed "
                    f"before line {reader.line_num}; fix the quoting")
            rows.append(row)
            lines.append(first_line)
            first_line = reader.line_num + 1
    except csv.Error as exc:
        raise ExtractRejected(f"{named(path)}, line {reader.line_num}: unreadable CSV ({escaped(str(exc), 120)})") from exc
    return ParsedExtract(path, sha, encoding, delimiter, header, rows, lines, notes)
