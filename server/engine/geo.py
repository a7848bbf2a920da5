"""GeoSPARQL functions pyoxigraph lacks or gets wrong, as ``Store.query(custom_functions=…)``, with shapely.

pyoxigraph 0.5.13 evaluates 43 GeoSPARQL functions natively, but none of the non-topological query functions
(``geof:buffer``, ``convexHull``, ``envelope``, ``boundary``, ``intersection``, ``union``, ``difference``,
``symDifference``, ``getSRID``), no GML, ``geof:distance`` only between two points, and its topology
functions fail on EPSG:4326 literals (latitude first), on empty geometries and on some mixed dimensions. The functions here replace the topological ones
too (a custom function takes precedence over the native one, measured), so every relation is computed one way.

Literals: ``geo:wktLiteral`` with an optional CRS IRI (CRS84, WKT's default, is longitude-latitude;
EPSG:4326 is latitude-longitude and is swapped on reading and writing), an empty string or ``… EMPTY`` is the
empty geometry; ``geo:gmlLiteral`` points, line strings, polygons, envelopes and their aggregates (srsName).
Anything else, or a malformed literal, makes the function's value unbound (never an error): SPARQL's rule
for a function that cannot be evaluated, and never a 500. ``geof:buffer`` works in the literal's CRS units
unless asked for metres (uom:metre on a geographic CRS: buffered in a local azimuthal
equidistant projection). Other CRSs (any EPSG code PROJ knows, in the OGC IRI, ``EPSG:n`` or URN spelling) are
read with pyproj, imported only when such a literal or a metre buffer first appears (~170 ms CPU once per
evaluator process, measured); two arguments in different CRSs are compared in the first one's CRS.
``geof:distance`` on a geographic CRS is the great-circle distance of the nearest points on Oxigraph's sphere.

``relations`` materialises the topological relations between features and geometries (the GeoSPARQL
query-rewrite extension, ``?a geo:sfWithin ?b``) for a static dataset.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any, Callable, Iterable, Iterator

import numpy
import pyoxigraph as ox
import shapely
import shapely.ops
from shapely.geometry.base import BaseGeometry

from server.engine.geo_crs import CRS84, EPSG, EPSG4326, crs_iri, crs_unit, frame, north_first, proj_crs, transformed

GEO = "http://www.opengis.net/ont/geosparql#"
GEOF = "http://www.opengis.net/def/function/geosparql/"
WKT_LITERAL = GEO + "wktLiteral"
GML_LITERAL = GEO + "gmlLiteral"
UOM = "http://www.opengis.net/def/uom/OGC/1.0/"
XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
EARTH_RADIUS_M = 6_371_008.8  # the sphere of Oxigraph's native geof:distance (measured): point distances stay its
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
XSD_ANYURI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
GML_NS = "{http://www.opengis.net/ont/gml}"
_CRS_PREFIX = re.compile(r"^\s*<([^>]*)>\s*")
MAX_LITERAL_CHARS = 1_000_000  # a bigger geometry is not parsed (unbound): bounds the work one call can cause

# DE-9IM patterns of the GeoSPARQL 1.0 topology vocabularies (OGC 11-052r4, tables 3-5); any one matching
SIMPLE_FEATURES = {
    "sfEquals": ("TFFFTFFFT",), "sfDisjoint": ("FF*FF****",), "sfIntersects": ("T********", "*T*******", "***T*****", "****T****"),
    "sfTouches": ("FT*******", "F**T*****", "F***T****"), "sfWithin": ("T*F**F***",), "sfContains": ("T*****FF*",),
}
EGENHOFER = {
    "ehEquals": ("TFFFTFFFT",), "ehDisjoint": ("FF*FF****",), "ehMeet": ("FT*******", "F**T*****", "F***T****"),
    "ehOverlap": ("T*T***T**",), "ehCovers": ("T*TFT*FF*",), "ehCoveredBy": ("TFF*TFT**",), "ehInside": ("TFF*FFT**",),
    "ehContains": ("T*TFF*FF*",),
}
RCC8 = {
    "rcc8eq": ("TFFFTFFFT",), "rcc8dc": ("FFTFFTTTT",), "rcc8ec": ("FFTFTTTTT",), "rcc8po": ("TTTTTTTTT",),
    "rcc8tppi": ("TTTFTTFFT",), "rcc8tpp": ("TFFTTFTTT",), "rcc8ntpp": ("TFFTFFTTT",), "rcc8ntppi": ("TTTFFTFFT",),
}


class Geometry:
    """A parsed literal: the shapely geometry in x = longitude, y = latitude order, and its CRS IRI."""

    __slots__ = ("shape", "crs")

    def __init__(self, shape: BaseGeometry, crs: str) -> None:
        self.shape, self.crs = shape, crs


def _swap(shape: BaseGeometry) -> BaseGeometry:
    return shapely.transform(shape, lambda xy: xy[:, [1, 0, *range(2, xy.shape[1])]], include_z=None)


def parse(term: Any) -> Geometry | None:
    """The geometry of a WKT or GML literal, or None (not a geometry literal, malformed, unknown CRS)."""
    if not isinstance(term, ox.Literal) or len(term.value) > MAX_LITERAL_CHARS:
        return None
    try:
        if term.datatype.value == WKT_LITERAL:
            return _parse_wkt(term.value)
        if term.datatype.value == GML_LITERAL:
            return _parse_gml(term.value)
    except (shapely.errors.ShapelyError, ValueError, ET.ParseError, TypeError, IndexError):
        return None
    return None


def _parse_wkt(text: str) -> Geometry | None:
    crs = CRS84
    match = _CRS_PREFIX.match(text)
    if match:
        crs, text = crs_iri(match.group(1)), text[match.end():]
    text = text.strip()
    if crs is None or north_first(crs) is None:
        return None
    shape = shapely.from_wkt(text) if text else shapely.GeometryCollection()
    if shape is None:
        return None
    return Geometry(_swap(shape) if north_first(crs) else shape, crs)


def in_crs(g: Geometry, crs: str) -> BaseGeometry:
    """``g``'s shape in ``crs`` (x = east)."""
    return transformed(g.shape, g.crs, crs)


