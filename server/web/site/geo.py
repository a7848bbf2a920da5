"""The city map's base: land and coastline from Natural Earth (1:50m physical layer, public domain), vendored
as TopoJSON by tools/vendor-world-atlas.sh. No borders are drawn (they are contested, and a map of China for a
Chinese audience must follow the official standard map, which is not available here), and no tile server is used.

``land_path`` decodes the topology, projects it with the map's own projection, clips it to the map's frame
(Sutherland–Hodgman against the rectangle) and drops points closer than half a pixel, so the SVG path stays small.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Callable

LAND = Path(__file__).resolve().parent.parent / "static" / "vendor" / "world-atlas" / "land-50m.json"
Point = tuple[float, float]


@lru_cache(maxsize=1)
def _rings() -> list[list[Point]]:
    """Every ring of the land polygons, in longitude/latitude (empty when the file is not vendored)."""
    if not LAND.is_file():
        return []
    topo = json.loads(LAND.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    rings: list[list[Point]] = []
    for geometry in topo["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                points: list[Point] = []
                for index in ring:
                    arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                    points.extend(arc if not points else arc[1:])
                rings.append(points)
    return rings


def _clip(ring: list[Point], width: float, height: float) -> list[Point]:
    """Sutherland–Hodgman: the part of a projected ring inside [0, width] × [0, height]."""
    edges: list[tuple[Callable[[Point], bool], Callable[[Point, Point], Point]]] = [
        (lambda p: p[0] >= 0, lambda a, b: (0.0, a[1] + (b[1] - a[1]) * (0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= width, lambda a, b: (width, a[1] + (b[1] - a[1]) * (width - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= 0, lambda a, b: (a[0] + (b[0] - a[0]) * (0 - a[1]) / (b[1] - a[1]), 0.0)),
        (lambda p: p[1] <= height, lambda a, b: (a[0] + (b[0] - a[0]) * (height - a[1]) / (b[1] - a[1]), height)),
    ]
    out = ring
    for inside, cut in edges:
        if not out:
            break
        points, out = out, []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(cut(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cut(previous, current))
    return out


def land_path(project: Callable[[float, float], Point], bounds: tuple[float, float, float, float], width: float, height: float) -> str:
    """An SVG path of the land inside ``bounds`` (west, east, south, north), projected by ``project``."""
    west, east, south, north = bounds
    parts = []
    for ring in _rings():
        if max(p[0] for p in ring) < west - 1 or min(p[0] for p in ring) > east + 1 or max(p[1] for p in ring) < south - 1 or min(p[1] for p in ring) > north + 1:
            continue
        clipped = _clip([project(lon, lat) for lon, lat in ring], width, height)
        kept: list[Point] = []
        for x, y in clipped:
            if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= 0.5:
                kept.append((x, y))
        if len(kept) >= 3:
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
    return "".join(parts)
