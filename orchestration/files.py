"""What may be read as a delivered file: a plain file, never a link, FIFO or device.

Shared by the inbox's extracts (`assets/ingest/extract_files.py`) and the RA layout
(`ra/read_sav.py`); it imports nothing heavy, so the RA reader stays light.
"""

from __future__ import annotations

import stat
from pathlib import Path


def not_a_regular_file(path: Path) -> str | None:
    """Why `path` may not be read as a delivery, or None for a plain file. A symbolic link would
    let the inbox point at any file of the machine (and its first line reach a message), a FIFO
    or device would hang or stream the read."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        return "is a symbolic link, not a file: put the file itself in the inbox"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device?): put the file itself in the inbox"
    return None