def _coordinates(text: str, dimension: int) -> list[tuple[float, ...]]:
    values = [float(v) for v in text.split()]
    if len(values) % dimension:
        raise ValueError("odd coordinate count")
    return [tuple(values[i:i + dimension]) for i in range(0, len(values), dimension)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# GML aggregates: the shapely type of each, its members found in any *Member / *Members child
GML_AGGREGATES = {"MultiPoint": shapely.MultiPoint, "MultiCurve": shapely.MultiLineString, "MultiLineString": shapely.MultiLineString,
                  "MultiSurface": shapely.MultiPolygon, "MultiPolygon": shapely.MultiPolygon, "MultiGeometry": shapely.GeometryCollection}


def _parse_gml(text: str) -> Geometry | None:
    """GML points, line strings, linear rings, polygons, envelopes and their aggregates (MultiSurface, …),
    elements matched by local name (data in the wild uses several GML namespace IRIs), the root's srsName for
    all; an empty literal or an element without coordinates is the empty geometry."""
    if not text.strip():
        return Geometry(shapely.GeometryCollection(), CRS84)
    root = ET.fromstring(text.strip())
    crs = crs_iri(root.get("srsName") or CRS84)
    if crs is None or north_first(crs) is None:
        return None
    dimension = int(root.get("srsDimension") or 2)

    def points(element: ET.Element | None) -> list[tuple[float, ...]]:
        found: list[tuple[float, ...]] = []
        for child in element.iter() if element is not None else ():
            if _local(child.tag) in ("posList", "coordinates"):
                found += _coordinates((child.text or "").replace(",", " "), dimension)
            elif _local(child.tag) in ("pos", "lowerCorner", "upperCorner"):
                found += _coordinates(child.text or "", dimension)
        return found

    def children(element: ET.Element, *names: str) -> list[ET.Element]:
        return [child for child in element if _local(child.tag) in names]

    def shape_of(element: ET.Element) -> BaseGeometry:
        kind, coordinates = _local(element.tag), points(element)
        if kind == "Point":
            return shapely.Point(*coordinates)  # more than one position: an error (unbound)
        if kind in ("LineString", "LinearRing"):
            return shapely.LineString(coordinates)
        if kind == "Polygon":
            exterior = children(element, "exterior", "outerBoundaryIs")
            holes = [points(hole) for hole in children(element, "interior", "innerBoundaryIs")]
            return shapely.Polygon(points(exterior[0]), holes) if exterior else shapely.Polygon()
        if kind == "Envelope":
            (lower, upper) = coordinates
            return shapely.box(lower[0], lower[1], upper[0], upper[1])
        if kind in GML_AGGREGATES:
            members = [shape_of(g) for member in element if _local(member.tag).endswith(("Member", "Members")) for g in member]
            return GML_AGGREGATES[kind](members)
        raise ValueError(f"GML {kind} is not read")

    shape = shape_of(root)
    return Geometry(_swap(shape) if north_first(crs) else shape, crs)


def _wkt(shape: BaseGeometry, crs: str) -> ox.Literal:
    """A WKT literal in ``crs`` (CRS84 is written without its IRI, as WKT's default)."""
    if north_first(crs):
        shape = _swap(shape)
    text = shapely.to_wkt(shape, rounding_precision=12, trim=True)
    return ox.Literal(text if crs == CRS84 else f"<{crs}> {text}", datatype=ox.NamedNode(WKT_LITERAL))


def _boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=XSD_BOOLEAN)


