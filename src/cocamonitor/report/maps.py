"""Municipality choropleths from the bundled simplified boundaries, for HTML and PNG.

The interactive map is a plotly ``geo`` choropleth whose geometry is supplied inline as
GeoJSON (rounded to 3 decimals of a degree, ~100 m, which is below the simplification of the
bundled boundaries). Base layers (coastlines, land, countries) are switched off, so plotly never
needs its world topojson; :data:`GEO_ASSETS_STUB` is given to the page so plotly.js does not try
to download it either. Nothing is fetched: no tiles, no CDN.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> gdf = gpd.GeoDataFrame({"divipola": ["11001"]}, geometry=[box(-74.1, 4.6, -74.0, 4.7)],
...                        crs=4326)
>>> gj = to_geojson(gdf, "divipola")
>>> gj["features"][0]["id"], gj["features"][0]["geometry"]["type"]
('11001', 'Polygon')

"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from cocamonitor._plotting import pyplot, save_svg

__all__ = [
    "GEO_ASSETS_STUB",
    "clipped_ticks",
    "choropleth",
    "choropleth_png",
    "density_map",
    "density_png",
    "to_geojson",
]

#: An empty topology registered as plotly's world topojson, so plotly.js never fetches it.
GEO_ASSETS_STUB: dict[str, Any] = {
    "topojson": {
        f"{scope}_{res}m": {"type": "Topology", "objects": {}, "arcs": []}
        for scope in ("world", "south-america")
        for res in (50, 110)
    }
}


def to_geojson(gdf: Any, id_col: str, *, decimals: int = 3) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection (feature ``id`` = ``id_col``), coordinates rounded.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons in EPSG:4326.
    id_col : str
        Column with the feature identifier (e.g. ``divipola``).
    decimals : int
        Decimal places kept in the coordinates.

    """
    geoms = shapely.set_precision(gdf.geometry.to_numpy(), 10.0**-decimals, mode="pointwise")
    # d3-geo (used by plotly's geo maps) reads rings on the sphere: exteriors must be clockwise,
    # the opposite of the GeoJSON right-hand rule, or a polygon covers the rest of the globe.
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    geojson = shapely.to_geojson(geoms)
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": json.loads(g)}
        for i, g in zip(gdf[id_col].astype(str), geojson, strict=True)
        if g is not None
    ]
    return {"type": "FeatureCollection", "features": features}


#: Departments left out of the map background: San Andrés, Providencia y Santa Catalina lies
#: ~700 km off the coast, has no coca, and would shrink the mainland to make room for it.
OFF_MAP_DEPARTMENTS = ("88",)


def clipped_ticks(
    low: float, high: float, fmt: Callable[[float], str], *, clipped_low: bool, clipped_high: bool,
    n: int = 5,
) -> tuple[list[float], list[str]]:
    """Colour-bar ticks from ``low`` to ``high`` whose end labels say when values go beyond.

    A colour scale saturates at its ends; a municipality far beyond the end gets the end
    colour. The end tick then reads ``≥ high`` (``≤ low``) so +8,301 ha is not read as the
    end value.

    Examples
    --------
    >>> clipped_ticks(-100, 100, lambda v: f"{v:+.0f}", clipped_low=False, clipped_high=True)
    ([-100.0, -50.0, 0.0, 50.0, 100.0], ['-100', '-50', '+0', '+50', '≥ +100'])

    """
    vals = [float(v) for v in np.linspace(low, high, n)]
    text = [fmt(v) for v in vals]
    if clipped_low:
        text[0] = "≤ " + text[0]
    if clipped_high:
        text[-1] = "≥ " + text[-1]
    return vals, text


#: Length of the maps' scale bar and where it starts (lon, lat): the Pacific, south-west.
SCALE_BAR_KM = 200.0
_SCALE_BAR_AT = (-79.3, -3.6)


def _scale_bar_lon(km: float = SCALE_BAR_KM) -> tuple[float, float]:
    """Start and end longitude of a ``km`` bar at the scale bar's latitude (spherical Earth)."""
    lon0, lat = _SCALE_BAR_AT
    return lon0, lon0 + km / (111.32 * float(np.cos(np.deg2rad(lat))))


def department_labels(departments: Any, codes: Any = None) -> pd.DataFrame:
    """Name and label point (inside the polygon) of each department, or of ``codes`` only."""
    deps = departments[~departments["department_code"].isin(OFF_MAP_DEPARTMENTS)]
    if codes is not None:
        deps = deps[deps["department_code"].isin(list(codes))]
    pts = deps.geometry.representative_point()
    return pd.DataFrame({"name": deps["name"].to_numpy(), "lon": pts.x.to_numpy(),
                         "lat": pts.y.to_numpy()})


