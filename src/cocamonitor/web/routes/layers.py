"""The map's extra layers: shapes (sent once, cached for good), values per year, legend and CSV.

* ``GET /view/layer-geometry/{name}?v=...`` — the layer's shapes as GeoJSON, gzipped once and
  kept; under the versioned URL the page uses (``v`` = content hash) the browser keeps them for
  good (``immutable``), and any request may revalidate with the ``ETag``;
* ``GET /view/layer/{name}?year=...&lang=...`` — the plotly traces of the layer in that year
  (values, colours, hover texts; never coordinates) and its legend (title, year shown, source);
* ``GET /download/layer/{name}.csv?year=...`` — the rows the layer draws.

The tables come from :mod:`cocamonitor.documents.layers`; this module only colours, formats
and translates them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from cocamonitor.documents import layers as doc
from cocamonitor.report.locale import check_lang, fmt_number, fmt_percent, fmt_quantity
from cocamonitor.web.i18n import catalogue
from cocamonitor.web.render import render

__all__ = ["layer_controls", "router"]

router = APIRouter(include_in_schema=False)

#: Order of the layer switches under the map (the grid appears only once imported).
ORDER = ("departments", "labs", "spraying", "pdet", "grid", "basemap")
#: Colour scale of each valued layer (log scale for counts and hectares that span decades).
_SCALES = {"departments": "Purples", "labs": "Greens", "spraying": "Blues", "grid": "Reds"}
#: Radius (degrees) of the diamond marking a department capital.
_CAPITAL_DEG = 0.07
_PDET_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                "#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bc80bd")

LayerPath = Annotated[str, Path(description="Layer name: " + ", ".join(ORDER) + ".")]


# --------------------------------------------------------------------------- geometry


def _grid_version() -> str:
    from cocamonitor import userdata
    from cocamonitor.importers.simci_grid import CELLS, NAME

    found = {e.name: e for e in userdata.entries()}
    return "|".join(f"{found[n].source_sha256}:{found[n].imported}" for n in (NAME, CELLS) if n in found)


def _capital_diamonds() -> Any:
    import geopandas as gpd
    from shapely.geometry import Polygon

    cap = doc.capitals()
    r = _CAPITAL_DEG
    shapes = [Polygon([(x, y + r), (x + r * 0.8, y), (x, y - r), (x - r * 0.8, y)])
              for x, y in zip(cap["lon"], cap["lat"], strict=True)]
    return gpd.GeoDataFrame({"id": "cap-" + cap["divipola"]}, geometry=shapes, crs="EPSG:4326")


@lru_cache(maxsize=16)
def _geometry_bytes(name: str, version: str) -> tuple[bytes, bytes, str]:
    """(JSON, gzipped JSON, ETag) of a layer's shapes; ``version`` names the imported grid."""
    from cocamonitor.report.maps import to_geojson

    gdf = doc.layer_geometry(name)
    if name == "basemap":
        gdf = pd.concat([gdf.assign(id="dep-" + gdf["id"]), _capital_diamonds()], ignore_index=True)
    body = json.dumps(to_geojson(gdf, "id"), separators=(",", ":")).encode("utf-8")
    return body, gzip.compress(body, compresslevel=6, mtime=0), hashlib.sha256(body).hexdigest()[:16]


def _geometry(name: str) -> tuple[bytes, bytes, str]:
    if name not in doc.LAYERS:
        doc.layer_years(name)  # raises UnknownNameError (404) naming the layers
    return _geometry_bytes(name, _grid_version() if name == "grid" else "")


def geometry_url(name: str) -> str:
    """URL of a layer's shapes, versioned by their content (labs and spraying share one)."""
    name = "labs" if name == "spraying" else name
    return f"/view/layer-geometry/{name}?v={_geometry(name)[2]}"


