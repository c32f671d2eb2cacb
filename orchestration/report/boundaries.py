"""`ksm fetch-boundaries`: the generalised gemeente boundaries of a classification year.

Downloaded from the CBS "gebiedsindelingen" WFS on PDOK as GeoJSON (RD New coordinates, which
the map reads as they are). `KSM_BOUNDARIES_URL` overrides the address (a `{year}` placeholder
is filled in), e.g. for a mirror inside a closed network.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

from orchestration.report.geo import BoundaryError, load_features

PDOK_URL = ("https://service.pdok.nl/cbs/gebiedsindelingen/{year}/wfs/v1_0?request=GetFeature"
            "&service=WFS&version=2.0.0&typeName=gebiedsindelingen:gemeente_gegeneraliseerd"
            "&outputFormat=json")


def boundaries_url(year: int) -> str:
    return os.environ.get("KSM_BOUNDARIES_URL", PDOK_URL).replace("{year}", str(year))


def fetch_boundaries(year: int, target: Path, timeout: float = 60) -> int:
    """Download, check that the file holds gemeente polygons, then move it into place.
    Returns the number of gemeente features; raises BoundaryError with one line otherwise."""
    url = boundaries_url(year)
    host = urllib.request.urlparse(url).netloc or url
    request = urllib.request.Request(url, headers={"User-Agent": "kansrijke-start-monitor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise BoundaryError(f"{host} answered HTTP {exc.code} for the {year} gemeente boundaries "
                            "(is there a classification of that year?)") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BoundaryError(f"could not download the {year} gemeente boundaries from {host} ({reason}); "
                            "offline? Pass a local GeoJSON file with `ksm report --boundaries PATH`") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(body)
    try:
        features = load_features(partial)
    except BoundaryError as exc:
        partial.unlink(missing_ok=True)
        raise BoundaryError(f"{host} sent no usable boundaries for {year}: "
                            f"{str(exc).split(': ', 1)[-1]}") from None
    os.replace(partial, target)
    return len(features)
