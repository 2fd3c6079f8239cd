"""Report section "¿Funcionaron los programas? / Did the programmes work?".

Two designs on the bundled municipal panel, up to the report year: PDET (170 municipalities,
2017) and the end of aerial spraying (October 2015; municipalities ever sprayed vs never
sprayed), each a Callaway & Sant'Anna event study with not-yet-treated controls, the pre-trend
test and the honest-DiD relative-magnitude bound, and sentences that say what the design can
and cannot claim. The section is computed by :func:`evaluation_section` (language-neutral
numbers) and rendered by :func:`evaluation_html`; :func:`add_evaluation` plugs it into a report.

Examples
--------
>>> sec = evaluation_section(2024)
>>> sorted(sec["designs"]), sec["designs"]["pdet"]["first_treated"]
(['pdet', 'spraying'], 2017)

"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from cocamonitor._cli_names import command_line

__all__ = ["TEXT", "add_evaluation", "evaluation_html", "evaluation_section"]

#: First year of each design's panel (PDET: 2010, long enough before 2017; spraying: 2003, the
#: first year of the spraying series).
_DESIGNS = {"pdet": 2010, "spraying": 2003}
N_BOOT, SEED = 999, 20240101

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Did the programmes work?",
        "intro": "Two programmes can be evaluated on the municipal coca census with a staggered "
                 "difference-in-differences design (Callaway & Sant'Anna 2021): each treated municipality is "
                 "compared with municipalities not yet treated, before and after. The charts show the effect on "
                 "coca hectares per municipality by years since the programme started; the shaded band covers "
                 "the whole path at once with 95 % confidence.",
        "pdet": "PDET (170 municipalities, 2017)",
        "spraying": "End of aerial spraying (municipalities sprayed 2003-2015; spraying ended in October 2015)",
        "att": "Average effect after the start: {att} ha per municipality (95 % CI {lo} to {hi}).",
        "pretrend_ok": "Before the start, treated and comparison municipalities moved in parallel "
                       "(pre-trend test p = {p}).",
        "pretrend_bad": "Before the start, treated and comparison municipalities did not move in parallel "
                        "(pre-trend test p = {p}): the comparison is not clean and the effect should not be read "
                        "as causal without the sensitivity bound below.",
        "honest": "Honest-DiD bound (Rambachan & Roth): the effect stays distinguishable from zero only if "
                  "post-start departures from parallel trends are at most {mbar} times the largest pre-start "
                  "one ({maxpre} ha).",
        "honest_zero": "Honest-DiD bound (Rambachan & Roth): even with no departure from parallel trends after the "
                       "start the interval includes zero.",
        "can": "What this design can and cannot claim",
        "c1": "Selection into PDET was not random: the municipalities were chosen for conflict, poverty, illicit "
              "economies and weak institutions, so they may have followed different coca paths anyway.",
        "c2": "The coca figures are a census (SIMCI) with no sampling error, but with measurement error (clouds, "
              "image interpretation, the 31 December reference date); the intervals above reflect only the "
              "variation across municipalities.",
        "c3": "Spillovers: coca displaced to neighbouring municipalities makes the comparison group a treated one "
              "too, which biases the effect in either direction.",
        "c4": "The end of spraying happened everywhere at once: never-sprayed municipalities, which grew far less "
              "coca before, are the only comparison; other national events of 2014-2016 (the peace talks, the "
              "substitution announcement) coincide with it.",
        "command": "Reproduce: {cmd}",
        "figcap": "Effect on coca hectares per municipality by years since the start, with the simultaneous band",
        "na": "Not available for this report year.",
    },
    "es": {
        "title": "¿Funcionaron los programas?",
        "intro": "Dos programas pueden evaluarse con el censo municipal de coca mediante diferencias en diferencias "
                 "escalonadas (Callaway y Sant'Anna 2021): cada municipio tratado se compara con municipios aún no "
                 "tratados, antes y después. Los gráficos muestran el efecto sobre las hectáreas de coca por "
                 "municipio según los años desde el inicio del programa; la banda sombreada cubre toda la "
                 "trayectoria a la vez con 95 % de confianza.",
        "pdet": "PDET (170 municipios, 2017)",
        "spraying": "Fin de la aspersión aérea (municipios asperjados 2003-2015; la aspersión terminó en octubre "
                    "de 2015)",
        "att": "Efecto promedio tras el inicio: {att} ha por municipio (IC 95 % {lo} a {hi}).",
        "pretrend_ok": "Antes del inicio, los municipios tratados y los de comparación evolucionaron en paralelo "
                       "(prueba de tendencias previas p = {p}).",
        "pretrend_bad": "Antes del inicio, los municipios tratados y los de comparación no evolucionaron en "
                        "paralelo (prueba de tendencias previas p = {p}): la comparación no es limpia y el efecto no "
                        "debe leerse como causal sin la cota de sensibilidad siguiente.",
        "honest": "Cota honest-DiD (Rambachan y Roth): el efecto sigue siendo distinto de cero solo si las "
                  "desviaciones de las tendencias paralelas después del inicio son a lo sumo {mbar} veces la mayor "
                  "observada antes ({maxpre} ha).",
        "honest_zero": "Cota honest-DiD (Rambachan y Roth): aun sin desviaciones de las tendencias paralelas después "
                       "del inicio, el intervalo incluye el cero.",
        "can": "Qué puede y qué no puede afirmar este diseño",
        "c1": "La selección de los municipios PDET no fue aleatoria: se escogieron por conflicto, pobreza, economías "
              "ilícitas e instituciones débiles, así que pudieron seguir otra trayectoria de coca de todos modos.",
        "c2": "Las cifras de coca son un censo (SIMCI) sin error de muestreo, pero con error de medición (nubes, "
              "interpretación de imágenes, la fecha de referencia del 31 de diciembre); los intervalos reflejan "
              "solo la variación entre municipios.",
        "c3": "Efectos de derrame: la coca desplazada a municipios vecinos convierte también al grupo de comparación "
              "en tratado, lo que sesga el efecto en cualquier dirección.",
        "c4": "El fin de la aspersión ocurrió en todas partes a la vez: los municipios nunca asperjados, que tenían "
              "mucha menos coca, son la única comparación; otros hechos nacionales de 2014-2016 (los diálogos de "
              "paz, el anuncio de sustitución) coinciden con él.",
        "command": "Reproducir: {cmd}",
        "figcap": "Efecto sobre las hectáreas de coca por municipio según los años desde el inicio, con la banda "
                  "simultánea",
        "na": "No disponible para el año de este informe.",
    },
}


def evaluation_section(year: int, inputs: Any = None) -> dict[str, Any]:
    """Event studies of PDET and of the end of spraying on the bundled panel up to ``year``.

    ``inputs`` is accepted for symmetry with the other sections; the designs use the bundled
    registry and spraying data. A design whose treatment starts after ``year - 1`` is left out.
    """
    from cocamonitor.evaluate import aggregate_all, att_gt
    from cocamonitor.evaluate.diagnostics import honest_bounds, pretrend_test
    from cocamonitor.evaluate.municipal import municipal_panel

    designs: dict[str, Any] = {}
    for name, first in _DESIGNS.items():
        start = 2017 if name == "pdet" else 2016
        if year < start + 1:
            continue
        d = municipal_panel("hectares", name, years=(first, min(year, 2024)))
        res = att_gt(d.panel, control="not-yet", n_boot=N_BOOT, seed=SEED)
        aggs = aggregate_all(res)
        designs[name] = {
            "first_treated": start, "years": list(d.years), "event": aggs["event"], "simple": aggs["simple"],
            "pretrend": pretrend_test(res), "honest": honest_bounds(aggs["event"]),
            "n_treated": int((d.panel.cohort > 0).sum()),
            "command": command_line("evaluate did", treatment=name, years=f"{first}-{min(year, 2024)}",
                                    control="not-yet", plot="event.png"),
        }
    tables = {f"evaluation_{k}_event_study": v["event"].to_frame() for k, v in designs.items()}
    return {"designs": designs, "tables": tables}


def _num(v: float, lang: str, dec: int = 0) -> str:
    from cocamonitor.report.locale import fmt_number

    return fmt_number(v, lang, dec) if dec else fmt_number(v, lang)


def _p(p: float, lang: str) -> str:
    return ("< " + _num(0.001, lang, 3)) if p < 0.001 else _num(p, lang, 3)


def evaluation_html(sec: dict[str, Any], lang: str, figure_keys: dict[str, str] | None = None,
                    png_uris: dict[str, str] | None = None) -> Markup:
    """Render the section as HTML in ``lang`` ("es" or "en"); ``figure_keys`` maps a design to its figure id.

    With ``png_uris`` (figure id -> data URI) the figures are images (the print version, no script).
    """
    t = TEXT[lang]
    parts = [f'<section id="evaluation"><h2>{escape(t["title"])}</h2><p>{escape(t["intro"])}</p>']
    if not sec.get("designs"):
        parts.append(f"<p>{escape(t['na'])}</p>")
    for name, d in sec.get("designs", {}).items():
        s, pre, h = d["simple"], d["pretrend"], d["honest"]
        parts.append(f"<h3>{escape(t[name])}</h3>")
        key = (figure_keys or {}).get(name)
        if key:
            cap = escape(t["figcap"])
            plot = (f'<img class="plot" src="{png_uris[key]}" alt="{cap}">' if png_uris and key in png_uris else
                    f'<div class="plot" id="fig-{key}" data-figure="{key}" style="min-height: 420px"></div>')
            parts.append(f'<figure class="chart" id="figure-{key}">\n  <figcaption>{cap}</figcaption>\n  {plot}\n'
                         f'  <p class="files"><a href="{key}.png">{key}.png</a></p>\n</figure>')
        lines = [t["att"].format(att=_num(s.att, lang), lo=_num(s.ci_low, lang), hi=_num(s.ci_high, lang)),
                 (t["pretrend_ok"] if pre.p_value >= 0.05 else t["pretrend_bad"]).format(p=_p(pre.p_value, lang)),
                 (t["honest"].format(mbar=_num(h.breakdown_mbar, lang, 2), maxpre=_num(h.max_pre_violation, lang))
                  if h.breakdown_mbar > 0 else t["honest_zero"])]
        parts.append("<p>" + " ".join(escape(x) for x in lines) + "</p>")
        parts.append(f"<p class=\"files\">{escape(t['command'].format(cmd=''))}<code>{escape(d['command'])}</code></p>")
    caveats = "".join(f"<li>{escape(t[k])}</li>" for k in ("c1", "c2", "c3", "c4"))
    parts.append(f"<h3>{escape(t['can'])}</h3><ul>{caveats}</ul></section>")
    return Markup("\n".join(parts))


def add_evaluation(data: Any, lang: str, out_dir: Path, figures: dict[str, Any], fig_json: dict[str, str],
                   pngs: list[Path]) -> dict[str, Markup] | None:
    """Add the section's figures (plotly JSON for the HTML, PNG next to it); return its HTML and print HTML."""
    import base64

    import plotly.io as pio

    from cocamonitor.evaluate.plot import event_study_figure, plot_event_study

    sec = (getattr(data, "extras", None) or {}).get("evaluation")
    if not sec:
        return None
    from cocamonitor import __version__
    from cocamonitor.report.catalogue import messages

    m = messages(lang)
    footer = m.fig.source_chart.format(source=m.chart_source.evaluation, asof=m.fig.asof.format(year=data.year),
                                       version=__version__)
    keys = {}
    for name, d in sec["designs"].items():
        key = f"evaluation_{name}"
        title = TEXT[lang][name]
        fig = event_study_figure(d["event"], ylabel="ha", lang=lang)
        figures[key] = {"title": title, "height": 420, "is_map": False, "note": ""}
        fig_json[key] = pio.to_json(fig, validate=False, remove_uids=True)
        pngs.append(plot_event_study(d["event"], out_dir / f"{key}.png", title=title, ylabel="ha", lang=lang,
                                     footer=footer))
        keys[name] = key
    uris = {k: "data:image/png;base64," + base64.b64encode((out_dir / f"{k}.png").read_bytes()).decode()
            for k in keys.values()}
    return {"html": evaluation_html(sec, lang, keys), "print": evaluation_html(sec, lang, keys, uris)}