def _departments_trace(departments: Any) -> dict[str, Any]:
    departments = departments[~departments["department_code"].isin(OFF_MAP_DEPARTMENTS)]
    gj = to_geojson(departments, "department_code")
    ids = [f["id"] for f in gj["features"]]
    return {
        "type": "choropleth",
        "geojson": gj,
        "locations": ids,
        "z": [0] * len(ids),
        "colorscale": [[0, "#eeeeee"], [1, "#eeeeee"]],
        "showscale": False,
        "marker": {"line": {"color": "#9a9a9a", "width": 0.6}},
        "hoverinfo": "skip",
        "name": "",
    }


def choropleth(
    municipalities: Any,
    departments: Any,
    values: pd.DataFrame,
    *,
    value_col: str,
    hover: list[str],
    colorscale: str | list,
    zmin: float,
    zmax: float,
    colorbar_title: str,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    tickvals: list[float] | None = None,
    ticktext: list[str] | None = None,
    separators: str = ".,",
    labels: pd.DataFrame | None = None,
    scale_bar: bool | None = None,
) -> dict[str, Any]:
    """Return a plotly geo choropleth of ``values[value_col]`` by municipality.

    Municipalities are drawn over the department outlines; department names (``labels``) and
    a scale bar are drawn as ``scattergeo`` traces in the map's own coordinates, so they stay
    in place when the map is zoomed or resized (the report's ``maps`` plotly.js bundle draws
    them; the dashboard's ``geo`` bundle does not, so it asks for neither).

    Returned as a plain plotly figure dict (``{"data": [...], "layout": {...}}``): building
    ``plotly.graph_objects`` would deep-copy and validate the whole geometry for nothing.

    Parameters
    ----------
    municipalities, departments : GeoDataFrame
        Boundaries (``divipola`` / ``department_code``), EPSG:4326.
    values : DataFrame
        ``divipola`` and ``value_col``; only these municipalities are coloured.
    value_col : str
        Column to colour by.
    hover : list of str
        One pre-formatted hover text per row of ``values``.
    colorscale, zmin, zmax, colorbar_title
        Colour mapping: a plotly.py colour-scale name (``"YlOrRd"``, ``"RdBu_r"``), resolved
        to its ``[position, colour]`` list here, or such a list.
    transform : callable, optional
        Applied to the values before colouring (e.g. ``np.log10``).
    tickvals, ticktext : list, optional
        Colour-bar ticks (in transformed units) and their labels.
    separators : str
        plotly's decimal and thousands separators (``",."`` for Spanish).
    labels : DataFrame, optional
        ``name``, ``lon``, ``lat`` of the department labels (:func:`department_labels`).
    scale_bar : bool, optional
        Draw a :data:`SCALE_BAR_KM` km scale bar; by default when ``labels`` are given.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> mun = gpd.GeoDataFrame({"divipola": ["11001"]}, geometry=[box(-74.1, 4.6, -74, 4.7)])
    >>> dep = gpd.GeoDataFrame({"department_code": ["11"]}, geometry=[box(-75, 4, -73, 5)])
    >>> fig = choropleth(mun, dep, pd.DataFrame({"divipola": ["11001"], "ha": [5.0]}),
    ...                  value_col="ha", hover=["Bogotá"], colorscale="YlOrRd", zmin=0, zmax=10,
    ...                  colorbar_title="ha")
    >>> [t["type"] for t in fig["data"]], fig["layout"]["geo"]["visible"]
    (['choropleth', 'choropleth'], False)

    """
    mun = municipalities[municipalities["divipola"].isin(values["divipola"])]
    gj = to_geojson(mun, "divipola")
    z = values[value_col].to_numpy(dtype=float)
    if transform is not None:
        z = transform(z)
    colorbar: dict[str, Any] = {
        "title": {"text": colorbar_title}, "thickness": 14, "len": 0.8, "tickformat": ",d"
    }
    if tickvals is not None:
        colorbar.update(tickvals=tickvals, ticktext=ticktext)
    if isinstance(colorscale, str):  # resolve here: plotly.js names differ from plotly.py's
        from plotly.colors import get_colorscale

        colorscale = get_colorscale(colorscale)
    trace = {
        "type": "choropleth",
        "geojson": gj,
        "locations": values["divipola"].astype(str).tolist(),
        "z": [round(float(v), 4) for v in z],
        "zmin": zmin,
        "zmax": zmax,
        "colorscale": colorscale,
        "marker": {"line": {"color": "#555555", "width": 0.25}},
        "text": list(hover),
        "hovertemplate": "%{text}<extra></extra>",
        "colorbar": colorbar,
    }
    layout = {
        "geo": {
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "bgcolor": "rgba(0,0,0,0)",
        },
        "height": 620,
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "separators": separators,
        "paper_bgcolor": "white",
    }
    data = [_departments_trace(departments), trace]
    if labels is not None and len(labels):
        data.append(_labels_trace(labels))
    if labels is not None if scale_bar is None else scale_bar:
        data.extend(_scale_bar_traces())
    return {"data": data, "layout": layout}


