"""Reading one delivered extract: find it, decode it, split it into rows, never touch it.

Deliveries come as semicolon (sometimes comma or tab) separated text, in UTF-8 with or without a
BOM or in Latin-1, with CRLF or LF line ends. Everything that makes a whole file unreadable raises
`ExtractRejected` with the file (and where it helps, the row and column) in the message.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

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


class ExtractRejected(Exception):
    """The whole file cannot be used; the message says why and where."""


@dataclass
class ParsedExtract:
    path: Path
    sha256: str
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[list[str]]  # data rows, as delivered (strings)
    line_numbers: list[int]  # 1-based line number in the file of each data row
    notes: list[str] = field(default_factory=list)


def extract_files(folder: Path) -> list[Path]:
    """The files the ingest reads from one inbox/<source>/<year>/ folder (ingest, sensor, status)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in EXTRACT_SUFFIXES and not p.name.startswith("."))


def find_extract(folder: Path, source: str, year: int | str) -> Path:
    """The single extract file in inbox/<source>/<year>/, or a clear error."""
    if not folder.is_dir():
        raise ExtractRejected(f"no extract for {source} {year}: folder {folder} does not exist")
    files = extract_files(folder)
    if not files:
        raise ExtractRejected(f"no extract for {source} {year}: no .csv or .txt file in {folder}")
    if len(files) > 1:
        names = ", ".join(p.name for p in files)
        raise ExtractRejected(
            f"{len(files)} files for {source} {year} in {folder} ({names}): "
            "keep exactly one extract per source and year"
        )
    return files[0]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not), else Latin-1 (cp1252)."""
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ExtractRejected(f"{path}: binary content, {what}")
    if b"\x00" in data[:65536]:
        raise ExtractRejected(f"{path}: binary content (NUL bytes), not a text extract")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str, expected: list[str]) -> str:
    """The delimiter that splits the header into the most expected column names."""
    wanted = {name.lower() for name in expected}

    def score(delim: str) -> tuple[int, int]:
        fields = [f.strip().strip('"').lower() for f in header_line.split(delim)]
        return (sum(f in wanted for f in fields), len(fields))

    return max(DELIMITERS, key=score)


def shown(text: str, limit: int = 60) -> str:
    """A delivered value as it may appear in a one-line message: printable and short."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(clean if len(clean) <= limit else clean[:limit] + "...")


def check_header(path: Path, header: list[str]) -> None:
    """Column titles must be unique (case-insensitively), or a value could be read from either."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        key = name.lower()
        if key and key in seen:
            raise ExtractRejected(f"{path}, line 1 (header): column {shown(name)} appears twice "
                                  f"(columns {seen[key]} and {i})")
        seen[key] = i


def parse_extract(path: Path, expected_columns: list[str]) -> ParsedExtract:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ExtractRejected(f"{path}: the file is empty")
    text, encoding = decode(data, path)
    first_line = text.splitlines()[0] if text else ""
    delimiter = sniff_delimiter(first_line, expected_columns)
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ExtractRejected(f"{path}: cannot read the header line ({exc})") from exc
    header = [h.strip().strip("\ufeff") for h in header]
    check_header(path, header)
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
                    f"{path}, line {first_line}, column {name}: a quote (\") opened here is not closed "
                    f"before line {reader.line_num}; fix the quoting")
            rows.append(row)
            lines.append(first_line)
            first_line = reader.line_num + 1
    except csv.Error as exc:
        raise ExtractRejected(f"{path}, line {reader.line_num}: unreadable CSV ({exc})") from exc
    notes = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding}")
    if delimiter != ";":
        notes.append(f"delimiter {delimiter!r}")
    return ParsedExtract(path, sha, encoding, delimiter, header, rows, lines, notes)