RELATIONS = {**SIMPLE_FEATURES, **EGENHOFER, **RCC8}


def matches(a: BaseGeometry, b: BaseGeometry, patterns: Iterable[str]) -> bool:
    matrix = a.relate(b)
    return any(_matches(matrix, p) for p in patterns)


def _matches(matrix: str, pattern: str) -> bool:
    for have, want in zip(matrix, pattern):
        if want == "*":
            continue
        if want == "T" and have == "F":
            return False
        if want == "F" and have != "F":
            return False
        if want in "012" and have != want:
            return False
    return True


def _guarded(function: Callable[..., ox.Literal | None]) -> Callable[..., ox.Literal | None]:
    """Unbound rather than an error, whatever goes wrong in shapely/GEOS."""

    def call(*args: Any) -> ox.Literal | None:
        try:
            return function(*args)
        except Exception:  # noqa: BLE001 - a SPARQL function that cannot be evaluated is unbound
            return None

    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


EQUALITY = {"sfEquals", "ehEquals", "rcc8eq"}


def holds(name: str, a: BaseGeometry, b: BaseGeometry, matrix: str | None = None) -> bool:
    """Whether topological relation ``name`` holds. Equality is topological equality (shapely ``equals``; two
    empty geometries are equal): the pattern TFFFTFFFT asks for boundaries, which points do not have."""
    if name in EQUALITY:
        return (a.is_empty and b.is_empty) or (not a.is_empty and not b.is_empty and bool(a.equals(b)))
    if name == "sfCrosses":
        return bool(a.crosses(b))
    if name == "sfOverlaps":
        return bool(a.overlaps(b))
    matrix = matrix or a.relate(b)
    return any(_matches(matrix, p) for p in RELATIONS[name])


def _pair(a: Any, b: Any) -> tuple[BaseGeometry, BaseGeometry, str] | None:
    """Both arguments' shapes in the first one's CRS, and that CRS; None when either is not a geometry."""
    ga, gb = parse(a), parse(b)
    return None if ga is None or gb is None else (ga.shape, in_crs(gb, ga.crs), ga.crs)


def _topology(name: str) -> Callable[..., ox.Literal | None]:
    def relation(a: Any, b: Any) -> ox.Literal | None:
        pair = _pair(a, b)
        return None if pair is None else _boolean(holds(name, pair[0], pair[1]))
    return relation


def _unary(operation: Callable[[BaseGeometry], BaseGeometry]) -> Callable[..., ox.Literal | None]:
    def apply(a: Any) -> ox.Literal | None:
        g = parse(a)
        return None if g is None else _wkt(operation(g.shape), g.crs)
    return apply


def _binary(operation: Callable[[BaseGeometry, BaseGeometry], BaseGeometry]) -> Callable[..., ox.Literal | None]:
    def apply(a: Any, b: Any) -> ox.Literal | None:
        pair = _pair(a, b)
        return None if pair is None else _wkt(operation(pair[0], pair[1]), pair[2])
    return apply


def _unit(units: Any) -> str | None:
    """The uom: local name of a units argument (None: no argument, the CRS's own unit); "" when not a uom: IRI."""
    if units is None:
        return None
    return units.value[len(UOM):] if isinstance(units, ox.NamedNode) and units.value.startswith(UOM) else ""


def buffer(a: Any, radius: Any, units: Any = None) -> ox.Literal | None:
    """geof:buffer(geometry, radius, units): in the CRS's unit, or in metres on a geographic CRS (the shape is
    buffered in an azimuthal equidistant projection centred on it, so the radius is true from its centre).
    Any other unit is unbound."""
    g, unit = parse(a), _unit(units)
    if g is None or not isinstance(radius, ox.Literal) or not math.isfinite(r := float(radius.value)):
        return None
    if unit is None or unit == crs_unit(g.crs):
        return _wkt(g.shape.buffer(r), g.crs)
    if unit != "metre" or crs_unit(g.crs) != "degree" or g.shape.is_empty:
        return None
    import pyproj

    centre = in_crs(g, CRS84).centroid
    local = pyproj.CRS.from_dict({"proj": "aeqd", "lat_0": centre.y, "lon_0": centre.x, "datum": "WGS84", "units": "m"})
    there = pyproj.Transformer.from_crs(proj_crs(frame(g.crs)), local, always_xy=True)
    back = pyproj.Transformer.from_crs(local, proj_crs(frame(g.crs)), always_xy=True)

    def through(transformer: Any) -> Callable[[Any], Any]:
        return lambda xy: numpy.column_stack(transformer.transform(xy[:, 0], xy[:, 1], errcheck=True))

    buffered = shapely.transform(shapely.transform(g.shape, through(there)).buffer(r), through(back))
    return _wkt(buffered, g.crs)


