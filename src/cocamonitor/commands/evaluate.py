"""``cocamonitor evaluate did | synth | bacon``: whether a programme changed coca, and how surely.

Heavy imports (numpy, pandas, the estimators) happen inside the commands, so that registering
this group costs nothing when another command runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cocamonitor.commands._common import TableFormat

if TYPE_CHECKING:  # pragma: no cover
    from cocamonitor.evaluate.municipal import Design

__all__ = ["evaluate_app", "register"]

evaluate_app = typer.Typer(
    help="Programme evaluation: staggered DiD (Callaway & Sant'Anna), TWFE decomposition, synthetic control.",
    no_args_is_help=True,
)

FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Event-study chart: FILE.png, .svg, .pdf or .html.")]
TreatmentOpt = Annotated[str, typer.Option("--treatment", help="Bundled treatment: pdet, spraying or catatumbo.")]
TreatmentFileOpt = Annotated[
    Path | None, typer.Option("--treatment-file", help="CSV divipola,first_treated[,dose] (0 = never treated).")
]
OutcomeOpt = Annotated[
    str, typer.Option("--outcome", help="hectares, log1p, presence, per-km2, per-1000, labs; with --panel: a column.")
]
YearsOpt = Annotated[str | None, typer.Option("--years", help="FIRST-LAST, e.g. 2010-2024.")]
PanelOpt = Annotated[
    Path | None, typer.Option("--panel", help="Any long panel CSV/Parquet instead of the bundled data.")
]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="--panel: unit column.")]
TimeOpt = Annotated[str | None, typer.Option("--time", help="--panel: period column.")]
CohortOpt = Annotated[str | None, typer.Option("--cohort", help="--panel: first treated period column (0 = never).")]

_WHERE = {
    "treatment": "--treatment", "years": "--years", "control": "--control", "outcome": "--outcome",
    "covariates": "--covariates", "cluster": "--cluster", "cohort": "--cohort", "method": "--method",
    "confidence": "--confidence", "n_boot": "--n-boot", "bootstrap_weights": "--bootstrap-weights",
    "treated": "--treated", "start": "--from", "shift": "--placebo-shift",
}


@contextmanager
def _cli_names(treatment_flag: str = "--treatment") -> Iterator[None]:
    """Translate core parameter names in error messages into this command's options."""
    from cocamonitor.errors import CocamonitorError

    try:
        yield
    except CocamonitorError as err:
        where = err.where
        if where in _WHERE:
            new = _WHERE[where] if where != "cohort" else treatment_flag
            raise type(err)(err.message, where=new, hint=err.hint) from err
        raise


