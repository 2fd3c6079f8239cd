"""``production estimate --year Y [--scenario S] [--as-of D]``: named scenarios for a census year."""

from __future__ import annotations

from pathlib import Path

from cocamonitor._checks import check_confidence, check_seed
from cocamonitor._plotting import check_figure_path
from cocamonitor.commands._common import TableFormat, emit_json, emit_table, err_console, record_result
from cocamonitor.commands._vintage import check_release_options
from cocamonitor.errors import InputError, UnknownNameError

__all__ = ["estimate_year_command"]


def estimate_year_command(
    year: int | None,
    scenario: str | None,
    as_of: str | None,
    *,
    areas: Path | None,
    area_class: str | None,
    area_unit: str | None,
    params: Path | None,
    preset: str | None,
    draws: int,
    seed: int | None,
    confidence: float,
    sensitivity_draws: int,
    independent: bool,
    plot: Path | None,
    fmt: TableFormat,
) -> None:
    """Estimate a census year under the named scenarios and print or record the result."""
    from cocamonitor import datasets
    from cocamonitor.production.scenarios import SCENARIOS, estimate_year
    from cocamonitor.provenance import Provenance

    if year is None:
        raise InputError("--scenario and --as-of estimate a census year", where="--year", hint="add --year, e.g. 2024")
    for given, flag in ((params, "--params"), (preset, "--preset")):
        if given is not None:
            raise InputError(f"{flag} and --year do not go together: --year takes the scenario's productivity",
                             where=flag, hint="drop it, or drop --year to run the preset or file as it is")
    if independent:
        raise InputError("--independent does not apply to --year (the presets have no correlations)",
                         where="--independent", hint="drop --independent")
    check_confidence(confidence, where="--confidence")
    check_seed(seed)
    if plot is not None:
        check_figure_path(plot)
        if sensitivity_draws == 0:
            raise InputError("--plot draws the sensitivity, which --sensitivity-draws 0 skips",
                             where="--plot", hint="drop --plot or give --sensitivity-draws > 0")
    wanted = "both" if scenario is None else scenario.strip().lower()
    if wanted not in (*SCENARIOS, "both"):
        raise UnknownNameError(f"unknown scenario {scenario!r}", where="--scenario",
                               hint=f"valid: {', '.join(SCENARIOS)}, both")
    names = list(SCENARIOS) if wanted == "both" else [wanted]
    day, _ = check_release_options(as_of)
    inputs: list[Path] = [datasets.data_path("coca_national.csv")]
    area_se: float | None = None
    if areas is not None:
        from cocamonitor.production.areas import read_areas

        specs = read_areas(areas, area_class=area_class, unit=area_unit)
        area_ha = float(sum(s.dist.central for s in specs))
        sds = [float(s.dist.args.get("sd", 0.0)) for s in specs]
        area_se = float(sum(v**2 for v in sds) ** 0.5) or None
        area_source = areas.name
        inputs.append(areas)
    else:
        lo, hi = datasets.year_range("coca-municipal")
        if not lo <= year <= hi:
            raise InputError(f"no census area for {year}", where="--year",
                             hint=f"census years: {lo}-{hi}, or give --areas")
        coca = datasets.load("coca-municipal")
        area_ha = float(coca.loc[coca["year"] == year, "hectares"].sum())
        area_source = "SIMCI census, sum of municipalities (coca-municipal)"
        inputs.append(datasets.data_path("coca_municipal.csv"))
    results = [
        estimate_year(year, name, area_ha=area_ha, area_se=area_se, area_source=area_source, as_of=day,
                      draws=draws, seed=seed, confidence=confidence, sensitivity=sensitivity_draws > 0,
                      sensitivity_draws=max(sensitivity_draws, 2))
        for name in names
    ]
    if plot is not None:
        from cocamonitor.production.plot import plot_sensitivity

        plot_sensitivity(results[-1].estimate.sensitivity, plot)
        err_console.print(f"wrote {plot}")
    doc = {
        "year": year, "area_ha": area_ha, "area_source": area_source,
        "scenarios": [r.to_dict() for r in results],
        "provenance": Provenance.build(inputs=inputs, parameters={
            "year": year, "scenarios": names, "as_of": None if day is None else day.isoformat(), "draws": draws,
            "seed": seed, "confidence": confidence, "sensitivity_draws": sensitivity_draws}).to_dict(),
    }
    # the store's rows of this document (as recorded since it exists): year and area, and per
    # scenario its year and area (the Monte Carlo numbers are in the document, see ScenarioEstimate.estimates)
    import pandas as pd

    from cocamonitor.results import Composite, Table, numbers

    scen = pd.DataFrame({"year": [r.year for r in results], "area_ha": [r.area_ha for r in results]})
    record_result("production estimate", doc, result=Composite((
        ("", numbers("", {"year": year, "area_ha": area_ha}, units={"area_ha": "ha"})),
        ("scenarios", Table(scen, ("year",), {"area_ha": "ha"})))))
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    frame = pd.concat([r.to_frame() for r in results], ignore_index=True)
    frame = frame[frame["region"] == "national"].drop(columns=["region", "year"])
    emit_table(frame.reset_index(drop=True), fmt,
               title=f"Potential production {year} ({area_ha:,.0f} ha), {draws:,} draws, {confidence:.0%} interval")
    if fmt is TableFormat.table:
        for r in results:
            err_console.print(f"{r.scenario}: {r.description}.", markup=False, highlight=False)
            if r.estimate.sensitivity is not None:
                emit_table(r.estimate.sensitivity.to_frame(), fmt,
                           title=f"Sensitivity of hydrochloride, {r.scenario} scenario")
