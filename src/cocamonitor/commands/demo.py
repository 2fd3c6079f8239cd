"""``cocamonitor demo``: the main job on bundled real data (what ``make demo`` runs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cocamonitor.datasets import year_range
from cocamonitor.summaries import national_comparison, top_municipalities

__all__ = ["register"]


def _fmt(v: float, digits: int = 0) -> str:
    return "" if v != v else f"{v:,.{digits}f}"  # NaN -> blank


def demo(
    year: Annotated[
        int | None, typer.Option(help="Year for the ranking and the report (default: latest).")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the reports (report-<year>-<lang>/ inside).")
    ] = Path("out"),
    lang: Annotated[
        list[str] | None, typer.Option("--lang", help="Report language(s): es, en (default: both).")
    ] = None,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write the annual report.")
    ] = True,
) -> None:
    """Print the UNODC vs US series and the top municipalities; write the annual report (es, en).

    Example: cocamonitor demo --year 2024 --out out
    """
    from cocamonitor.report import check_lang, check_year

    langs = [check_lang(x) for x in (lang or ["es", "en"])]
    first, last = year_range("coca-municipal")
    if year is not None:  # the ranking compares with the year before: the first year has none
        check_year(int(year), list(range(first + 1, last + 1)))
    console = Console(width=120)
    nat = national_comparison()
    t = Table(title="Coca in Colombia: UNODC/SIMCI census vs US government survey")
    for col in ["year", "UNODC area (ha)", "US area (ha)", "US / UNODC", "UNODC cocaine (t)", "US pure cocaine (t)"]:
        t.add_column(col, justify="right")
    for yr, r in nat.iterrows():
        t.add_row(
            str(yr),
            _fmt(r.unodc_area_ha),
            _fmt(r.us_area_ha),
            _fmt(r.area_ratio_us_unodc, 2),
            _fmt(r.unodc_production_t),
            _fmt(r.us_production_t),
        )
    console.print(t)
    console.print("Sources: UNODC/SIMCI and ONDCP releases as cited in `cocamonitor data show coca-national`.\n")
    top = top_municipalities(year, n=10)
    title_year = int(year) if year is not None else year_range("coca-municipal")[1]
    t2 = Table(title=f"Ten municipalities with most coca ({title_year}), SIMCI census, hectares on 31 December")
    for col in ["#", "municipality", "department", "ha", "ha year before", "change ha", "change %"]:
        t2.add_column(col, justify="left" if col in ("municipality", "department") else "right")
    for r in top.itertuples():
        t2.add_row(
            str(r.rank),
            r.municipality,
            r.department,
            _fmt(r.hectares),
            _fmt(r.previous),
            f"{r.change_ha:+,.0f}",
            "" if r.change_pct != r.change_pct else f"{r.change_pct:+.1f}",
        )
    console.print(t2)
    if report:
        _write_reports(console, title_year, langs, out)


def _write_reports(console: Console, year: int, langs: Sequence[str], out: Path) -> None:
    """Write the annual report for ``year`` in each language and print where and its summary."""
    from cocamonitor.report import ReportInputs, build_report_data, make_report
    from cocamonitor.report.sections import extra_sections

    with console.status(f"writing the {year} report ({', '.join(langs)})..."):
        inputs = ReportInputs.from_datasets()
        data = build_report_data(year, inputs, extras=extra_sections(year, inputs))
        files = _each_language(make_report, year, langs, out, inputs, data)
    console.print(f"\n[bold]Annual report {year}[/bold] (open index.html in a browser; works offline):")
    for f in files:
        console.print(
            f"  {f.lang}: {f.html}  ({len(f.csv)} CSV tables, {len(f.png)} PNG figures)", soft_wrap=True
        )
    for f in files:
        console.print(f"\n[bold]{'Resumen' if f.lang == 'es' else 'Summary'} ({f.lang})[/bold]")
        console.print(f.summary, soft_wrap=True)


def _each_language(make_report: Any, year: int, langs: Sequence[str], out: Path, inputs: Any,
                   data: Any) -> list[Any]:
    """Write one edition per language, side by side in forked processes when there are cores for it.

    The editions share nothing but their inputs, and drawing their figures is most of the demo's
    time; a machine with one core (or one language) writes them in turn.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(langs), len(os.sched_getaffinity(0)))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [make_report(year, lg, out / f"report-{year}-{lg}", inputs=inputs, data=data) for lg in langs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(make_report, year, lg, out / f"report-{year}-{lg}", inputs=inputs, data=data)
                   for lg in langs]
        return [f.result() for f in futures]


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the root app."""
    app.command("demo")(demo)