def distance(a: Any, b: Any, units: Any = None) -> ox.Literal | None:
    """geof:distance: on a geographic CRS in metres (or uom:radian / uom:degree), the great-circle distance between
    the geometries' nearest points (found in longitude-latitude) on the sphere Oxigraph's native function uses, so
    point distances are unchanged; otherwise the planar distance in the CRS's unit. Empty geometry: unbound."""
    pair, unit = _pair(a, b), _unit(units)
    if pair is None or pair[0].is_empty or pair[1].is_empty:
        return None
    sa, sb, crs = pair
    if crs_unit(crs) == "degree" and unit in ("metre", "radian", "degree"):
        p, q = shapely.ops.nearest_points(sa, sb)
        if frame(crs) != CRS84:
            (p, q) = (in_crs(Geometry(p, crs), CRS84), in_crs(Geometry(q, crs), CRS84))
        # haversine, in the order of the operations of Oxigraph's (the geo crate's), so results are bit-identical
        h = (math.sin(math.radians(q.y - p.y) / 2) ** 2
             + math.cos(math.radians(p.y)) * math.cos(math.radians(q.y)) * math.sin(math.radians(q.x - p.x) / 2) ** 2)
        angle = 2 * math.asin(min(1.0, math.sqrt(h)))
        value = {"metre": angle * EARTH_RADIUS_M, "radian": angle, "degree": math.degrees(angle)}[unit]
    elif unit is None or unit == crs_unit(crs):
        value = sa.distance(sb)
    else:
        return None
    return ox.Literal(repr(float(value)), datatype=XSD_DOUBLE)


def get_srid(a: Any) -> ox.Literal | None:
    g = parse(a)
    return None if g is None else ox.Literal(g.crs, datatype=XSD_ANYURI)


def relate(a: Any, b: Any, pattern: Any) -> ox.Literal | None:
    ga, gb = parse(a), parse(b)
    if ga is None or gb is None or not isinstance(pattern, ox.Literal) or not re.fullmatch(r"[TF*012]{9}", pattern.value):
        return None
    return _boolean(_matches(ga.shape.relate(gb.shape), pattern.value))


def _envelope(shape: BaseGeometry) -> BaseGeometry:
    return shape.envelope


FUNCTIONS: dict[str, Callable[..., ox.Literal | None]] = {
    "buffer": buffer,
    "distance": distance,
    "convexHull": _unary(lambda s: s.convex_hull),
    "envelope": _unary(_envelope),
    "boundary": _unary(lambda s: s.boundary),
    "intersection": _binary(lambda a, b: a.intersection(b)),
    "union": _binary(lambda a, b: a.union(b)),
    "difference": _binary(lambda a, b: a.difference(b)),
    "symDifference": _binary(lambda a, b: a.symmetric_difference(b)),
    "getSRID": get_srid,
    "relate": relate,
    # sfCrosses / sfOverlaps depend on the dimensions (OGC 06-103r4): shapely implements exactly those rules
    **{name: _topology(name) for name in [*SIMPLE_FEATURES, *EGENHOFER, *RCC8, "sfCrosses", "sfOverlaps"]},
}


def custom_functions() -> dict[ox.NamedNode, Callable[..., ox.Literal | None]]:
    """The ``custom_functions`` argument of ``Store.query``."""
    return {ox.NamedNode(GEOF + name): _guarded(function) for name, function in FUNCTIONS.items()}


def relations(spatial_objects: dict[str, Geometry]) -> Iterator[tuple[str, str, str]]:
    """(subject, geo: relation property, object) for every pair of ``spatial_objects`` (IRI → geometry of a
    geometry, or of a feature's default geometry) and every topological relation that holds between them."""
    items = list(spatial_objects.items())
    for s, gs in items:
        for o, go in items:
            other = in_crs(go, gs.crs)
            matrix = gs.shape.relate(other)
            for name in [*RELATIONS, "sfCrosses", "sfOverlaps"]:
                if holds(name, gs.shape, other, matrix):
                    yield s, GEO + name, o
