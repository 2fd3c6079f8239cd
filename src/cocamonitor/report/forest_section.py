"""Report section "Coca y bosque / Coca and forest": the imported SIMCI grid and territory layers.

Present when the user imported the SIMCI 1 km grid (``cocamonitor data import simci-grid``)
or registered territory layers (``cocamonitor territories add``); otherwise the report carries
one line saying what to import. The published national shares of coca inside national natural
parks (``coca_area_share_pnn`` of the bundled national series) are quoted with their release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

__all__ = ["forest_html", "forest_section", "imported_density_section"]

_TEXT: dict[str, dict[str, Any]] = {
    "es": {
        "title": "Coca y bosque",
        "absent": "Sin datos importados para esta sección: importe la grilla de 1 km del SIMCI con "
                  "<code>cocamonitor data import simci-grid ARCHIVO</code> (datos.gov.co v3rx-q7t3) y registre "
                  "capas de territorios (RUNAP, ANT, SIAC) con <code>cocamonitor territories add</code>.",
        "grid": "Grilla de 1 km del SIMCI importada ({dataset}, {licence}) el {imported} desde <code>{source}</code> "
                "(SHA-256 {sha}): {cells} celdas, años {first}–{last}; {total} ha de coca en {year}.",
        "grid_no_year": "Grilla de 1 km del SIMCI importada ({dataset}) el {imported}: años {first}–{last}; "
                        "no contiene {year}.",
        "no_grid": "Hay capas de territorios registradas, pero falta la grilla de 1 km: impórtela con "
                   "<code>cocamonitor data import simci-grid ARCHIVO</code>.",
        "no_layers": "Registre capas de territorios (parques RUNAP, resguardos y consejos comunitarios ANT, reservas "
                     "Ley 2ª SIAC) con <code>cocamonitor territories add</code> para ver la coca en cada uno.",
        "layer": "Capa <strong>{name}</strong>: {n} territorios, de <code>{source}</code> (importada el {imported}).",
        "method": "Cada celda cuenta con la fracción exacta de su área dentro del polígono (exactextract); los "
                  "totales cuentan una sola vez las superposiciones entre territorios y entre capas.",
        "published": "Cifra publicada: {value:g} % de la coca del país en parques nacionales naturales en {year} "
                     "({publication}; publicada el {released}).",
        "cols": ["Capa", "Territorio", "Coca {year} (ha)", "% del total nacional", "Cambio (ha)"],
        "all": "(todos, superposiciones una vez)", "all_layers": "(todas las capas)",
        "overlap": "{a} y {b} se superponen en {area} ha, con {coca} ha de coca en {year}; el total de todas las "
                   "capas las cuenta una vez.",
    },
    "en": {
        "title": "Coca and forest",
        "absent": "No data imported for this section: import SIMCI's 1 km grid with "
                  "<code>cocamonitor data import simci-grid FILE</code> (datos.gov.co v3rx-q7t3) and register "
                  "territory layers (RUNAP, ANT, SIAC) with <code>cocamonitor territories add</code>.",
        "grid": "SIMCI 1 km grid imported ({dataset}, {licence}) on {imported} from <code>{source}</code> "
                "(SHA-256 {sha}): {cells} cells, years {first}–{last}; {total} ha of coca in {year}.",
        "grid_no_year": "SIMCI 1 km grid imported ({dataset}) on {imported}: years {first}–{last}; it does not "
                        "hold {year}.",
        "no_grid": "Territory layers are registered but the 1 km grid is missing: import it with "
                   "<code>cocamonitor data import simci-grid FILE</code>.",
        "no_layers": "Register territory layers (RUNAP parks, ANT resguardos and consejos comunitarios, SIAC Ley 2ª "
                     "reserves) with <code>cocamonitor territories add</code> to see the coca in each.",
        "layer": "Layer <strong>{name}</strong>: {n} territories, from <code>{source}</code> (imported {imported}).",
        "method": "Each cell counts with the exact fraction of its area inside the polygon (exactextract); totals "
                  "count overlaps between territories and between layers once.",
        "published": "Published figure: {value:g} % of the country's coca inside national natural parks in {year} "
                     "({publication}; released {released}).",
        "cols": ["Layer", "Territory", "Coca {year} (ha)", "% of national total", "Change (ha)"],
        "all": "(all, overlaps once)", "all_layers": "(all layers)",
        "overlap": "{a} and {b} overlap on {area} ha, holding {coca} ha of coca in {year}; the all-layers total "
                   "counts it once.",
    },
}


def forest_section(year: int, *, data_dir: str | Path | None = None) -> dict[str, Any] | None:
    """Compute the section from the user data folder; ``None`` when nothing was imported.

    Returns
    -------
    dict or None
        ``grid`` (entry dict or None), ``grid_years``, ``grid_total_ha``, ``layers`` (entry
        dicts), ``table`` (territory rows of ``year``), ``overlaps``, ``published`` (rows of
        the national series), ``year``.

    """
    from cocamonitor import userdata
    from cocamonitor.importers.simci_grid import NAME, load_imported_grid
    from cocamonitor.territories import KIND, coca_in_territories, load_layer

    try:
        items = userdata.entries(data_dir=data_dir)
    except Exception:  # an unreadable folder must not break the report; the CLI reports it elsewhere
        return None
    grid_entry = next((e for e in items if e.name == NAME), None)
    layer_entries = [e for e in items if e.kind == KIND]
    if grid_entry is None and not layer_entries:
        return None
    out: dict[str, Any] = {"year": int(year), "grid": grid_entry.to_dict() if grid_entry else None,
                           "layers": [e.to_dict() for e in layer_entries], "table": None, "overlaps": None,
                           "published": _published()}
    grid = load_imported_grid(data_dir=data_dir) if grid_entry else None
    if grid is not None:
        out["grid_years"] = list(grid.years)
        if year in grid.years:
            out["grid_total_ha"] = float(pd.Series(grid.table.query("year == @year")["coca_ha"]).sum())
            if layer_entries:
                years = [y for y in (year - 1, year) if y in grid.years]
                layers = {e.name: load_layer(e.name, data_dir=data_dir) for e in layer_entries}
                res = coca_in_territories(layers, grid, years=years)
                t = res.to_frame()
                out["table"] = t[(t["year"] == year) & (t["zone"] == "inside")].reset_index(drop=True)
                out["overlaps"] = res.overlaps[res.overlaps["year"] == year].reset_index(drop=True)
    return out


def imported_density_section(year: int, *, data_dir: str | Path | None = None) -> dict[str, Any] | None:
    """Return the report's 1 km density map from the imported SIMCI grid (None without it or without ``year``).

    Same keys as :func:`cocamonitor.report.sections.density_section`, with ``kind`` set to
    ``"simci-grid"``.
    """
    from pyproj import Transformer

    from cocamonitor.importers.simci_grid import load_imported_grid

    try:
        grid = load_imported_grid(data_dir=data_dir)
    except Exception:  # an unreadable folder must not break the report
        return None
    if grid is None or year not in grid.years:
        return None
    dens = grid.density_grid([year])
    cells = dens.to_frame()
    cells = cells[cells["coca_ha"] > 0].reset_index(drop=True)
    to_ll = Transformer.from_crs(dens.grid.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(cells["x"].to_numpy(), cells["y"].to_numpy())
    cells["lon"], cells["lat"] = lon, lat
    return {"grid": dens, "source": "datos.gov.co v3rx-q7t3", "kind": "simci-grid", "cell_m": dens.grid.cell,
            "coca_classes": [], "cells": cells, "total_ha": float(dens.coca_ha.sum()), "n_cells": int(len(cells)),
            "max_density": float(cells["density_ha_km2"].max()) if len(cells) else 0.0}


def _published() -> pd.DataFrame:
    from cocamonitor import datasets

    nat = datasets.load("coca-national")
    rows = nat[nat["metric"] == "coca_area_share_pnn"]
    if "latest" in rows.columns:
        rows = rows[rows["latest"].astype(bool)]
    return rows[["year", "value", "publication", "released"]].sort_values("year").reset_index(drop=True)


def _num(v: float, lang: str, digits: int = 0) -> str:
    from cocamonitor.report.locale import fmt_number

    return fmt_number(v, lang, digits)


def forest_html(sec: dict[str, Any] | None, lang: str) -> Markup:
    """Return the section's HTML (the one-line notice when ``sec`` is None)."""
    tx = _TEXT[lang]
    head = f'<h3 id="coca-and-forest">{tx["title"]}</h3>'
    if sec is None:
        return Markup(f'<div class="coca-forest" id="coca-forest-absent">{head}<p class="pending">'
                      f'{tx["absent"]}</p></div>')
    year = sec["year"]
    parts = [head]
    g = sec.get("grid")
    if g is None:
        parts.append(f"<p>{tx['no_grid']}</p>")
    else:
        yrs = sec.get("grid_years") or []
        fmt = {"dataset": escape(g["meta"].get("dataset", "")), "licence": escape(g["meta"].get("licence", "")),
               "imported": escape(g["imported"][:10]), "source": escape(Path(g["source"]).name),
               "sha": escape(g["source_sha256"][:12]), "cells": _num(g["meta"].get("cells", 0), lang),
               "first": yrs[0] if yrs else "", "last": yrs[-1] if yrs else "", "year": year}
        if "grid_total_ha" in sec:
            parts.append("<p>" + tx["grid"].format(**fmt, total=_num(sec["grid_total_ha"], lang)) + "</p>")
        else:
            parts.append("<p>" + tx["grid_no_year"].format(**fmt) + "</p>")
    if not sec["layers"]:
        parts.append(f"<p>{tx['no_layers']}</p>")
    for e in sec["layers"]:
        parts.append("<p>" + tx["layer"].format(name=escape(e["name"]), n=_num(e["rows"], lang),
                                                 source=escape(Path(e["source"]).name),
                                                 imported=escape(e["imported"][:10])) + "</p>")
    t = sec.get("table")
    if t is not None and len(t):
        cols = [c.format(year=year) for c in tx["cols"]]
        body = []
        for r in t.itertuples():
            terr = {"(all, overlaps once)": tx["all"]}.get(r.territory, r.territory)
            layer = {"(all layers)": tx["all_layers"]}.get(r.layer, r.layer)
            change = "" if pd.isna(r.change_ha) else _num(r.change_ha, lang, 1)
            share = "" if pd.isna(r.share_of_national_pct) else _num(r.share_of_national_pct, lang, 1)
            body.append(f"<tr><td>{escape(layer)}</td><td>{escape(terr)}</td><td>{_num(r.coca_ha, lang, 1)}</td>"
                        f"<td>{share}</td><td>{change}</td></tr>")
        head_row = "".join(f"<th>{escape(c)}</th>" for c in cols)
        parts.append(f'<div class="table" id="table-territories-coca"><table><thead><tr>{head_row}</tr></thead>'
                     f"<tbody>{''.join(body)}</tbody></table></div>")
        parts.append(f"<p>{tx['method']}</p>")
        ov = sec.get("overlaps")
        if ov is not None:
            for r in ov.itertuples():
                if r.area_ha > 0:
                    parts.append("<p>" + tx["overlap"].format(a=escape(r.layer_a), b=escape(r.layer_b),
                                                               area=_num(r.area_ha, lang),
                                                               coca=_num(r.coca_ha, lang, 1), year=year) + "</p>")
    for r in sec["published"].itertuples():
        parts.append("<p class=\"published\">" + tx["published"].format(
            value=float(r.value), year=int(r.year), publication=escape(r.publication),
            released=escape(r.released)) + "</p>")
    return Markup(f'<div class="coca-forest" id="coca-forest-present">{"".join(parts)}</div>')
