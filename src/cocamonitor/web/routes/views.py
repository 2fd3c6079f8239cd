"""What the dashboard page fetches: view fragments (HTML + figure data) and CSV downloads.

Each view takes the page state from the query string (``year``, ``mode``, ``from``,
``municipality``, ``lang``) and answers with ``{"html": ..., ...figure data}``; each CSV is
exactly the rows the view shows (map: every municipality on the map; comparison: every
municipality whose area changed; profile: the municipality's series; national: the series
and the estimate plotted).
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from cocamonitor.report.locale import check_lang
from cocamonitor.web import figures, state
from cocamonitor.web.render import ViewState, render

__all__ = ["router", "view_state"]

router = APIRouter(include_in_schema=False)

MODES = ("map", "compare")
_TOP = 15


def view_state(
    request: Request,
    year: Annotated[int | None, Query(description="Census year.")] = None,
    mode: Annotated[str, Query(description="map or compare.")] = "map",
    year_from: Annotated[int | None, Query(alias="from", description="Earlier year when comparing.")] = None,
    municipality: Annotated[str | None, Query(description="DIVIPOLA code of the profile.")] = None,
    lang: Annotated[str | None, Query(description="es or en.")] = None,
) -> ViewState:
    """Read and check the page state from the query string (defaults: last year, app language)."""
    ys = state.years()
    lang = check_lang(lang or request.app.state.lang, where="lang")
    y = state.check_census_year(year if year is not None else ys[-1], "year")
    state.check_choice(mode, MODES, "mode")
    yf = state.check_census_year(year_from, "from") if year_from is not None else (y - 1 if y - 1 in ys else ys[0])
    code = None
    if municipality:
        from cocamonitor.territory import lookup

        code = lookup(municipality).divipola
    return ViewState(int(y), mode, int(yf), code, lang)


State = Annotated[ViewState, Depends(view_state)]


def _map_table(st: ViewState) -> pd.DataFrame:
    if st.mode == "compare":
        c = state.compare_values(st.year_from, st.year)
        return c[c["change_ha"] != 0].reset_index(drop=True)
    v = state.year_values(st.year)
    v = v[v["hectares"] > 0]
    return v.sort_values(["hectares", "divipola"], ascending=[False, True], ignore_index=True)


@lru_cache(maxsize=2)
def _map_figure_bytes(lang: str) -> bytes:
    return json.dumps(figures.map_figure(lang), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@lru_cache(maxsize=2)
def _map_figure_etag(lang: str) -> str:
    return hashlib.sha256(_map_figure_bytes(lang)).hexdigest()[:16]


@lru_cache(maxsize=2)
def _map_figure_gzip(lang: str) -> bytes:
    import gzip

    return gzip.compress(_map_figure_bytes(lang), compresslevel=6, mtime=0)


def map_figure_url(lang: str) -> str:
    """Return the URL of the map with its geometry, versioned by its content (``v=``)."""
    return f"/view/map-figure?lang={lang}&v={_map_figure_etag(lang)}"


@router.get("/view/map-figure")
def map_figure(st: State, request: Request,
               v: Annotated[str | None, Query(description="Content version (from the page).")] = None) -> Response:
    """Return the map with its geometry: sent once, then cached by the browser.

    Under its versioned URL (:func:`map_figure_url`, what the page asks for) the browser keeps
    it for good (``immutable``), elsewhere for a day; any request may revalidate it with its
    ``ETag``. The body is compressed once per language and kept: a client that accepts gzip
    gets the stored bytes, never a fresh compression per request.
    """
    etag = _map_figure_etag(st.lang)
    cache = "public, max-age=31536000, immutable" if v == etag else "public, max-age=86400"
    headers = {"Cache-Control": cache, "ETag": f'"{etag}"', "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(_map_figure_gzip(st.lang), media_type="application/json",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(_map_figure_bytes(st.lang), media_type="application/json", headers=headers)


@router.get("/view/map")
def map_view(st: State) -> dict[str, Any]:
    """Values and colours of the map for the state, and the panel beside it (no geometry)."""
    upd = figures.map_update(st.year, st.mode, st.year_from, st.lang)
    table = _map_table(st)
    ctx: dict[str, Any] = {"st": st, "title": upd["title"], "csv": f"/download/map.csv?{st.query()}"}
    if st.mode == "compare":
        c = state.compare_values(st.year_from, st.year)
        a, b = c["hectares_from"].sum(), c["hectares_to"].sum()
        ctx.update(area_from=a, area_to=b, change=b - a, share=(b - a) / a if a else np.nan,
                   up=int((c["change_ha"] > 0).sum()), down=int((c["change_ha"] < 0).sum()),
                   rows_up=table[table["change_ha"] > 0].head(10).to_dict("records"),
                   rows_down=table[table["change_ha"] < 0].sort_values("change_ha").head(10).to_dict("records"))
    else:
        ctx.update(area=float(table["hectares"].sum()), n=len(table), rows=table.head(_TOP).to_dict("records"))
    return {"trace": upd["trace"], "title": upd["title"], "html": render("fragment_map.html.j2", st.lang, **ctx),
            "state": st.to_dict()}


@router.get("/view/profile")
def profile_view(st: State) -> dict[str, Any]:
    """Time series chart and trend class of the selected municipality."""
    if st.municipality is None:
        return {"figure": None, "html": render("fragment_profile.html.j2", st.lang, st=st, p=None, csv=None)}
    p = state.municipality(st.municipality)
    first, last = state.years()[0], state.years()[-1]
    html = render("fragment_profile.html.j2", st.lang, st=st, p=p, first=first, last=last,
                  n=state.PANEL_YEARS, csv=f"/download/profile.csv?{st.query()}")
    return {"figure": figures.profile_figure(p, st.lang), "html": html}


@lru_cache(maxsize=1)
def _census_trend() -> dict[str, Any]:
    """Trend tests of the SIMCI census total (sum of the municipalities), as for the published series."""
    from cocamonitor.trends.summary import trend_summary

    t = state.national_table().set_index("year")["simci_municipal_sum"].dropna()
    t.attrs["unit"] = "ha"
    return trend_summary(t, skip_missing=True).to_dict(source="simci", metric="area")


def _trend_rows() -> list[dict[str, Any]]:
    rows = []
    docs = [state.trend_document(source, metric, skip_missing=True) for source, metric in state.SERIES_KEYS]
    docs.insert(2, _census_trend())  # after the published area series
    for (source, metric), d in zip([*state.SERIES_KEYS[:2], ("simci", "area"), *state.SERIES_KEYS[2:]], docs,
                                   strict=True):
        mk, ts = d["mann_kendall"], d["theil_sen"]
        ys = d["series"]["years"]
        rows.append({
            "source": source, "metric": metric, "unit": d["series"]["unit"], "first": ys[0], "last": ys[-1],
            "n": len(ys), "missing_years": " ".join(map(str, d["series"].get("missing_years") or [])),
            "s": mk["s"], "p_value": mk["p_exact"] if mk["p_exact"] is not None else mk["p_value"],
            "trend": mk["trend"], "slope": ts["slope"], "slope_low": ts["ci"][0], "slope_high": ts["ci"][1],
        })
    return rows


@router.get("/view/national")
def national_view(st: State) -> dict[str, Any]:
    """National charts, trend tests and the production estimate of the state's year."""
    prod = state.production_for_year(st.year)
    t = state.national_table().set_index("year")
    pub = {k: (float(t.loc[st.year, k]) if st.year in t.index and pd.notna(t.loc[st.year, k]) else None)
           for k in ("unodc_production", "us_production")}
    html = render("fragment_national.html.j2", st.lang, st=st, tests=_trend_rows(), prod=prod,
                  prod_rows=prod.to_frame().to_dict("records"), pub=pub, draws=state.PRODUCTION_DRAWS,
                  seed=state.PRODUCTION_SEED, csv_series=f"/download/national.csv?{st.query()}",
                  csv_tests=f"/download/trends.csv?{st.query()}",
                  csv_production=f"/download/production.csv?{st.query()}")
    return {"figures": figures.national_figures(st.year, st.lang), "html": html}


