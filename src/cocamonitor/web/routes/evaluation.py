"""Dashboard view "Did the programmes work?": the report's evaluation section, with its figures.

``GET /view/evaluation?lang=es|en`` answers ``{"html": ..., "figures": {id: plotly figure}}``
and ``GET /download/evaluation.csv`` gives the event-study estimates it plots;
the event studies are computed once per process (last census year) and cached.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cocamonitor.report.locale import check_lang

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _section() -> dict[str, Any]:
    from cocamonitor import datasets
    from cocamonitor.report.evaluation import evaluation_section

    return evaluation_section(int(datasets.load("coca-municipal")["year"].max()))


@lru_cache(maxsize=2)
def _view(lang: str) -> dict[str, Any]:
    import plotly.io as pio

    from cocamonitor.evaluate.plot import event_study_figure
    from cocamonitor.report.evaluation import evaluation_html

    sec = _section()
    keys = {name: f"evaluation_{name}" for name in sec["designs"]}
    figs = {keys[n]: json.loads(pio.to_json(event_study_figure(d["event"], ylabel="ha", lang=lang), validate=False))
            for n, d in sec["designs"].items()}
    return {"html": str(evaluation_html(sec, lang, keys)), "figures": figs}


@router.get("/view/evaluation")
def evaluation_view(request: Request, lang: Annotated[str | None, Query(description="es or en.")] = None
                    ) -> dict[str, Any]:
    """Return the evaluation section (HTML) and its event-study figures.

    If the designs cannot be computed from the data the dashboard serves (e.g. an imported
    census without the years they need), the view says so in one line instead of failing the page.
    """
    from markupsafe import escape

    from cocamonitor.errors import CocamonitorError
    from cocamonitor.report.evaluation import TEXT

    code = check_lang(lang or request.app.state.lang, where="lang")
    try:
        return _view(code)
    except CocamonitorError as err:
        t = TEXT[code]
        return {"html": f'<section id="evaluation"><h2>{escape(t["title"])}</h2><p>{escape(t["na"])} '
                        f"({escape(str(err))})</p></section>", "figures": {}}


@router.get("/download/evaluation.csv")
def evaluation_csv() -> Response:
    """Download the event-study estimates the view plots, one row per design and event time."""
    import io

    import pandas as pd

    frames = [t.assign(design=name.removeprefix("evaluation_").removesuffix("_event_study"))
              for name, t in _section()["tables"].items()]
    df = pd.concat(frames, ignore_index=True)
    buf = io.StringIO()
    df[["design", *[c for c in df.columns if c != "design"]]].to_csv(buf, index=False)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="evaluation-event-studies.csv"'})

