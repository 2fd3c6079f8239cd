"""HTML pages (the dashboard, the provenance table) and the offline plotly.js asset.

The dashboard loads the ``geo`` plotly.js partial bundle (:mod:`cocamonitor.report.plotlyjs`)
from a URL named by its content hash, served gzipped as stored and cached by the browser for
good (``immutable``); a new bundle gets a new URL.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from cocamonitor import datasets
from cocamonitor.report.locale import check_lang
from cocamonitor.report.maps import GEO_ASSETS_STUB
from cocamonitor.report.render import script_json
from cocamonitor.web import state
from cocamonitor.web.render import ViewState, render
from cocamonitor.web.routes.views import map_figure_url, view_state

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Keys of the catalogue the page script needs (everything else is rendered on the server).
_SCRIPT_KEYS = ("meta", "controls")


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@router.get("/assets/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package (no CDN)."""
    return Response(_plotly_js(), media_type="application/javascript",
                    headers={"Cache-Control": "max-age=86400"})


#: The plotly.js bundle the dashboard draws with (scatter and choropleth traces).
DASHBOARD_BUNDLE = "geo"


@lru_cache(maxsize=1)
def plotly_bundle_url() -> str:
    """Return the immutable URL of the dashboard's plotly.js bundle (named by its content hash)."""
    from cocamonitor.report.plotlyjs import bundle_gz

    return f"/assets/plotly-{DASHBOARD_BUNDLE}-{hashlib.sha256(bundle_gz(DASHBOARD_BUNDLE)).hexdigest()[:16]}.min.js"


@router.get("/assets/plotly-{name}-{digest}.min.js")
def plotly_bundle(name: str, digest: str, request: Request) -> Response:
    """Serve the dashboard's plotly.js partial bundle, gzipped as stored, cached for good."""
    from cocamonitor.report.plotlyjs import bundle_gz

    url = plotly_bundle_url()
    if request.url.path != url:  # only the current bundle's URL exists
        return Response(status_code=404)
    etag = f'"{digest}"'
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(bundle_gz(name), media_type="application/javascript",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(gzip.decompress(bundle_gz(name)), media_type="application/javascript", headers=headers)


def _script_json(obj: object) -> Markup:
    return script_json(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


@router.get("/", response_class=HTMLResponse)
def index(st: Annotated[ViewState, Depends(view_state)]) -> HTMLResponse:
    """Render the dashboard; the query string (year, mode, from, municipality, lang) sets the view."""
    from cocamonitor.web.i18n import catalogue

    m = catalogue(st.lang)
    other = "en" if st.lang == "es" else "es"
    html = render(
        "index.html.j2", st.lang, st=st, years=state.years(), other_href="/?" + st.query(lang=other),
        boot=_script_json({"state": st.to_dict(), "years": list(state.years()),
                           "m": {k: m[k] for k in _SCRIPT_KEYS}, "map_figure": map_figure_url(st.lang)}),
        geo_assets=_script_json(GEO_ASSETS_STUB),
        plotly_url=plotly_bundle_url(),
    )
    return HTMLResponse(html)


@router.get("/provenance", response_class=HTMLResponse)
def provenance(
    request: Request, lang: Annotated[str | None, Query(description="es or en.")] = None
) -> HTMLResponse:
    """Who published each bundled dataset, where it came from, its licence and caveats."""
    lang = check_lang(lang or request.app.state.lang, where="lang")
    prov = datasets.load("provenance").fillna("")
    if lang == "es":  # the registry carries Spanish titles and caveats
        prov["title"], prov["caveats"] = prov["title_es"], prov["caveats_es"]
    return HTMLResponse(render("provenance.html.j2", lang, rows=prov.to_dict("records")))


@router.get("/results", response_class=HTMLResponse)
def results(
    request: Request, lang: Annotated[str | None, Query(description="es or en.")] = None
) -> HTMLResponse:
    """Render every counternarcotics result with figures, bundled and imported alike.

    Small multiples over the coca area, then the latest figure of each indicator with its source.
    """
    from cocamonitor import indicators as ind
    from cocamonitor.report.locale import fmt_number
    from cocamonitor.report.multiples import multiples_figure, results_series
    from cocamonitor.report.render import messages

    lang = check_lang(lang or request.app.state.lang, where="lang")
    rm = messages(lang)
    inputs = ind.IndicatorInputs.from_datasets()
    table = ind.results_table(inputs=inputs).to_frame()
    series, coca = results_series(table)
    fig = multiples_figure(series, coca, dict(rm.indicator), lang=lang, source_labels=dict(rm.source),
                           coca_label=rm.fig.coca_background)
    last = table.dropna(subset=["value"]).sort_values("year").groupby(["indicator", "source"], sort=False).tail(1)
    order = {i.name: k for k, i in enumerate(ind.INDICATORS)}
    last = last.assign(_o=last["indicator"].map(order)).sort_values(["_o", "source"])
    rows = [{"label": rm.indicator.get(r["indicator"], r["indicator"]), "year": int(r["year"]),
             "value": fmt_number(r["value"], lang, 2 if abs(r["value"]) < 100 else 0), "unit": r["unit"],
             "source": " / ".join(rm.source.get(k, k) for k in str(r["source"]).split(" / ")),
             "citation": r["citation"] if isinstance(r["citation"], str) else ""}
            for r in last.to_dict("records")]
    year = int(table["year"].max())
    html = render("results.html.j2", lang, r=rm.results, rows=rows, year=year, imported=list(inputs.imported),
                  chart_title=rm.fig.results_multiples.format(year=year), chart_note=rm.fig.results_multiples_note,
                  height=int(fig.layout.height), figure=script_json(fig.to_json()))
    return HTMLResponse(html)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(
    request: Request, lang: Annotated[str | None, Query(description="es or en.")] = None
) -> HTMLResponse:
    """Render the JSON API's documentation from the OpenAPI schema (``/openapi.json``) offline.

    In ``?lang=``, else the language ``Accept-Language`` prefers, else the app's.
    """
    from cocamonitor.messages import request_lang
    from cocamonitor.web.apidocs import operations

    lang = check_lang(lang, where="lang") if lang else request_lang(
        None, request.headers.get("accept-language"), request.app.state.lang)
    spec = request.app.openapi()
    return HTMLResponse(render("api_docs.html.j2", lang, spec=spec, ops=operations(spec, lang)),
                        headers={"Content-Language": lang, "Vary": "Accept-Language"})