# --------------------------------------------------------------------------- CSV downloads


def _csv(df: pd.DataFrame, name: str) -> Response:
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/download/map.csv")
def map_csv(st: State) -> Response:
    """Map mode: every municipality coloured on the map; comparison: every one whose area changed."""
    name = (f"coca-change-{st.year_from}-{st.year}.csv" if st.mode == "compare" else f"coca-{st.year}.csv")
    return _csv(_map_table(st), name)


@router.get("/download/profile.csv")
def profile_csv(st: State) -> Response:
    """Download the profiled municipality's hectares by year (empty ``hectares`` = no coca reported)."""
    if st.municipality is None:
        from cocamonitor.errors import InputError

        raise InputError("no municipality selected", where="municipality", hint="add municipality=<DIVIPOLA code>")
    p = state.municipality(st.municipality)
    df = pd.DataFrame(p["series"])
    df.insert(0, "municipality", p["territory"]["municipality"])
    df.insert(0, "divipola", p["territory"]["divipola"])
    return _csv(df, f"coca-{st.municipality}.csv")


@router.get("/download/national.csv")
def national_csv(st: State) -> Response:
    """Download the plotted national series and the hydrochloride estimate with its interval, by year."""
    p = state.production_table().rename(columns={
        "point": "estimate_hcl_point_t", "median": "estimate_hcl_median_t", "ci_low": "estimate_hcl_ci_low_t",
        "ci_high": "estimate_hcl_ci_high_t", "area_ha": "estimate_area_ha", "preset": "estimate_preset",
        "area_source": "estimate_area_source"})
    return _csv(state.national_table().merge(p, on="year", how="outer"), "national-series.csv")


@router.get("/download/trends.csv")
def trends_csv(st: State) -> Response:
    """Download the trend-test table of the national series."""
    return _csv(pd.DataFrame(_trend_rows()), "national-trend-tests.csv")


@router.get("/download/production.csv")
def production_csv(st: State) -> Response:
    """Download the production table of the state's year (national quantities with intervals)."""
    p = state.production_for_year(st.year)
    df = p.to_frame()
    df.insert(0, "preset", p.preset)
    df.insert(0, "year", p.year)
    return _csv(df, f"production-{st.year}.csv")
