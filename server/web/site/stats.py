"""A city's statistics as small charts: each indicator (population, GDP …) of the city beside the same figure
for the other places of the dataset, for the same year, with the unit and the source the figure comes from.

Read from the Data Cube observations the build made of data/tables (``sdmx-dimension:refArea``,
``ugkg:statisticalIndicator``, ``sdmx-measure:obsValue``), through SparqlService like every page.
"""
from __future__ import annotations

from typing import Any

from server.web import pages

SDMX = "http://purl.org/linked-data/sdmx/2009/"


def statistics(iri: str) -> list[dict[str, Any]]:
    """One chart per indicator observed for ``iri`` (its latest year), bars sorted by value; [] when none."""
    ns = pages.base_iri() + "def/"
    rows = pages.select(f"""SELECT ?ind ?period ?area ?value ?unit ?source WHERE {{
  ?mine <{SDMX}dimension#refArea> <{iri}> ; <{ns}statisticalIndicator> ?ind ; <{SDMX}dimension#refPeriod> ?period .
  FILTER NOT EXISTS {{ ?later <{SDMX}dimension#refArea> <{iri}> ; <{ns}statisticalIndicator> ?ind ; <{SDMX}dimension#refPeriod> ?p2 FILTER(STR(?p2) > STR(?period)) }}
  ?obs <{ns}statisticalIndicator> ?ind ; <{SDMX}dimension#refPeriod> ?period ; <{SDMX}dimension#refArea> ?area ; <{SDMX}measure#obsValue> ?value .
  OPTIONAL {{ ?obs <{SDMX}attribute#unitMeasure> ?unit }} OPTIONAL {{ ?obs dcterms:source ?source }}
}} ORDER BY ?ind DESC(?value) ?area LIMIT 500""")
    names = pages.labels_for([r[k].value for r in rows for k in ("ind", "area", "unit", "source") if k in r])
    charts: dict[str, dict[str, Any]] = {}
    for r in rows:
        try:
            value = float(r["value"].value)
        except ValueError:
            continue
        chart = charts.setdefault(r["ind"].value, {"indicator": names[r["ind"].value], "period": str(r["period"].value)[:4],
                                                  "unit": names[r["unit"].value] if "unit" in r else None, "bars": [], "source": None})
        mine = r["area"].value == iri
        if mine and "source" in r:
            chart["source"] = pages.link_for(r["source"], names)
        if all(b["iri"] != r["area"].value for b in chart["bars"]):
            chart["bars"].append({"iri": r["area"].value, "link": pages.link_for(r["area"], names), "value": value, "mine": mine})
    for chart in charts.values():
        top = max((b["value"] for b in chart["bars"]), default=0) or 1
        for b in chart["bars"]:
            b["width"] = round(260 * b["value"] / top, 1)
            b["text"] = f"{b['value']:,.0f}" if b["value"] >= 100 else f"{b['value']:,.1f}"
    return list(charts.values())