def _split(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _design(treatment: str, treatment_file: Path | None, outcome: str, years: str | None,
            covariates: str | None, cluster: str | None, panel: Path | None, unit: str | None,
            time: str | None, cohort: str | None) -> tuple[Design, list[str]]:
    from cocamonitor.errors import InputError
    from cocamonitor.evaluate.municipal import Design, municipal_panel
    from cocamonitor.io.years import parse_year_span

    span = parse_year_span(years) if years else None
    if panel is not None:
        from cocamonitor.evaluate import panel_from_long
        from cocamonitor.io.tables import read_table

        missing = [f for f, v in (("--unit", unit), ("--time", time), ("--cohort", cohort)) if not v]
        if missing:
            raise InputError(f"--panel needs {', '.join(missing)}", where="--panel",
                             hint="name the unit, period and first-treated-period columns")
        assert unit and time and cohort
        covs = _split(covariates)
        df = read_table(panel, required=[unit, time, outcome, cohort, *covs, *([cluster] if cluster else [])],
                        numeric=[time, outcome, cohort, *covs])
        if span is not None:
            t = df[time].to_numpy(dtype=float)
            df = df[(t >= span[0]) & (t <= span[1])]
        p = panel_from_long(df, unit=unit, time=time, outcome=outcome, cohort=cohort, covariates=covs,
                            cluster=cluster, source=str(panel))
        yrs = (int(p.times[0]), int(p.times[-1]))
        return Design(panel=p, outcome=outcome, treatment=cohort, years=yrs, datasets=(), notes=()), [str(panel)]
    with _cli_names():
        d = municipal_panel(outcome, treatment, years=span, treatment_file=treatment_file,
                            covariates=_split(covariates), cluster=cluster or "municipality")
    return d, ([str(treatment_file)] if treatment_file else [])


def _provenance(design: Design, files: list[str], params: dict[str, Any]) -> dict[str, Any]:
    from cocamonitor.provenance import Provenance

    prov = Provenance.build(inputs=files, parameters=params).to_dict()
    prov["design"] = design.provenance() if design.datasets else {"panel": files[0] if files else None}
    return prov


@evaluate_app.command("did")
def did_cmd(
    treatment: TreatmentOpt = "pdet",
    treatment_file: TreatmentFileOpt = None,
    outcome: OutcomeOpt = "hectares",
    years: YearsOpt = None,
    control: Annotated[str, typer.Option("--control", help="never or not-yet (not-yet-treated units too).")] = "never",
    covariates: Annotated[str | None, typer.Option("--covariates", help="Comma-separated: population, area; "
                                                   "with --panel: columns.")] = None,
    method: Annotated[str, typer.Option("--method", help="With covariates: dr (doubly robust) or reg.")] = "dr",
    cluster: Annotated[str | None, typer.Option("--cluster", help="municipality or department; with --panel: a "
                                                "column.")] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Multiplier-bootstrap draws for the bands.")] = 999,
    bootstrap_weights: Annotated[str, typer.Option("--bootstrap-weights", help="mammen or rademacher.")] = "mammen",
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    confidence: Annotated[float, typer.Option("--confidence", help="Confidence level.")] = 0.95,
    mbar: Annotated[str, typer.Option("--mbar", help="Honest-DiD relative magnitudes to report.")] = "0,0.5,1,1.5,2",
    placebo_shift: Annotated[int, typer.Option("--placebo-shift", help="Also a placebo: treatment moved N years "
                                               "earlier, on pre-treatment years only (0: none).")] = 0,
    by_dose: Annotated[int, typer.Option("--by-dose", help="Also the ATT within N quantile bins of the dose "
                                         "(spraying, or a dose column in --treatment-file).")] = 0,
    panel: PanelOpt = None,
    unit: UnitOpt = None,
    time: TimeOpt = None,
    cohort: CohortOpt = None,
    fmt: FormatOpt = TableFormat.table,
    plot: PlotOpt = None,
) -> None:
    """Callaway & Sant'Anna staggered DiD with pre-trend test, honest-DiD bounds and all aggregations.

    Examples: `cocamonitor evaluate did --treatment pdet --years 2010-2024 --control not-yet`;
    `cocamonitor evaluate did --panel mpdta.csv --unit countyreal --time year --outcome lemp --cohort first.treat`.
    """
    import warnings

    from cocamonitor.commands._common import emit_json, emit_table, err_console, record_result
    from cocamonitor.errors import InputError
    from cocamonitor.evaluate import aggregate_all, att_gt
    from cocamonitor.evaluate.diagnostics import honest_bounds, pretrend_test

    if plot is not None:
        from cocamonitor._plotting import check_figure_path

        check_figure_path(plot)
    control = {"not-yet": "not-yet", "notyet": "not-yet", "not_yet": "not-yet"}.get(control, control)
    try:
        mbars = tuple(float(v) for v in _split(mbar))
    except ValueError as err:
        raise InputError(f"cannot read {mbar!r} as numbers", where="--mbar", hint="e.g. 0,0.5,1") from err
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        design, files = _design(treatment, treatment_file, outcome, years, covariates, cluster, panel, unit,
                                time, cohort)
        with _cli_names("--cohort" if panel is not None else "--treatment"):
            res = att_gt(design.panel, control=control, method=method, confidence=confidence,  # type: ignore[arg-type]
                         n_boot=n_boot, bootstrap_weights=bootstrap_weights, seed=seed)  # type: ignore[arg-type]
            aggs = aggregate_all(res)
            pre = pretrend_test(res)
            honest = honest_bounds(aggs["event"], mbars)
        placebo: dict[str, Any] | None = None
        if placebo_shift:
            from cocamonitor.evaluate import aggregate
            from cocamonitor.evaluate.diagnostics import placebo_timing

            with _cli_names():
                pres = placebo_timing(design.panel, shift=placebo_shift, control=control, method=method,  # type: ignore[arg-type]
                                      confidence=confidence, n_boot=0)
            placebo = {"shift": placebo_shift, "years": [int(pres.times[0]), int(pres.times[-1])]} | aggregate(
                pres, "simple").to_dict()
        dose = None
        if by_dose:
            from cocamonitor.evaluate.dose import att_by_dose

            with _cli_names():
                try:
                    dose = att_by_dose(design.panel, bins=by_dose, control=control, method=method,  # type: ignore[arg-type]
                                       confidence=confidence, n_boot=0)
                except InputError as err:
                    raise type(err)(err.message, where="--by-dose", hint=err.hint) from err
    for w in caught:
        err_console.print(f"warning: {w.message}", markup=False, highlight=False)
    small = [int(g) for g in res.group if (design.panel.cohort == g).sum() < 30]
    if small:
        err_console.print(f"warning: cohort(s) {sorted(set(small))} have fewer than 30 units: analytic standard "
                          "errors rely on large cohorts; consider `cocamonitor evaluate synth`",
                          markup=False, highlight=False)
    params = res.parameters() | {"treatment": design.treatment, "years": list(design.years)}
    doc = {
        "att_gt": res.to_frame()[["group", "time", "att", "se", "ci_low", "ci_high", "band_low", "band_high",
                                  "n_treated", "n_control"]].to_dict(orient="records"),
        "aggregate": {k: v.to_dict() for k, v in aggs.items()},
        "pretrend": pre.to_dict(),
        "honest": honest.to_dict(),
        "notes": list(design.notes),
        "provenance": _provenance(design, files, params),
    }
    if placebo is not None:
        doc["placebo"] = placebo
    if dose is not None:
        doc["dose"] = dose.to_dict()
    from cocamonitor.results import Composite, Table, numbers

    cells = res.to_frame()[["group", "time", "att", "se", "ci_low", "ci_high", "band_low", "band_high",
                            "n_treated", "n_control"]]
    record_result("evaluate did", doc, result=Composite((
        ("att_gt", Table(cells)), *((f"aggregate/{k}", v) for k, v in aggs.items()),
        ("pretrend", pre), ("honest", honest),
        ("placebo", None if placebo is None else numbers("", {k: v for k, v in placebo.items() if k != "years"})),
        ("dose", dose))))
    if plot is not None:
        from cocamonitor.evaluate.plot import plot_event_study

        plot_event_study(aggs["event"], plot, title=f"{design.treatment}: {design.outcome} ({res.control} controls)",
                         ylabel=design.outcome)
        err_console.print(f"wrote {plot}", markup=False, highlight=False)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    if fmt is TableFormat.csv:
        emit_table(res.to_frame(), fmt)
        return
    ev = aggs["event"].to_frame()
    emit_table(ev, fmt, title=f"Event study — {design.treatment}, {design.outcome}, {design.years[0]}-"
                              f"{design.years[1]} ({res.control} controls, {res.method})")
    s = aggs["simple"]
    typer.echo(f"Overall ATT: {s.att:,.3f} (se {s.se:,.3f}; {100 * confidence:.0f}% CI {s.ci_low:,.3f} to "
               f"{s.ci_high:,.3f})")
    typer.echo(f"Pre-trend test: Wald {pre.statistic:,.2f}, df {pre.df}, p = {pre.p_value:.3g}"
               + ("  ← parallel trends rejected before treatment" if pre.p_value < 0.05 else ""))
    typer.echo(f"Honest DiD (relative magnitudes): significant up to Mbar = {honest.breakdown_mbar:.2f} "
               f"(max pre-period violation {honest.max_pre_violation:,.3f})")
    if placebo is not None:
        typer.echo(f"Placebo ({placebo_shift} years earlier, {placebo['years'][0]}-{placebo['years'][1]}): "
                   f"{placebo['att']:,.3f} ({100 * confidence:.0f}% CI {placebo['ci_low']:,.3f} to "
                   f"{placebo['ci_high']:,.3f}); should be near zero")
    if dose is not None:
        emit_table(dose.to_frame(), fmt, title="ATT by dose bin")
        typer.echo(f"Note: {dose.caveat}")
    for note in design.notes:
        typer.echo(f"Note: {note}")


@evaluate_app.command("bacon")
def bacon_cmd(
    treatment: TreatmentOpt = "pdet",
    treatment_file: TreatmentFileOpt = None,
    outcome: OutcomeOpt = "hectares",
    years: YearsOpt = None,
    panel: PanelOpt = None,
    unit: UnitOpt = None,
    time: TimeOpt = None,
    cohort: CohortOpt = None,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Goodman-Bacon decomposition of the two-way fixed-effects estimate into 2×2 comparisons."""
    from cocamonitor.commands._common import emit_json, emit_table, record_result
    from cocamonitor.evaluate import aggregate, att_gt
    from cocamonitor.evaluate.diagnostics import bacon_decomposition

    design, files = _design(treatment, treatment_file, outcome, years, None, None, panel, unit, time, cohort)
    with _cli_names("--cohort" if panel is not None else "--treatment"):
        b = bacon_decomposition(design.panel)
        cs = aggregate(att_gt(design.panel, n_boot=0), "simple")
    doc = b.to_dict() | {"callaway_santanna_simple": cs.to_dict(), "notes": list(design.notes),
                         "provenance": _provenance(design, files, {"estimator": "goodman-bacon",
                                                                    "treatment": design.treatment,
                                                                    "years": list(design.years)})}
    from cocamonitor.results import Composite

    record_result("evaluate bacon", doc, result=Composite((("", b), ("callaway_santanna_simple", cs))))
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    if fmt is TableFormat.csv:
        emit_table(b.to_frame(), fmt)
        return
    emit_table(b.summary(), fmt, title=f"Goodman-Bacon decomposition — {design.treatment}, {design.outcome}")
    typer.echo(f"TWFE coefficient: {b.twfe:,.3f} (= weighted sum of the 2×2 estimates above)")
    typer.echo(f"Callaway-Sant'Anna overall ATT: {cs.att:,.3f} (se {cs.se:,.3f})")
    if len(b.comparisons) == 1:
        typer.echo("Note: one cohort and never-treated controls: TWFE is the 2×2 of all post-treatment years against "
                   "all pre-treatment years; Callaway-Sant'Anna compares each year with the year before treatment, "
                   "so a pre-existing trend separates them")


@evaluate_app.command("synth")
def synth_cmd(
    treated: Annotated[str, typer.Option("--treated", help="The treated department.")],
    start: Annotated[int, typer.Option("--from", help="First treated year.")],
    by: Annotated[str, typer.Option("--by", help="Unit level: department.")] = "department",
    outcome: Annotated[str, typer.Option("--outcome", help="hectares or labs.")] = "hectares",
    years: YearsOpt = None,
    fmt: FormatOpt = TableFormat.table,
    plot: Annotated[Path | None, typer.Option("--plot", help="Observed vs synthetic: FILE.png/.svg/.pdf.")] = None,
) -> None:
    """Synthetic control for one department, with in-space placebo p-value and pre-period fit."""
    from cocamonitor.commands._common import emit_json, emit_table, err_console, record_result
    from cocamonitor.errors import UnknownNameError
    from cocamonitor.evaluate.municipal import department_panel
    from cocamonitor.evaluate.synth import synthetic_control
    from cocamonitor.io.years import parse_year_span
    from cocamonitor.provenance import Provenance
    from cocamonitor.territory import lookup_department

    if by != "department":
        raise UnknownNameError(f"unknown level {by!r}", where="--by",
                               hint="only department is supported (municipal donor pools are too large)")
    if plot is not None:
        from cocamonitor._plotting import check_figure_path

        check_figure_path(plot, html=False)
    with _cli_names():
        _, name = lookup_department(treated)
        wide = department_panel(outcome, parse_year_span(years) if years else None)
        r = synthetic_control(wide, name, start, outcome=outcome)
    doc = r.to_dict() | {"provenance": Provenance.build(parameters={
        "estimator": "synthetic-control", "by": by, "treated": name, "start": start, "outcome": outcome,
        "years": [int(wide.index[0]), int(wide.index[-1])], "datasets": ["coca-municipal", "territories"]}).to_dict()}
    record_result("evaluate synth", doc, result=r)
    if plot is not None:
        from cocamonitor._plotting import pyplot

        plt = pyplot()
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.plot(r.observed.index, r.observed, "-o", ms=3, label=name)
        ax.plot(r.synthetic.index, r.synthetic, "--", label="synthetic")
        ax.axvline(start - 0.5, color="grey", ls=":")
        ax.set_ylabel(outcome)
        ax.legend()
        fig.tight_layout()
        fig.savefig(plot, dpi=120)
        plt.close(fig)
        err_console.print(f"wrote {plot}", markup=False, highlight=False)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    emit_table(r.to_frame(), fmt, title=f"Synthetic control — {name}, {outcome}, from {start}")
    if fmt is TableFormat.table:
        w = r.weights[r.weights > 0.005].sort_values(ascending=False)
        typer.echo("Weights: " + ", ".join(f"{k} {v:.3f}" for k, v in w.items()))
        typer.echo(f"Average gap after {start}: {r.att:,.1f}; pre-period RMSPE {r.pre_rmspe:,.1f}; "
                   f"placebo p-value {r.p_value:.3f} ({len(r.placebos)} placebos)")


def register(app: typer.Typer) -> None:
    """Add ``cocamonitor evaluate ...``."""
    app.add_typer(evaluate_app, name="evaluate")
