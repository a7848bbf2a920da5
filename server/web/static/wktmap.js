/* A map of the query page's results: when a SELECT answer has a column of GeoSPARQL WKT literals
 * (datatype geo:wktLiteral), each row's geometry is drawn with Leaflet (vendored; tools/vendor-leaflet.sh)
 * on a plain background: no tile server is contacted and no borders are drawn. A popup shows the row's other
 * values. CRS84 (WKT's default) is longitude-latitude; EPSG:4326 literals are latitude-longitude and are
 * swapped; a literal in any other CRS, or one that does not parse, is listed as not drawn. */
(function () {
  "use strict";

  var WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
  var CRS84 = ["http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84/"];
  var EPSG4326 = ["http://www.opengis.net/def/crs/EPSG/0/4326", "http://www.opengis.net/def/crs/EPSG/0/4326/"];

  /* WKT → {type, coordinates} in GeoJSON order ([x, y]), or null. Z and M values are dropped. */
  function parseWkt(text) {
    var crs = null;
    var s = text.trim();
    var m = /^<([^>]*)>\s*/.exec(s);
    if (m) {
      crs = m[1];
      s = s.slice(m[0].length);
    }
    var pos = 0;
    function ws() { while (pos < s.length && /\s/.test(s[pos])) { pos++; } }
    function word() { ws(); var w = /^[A-Za-z]+/.exec(s.slice(pos)); if (!w) { throw new Error("type"); } pos += w[0].length; return w[0].toUpperCase(); }
    function expect(c) { ws(); if (s[pos] !== c) { throw new Error("expected " + c); } pos++; }
    function peek(c) { ws(); return s[pos] === c; }
    function point() {
      ws();
      var nums = /^(-?[0-9.eE+-]+)\s+(-?[0-9.eE+-]+)(\s+-?[0-9.eE+-]+)?(\s+-?[0-9.eE+-]+)?/.exec(s.slice(pos));
      if (!nums) { throw new Error("coordinates"); }
      pos += nums[0].length;
      var x = Number(nums[1]), y = Number(nums[2]);
      if (!isFinite(x) || !isFinite(y)) { throw new Error("number"); }
      return [x, y];
    }
    function list(item) {
      expect("(");
      var out = [item()];
      while (peek(",")) { pos++; out.push(item()); }
      expect(")");
      return out;
    }
    function ring() { return list(point); }
    function polygon() { return list(ring); }
    function multipoint() { return list(function () { if (peek("(")) { pos++; var p = point(); expect(")"); return p; } return point(); }); }
    function geometry() {
      var type = word();
      var dims = /^\s*(ZM|Z|M)\b/i.exec(s.slice(pos));
      if (dims) { pos += dims[0].length; }
      ws();
      if (/^EMPTY/i.test(s.slice(pos))) { pos += 5; return { type: type, coordinates: [] }; }
      switch (type) {
        case "POINT": expect("("); var p = point(); expect(")"); return { type: "Point", coordinates: p };
        case "LINESTRING": return { type: "LineString", coordinates: ring() };
        case "POLYGON": return { type: "Polygon", coordinates: polygon() };
        case "MULTIPOINT": return { type: "MultiPoint", coordinates: multipoint() };
        case "MULTILINESTRING": return { type: "MultiLineString", coordinates: list(ring) };
        case "MULTIPOLYGON": return { type: "MultiPolygon", coordinates: list(polygon) };
        case "GEOMETRYCOLLECTION": return { type: "GeometryCollection", geometries: list(geometry) };
        default: throw new Error("unsupported " + type);
      }
    }
    try {
      var g = geometry();
      ws();
      if (pos !== s.length) { return null; }
      if (crs && EPSG4326.indexOf(crs) >= 0) { g = swap(g); } else if (crs && CRS84.indexOf(crs) < 0) { return null; }
      return g;
    } catch (e) {
      return null;
    }
  }

  function swap(g) {
    function walk(c) { return typeof c[0] === "number" ? [c[1], c[0]] : c.map(walk); }
    if (g.type === "GeometryCollection") { return { type: g.type, geometries: g.geometries.map(swap) }; }
    return { type: g.type, coordinates: g.coordinates.length ? walk(g.coordinates) : [] };
  }

  function wktColumns(variables, bindings) {
    return variables.filter(function (v) {
      return bindings.some(function (row) { return row[v] && row[v].datatype === WKT; });
    });
  }

  function container() {
    var box = document.getElementById("wkt-map-box");
    if (!box) {
      box = document.createElement("section");
      box.id = "wkt-map-box";
      box.className = "qp-wkt-map";
      box.innerHTML = '<h2>Map of the WKT results <span lang="zh-Hans">WKT 结果地图</span></h2>' +
        '<div id="wkt-map" style="height: 420px; background: #eef2f6; border: 1px solid #d8dde3;"></div>' +
        '<p id="wkt-map-note" class="qp-hint"></p>';
      var anchor = document.getElementById("yasgui");
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    }
    return box;
  }

  var map = null;
  var layer = null;

  function draw(variables, bindings) {
    var columns = wktColumns(variables || [], bindings || []);
    var box = document.getElementById("wkt-map-box");
    if (!columns.length) {
      if (box) { box.hidden = true; }
      window.ugkgWktMap = { drawn: 0, skipped: 0, columns: [] };
      return;
    }
    box = container();
    box.hidden = false;
    if (!map) {
      map = window.L.map("wkt-map", { worldCopyJump: true, attributionControl: false });
      map.setView([30, 110], 3);
    }
    if (layer) { layer.remove(); }
    layer = window.L.featureGroup().addTo(map);
    var drawn = 0, skipped = 0;
    bindings.forEach(function (row) {
      var label = variables.filter(function (v) { return columns.indexOf(v) < 0 && row[v]; })
        .map(function (v) { return v + ": " + row[v].value; }).join("\n");
      columns.forEach(function (column) {
        var term = row[column];
        if (!term || term.datatype !== WKT) { return; }
        var geometry = parseWkt(term.value);
        if (!geometry) { skipped++; return; }
        var feature = window.L.geoJSON(geometry, {
          pointToLayer: function (_, latlng) { return window.L.circleMarker(latlng, { radius: 6, weight: 2 }); }
        });
        feature.bindPopup(document.createTextNode(label || term.value).textContent.replace(/\n/g, " · "));
        feature.addTo(layer);
        drawn++;
      });
    });
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 8 }); }
    map.invalidateSize();
    document.getElementById("wkt-map-note").textContent = drawn + " geometries drawn from " + columns.join(", ") +
      (skipped ? "; " + skipped + " not drawn (unparsable or in another CRS)" : "") + ".";
    window.ugkgWktMap = { drawn: drawn, skipped: skipped, columns: columns };
  }

  function hook() {
    var yasgui = window.ugkgYasgui;
    if (!yasgui || !window.L) { return; }
    yasgui.on("queryResponse", function (a, b) {
      var tab = b && b.getYasr ? b : (a && a.getYasr ? a : yasgui.getTab());
      // Yasr takes the response after this event: read its parsed results on the next turn
      setTimeout(function () {
        var results = tab.getYasr().results;
        if (!results || !results.getVariables) { return draw([], []); }
        draw(results.getVariables(), results.getBindings() || []);
      }, 0);
    });
  }

  window.ugkgParseWkt = parseWkt; // for the browser tests
  hook();
})();
