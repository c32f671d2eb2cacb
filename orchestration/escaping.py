"""Delivered text as it may appear in a message: terminal, log, alert, webhook or mail.

File names and values come from whoever filled the inbox. A newline, an escape sequence or a NUL
in one of them must not forge lines or colours wherever the message is shown, so every name and
value put in a message goes through `escaped` (or `named` for paths) first.
"""

from __future__ import annotations

from pathlib import Path

# C0 and C1 control characters and DEL: never printed as they are (one pattern for Python and
# DuckDB's RE2, used by the ingest's field rule too)
CONTROL_CHAR_PATTERN = r"[\x00-\x1f\x7f-\x9f]"


def escaped(text: str, limit: int | None = None) -> str:
    """`text` with every non-printable character written as an escape (`\\n`, `\\x1b`), cut to
    `limit` characters (with '...') when given."""
    clean = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    if limit is not None and len(clean) > limit:
        clean = clean[:limit] + "..."
    return clean


def named(path: Path | str) -> str:
    """A file or folder name for a message: escaped, never cut (the whole name says where)."""
    return escaped(str(path))
