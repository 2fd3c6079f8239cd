"""``cocamonitor trend change | test | compare | panel``: which changes are statistically real.

Missing years: a national series with gaps (the US series lacks 2002, 2005, 2006 and 2009)
is refused by ``trend test`` with the missing years named, unless ``--skip-missing`` is
given; slopes then stay per calendar year. ``trend compare`` always aligns the two series
on the years both publish and lists the years only one of them has.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from cocamonitor.commands._common import TableFormat, cli_lang, emit_json, emit_table, record_result
from cocamonitor.commands._vintage import AsOfOpt, VintageOpt, check_release_options
from cocamonitor.documents.narratives import catalogue, narrate
from cocamonitor.documents.trend import (
    compare_narrative,
    concept_note,
    describe_releases,
    method_change_note,
    trend_test_title,
)
from cocamonitor.errors import InputError, ParameterError, UnknownNameError, suggest
from cocamonitor.provenance import Provenance
from cocamonitor.results import Composite
from cocamonitor.trends.summary import check_gaps as _check_gaps
from cocamonitor.trends.summary import national_series_checked as _national
from cocamonitor.trends.summary import parse_year_range as _parse_range
from cocamonitor.trends.summary import release_fields, trend_document, trend_summary
from cocamonitor.trends.summary import select_years as _restrict

__all__ = ["register", "trend_app"]

trend_app = typer.Typer(
    help="Trends and changes that say what is statistically real; UNODC vs US side by side.",
    no_args_is_help=True,
)

FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]
PlotOpt = Annotated[
    Path | None, typer.Option("--plot", help="Also write a chart: FILE.png, .svg, .pdf or .html (offline).")
]
ConfOpt = Annotated[float, typer.Option("--confidence", help="Confidence level of intervals and tests.")]
def _stdout_console() -> Console:
    return Console(width=max(100, Console().width))


def _fmt_p(values: Any) -> list[str]:
    """P-values as text with 3 significant digits (the table format rounds floats to 0.01)."""
    out = []
    for v in np.atleast_1d(np.asarray(values, dtype=float)):
        out.append("" if not np.isfinite(v) else ("<0.0001" if v < 1e-4 else f"{v:.3g}"))
    return out


def _fmt_pct(values: Any) -> list[str]:
    return ["" if not np.isfinite(v) else f"{100 * v:.1f}%"
            for v in np.atleast_1d(np.asarray(values, dtype=float))]


def _as_int_if_whole(col: pd.Series) -> pd.Series:
    vals = col.to_numpy(dtype=float)
    ok = np.isfinite(vals)
    if ok.any() and np.all(vals[ok] == np.round(vals[ok])):
        return col.round().astype("Int64")
    return col








def _check_choice(value: str, choices: tuple[str, ...], where: str) -> str:
    v = str(value).strip().lower()
    if v not in choices:
        raise UnknownNameError(f"unknown value {value!r}", where=where, hint=suggest(v, choices))
    return v






def _read_series_file(path: Path) -> tuple[pd.Series, pd.Series | None]:
    from cocamonitor.io.tables import read_table

    df = read_table(path, required=["year", "value"], numeric=["year", "value", "se"],
                    non_negative=["se"])
    yr = df["year"].to_numpy(float)
    odd = ~np.isfinite(yr) | (yr != np.round(yr)) | (yr < 0) | (yr > 9999)
    if odd.any():
        from cocamonitor.io.tables import location

        i = int(np.flatnonzero(odd)[0])
        raise InputError(f"{yr[i]:g} is not a calendar year", where=location(str(path), i, "year"),
                         hint="write whole years between 0 and 9999, e.g. 2015")
    se = df["se"] if "se" in df.columns else None
    s = pd.Series(df["value"].to_numpy(float), index=df["year"].to_numpy())
    s.name = path.stem
    return s, (None if se is None else pd.Series(se.to_numpy(float), index=df["year"].to_numpy()))


def _municipal_series(department: str | None, municipality: str | None) -> tuple[pd.Series, str]:
    from cocamonitor import datasets
    from cocamonitor.territory import lookup, lookup_department

    df = datasets.load("coca-municipal")
    label = "Colombia (sum of municipalities)"
    if department is not None:
        code, name = lookup_department(department)
        df = df[df["divipola"].str[:2] == code]
        label = name
    if municipality is not None:
        t = lookup(municipality)
        df = df[df["divipola"] == t.divipola]
        label = f"{t.municipality} ({t.department})"
    s = df.groupby("year")["hectares"].sum(min_count=0).astype(float)
    s.index = s.index.astype(int)
    s.name = label
    s.attrs = {"unit": "ha", "source": "SIMCI (coca-municipal)", "metric": "area"}
    return s, label


@trend_app.command("test")
def test_cmd(
    dataset: Annotated[str, typer.Option(help="coca-national or coca-municipal.")] = "coca-national",
    source: Annotated[str, typer.Option(help="National series: unodc or us.")] = "unodc",
    metric: Annotated[str, typer.Option(help="National series: area or production.")] = "area",
    years: Annotated[str | None, typer.Option(help="Range of years, e.g. 2019-2023.")] = None,
    department: Annotated[str | None, typer.Option(help="coca-municipal: a department.")] = None,
    municipality: Annotated[str | None, typer.Option(help="coca-municipal: a municipality.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="CSV with year,value[,se] instead of a dataset.")] = None,
    skip_missing: Annotated[
        bool, typer.Option("--skip-missing", help="Accept years missing inside the range.")
    ] = False,
    alpha: Annotated[float, typer.Option(help="Significance level of the trend decision.")] = 0.05,
    confidence: ConfOpt = 0.95,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = "latest",
    fmt: FormatOpt = TableFormat.table,
    plot: PlotOpt = None,
) -> None:
    """Mann-Kendall (exact p for n <= 10), Theil-Sen, linear trend and Pettitt on one series.

    Example: cocamonitor trend test --dataset coca-national --source unodc --years 2019-2023
    """
    from cocamonitor.trends.plot import check_plot_path, plot_trend

    if plot is not None:
        check_plot_path(plot)
    day, vintage = check_release_options(as_of, vintage)
    if (as_of is not None or vintage != "latest") and (file is not None or dataset != "coca-national"):
        raise InputError("--as-of and --vintage choose releases of the national series",
                         where="--as-of/--vintage", hint="use them with --dataset coca-national")
    se = None
    if (department is not None or municipality is not None) and (
        file is not None or dataset != "coca-municipal"
    ):
        raise InputError("--department/--municipality select from --dataset coca-municipal",
                         where="--department/--municipality", hint="add --dataset coca-municipal")
    if file is not None:
        series, se = _read_series_file(file)
        src, met, inputs = file.stem, "value", [file]
    elif dataset == "coca-national":
        series, path = _national(source, metric, as_of=day, vintage=vintage)
        src, met, inputs = source.lower(), metric.lower(), [path]
    elif dataset == "coca-municipal":
        from cocamonitor import datasets

        series, label = _municipal_series(department, municipality)
        src, met, inputs = label, "area", [datasets.data_path("coca_municipal.csv")]
    else:
        raise UnknownNameError(f"unknown dataset {dataset!r} for a trend", where="--dataset",
                               hint=suggest(dataset, ["coca-national", "coca-municipal"]))
    series = _restrict(series, years)
    _check_gaps(series, skip_missing, f"{src} {met}")
    summary = trend_summary(series, se=se, alpha=alpha, confidence=confidence, skip_missing=skip_missing)
    mk, ts, lin, pt, hr = (summary.mann_kendall, summary.theil_sen, summary.linear_trend,
                           summary.pettitt, summary.hamed_rao)
    unit = summary.unit
    national = file is None and dataset == "coca-national"
    doc = trend_document(summary, source=src, metric=met, inputs=inputs, parameters={
        "years": years, "alpha": alpha, "confidence": confidence,
        "skip_missing": skip_missing, "dataset": dataset if file is None else None,
        **({"as_of": series.attrs.get("as_of"), "vintage": series.attrs.get("vintage")} if national else {}),
    })
    if national:
        doc["series"].update(release_fields(series, summary.years))
    if plot is not None:
        plot_trend(mk.years, [float(series.loc[y]) for y in mk.years], plot, theil_sen=ts,
                   mann_kendall=mk, title=f"{src} {met} {mk.years[0]}-{mk.years[-1]}", unit=unit)
    record_result("trend test", doc, result=summary)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    per = f"{unit}/yr" if unit else "per yr"
    p_mk = mk.p_exact if mk.p_exact is not None else mk.p_value
    rows = [
        {"test": "Mann-Kendall", "statistic": f"S={mk.s}, tau={mk.tau:.2f}",
         "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": p_mk,
         "result": f"{mk.trend} ({'exact' if mk.p_exact is not None else 'normal'} p)"},
        {"test": "Theil-Sen slope", "statistic": per, "estimate": ts.slope, "ci_low": ts.ci[0],
         "ci_high": ts.ci[1], "p_value": np.nan, "result": f"{ts.confidence:.0%} CI"},
        {"test": f"Linear trend ({lin.method})", "statistic": per, "estimate": lin.slope,
         "ci_low": lin.ci[0], "ci_high": lin.ci[1], "p_value": lin.p_value,
         "result": "significant" if lin.p_value < alpha else "not significant"},
        {"test": "Pettitt change point", "statistic": f"K={pt.k:g}", "estimate": np.nan,
         "ci_low": np.nan, "ci_high": np.nan, "p_value": pt.p_value,
         "result": f"shift {pt.shift} from {pt.first_year_after}"},
    ]
    if hr is not None:
        rows.insert(1, {"test": "Mann-Kendall, Hamed-Rao", "statistic": f"n/n*={hr.correction:.2f}",
                        "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                        "p_value": hr.p_value, "result": hr.trend})
        if hr.note:
            logging.getLogger(__name__).info("Hamed-Rao: %s", hr.note)
    table = pd.DataFrame(rows)
    if fmt is TableFormat.table:
        table["p_value"] = _fmt_p(table["p_value"])
    lang = cli_lang()
    title = trend_test_title(src, met, mk.years, missing=mk.missing_years, lang=lang,
                             releases=describe_releases(series.attrs, lang) if national else None,
                             breaks=doc["series"]["breaks"] if national else ())
    emit_table(table, fmt, title=title)


def _parse_pair(text: str, where: str) -> Any:
    """``EST,SE`` / ``EST`` (census) or a path to an area-estimate JSON file."""
    p = Path(text)
    if p.suffix.lower() == ".json":
        if not p.exists():
            raise InputError(f"file {text!r} does not exist", where=where)
        from cocamonitor.io.text import read_text_file

        try:
            doc = json.loads(read_text_file(p, kind="JSON", where=where))
        except json.JSONDecodeError as err:
            raise InputError(f"{text}: not valid JSON ({err.msg}, line {err.lineno})",
                             where=where) from None
        if not isinstance(doc, dict):
            raise InputError(f"{text}: a JSON {type(doc).__name__}, not the object of an area estimate",
                             where=where, hint="give the --format json output of `cocamonitor area estimate`")
        return doc
    parts = [x.strip() for x in text.split(",")]
    try:
        nums = [float(x) for x in parts]
    except ValueError:
        raise InputError(f"cannot read {text!r}", where=where,
                         hint="write ESTIMATE,SE (e.g. 143000,9000), ESTIMATE, or a .json area estimate") from None
    if len(nums) == 1:
        return nums[0]
    if len(nums) == 2:
        return (nums[0], nums[1])
    raise InputError(f"expected ESTIMATE,SE, got {len(nums)} numbers", where=where)


def _parse_floats(text: str, where: str) -> list[float]:
    try:
        return [float(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise InputError(f"cannot read numbers from {text!r}", where=where,
                         hint="write a comma-separated list, e.g. 0.05,0.1") from None


@trend_app.command("change")
def change_cmd(
    year_from: Annotated[int | None, typer.Option("--from", help="National series: first year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="National series: second year.")] = None,
    source: Annotated[str, typer.Option(help="National series: unodc or us.")] = "unodc",
    metric: Annotated[str, typer.Option(help="National series: area or production.")] = "area",
    a: Annotated[str | None, typer.Option("--a", help="First estimate: EST,SE or EST or area-estimate .json.")] = None,
    b: Annotated[str | None, typer.Option("--b", help="Second estimate (same forms as --a).")] = None,
    label: Annotated[str | None, typer.Option("--class", help="Class to compare in area-estimate JSON.")] = None,
    cov: Annotated[float | None, typer.Option(help="Covariance of the two estimates (panel).")] = None,
    correlation: Annotated[float | None, typer.Option(help="Or their correlation.")] = None,
    rel_error: Annotated[
        str | None, typer.Option("--rel-error", help="Census: assumed relative SEs, e.g. 0.05,0.1.")
    ] = None,
    error_correlation: Annotated[
        float, typer.Option(help="Census: assumed correlation of the two years' errors.")
    ] = 0.0,
    confidence: ConfOpt = 0.95,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = "latest",
    fmt: FormatOpt = TableFormat.table,
    plot: PlotOpt = None,
) -> None:
    """Change between two years: difference, ratio, their CIs and a test (with covariance).

    Census figures (UNODC) have no standard error: the change is shown with the relative
    error at which it would stop being significant, and a sensitivity table.

    Examples: cocamonitor trend change --source unodc --from 2020 --to 2021;
    cocamonitor trend change --a 120000,8000 --b 150000,9000 --correlation 0.6
    """
    from cocamonitor.trends import census_sensitivity, change
    from cocamonitor.trends.change import DEFAULT_RELATIVE_ERRORS
    from cocamonitor.trends.plot import check_plot_path, plot_change

    if plot is not None:
        check_plot_path(plot)
    inputs: list[Path] = []
    if a is not None or b is not None:
        if a is None or b is None:
            raise InputError("give both --a and --b", where="--a/--b")
        if year_from is not None or year_to is not None:
            raise InputError("use either --a/--b or --from/--to", where="--from/--to")
        ea, eb = _parse_pair(a, "--a"), _parse_pair(b, "--b")
        inputs = [Path(x) for x in (a, b) if x.lower().endswith(".json")]
        ya = yb = None
        releases = None
    else:
        if year_from is None or year_to is None:
            raise InputError("give --from and --to (years of a national series), or --a and --b",
                             where="trend change")
        if year_from == year_to:
            raise InputError(f"--from and --to are the same year ({year_from}): there is no change to measure",
                             where="--from/--to", hint="give two different years, e.g. --from 2020 --to 2021")
        day, vintage = check_release_options(as_of, vintage)
        series, path = _national(source, metric, as_of=day, vintage=vintage)
        for y, opt in ((year_from, "--from"), (year_to, "--to")):
            if y not in series.index:
                have = ", ".join(str(v) for v in series.index)
                raise InputError(f"no {source} {metric} figure for {y}", where=opt,
                                 hint=f"years available: {have}")
        unit = series.attrs.get("unit")
        ea, eb = (float(series.loc[year_from]), None, unit), (float(series.loc[year_to]), None, unit)
        inputs = [path]
        ya, yb = year_from, year_to
        releases = release_fields(series, [ya, yb])
    rels = _parse_floats(rel_error, "--rel-error") if rel_error is not None else None
    res = change(ea, eb, cov=cov, correlation=correlation, label=label, confidence=confidence,
                 year_a=ya, year_b=yb)
    sens = None
    if res.census:
        sens = census_sensitivity(res.estimate_a, res.estimate_b,
                                  relative_errors=rels or DEFAULT_RELATIVE_ERRORS,
                                  correlation=error_correlation, confidence=confidence)
    elif rels is not None:
        raise ParameterError("--rel-error is for census figures without SEs", where="--rel-error")
    if plot is not None:
        plot_change(sens if sens is not None else res, plot)
    doc = {
        "change": res.to_dict(), "sensitivity": None if sens is None else sens.to_dict(),
        "provenance": Provenance.build(inputs=inputs, parameters={
            "source": source if ya is not None else None, "metric": metric if ya is not None else None,
            "cov": cov, "correlation": correlation, "confidence": confidence,
            "error_correlation": error_correlation,
            **({} if releases is None else {"as_of": releases["as_of"], "vintage": releases["vintage"]})}).to_dict(),
    }
    if releases is not None:
        doc["releases"] = releases
        if releases["breaks"]:
            from cocamonitor.commands._common import err_console

            assert ya is not None and yb is not None  # releases come with the years of a national series
            note = method_change_note(source, metric, ya, yb, releases["breaks"], cli_lang())
            err_console.print(f"note: {note}", markup=False, highlight=False)
    record_result("trend change", doc, result=Composite((("change", res), ("sensitivity", sens))))
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    row = res.to_frame()
    cols = ["year_a", "year_b", "estimate_a", "se_a", "estimate_b", "se_b", "difference",
            "difference_se", "difference_low", "difference_high", "percent_change", "p_value",
            "significant", "critical_relative_error"]
    row = row[[c for c in cols if c in row.columns]]
    if res.census:
        row = row.drop(columns=["se_a", "se_b", "difference_se", "difference_low", "difference_high",
                                "p_value", "significant"])
    if fmt is TableFormat.csv:
        emit_table(row, fmt)
        return
    del row
    unit = f" {res.unit}" if res.unit else ""
    name_a = str(res.year_a) if res.year_a is not None else "a"
    name_b = str(res.year_b) if res.year_b is not None else "b"

    def _num(v: float | None) -> str:
        return "" if v is None or not np.isfinite(v) else f"{v:,.6g}"

    lines = [
        (f"estimate {name_a}", _num(res.estimate_a) + unit
         + ("" if res.se_a is None else f" (SE {_num(res.se_a)})")),
        (f"estimate {name_b}", _num(res.estimate_b) + unit
         + ("" if res.se_b is None else f" (SE {_num(res.se_b)})")),
        ("difference", _num(res.difference) + unit
         + ("" if res.difference_ci is None else
            f"  [{_num(res.difference_ci[0])}, {_num(res.difference_ci[1])}]"
            f" {res.confidence:.0%} CI, SE {_num(res.difference_se)}")),
        ("percent change", "" if res.percent_change is None else f"{res.percent_change:+.1f}%"
         + ("" if res.percent_change_ci is None else
            f"  [{res.percent_change_ci[0]:+.1f}%, {res.percent_change_ci[1]:+.1f}%]")),
    ]
    if not res.census:
        lines += [("covariance", f"{_num(res.cov)} (correlation {res.correlation or 0:.2f})"),
                  ("z, p-value", f"{res.z:.2f}, {_fmt_p(res.p_value)[0]}"),
                  ("significant", "yes" if res.significant else "no")]
    lines.append(("critical relative error", _fmt_pct(res.critical_relative_error)[0]))
    emit_table(pd.DataFrame(lines, columns=["quantity", "value"]), fmt,
               title=narrate("trend.change_title", cli_lang()))
    console = _stdout_console()
    console.print(res.note, soft_wrap=True)
    if sens is not None:
        st = sens.to_frame()
        st["relative_error"] = _fmt_pct(st["relative_error"])
        st["p_value"] = _fmt_p(st["p_value"])
        st["significant"] = st["significant"].map({True: "yes", False: "no"})
        emit_table(st, fmt, title=narrate("trend.sensitivity_title", cli_lang()))


@trend_app.command("compare")
def compare_cmd(
    sources: Annotated[str, typer.Option(help="Two national series, e.g. unodc,us.")] = "unodc,us",
    metric: Annotated[str, typer.Option(help="area or production.")] = "area",
    years: Annotated[str | None, typer.Option(help="Range of years, e.g. 2010-2021.")] = None,
    rel_error: Annotated[
        str | None,
        typer.Option("--rel-error", help="Assumed relative SE of each series' figures, e.g. 0.05 or 0.03,0.08."),
    ] = None,
    confidence: ConfOpt = 0.95,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = "latest",
    fmt: FormatOpt = TableFormat.table,
    plot: PlotOpt = None,
) -> None:
    """UNODC vs US side by side: directions, disagreements, correlation, level ratio.

    Aligned on the years both series publish. Neither series is published with a standard
    error: each step shows the relative error at which it would stop being significant
    (``crit_rel_err``), and ``--rel-error`` tests each step under an assumed error.

    Example: cocamonitor trend compare --sources unodc,us --plot compare.png
    """
    from cocamonitor.trends import compare_series
    from cocamonitor.trends.plot import check_plot_path, plot_comparison

    if plot is not None:
        check_plot_path(plot)
    names = [s.strip().lower() for s in sources.split(",") if s.strip()]
    if len(names) != 2:
        raise InputError(f"give two sources, got {len(names)}", where="--sources",
                         hint="e.g. --sources unodc,us")
    if names[0] == names[1]:
        raise InputError("give two different sources", where="--sources")
    day, vintage = check_release_options(as_of, vintage)
    sa, path = _national(names[0], metric, as_of=day, vintage=vintage)
    sb, _ = _national(names[1], metric, as_of=day, vintage=vintage)
    rels: list[float | None] = [None, None]
    if rel_error is not None:
        vals = _parse_floats(rel_error, "--rel-error")
        if len(vals) not in (1, 2):
            raise InputError("give one relative error, or one per source", where="--rel-error")
        rels = [vals[0], vals[-1]]
    yr = _parse_range(years, "--years") if years is not None else None
    res = compare_series(sa, sb, names=(names[0], names[1]), rel_error_a=rels[0],
                         rel_error_b=rels[1], confidence=confidence, years=yr)
    if plot is not None:
        plot_comparison(res, plot)
    a, b = res.names
    doc = res.to_dict()
    doc["metric"] = metric
    doc["note"] = concept_note(names, metric)
    doc["releases"] = {n: release_fields(s, res.common_years) for n, s in ((a, sa), (b, sb))}
    doc["provenance"] = Provenance.build(inputs=[path], parameters={
        "sources": names, "metric": metric, "years": years, "rel_error": rel_error,
        "confidence": confidence, "as_of": sa.attrs.get("as_of"), "vintage": sa.attrs.get("vintage")}).to_dict()
    record_result("trend compare", doc, result=res)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    t = res.table
    if fmt is TableFormat.csv:
        emit_table(t, fmt)
        return
    show = pd.DataFrame({
        "year": t["year"].astype(int), a: _as_int_if_whole(t[a]), b: _as_int_if_whole(t[b]),
        "ratio": t["ratio"], "since": t["prev_year"], f"{a} %": t[f"change_{a}_pct"],
        f"{b} %": t[f"change_{b}_pct"],
        "agree": t["agree"].map({True: "yes", False: "NO"}).astype(object)
        .where(t["agree"].notna(), np.where(t["method_break"].fillna(False), "break",
                                            np.where(t["prev_year"].notna(), "flat", ""))),
        f"crit {a}": _fmt_pct(t[f"critical_rel_error_{a}"]),
        f"crit {b}": _fmt_pct(t[f"critical_rel_error_{b}"]),
    })
    if rel_error is not None:  # significance under the assumed errors replaces the critical errors
        for n in (a, b):
            show = show.drop(columns=f"crit {n}")
            show[f"signif. {n}"] = t[f"significant_{n}"].map({True: "yes", False: "no"})
    unit = res.unit or ""
    emit_table(show, fmt, title=narrate("trend.compare_title", cli_lang(), a=a, b=b, metric=metric, unit=unit))
    console = _stdout_console()
    lang = cli_lang()
    lines = compare_narrative(res, metric, describe_releases(sa.attrs, lang), lang)
    for line in lines:
        console.print(line, soft_wrap=True)


@trend_app.command("panel")
def panel_cmd(
    years: Annotated[str, typer.Option(help="Range of years, e.g. 2014-2024.")] = "2014-2024",
    department: Annotated[str | None, typer.Option(help="Only this department (name or code).")] = None,
    level: Annotated[str, typer.Option(help="municipality or department rows.")] = "municipality",
    only_class: Annotated[str | None, typer.Option("--class", help="Only municipalities of this class.")] = None,
    fdr: Annotated[float, typer.Option(help="False discovery rate (Benjamini-Hochberg).")] = 0.05,
    edge: Annotated[int, typer.Option(help="Edge years for the new/abandoned rules.")] = 2,
    confidence: ConfOpt = 0.95,
    fmt: FormatOpt = TableFormat.table,
    plot: PlotOpt = None,
) -> None:
    """Per-municipality trends from the SIMCI table, with FDR control and classes.

    Classes: absent (no coca in the window); new (none in the first EDGE years, coca in the
    last); abandoned (none in the last EDGE years); expanding / contracting (Mann-Kendall
    significant after Benjamini-Hochberg at --fdr, adjusted over all municipalities of the
    country); stable (no detectable trend). "No coca reported" counts as 0 ha.

    Example: cocamonitor trend panel --years 2014-2024 --department "Norte de Santander"
    """
    from cocamonitor.documents.municipal import trend_panel
    from cocamonitor.territory import lookup_department, registry
    from cocamonitor.trends import CLASSES
    from cocamonitor.trends.plot import check_plot_path, plot_panel

    if plot is not None:
        check_plot_path(plot)
    lvl = _check_choice(level, ("municipality", "department"), "--level")
    if only_class is not None:
        only_class = _check_choice(only_class, CLASSES, "--class")
    lo, hi = _parse_range(years, "--years")
    reg = registry().drop_duplicates("divipola").set_index("divipola")
    # Benjamini-Hochberg runs over every municipality of the country, so a municipality gets
    # the same class whether or not the output is restricted to its department.
    res = trend_panel((lo, hi), fdr=fdr, edge=edge, confidence=confidence)
    dep_name = None
    if department is not None:
        code, dep_name = lookup_department(department)
    if plot is not None:
        plot_panel(res, plot)
    if lvl == "department":
        out = res.departments.copy()
        if dep_name is not None:
            out = out[out["department"] == dep_name]
    else:
        out = res.municipalities.copy()
        if dep_name is not None:
            out = out[out["divipola"].str[:2] == code]
        out.insert(1, "municipality", reg["municipality"].reindex(out["divipola"]).to_numpy())
        if only_class is not None:
            out = out[out["class"] == only_class]
        order = {c: i for i, c in enumerate(CLASSES)}
        out = out.assign(_o=out["class"].map(order)).sort_values(["_o", "slope"], ascending=[True, False])
        out = out.drop(columns="_o")
    if fmt is TableFormat.table:
        show = pd.DataFrame({
            "first": out["first"].round().astype("Int64"),
            "last": out["last"].round().astype("Int64"),
            "slope": out["slope"].round(1),
            "slope CI": [f"[{lo:,.0f}, {hi:,.0f}]" for lo, hi in zip(out["slope_low"], out["slope_high"], strict=True)],
            "q": _fmt_p(out["q_value"]),
        })
        if lvl == "department":
            show = show.drop(columns=["first", "last"])
            show.insert(0, "department", out["department"].to_numpy())
            show.insert(1, "munis", out["municipalities"].to_numpy())
            show["trend"] = out["trend"].to_numpy()
            for c in CLASSES:
                show[c[:3]] = out[f"n_{c}"].to_numpy()
        else:
            show.insert(0, "divipola", out["divipola"].to_numpy())
            show.insert(1, "municipality", out["municipality"].to_numpy())
            if department is None:
                show.insert(2, "department", out["department"].to_numpy())
            show["class"] = out["class"].to_numpy()
        shown = res.municipalities
        if dep_name is not None:
            shown = shown[shown["divipola"].str[:2] == code]
        lang = cli_lang()
        word = catalogue(lang)["trend"]["class"]
        counts = ", ".join(f"{word.get(k, k)} {int((shown['class'] == k).sum())}" for k in CLASSES)
        where = narrate("trend.panel_where", lang, department=dep_name) if dep_name is not None else ""
        emit_table(show.reset_index(drop=True), fmt, title=narrate(
            "trend.panel_title", lang, where=where, first=lo, last=hi, confidence=confidence, fdr=fdr, counts=counts))
        return
    emit_table(out.reset_index(drop=True), fmt)


def register(app: typer.Typer) -> None:
    """Add the ``trend`` group to the root app."""
    app.add_typer(trend_app, name="trend")