_HALO = "1px 1px 1px #fff, -1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff"


def _labels_trace(labels: pd.DataFrame) -> dict[str, Any]:
    """Department names at their label points, as text on the map (not hoverable)."""
    return {
        "type": "scattergeo", "mode": "text", "name": "departments",
        "lon": [round(float(v), 3) for v in labels["lon"]], "lat": [round(float(v), 3) for v in labels["lat"]],
        "text": labels["name"].astype(str).tolist(),
        # a white halo keeps the names readable over the darkest municipalities
        "textfont": {"size": 9, "color": "#222222", "weight": 600, "shadow": _HALO},
        "hoverinfo": "skip", "showlegend": False,
    }


def _scale_bar_traces(km: float = SCALE_BAR_KM) -> list[dict[str, Any]]:
    """Return a ``km`` scale bar (a line with end ticks) and its label, south-west of the mainland."""
    lon0, lon1 = _scale_bar_lon(km)
    lat = _SCALE_BAR_AT[1]
    tick = 0.12  # degrees: the end ticks
    bar = {
        "type": "scattergeo", "mode": "lines", "name": "scale",
        "lon": [lon0, lon0, None, lon0, lon1, None, lon1, lon1],
        "lat": [lat + tick, lat - tick, None, lat, lat, None, lat + tick, lat - tick],
        "line": {"color": "#333333", "width": 2.5}, "hoverinfo": "skip", "showlegend": False,
    }
    text = {
        "type": "scattergeo", "mode": "text", "name": "scale-label",
        "lon": [(lon0 + lon1) / 2], "lat": [lat + 0.35], "text": [f"{km:.0f} km"],
        "textfont": {"size": 10, "color": "#222222", "shadow": _HALO}, "hoverinfo": "skip", "showlegend": False,
    }
    return [bar, text]


def choropleth_png(
    path: Any,
    municipalities: Any,
    departments: Any,
    values: pd.DataFrame,
    *,
    value_col: str,
    title: str,
    cmap: str,
    norm: Any,
    colorbar_title: str,
    formatter: Callable[[float, Any], str],
    extend: str = "neither",
    ticks: tuple[list[float], list[str]] | None = None,
    labels: pd.DataFrame | None = None,
    footer: str = "",
) -> None:
    """Write a matplotlib PNG of the same choropleth (for print and the PNG folder).

    ``extend`` (``"min"``, ``"max"``, ``"both"``) draws end arrows on the colour bar where
    values go beyond the scale; ``ticks`` are (values, labels) of the colour bar; ``labels``
    are department names; ``footer`` is the source line. A scale bar is always drawn. Written
    at 2x (1,650 px wide), with an SVG of the same map beside it.
    """
    from matplotlib.ticker import FuncFormatter

    plt = pyplot()

    mun = municipalities.merge(values[["divipola", value_col]], on="divipola", how="inner")
    departments = departments[~departments["department_code"].isin(OFF_MAP_DEPARTMENTS)]
    fig, ax = plt.subplots(figsize=(7.5, 8.5), dpi=220)
    departments.plot(ax=ax, color="#eeeeee", edgecolor="#9a9a9a", linewidth=0.5)
    mun.plot(
        ax=ax, column=value_col, cmap=cmap, norm=norm, edgecolor="#555555", linewidth=0.15
    )
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=ax, shrink=0.6, format=FuncFormatter(formatter), extend=extend)
    if ticks is not None:
        cb.set_ticks(ticks[0], labels=ticks[1])
    cb.set_label(colorbar_title)
    if labels is not None:
        for rec in labels.itertuples(index=False):
            ax.text(rec.lon, rec.lat, rec.name, fontsize=6, color="#333333", ha="center",
                    va="center")
    lon0, lon1 = _scale_bar_lon()
    lat = _SCALE_BAR_AT[1]
    ax.plot([lon0, lon1], [lat, lat], color="#333333", lw=2.5, solid_capstyle="butt")
    ax.text((lon0 + lon1) / 2, lat + 0.25, f"{SCALE_BAR_KM:.0f} km", fontsize=7, ha="center")
    ax.set_title(title, fontsize=11)
    ax.set_axis_off()
    ax.set_aspect(1.0 / np.cos(np.deg2rad(4.5)))  # equirectangular at Colombia's mid-latitude
    if footer:
        fig.text(0.01, 0.005, footer, fontsize=6.5, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path)
    save_svg(fig, Path(path).with_suffix(".svg"))
    plt.close(fig)


