"""Gemeente boundaries from GeoJSON: reading, projecting, simplifying, SVG path text.

Accepts lon/lat (WGS84, GeoJSON's own order), lat/lon (what some WFS servers return for
EPSG:4326) and Dutch RD New metres (EPSG:28992, PDOK's default): the coordinate ranges tell
them apart. Lon/lat is projected with an equirectangular projection scaled at the
Netherlands' middle latitude, which keeps areas and shapes close to true at this size.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from orchestration.codes import parse_gemeente_code

# property names that carry the gemeente code in CBS/PDOK and other common files
CODE_PROPERTIES = ("statcode", "gemeentecode", "gm_code", "gmcode", "code", "identificatie")
NAME_PROPERTIES = ("statnaam", "gemeentenaam", "naam", "name")
MID_LATITUDE = 52.2

Ring = list[tuple[float, float]]


class BoundaryError(Exception):
    """A boundary file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    polygons: list[list[Ring]]  # polygons -> rings (outer first) -> points


def feature_code(properties: dict) -> str | None:
    """The GMnnnn code of a feature from its properties (case-insensitive names)."""
    lowered = {str(k).lower(): v for k, v in (properties or {}).items()}
    for key in CODE_PROPERTIES:
        value = lowered.get(key)
        if value is None:
            continue
        text = str(value).strip().upper()
        if key != "statcode" and not text.startswith("GM") and text.isdigit():
            text = "GM" + text.zfill(4)
        if text.startswith("GM"):
            code = parse_gemeente_code(text)
            if code:
                return code
    return None


def _polygons(geometry: dict) -> list[list[Ring]]:
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates") or []
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        return []
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in coords]


def load_features(path: Path) -> list[Feature]:
    """Gemeente features of a GeoJSON file; features without a gemeente code are left out."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BoundaryError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"{path}: not a GeoJSON file ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError(f"{path}: not a GeoJSON FeatureCollection (no 'features' list)")
    features = []
    for number, item in enumerate(data["features"], start=1):
        properties = item.get("properties") or {}
        code = feature_code(properties)
        if code is None:
            continue
        lowered = {str(k).lower(): v for k, v in properties.items()}
        name = next((str(lowered[k]) for k in NAME_PROPERTIES if lowered.get(k)), code)
        try:
            polygons = _polygons(item.get("geometry"))
        except (TypeError, ValueError, IndexError):
            raise BoundaryError(f"{path}: feature {number} ({code}) has malformed coordinates") from None
        if polygons:
            features.append(Feature(code, name, polygons))
    if not features:
        raise BoundaryError(f"{path}: no feature has a gemeente code in one of the properties "
                            f"{', '.join(CODE_PROPERTIES)} (like 'GM0363') and a polygon geometry")
    return features


def detect_crs(points: list[tuple[float, float]]) -> str:
    """'lonlat', 'latlon' or 'rd' from the coordinate ranges of points in the Netherlands."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if not xs:
        return "lonlat"
    if min(xs) >= -10000 and max(xs) <= 320000 and min(ys) >= 250000 and max(ys) <= 680000:
        return "rd"
    if 2 <= min(xs) and max(xs) <= 8.5 and 49 <= min(ys) and max(ys) <= 54.5:
        return "lonlat"
    if 49 <= min(xs) and max(xs) <= 54.5 and 2 <= min(ys) and max(ys) <= 8.5:
        return "latlon"
    if all(abs(x) <= 180 for x in xs) and all(abs(y) <= 90 for y in ys):
        return "lonlat"
    return "rd"


def projector(crs: str):
    """Point -> planar (x east, y north) in comparable units for the CRS."""
    if crs == "rd":
        return lambda p: (p[0], p[1])
    k = math.cos(math.radians(MID_LATITUDE))
    if crs == "latlon":
        return lambda p: (p[1] * k, p[0])
    return lambda p: (p[0] * k, p[1])


def _point_line_distance(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker: drop points closer than tolerance to the simplified line (iterative,
    so long rings do not hit the recursion limit). End points are always kept."""
    if len(points) < 3 or tolerance <= 0:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            d = _point_line_distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring: Ring, tolerance: float) -> Ring:
    """Simplify a closed ring; split at its farthest point so that a ring whose first and last
    points coincide keeps its shape."""
    if len(ring) < 5:
        return ring
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2)
    a = simplify(ring[: far + 1], tolerance)
    b = simplify(ring[far:], tolerance)
    return a[:-1] + b


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str  # SVG path data in pixels


def fit_shapes(features: list[Feature], width: float, height: float, pad: float = 4,
               tolerance_px: float = 0.6) -> tuple[list[Shape], float, float]:
    """Project features into a width x height box (north up, aspect kept), simplify to about
    tolerance_px and write SVG path data. Returns the shapes and the used width and height."""
    all_points = [p for f in features for poly in f.polygons for ring in poly for p in ring]
    project = projector(detect_crs(all_points[:: max(1, len(all_points) // 2000)]))
    projected = [(f, [[[project(p) for p in ring] for ring in poly] for poly in f.polygons]) for f in features]
    xs = [p[0] for _, polys in projected for poly in polys for ring in poly for p in ring]
    ys = [p[1] for _, polys in projected for poly in polys for ring in poly for p in ring]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span_x, span_y = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    used_w, used_h = span_x * scale + 2 * pad, span_y * scale + 2 * pad
    shapes = []
    for feature, polys in projected:
        parts = []
        for poly in polys:
            for ring in poly:
                pixels = [((x - x0) * scale + pad, (y1 - y) * scale + pad) for x, y in ring]
                pixels = simplify_ring(pixels, tolerance_px)
                text = ring_path(pixels)
                if text:
                    parts.append(text)
        if not parts:
            # smaller than the tolerance: a one-pixel square keeps the gemeente on the map
            cx = sum((x - x0) * scale + pad for poly in polys for ring in poly for x, _ in ring)
            cy = sum((y1 - y) * scale + pad for poly in polys for ring in poly for _, y in ring)
            n = sum(len(ring) for poly in polys for ring in poly) or 1
            parts.append(f"M{cx / n - 0.5:.1f} {cy / n - 0.5:.1f}h1v1h-1z")
        shapes.append(Shape(feature.code, feature.name, "".join(parts)))
    return shapes, round(used_w, 1), round(used_h, 1)


def ring_path(pixels: Ring) -> str:
    """'M x y l dx dy ... z' with one decimal and relative steps (short text); consecutive
    points that round to the same spot are dropped. Rings that collapse to < 3 points vanish."""
    points = []
    last = None
    for x, y in pixels:
        q = (round(x * 10), round(y * 10))
        if q != last:
            points.append(q)
            last = q
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(points) < 3:
        return ""
    def num(v: int) -> str:
        return f"{v / 10:g}"
    out = [f"M{num(points[0][0])} {num(points[0][1])}l"]
    steps = []
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        steps.append(f"{num(bx - ax)} {num(by - ay)}")
    return out[0] + " ".join(steps) + "z"
