"""Whether an extract is synthetic demo data: a marker the demo generator writes beside each file.

The marker is the extract's sidecar `<name>.source.json` (the same kind of file `ksm cbs fetch`
writes) with `"synthetic": true` and the SHA-256 of the extract. An extract counts as synthetic
only while its checksum matches the marker: a real delivery dropped over a demo file is real.
The release step asks `synthetic_inputs` about the files it released.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from orchestration.connectors.cbs import SIDECAR_SUFFIX


def marker_path(extract: Path) -> Path:
    return extract.with_name(extract.stem + SIDECAR_SUFFIX)


def write_synthetic_marker(extract: Path, generator: dict, notes: str | None = None) -> Path:
    """Mark extract as synthetic; generator says what made it (command, seed, scale), notes what a
    reader of the extract should know (e.g. a classification reused for a later year)."""
    marker = marker_path(extract)
    meta = {"synthetic": True, "file": extract.name, "sha256": hashlib.sha256(extract.read_bytes()).hexdigest(),
            "generator": generator}
    if notes:
        meta["notes"] = notes
    temporary = marker.with_name(f".{marker.name}.tmp")
    temporary.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(marker)
    return marker


def is_synthetic(extract: Path, sha256: str | None = None) -> bool:
    """True when the marker beside extract says synthetic and matches its checksum (sha256 as
    ingested, else the file's current one)."""
    try:
        meta = json.loads(marker_path(extract).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict) or meta.get("synthetic") is not True:
        return False
    if sha256 is None:
        try:
            sha256 = hashlib.sha256(extract.read_bytes()).hexdigest()
        except OSError:
            return False
    return meta.get("sha256") == sha256


def synthetic_inputs(inbox: Path, inputs: dict[str, str]) -> list[str]:
    """The keys ('source/year/file') of inputs, with their ingested checksums, that are synthetic."""
    return sorted(key for key, sha in inputs.items() if is_synthetic(inbox / key, sha))