def _outline_xy(departments: Any, crs: str) -> tuple[list[float | None], list[float | None]]:
    """Department boundaries in ``crs`` as one line trace (``None`` separates rings)."""
    lines = shapely.get_parts(departments.to_crs(crs).boundary.to_numpy())
    coords, index = shapely.get_coordinates(lines, return_index=True)
    breaks = np.flatnonzero(np.diff(index)) + 1
    gap = np.array(None, dtype=object)
    xs = np.insert(coords[:, 0].astype(object), breaks, gap)
    ys = np.insert(coords[:, 1].astype(object), breaks, gap)
    return xs.tolist(), ys.tolist()


def density_map(
    grid: Any,
    *,
    departments: Any = None,
    colorbar_title: str = "ha/km²",
    separators: str = ".,",
) -> go.Figure:
    """Return a plotly heatmap of coca density (ha per km²) on the grid's own projected axes.

    Only the bounding box of cells with coca is drawn; cells without coca are transparent.
    ``departments`` (EPSG:4326) are reprojected to the grid CRS and drawn as outlines.

    Examples
    --------
    >>> from cocamonitor.grid import DensityGrid, GridSpec
    >>> g = DensityGrid(GridSpec("EPSG:9377", 1000.0, 0.0, 2000.0, 2, 2), (2024,),
    ...                 np.array([[[0.0, 50.0], [5.0, 0.0]]]), np.full((1, 2, 2), 100.0))
    >>> fig = density_map(g)
    >>> fig.data[0].type, int(np.nanmax(np.asarray(fig.data[0].z, dtype=float)))
    ('heatmap', 50)

    """
    dens = np.asarray(grid.density[-1], dtype=float)
    rows, cols = np.nonzero(np.nan_to_num(dens) > 0)
    r0, r1 = (rows.min(), rows.max() + 1) if rows.size else (0, dens.shape[0])
    c0, c1 = (cols.min(), cols.max() + 1) if cols.size else (0, dens.shape[1])
    z = dens[r0:r1, c0:c1].astype(np.float32)
    z[~(z > 0)] = np.nan
    xc, yc = grid.grid.centres()
    x_km = xc[0, c0:c1] / 1000.0
    y_km = yc[r0:r1, 0] / 1000.0
    fig = go.Figure(
        go.Heatmap(
            x=x_km, y=y_km, z=z, colorscale="YlOrRd", zmin=0,
            colorbar={"title": {"text": colorbar_title}, "thickness": 14},
            hovertemplate="%{z:,.1f} ha/km²<extra></extra>",
        )
    )
    if departments is not None:
        xs, ys = _outline_xy(departments, grid.grid.crs)
        fig.add_trace(
            go.Scatter(
                x=[v / 1000.0 if v is not None else None for v in xs],
                y=[v / 1000.0 if v is not None else None for v in ys],
                mode="lines", line={"color": "#9a9a9a", "width": 0.7}, hoverinfo="skip",
                showlegend=False,
            )
        )
    pad = 0.05 * max(x_km[-1] - x_km[0], y_km[0] - y_km[-1], 1.0)
    fig.update_layout(
        height=620, margin={"l": 50, "r": 10, "t": 10, "b": 40}, separators=separators,
        plot_bgcolor="white", paper_bgcolor="white",
        xaxis={"title": {"text": "x (km)"}, "range": [x_km[0] - pad, x_km[-1] + pad],
               "showgrid": False},
        yaxis={"title": {"text": "y (km)"}, "range": [y_km[-1] - pad, y_km[0] + pad],
               "scaleanchor": "x", "showgrid": False},
    )
    return fig


def density_png(
    path: Any, grid: Any, *, departments: Any = None, title: str, colorbar_title: str,
    formatter: Callable[[float, Any], str],
) -> None:
    """Write the density map as a matplotlib PNG."""
    from matplotlib.ticker import FuncFormatter

    plt = pyplot()

    dens = np.asarray(grid.density[-1], dtype=float)
    masked = np.ma.masked_where(~(dens > 0), dens)
    g = grid.grid
    extent = (g.x0 / 1000, (g.x0 + g.ncols * g.cell) / 1000,
              (g.y0 - g.nrows * g.cell) / 1000, g.y0 / 1000)
    fig, ax = plt.subplots(figsize=(7.5, 8.0), dpi=110)
    im = ax.imshow(masked, extent=extent, cmap="YlOrRd", vmin=0, interpolation="nearest")
    if departments is not None:
        xs, ys = _outline_xy(departments, g.crs)
        ax.plot([np.nan if v is None else v / 1000 for v in xs],
                [np.nan if v is None else v / 1000 for v in ys], color="#9a9a9a", lw=0.5)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    cb = fig.colorbar(im, ax=ax, shrink=0.6, format=FuncFormatter(formatter))
    cb.set_label(colorbar_title)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
