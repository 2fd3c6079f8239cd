"""The dashboard's extra map layers as tables: what each layer shows in a year, and its shapes.

Every layer comes from bundled data with provenance (or from the user's own import):

=============  ======================================================================  ============
layer          what                                                                    dataset
=============  ======================================================================  ============
departments    SIMCI coca hectares summed over each department's municipalities        coca-municipal
labs           drug-production infrastructure destroyed, count by municipality         labs
spraying       aerial spraying of coca, hectares by municipality (ended in 2015)       spraying
pdet           the 16 PDET subregions, with the coca of their municipalities           pdet
grid           SIMCI 1 km grid cells with coca (only after ``data import simci-grid``)  simci-grid
basemap        department borders and department capitals                              territories
=============  ======================================================================  ============

Values are plain numbers (``NaN`` where the source reports nothing); nothing is formatted or
translated here. Shapes are GeoDataFrames in EPSG:4326 with an ``id`` column, simplified for
an on-screen map: never compute areas from them.

Examples
--------
>>> t, shown = layer_table("departments", 2020)
>>> shown, round(float(t["hectares"].sum()))
(2020, 142784)
>>> layer_table("spraying", 2020)[1]  # the last year of aerial spraying
2015

"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor import datasets
from cocamonitor.errors import InputError, UnknownNameError, suggest

__all__ = [
    "LAYERS",
    "SIMPLIFY_DEG",
    "LayerSpec",
    "capitals",
    "grid_available",
    "layer_geometry",
    "layer_table",
    "layer_years",
    "shown_year",
]

#: Tolerance (degrees, about 550 m) of the shapes sent to the browser for the extra layers.
SIMPLIFY_DEG = 0.005


@dataclass(frozen=True)
class LayerSpec:
    """One extra layer: its dataset, the unit of its values and the level of its shapes.

    Attributes
    ----------
    name : str
    dataset : str
        The bundled dataset (``cocamonitor data show``) or the user import it comes from.
    unit : str or None
        Unit of the value coloured (``None``: categories or outlines only).
    level : str
        ``municipality``, ``department``, ``pdet``, ``grid`` or ``basemap``.
    annual : bool
        The values change by year.

    """

    name: str
    dataset: str
    unit: str | None
    level: str
    annual: bool


LAYERS: dict[str, LayerSpec] = {
    "departments": LayerSpec("departments", "coca-municipal", "ha", "department", True),
    "labs": LayerSpec("labs", "labs", "count", "municipality", True),
    "spraying": LayerSpec("spraying", "spraying", "ha", "municipality", True),
    "pdet": LayerSpec("pdet", "pdet", "ha", "pdet", True),
    "grid": LayerSpec("grid", "simci-grid", "ha", "grid", True),
    "basemap": LayerSpec("basemap", "territories", None, "basemap", False),
}


def _spec(name: str) -> LayerSpec:
    if name not in LAYERS:
        raise UnknownNameError(f"unknown map layer {name!r}", where="layer", hint=suggest(name, list(LAYERS)))
    return LAYERS[name]


@lru_cache(maxsize=1)
def _registry() -> pd.DataFrame:
    cols = ["divipola", "municipality", "department_code", "department", "pdet", "pdet_subregion", "pdet_code",
            "lon", "lat"]
    return datasets.load("territories")[cols].set_index("divipola")


def _grid():
    from cocamonitor.importers.simci_grid import load_imported_grid

    return load_imported_grid()


def grid_available() -> bool:
    """Return True when a SIMCI 1 km grid was imported (``cocamonitor data import simci-grid``).

    Looks at the user data folder's index only (the grid itself is read when the layer is drawn).
    """
    from cocamonitor import userdata
    from cocamonitor.importers.simci_grid import CELLS, NAME

    return {NAME, CELLS} <= {e.name for e in userdata.entries()}


def layer_years(name: str) -> tuple[int, int] | None:
    """First and last year of an annual layer (``None`` for the basemap or a grid not imported).

    Examples
    --------
    >>> layer_years("labs"), layer_years("spraying"), layer_years("basemap")
    ((2010, 2024), (2003, 2015), None)

    """
    spec = _spec(name)
    if not spec.annual:
        return None
    if name == "grid":
        grid = _grid()
        return None if grid is None else (int(grid.years[0]), int(grid.years[-1]))
    return datasets.year_range("coca-municipal" if name == "pdet" else spec.dataset)


def shown_year(name: str, year: int) -> int:
    """Return the year a layer shows for the dashboard's ``year``: that year, or the nearest it has.

    Aerial spraying ended in 2015 and labs destroyed start in 2010, so the dashboard's 2024
    shows spraying in 2015; the layer's legend names the year shown.
    """
    span = layer_years(name)
    if span is None:
        return int(year)
    return int(min(max(int(year), span[0]), span[1]))


def _municipal_events(name: str, year: int) -> pd.DataFrame:
    df = datasets.load(LAYERS[name].dataset)
    df = df[(df["year"] == year) & df["divipola"].isin(_registry().index)]
    reg = _registry().reindex(df["divipola"])
    out = pd.DataFrame({"divipola": df["divipola"].to_numpy(), "municipality": reg["municipality"].to_numpy(),
                        "department": reg["department"].to_numpy(),
                        "value": df["quantity"].to_numpy(dtype=float), "events": df["events"].to_numpy(dtype=int)})
    out = out[out["value"] > 0]
    return out.sort_values(["value", "divipola"], ascending=[False, True], ignore_index=True)


def _coca_by(year: int, key: str) -> pd.DataFrame:
    coca = datasets.load("coca-municipal")
    coca = coca[coca["year"] == year]
    reg = _registry().reindex(coca["divipola"])
    ha = coca["hectares"].to_numpy(dtype=float)
    return pd.DataFrame({key: reg[key].to_numpy(), "hectares": np.nan_to_num(ha),
                         "with_coca": np.nan_to_num(ha) > 0})


def _departments(year: int) -> pd.DataFrame:
    reg = _registry()
    deps = reg.drop_duplicates("department_code")[["department_code", "department"]].sort_values("department_code")
    c = _coca_by(year, "department_code").groupby("department_code").agg(
        hectares=("hectares", "sum"), municipalities_with_coca=("with_coca", "sum"))
    out = deps.set_index("department_code").join(c).fillna({"hectares": 0.0, "municipalities_with_coca": 0})
    out["municipalities_with_coca"] = out["municipalities_with_coca"].astype(int)
    total = out["hectares"].sum()
    out["share"] = out["hectares"] / total if total else np.nan
    return out.reset_index().sort_values(["hectares", "department_code"], ascending=[False, True],
                                         ignore_index=True)


def _pdet(year: int) -> pd.DataFrame:
    reg = _registry()
    members = reg[reg["pdet"].astype(bool)]
    sub = members.groupby("pdet_code").agg(subregion=("pdet_subregion", "first"),
                                           municipalities=("municipality", "size"))
    c = _coca_by(year, "pdet_code").dropna(subset=["pdet_code"]).groupby("pdet_code").agg(
        hectares=("hectares", "sum"), municipalities_with_coca=("with_coca", "sum"))
    out = sub.join(c).fillna({"hectares": 0.0, "municipalities_with_coca": 0})
    out["municipalities_with_coca"] = out["municipalities_with_coca"].astype(int)
    total = float(np.nansum(datasets.load("coca-municipal").query("year == @year")["hectares"]))
    out["share_of_national"] = out["hectares"] / total if total else np.nan
    out = out.reset_index()
    out["pdet_code"] = out["pdet_code"].astype(str)
    return out.sort_values(["hectares", "pdet_code"], ascending=[False, True], ignore_index=True)


def _grid_cells(year: int) -> pd.DataFrame:
    grid = _grid()
    if grid is None:
        raise InputError("no SIMCI grid imported", where="layer",
                         hint="import it with `cocamonitor data import simci-grid FILE` (datos.gov.co v3rx-q7t3)")
    ha = grid.coca_matrix()[:, grid.years.index(year)]
    keep = np.isfinite(ha) & (ha > 0)
    out = pd.DataFrame({"cell": grid.cells["cell"].to_numpy()[keep], "coca_ha": ha[keep]})
    return out.sort_values(["coca_ha", "cell"], ascending=[False, True], ignore_index=True)


def capitals() -> pd.DataFrame:
    """Department capitals: ``department_code, department, divipola, municipality, lon, lat``.

    DANE's DIVIPOLA gives each department's capital the code ``DD001``; Cundinamarca (25) is the
    exception, its capital being Bogotá D.C. (11001), so ``25001`` (Agua de Dios) is left out.
    ``lon, lat`` are the municipality's reference point in the MGN 2018 (``LONGITUD, LATITUD``).

    Examples
    --------
    >>> c = capitals()
    >>> len(c), "Mocoa" in set(c["municipality"]), "Agua de Dios" in set(c["municipality"])
    (32, True, False)

    """
    reg = _registry().reset_index()
    cap = reg[reg["divipola"].str.endswith("001") & (reg["divipola"] != "25001")]
    return cap[["department_code", "department", "divipola", "municipality", "lon", "lat"]].reset_index(drop=True)


def layer_table(name: str, year: int | None = None) -> tuple[pd.DataFrame, int | None]:
    """Return what layer ``name`` shows for the dashboard's ``year``, and the year it shows.

    Returns
    -------
    (pandas.DataFrame, int or None)
        ``departments``: ``department_code, department, hectares, municipalities_with_coca,
        share``; ``labs`` and ``spraying``: ``divipola, municipality, department, value,
        events`` (municipalities with a value > 0); ``pdet``: ``pdet_code, subregion,
        municipalities, hectares, municipalities_with_coca, share_of_national``; ``grid``:
        ``cell, coca_ha`` (cells with coca); ``basemap``: the :func:`capitals`. The year is
        ``None`` for the basemap.

    Raises
    ------
    UnknownNameError
        Unknown layer.
    InputError
        The grid layer when no grid was imported.

    """
    spec = _spec(name)
    if not spec.annual:
        return capitals(), None
    if name == "grid" and _grid() is None:
        _grid_cells(0)  # raises the "import it" error
    y = shown_year(name, int(year if year is not None else datasets.year_range("coca-municipal")[1]))
    if name == "departments":
        return _departments(y), y
    if name == "pdet":
        return _pdet(y), y
    if name == "grid":
        return _grid_cells(y), y
    return _municipal_events(name, y), y


def _simplified(gdf: Any, tolerance: float = SIMPLIFY_DEG) -> Any:
    out = gdf.copy()
    out["geometry"] = out.geometry.simplify(tolerance, preserve_topology=True)
    return out


@lru_cache(maxsize=8)
def _geometry(name: str) -> Any:
    import geopandas as gpd

    spec = _spec(name)
    if spec.level == "department" or name == "basemap":
        dep = datasets.boundaries("department")
        return _simplified(dep.rename(columns={"department_code": "id"})[["id", "geometry"]])
    mun = datasets.boundaries("municipality")
    if spec.level == "municipality":
        codes = set(datasets.load("labs")["divipola"].dropna()) | set(datasets.load("spraying")["divipola"].dropna())
        mun = mun[mun["divipola"].isin(codes)]
        return _simplified(mun.rename(columns={"divipola": "id"})[["id", "geometry"]]).reset_index(drop=True)
    # pdet: the subregions, dissolved from their municipalities
    reg = _registry()
    mun = mun.assign(id=reg["pdet_code"].reindex(mun["divipola"]).to_numpy())
    mun = mun[reg["pdet"].reindex(mun["divipola"]).fillna(False).astype(bool).to_numpy()]
    sub = mun[["id", "geometry"]].dissolve(by="id").reset_index()
    sub["id"] = sub["id"].astype(str)
    return _simplified(gpd.GeoDataFrame(sub, geometry="geometry", crs=mun.crs))


def _grid_geometry() -> Any:
    import geopandas as gpd

    grid = _grid()
    if grid is None:
        _grid_cells(0)
    mat = grid.coca_matrix()
    ever = (np.nan_to_num(mat) > 0).any(axis=1)
    cells = gpd.GeoDataFrame({"id": grid.cells["cell"].to_numpy()[ever].astype(str)},
                             geometry=list(grid.cells["geometry"].to_numpy()[ever]), crs=grid.source_crs)
    return cells.to_crs("EPSG:4326")


def layer_geometry(name: str) -> Any:
    """Shapes of a layer as a GeoDataFrame (``id``, ``geometry``) in EPSG:4326, simplified for a screen map.

    ``labs`` and ``spraying`` share the municipalities that appear in either dataset;
    ``departments`` and ``basemap`` the 33 departments; ``pdet`` the 16 subregions dissolved
    from their municipalities (``id`` = PDET code); ``grid`` every imported cell that ever had
    coca (``id`` = ``grilla1``).

    Examples
    --------
    >>> len(layer_geometry("pdet")), len(layer_geometry("departments"))
    (16, 33)

    """
    spec = _spec(name)
    if spec.level == "grid":
        return _grid_geometry()
    return _geometry("labs" if spec.level == "municipality" else name).copy()
