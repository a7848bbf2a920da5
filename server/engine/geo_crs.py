"""Coordinate reference systems of GeoSPARQL literals: their names, axis order, unit and transformations.

CRS84 (WKT's default, longitude-latitude) and EPSG:4326 (latitude-longitude) are answered here without
pyproj; any other EPSG code is looked up in PROJ's database through pyproj, imported on first use only (measured:
~170 ms CPU for the import, ~5 ms a CRS, ~10 ms a transformer, then ~2 µs a point; cached per evaluator process),
so queries over CRS84/EPSG:4326 data never pay for it.
"""
from __future__ import annotations

import functools
import re
from typing import Any

import numpy
import shapely
from shapely.geometry.base import BaseGeometry

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
EPSG4326 = EPSG + "4326"
# other spellings of an EPSG CRS (GML srsName in the wild): EPSG:4326, urn:ogc:def:crs:EPSG::4326, …/epsg.xml#4326
_EPSG_SPELLING = re.compile(r"(?:EPSG:|urn:ogc:def:crs:EPSG:[0-9.]*:|http://www\.opengis\.net/gml/srs/epsg\.xml#)(\d+)", re.I)


def crs_iri(name: str) -> str | None:
    """The OGC IRI of a CRS name (CRS84, or an EPSG code in any of its usual spellings), or None."""
    name = name.strip().rstrip("/")
    if name in (CRS84, "urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84"):
        return CRS84
    spelled = _EPSG_SPELLING.fullmatch(name)
    if spelled:
        name = EPSG + spelled.group(1)
    return name if name.startswith(EPSG) and name[len(EPSG):].isdigit() else None


@functools.lru_cache(maxsize=256)
def proj_crs(crs: str) -> Any:
    """The pyproj CRS (imported here: only literals outside CRS84/EPSG:4326 and metre buffers pay its import)."""
    import pyproj

    return pyproj.CRS.from_user_input("OGC:CRS84") if crs == CRS84 else pyproj.CRS.from_epsg(int(crs[len(EPSG):]))


@functools.lru_cache(maxsize=256)
def north_first(crs: str) -> bool | None:
    """Whether the CRS's first axis is northing/latitude (EPSG:4326 is); None: not a 2D horizontal CRS PROJ knows."""
    if crs in (CRS84, EPSG4326):
        return crs == EPSG4326
    try:
        proj = proj_crs(crs)
    except Exception:  # noqa: BLE001 - pyproj.exceptions.CRSError and friends: an unknown CRS
        return None
    if not (proj.is_geographic or proj.is_projected) or len(proj.axis_info) != 2:
        return None
    return proj.axis_info[0].direction.lower() in ("north", "south")


@functools.lru_cache(maxsize=256)
def crs_unit(crs: str) -> str:
    """The CRS's unit as a uom: local name ("degree", "metre", or PROJ's name of another unit)."""
    if crs in (CRS84, EPSG4326):
        return "degree"
    return str(proj_crs(crs).axis_info[0].unit_name)


def frame(crs: str) -> str:
    return CRS84 if crs == EPSG4326 else crs  # the same datum: only the axis order differs, undone on reading


@functools.lru_cache(maxsize=64)
def _transformer(source: str, target: str) -> Any:
    import pyproj

    return pyproj.Transformer.from_crs(proj_crs(source), proj_crs(target), always_xy=True)


def transformed(shape: BaseGeometry, source: str, target: str) -> BaseGeometry:
    """``shape`` (x = east, in CRS ``source``) in CRS ``target``, transformed by PROJ when the datums or
    projections differ (CRS84 and EPSG:4326 differ only in axis order, undone on reading)."""
    if frame(source) == frame(target):
        return shape
    transformer = _transformer(frame(source), frame(target))

    def move(xy: Any) -> Any:
        x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=True)
        return numpy.column_stack((x, y))

    return shapely.transform(shape, move)