@router.get("/view/layer-geometry/{name}")
def layer_geometry(name: LayerPath, request: Request,
                   v: Annotated[str | None, Query(description="Content version (from the page).")] = None
                   ) -> Response:
    """Return a layer's shapes as GeoJSON: sent once, then cached by the browser (see module docstring)."""
    body, gz, etag = _geometry(name)
    cache = "public, max-age=31536000, immutable" if v == etag else "public, max-age=86400"
    headers = {"Cache-Control": cache, "ETag": f'"{etag}"', "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(gz, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(body, media_type="application/json", headers=headers)


# --------------------------------------------------------------------------- values


def layer_controls(lang: str) -> list[dict[str, Any]]:
    """Return the layer switches of the page: name, label, and whether the layer can be drawn now."""
    m = catalogue(lang).layers
    out = []
    for name in ORDER:
        available = name != "grid" or doc.grid_available()
        out.append({"name": name, "label": m[name]["label"], "available": available,
                    "hint": "" if available else m.grid.missing})
    return out


def _log_scale(values: np.ndarray, vmax: float, lang: str) -> dict[str, Any]:
    top = max(float(vmax), 10.0)
    ticks = [t for t in (1, 10, 100, 1000, 10000, 100000) if t <= top * 1.01]
    return {"z": [None if not (v > 0) else round(float(np.log10(max(v, 1.0))), 4) for v in values],
            "zmin": 0.0, "zmax": float(np.log10(top)),
            "tickvals": [float(np.log10(t)) for t in ticks], "ticktext": [fmt_number(t, lang) for t in ticks]}


@lru_cache(maxsize=8)
def _max_over_years(name: str) -> float:
    """Return the largest value a layer takes in any year (its colours mean the same every year)."""
    span = doc.layer_years(name)
    if span is None:
        return 10.0
    col = {"departments": "hectares", "grid": "coca_ha"}.get(name, "value")
    return max(float(doc.layer_table(name, y)[0][col].max() or 0.0) for y in range(span[0], span[1] + 1))


def _valued_trace(name: str, ids: list[str], values: np.ndarray, text: list[str], title: str,
                  lang: str) -> dict[str, Any]:
    from plotly.colors import get_colorscale

    if name == "grid":  # a 1 km cell holds at most 100 ha: a linear scale reads directly
        sc = {"z": [round(float(v), 3) for v in values], "zmin": 0.0, "zmax": 100.0,
              "tickvals": [0, 25, 50, 75, 100], "ticktext": [fmt_number(t, lang) for t in (0, 25, 50, 75, 100)]}
    else:
        sc = _log_scale(values, _max_over_years(name), lang)
    return {"type": "choropleth", "locations": ids, "z": sc["z"], "zmin": sc["zmin"], "zmax": sc["zmax"],
            "colorscale": get_colorscale(_SCALES[name]), "text": text, "hovertemplate": "%{text}<extra></extra>",
            "marker": {"line": {"color": "#444444", "width": 0.3}, "opacity": 0.85},
            "colorbar": {"title": {"text": title}, "thickness": 10, "len": 0.28, "tickvals": sc["tickvals"],
                         "ticktext": sc["ticktext"]}, "name": name, "meta": {"layer": name}}


def _traces(name: str, table: pd.DataFrame, year: int | None, lang: str) -> list[dict[str, Any]]:
    m = catalogue(lang).layers
    if name == "departments":
        text = [f"{r.department}<br>{fmt_quantity(r.hectares, 'ha', lang)} · {fmt_percent(r.share, lang, 1)}<br>"
                + m.departments.hover.format(n=fmt_number(r.municipalities_with_coca, lang))
                for r in table.itertuples()]
        return [_valued_trace(name, table["department_code"].tolist(), table["hectares"].to_numpy(float), text,
                              m.departments.colorbar.format(year=year), lang)]
    if name in ("labs", "spraying"):
        unit = "ha" if name == "spraying" else ""
        text = [f"{r.municipality} ({r.department})<br>"
                + (fmt_quantity(r.value, unit, lang, 0) if unit else m.labs.hover.format(n=fmt_number(r.value, lang)))
                + "<br>" + m.events.format(n=fmt_number(r.events, lang)) for r in table.itertuples()]
        return [_valued_trace(name, table["divipola"].tolist(), table["value"].to_numpy(float), text,
                              m[name]["colorbar"].format(year=year), lang)]
    if name == "grid":
        text = [f"{m.grid.cell} {r.cell}<br>{fmt_quantity(r.coca_ha, 'ha', lang, 1)}" for r in table.itertuples()]
        return [_valued_trace(name, table["cell"].astype(str).tolist(), table["coca_ha"].to_numpy(float), text,
                              m.grid.colorbar.format(year=year), lang)]
    if name == "pdet":
        codes = sorted(table["pdet_code"], key=int)
        color = {c: _PDET_COLORS[i % len(_PDET_COLORS)] for i, c in enumerate(codes)}
        t = table.sort_values("pdet_code", key=lambda s: s.astype(int))
        n = len(codes)
        scale = [[k / max(n - 1, 1), color[c]] for k, c in enumerate(codes)]
        text = [f"{r.subregion}<br>" + m.pdet.hover.format(
            n=fmt_number(r.municipalities, lang), year=year, ha=fmt_quantity(r.hectares, "ha", lang),
            share=fmt_percent(r.share_of_national, lang, 1)) for r in t.itertuples()]
        return [{"type": "choropleth", "locations": t["pdet_code"].tolist(), "z": list(range(n)), "zmin": 0,
                 "zmax": max(n - 1, 1), "colorscale": scale, "showscale": False, "text": text,
                 "hovertemplate": "%{text}<extra></extra>", "name": name, "meta": {"layer": name},
                 "marker": {"line": {"color": "#222222", "width": 1}, "opacity": 0.45}}]
    # basemap: department borders over everything, capitals as dark diamonds
    clear = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
    deps = doc.layer_geometry("basemap")["id"].tolist()
    borders = {"type": "choropleth", "locations": ["dep-" + d for d in deps], "z": [0] * len(deps),
               "colorscale": clear, "showscale": False, "hoverinfo": "skip", "name": "borders",
               "marker": {"line": {"color": "#222222", "width": 1.3}}, "meta": {"layer": name}}
    caps = {"type": "choropleth", "locations": ("cap-" + table["divipola"]).tolist(), "z": [1] * len(table),
            "colorscale": [[0, "#111111"], [1, "#111111"]], "showscale": False, "name": "capitals",
            "text": [m.basemap.hover.format(city=r.municipality, department=r.department)
                     for r in table.itertuples()],
            "hovertemplate": "%{text}<extra></extra>", "marker": {"line": {"color": "white", "width": 0.8}},
            "meta": {"layer": name}}
    return [borders, caps]


def _pdet_swatches(table: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    codes = sorted(table["pdet_code"], key=int)
    t = table.set_index("pdet_code")
    return [{"color": _PDET_COLORS[i % len(_PDET_COLORS)], "name": str(t.loc[c, "subregion"]),
             "ha": fmt_quantity(t.loc[c, "hectares"], "ha", lang)} for i, c in enumerate(codes)]


def _query(lang: str, year: int | None) -> str:
    from urllib.parse import urlencode

    return urlencode({"lang": lang, **({"year": year} if year is not None else {})})


@router.get("/view/layer/{name}")
def layer_view(
    name: LayerPath,
    request: Request,
    year: Annotated[int | None, Query(description="Census year of the dashboard.")] = None,
    lang: Annotated[str | None, Query(description="es or en.")] = None,
) -> dict[str, Any]:
    """Traces (no coordinates) and legend of one layer in ``year`` (the nearest year the layer has)."""
    from cocamonitor.web import state

    lang = check_lang(lang or request.app.state.lang, where="lang")
    if year is not None:
        state.check_census_year(year, "year")
    table, shown = doc.layer_table(name, year)
    m = catalogue(lang).layers
    asked = year if year is not None else state.years()[-1]
    span = doc.layer_years(name)
    ctx = {"name": name, "label": m[name]["label"], "year": shown, "span": span,
           "note": m.nearest.format(year=shown, first=span[0], last=span[1]) if shown not in (None, asked) and span
           else "", "csv": f"/download/layer/{name}.csv?{_query(lang, year)}", "dataset": doc.LAYERS[name].dataset,
           "swatches": _pdet_swatches(table, lang) if name == "pdet" else [],
           "total": _total(name, table, lang)}
    return {"name": name, "year": shown, "traces": _traces(name, table, shown, lang),
            "geometry": geometry_url(name), "legend": render("fragment_layer.html.j2", lang, **ctx)}


def _total(name: str, table: pd.DataFrame, lang: str) -> str:
    if name in ("departments", "pdet"):
        return fmt_quantity(float(table["hectares"].sum()), "ha", lang)
    if name == "grid":
        return fmt_quantity(float(table["coca_ha"].sum()), "ha", lang, 1)
    if name == "spraying":
        return fmt_quantity(float(table["value"].sum()), "ha", lang)
    if name == "labs":
        return fmt_number(float(table["value"].sum()), lang)
    return fmt_number(len(table), lang)


@router.get("/download/layer/{name}.csv")
def layer_csv(
    name: LayerPath,
    year: Annotated[int | None, Query(description="Census year of the dashboard.")] = None,
    lang: Annotated[str | None, Query(description="es or en (accepted for a shared URL; headers are English).")]
    = None,
) -> Response:
    """Download the rows one layer draws in ``year`` (with the year shown as a column)."""
    from cocamonitor.web import state

    if year is not None:
        state.check_census_year(year, "year")
    table, shown = doc.layer_table(name, year)
    if shown is not None:
        table = table.copy()
        table.insert(0, "year", shown)
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    fname = f"layer-{name}{'' if shown is None else f'-{shown}'}.csv"
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{fname}"'})
