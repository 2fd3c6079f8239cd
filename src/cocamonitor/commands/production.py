"""`cocamonitor production`: production with uncertainty, presets, and the UNODC/US gap."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cocamonitor._checks import check_confidence, check_seed
from cocamonitor._plotting import check_figure_path
from cocamonitor.commands._common import TableFormat, emit_json, emit_table, err_console, record_result
from cocamonitor.commands._vintage import AsOfOpt, VintageOpt, check_release_options, describe_releases
from cocamonitor.errors import InputError, UnknownNameError, suggest
from cocamonitor.io.years import parse_years

__all__ = ["register"]

app = typer.Typer(
    name="production",
    help="Potential cocaine production: the chain with uncertainty, presets, and the UNODC/US gap.",
    no_args_is_help=True,
)

SERIES = ("unodc", "us")
FormatOption = Annotated[TableFormat, typer.Option("--format", help="Output format.")]


@app.command("estimate")
def estimate(
    areas: Annotated[
        Path | None,
        typer.Option(
            "--areas",
            help="AREAS.csv (region, area_ha[, area_se]) or "
            "the JSON of `cocamonitor area estimate`; overrides a preset's areas.",
        ),
    ] = None,
    params: Annotated[
        Path | None, typer.Option("--params", help="Parameter file (TOML, units required).")
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="Bundled parameter set, e.g. unodc-2020 (default when --params is not given).",
        ),
    ] = None,
    area_class: Annotated[
        str | None,
        typer.Option("--area-class", help="Class holding coca in an area-estimate JSON."),
    ] = None,
    area_unit: Annotated[
        str | None,
        typer.Option(
            "--area-unit", help="Unit (ha, km2, m2) of an area-estimate JSON that states none."
        ),
    ] = None,
    draws: Annotated[int, typer.Option("--draws", min=2, help="Monte Carlo draws.")] = 100_000,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (same seed, same result).")
    ] = None,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Level of the percentile interval.")
    ] = 0.95,
    sensitivity_draws: Annotated[
        int,
        typer.Option(
            "--sensitivity-draws", min=0, help="Base sample of the Sobol indices (0: skip)."
        ),
    ] = 20_000,
    independent: Annotated[
        bool, typer.Option("--independent", help="Ignore the correlations of the parameter file.")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the sensitivity figure (.png, .svg, .pdf or .html).")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Estimate this census year: its SIMCI area (or --areas) under the "
                     "--scenario productivity."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="With --year: preset (the latest preset's productivity, every factor "
                     "uncertain), implied (UNODC's latest published hydrochloride per hectare, carried forward with "
                     "its year-to-year variation) or both (the default)."),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOption = TableFormat.table,
) -> None:
    """Estimate leaf, base and hydrochloride with Monte Carlo intervals, per region and national.

    Examples: cocamonitor production estimate --preset unodc-2020;
    cocamonitor production estimate --year 2024 (both scenarios, named in the output)
    """
    if year is not None or scenario is not None or as_of is not None:
        from cocamonitor.commands._production_year import estimate_year_command

        estimate_year_command(year, scenario, as_of, areas=areas, area_class=area_class, area_unit=area_unit,
                       params=params, preset=preset, draws=draws, seed=seed, confidence=confidence,
                       sensitivity_draws=sensitivity_draws, independent=independent, plot=plot, fmt=fmt)
        return
    from cocamonitor.production.areas import read_areas
    from cocamonitor.production.montecarlo import monte_carlo
    from cocamonitor.production.params_toml import read_parameters
    from cocamonitor.production.presets import PRESET_DIR, load_preset
    from cocamonitor.provenance import Provenance

    if params is not None and preset is not None:
        raise InputError("give --params or --preset, not both", where="--params/--preset")
    check_confidence(confidence, where="--confidence")
    check_seed(seed)
    if plot is not None:
        if sensitivity_draws == 0:
            raise InputError("the sensitivity figure is not computed with --sensitivity-draws 0",
                             where="--plot", hint="drop --plot or give --sensitivity-draws > 0 (e.g. 20000)")
        check_figure_path(plot)  # before the simulation, not after it
    from_json = areas is not None and areas.suffix.lower() == ".json"
    for value, option in ((area_class, "--area-class"), (area_unit, "--area-unit")):
        if value is not None and not from_json:
            raise InputError(f"{option} applies to an area-estimate JSON given with --areas", where=option,
                             hint="drop it, or give --areas ESTIMATE.json")
    inputs: list[Path] = []
    if params is not None:
        import warnings

        from cocamonitor.errors import CocamonitorWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CocamonitorWarning)
            model = read_parameters(params)
        for w in caught:  # one line each, never silently
            err_console.print(f"note: {w.message}", markup=False, highlight=False)
        inputs.append(params)
        preset_name = None
    else:
        preset_name = preset or "unodc-2020"
        model = load_preset(preset_name)
        inputs.append(PRESET_DIR / f"{preset_name}.toml")
    if areas is not None:
        model = model.with_areas(read_areas(areas, area_class=area_class, unit=area_unit))
        inputs.append(areas)
    elif not model.areas:
        raise InputError(
            "no areas: the parameters carry none",
            where="--areas",
            hint="give --areas AREAS.csv (region, area_ha[, area_se]) or an area-estimate JSON",
        )
    est = monte_carlo(
        model,
        draws=draws,
        seed=seed,
        confidence=confidence,
        correlated=not independent,
        sensitivity=sensitivity_draws > 0,
        sensitivity_draws=max(sensitivity_draws, 2),
        preset=preset_name,
    )
    if plot is not None and est.sensitivity is None:
        raise InputError("no sensitivity figure to draw: every parameter of the model is fixed",
                         where="--plot", hint="drop --plot, or give parameters with uncertainty")
    if plot is not None and est.sensitivity is not None:
        from cocamonitor.production.plot import plot_sensitivity

        plot_sensitivity(est.sensitivity, plot)
        err_console.print(f"wrote {plot}")
    doc = est.to_dict()
    doc["provenance"] = Provenance.build(
        inputs=inputs,
        parameters={
            "preset": preset_name,
            "draws": draws,
            "seed": seed,
            "confidence": confidence,
            "correlated": not independent,
            "sensitivity_draws": sensitivity_draws,
        },
    ).to_dict()
    record_result("production estimate", doc, result=est)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    frame = est.to_frame()
    regions = [r for r in frame["region"].unique() if r != "national"]
    scope = ""
    if len(regions) == 1:  # one region is the country: its rows would repeat the national ones
        frame = frame[frame["region"] == "national"].drop(columns="region")
        scope = f" ({regions[0]})"
    emit_table(
        frame,
        fmt,
        title=f"Potential production{scope} ({preset_name or params}), "
        f"{draws:,} draws, {confidence:.0%} interval",
    )
    if fmt is TableFormat.table and est.sensitivity is not None:
        emit_table(
            est.sensitivity.to_frame(), fmt, title=f"Sensitivity of {est.sensitivity.output}"
        )


@app.command("presets")
def presets(
    name: Annotated[
        str | None, typer.Argument(help="Show one preset's values with their provenance.")
    ] = None,
    fmt: FormatOption = TableFormat.table,
) -> None:
    """List the bundled presets, or show every value of one with its source and arithmetic."""
    from cocamonitor.production.presets import check_preset, load_preset, presets_table

    if name is None:
        emit_table(
            presets_table(), fmt, title="Production presets (published figures they reproduce)"
        )
        return
    model = load_preset(name)
    df = model.to_frame()
    if fmt is TableFormat.table:
        emit_table(
            df[["parameter", "region", "unit", "distribution", "central", "source"]],
            fmt,
            title=f"{name}: {model.meta.get('title', '')}",
        )
        emit_table(check_preset(model), fmt, title="Published figures and the preset's point chain")
        for spec in model.specs():
            err_console.print(
                f"[bold]{spec.label}[/bold] ({spec.source}): {spec.derivation or spec.citation}"
            )
        return
    emit_table(df, fmt)


def _parse_years(text: str | None) -> list[int] | None:
    return None if text is None else parse_years(text, where="--years")


def _parse_series(text: str, n: int | None = 2) -> list[str]:
    keys = [s.strip().lower() for s in text.split(",") if s.strip()]
    for k in keys:
        if k not in SERIES:
            raise UnknownNameError(
                f"unknown series {k!r}", where="--series", hint=suggest(k, SERIES)
            )
    if n is not None and (len(keys) != n or len(set(keys)) != n):
        raise InputError(
            f"need {n} different series, got {text!r}", where="--series", hint="e.g. unodc,us"
        )
    return keys


@app.command("explain")
def explain(
    series: Annotated[
        str, typer.Option("--series", help="Two series a,b; the gap is b minus a.")
    ] = "unodc,us",
    years: Annotated[
        str | None, typer.Option("--years", help="Years, e.g. 2017-2021 (default: all in common).")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the decomposition chart (.png, .svg, .pdf or .html).")
    ] = None,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = "latest",
    fmt: FormatOption = TableFormat.table,
) -> None:
    """Split each year's production gap between two series into area and yield effects (LMDI)."""
    from cocamonitor import datasets
    from cocamonitor.production.decompose import explain_series

    a, b = _parse_series(series)
    yrs = _parse_years(years)
    if plot is not None:
        check_figure_path(plot)
    day, vintage = check_release_options(as_of, vintage)
    dec = explain_series(
        datasets.national_series(a, "area", as_of=day, vintage=vintage),
        datasets.national_series(a, "production", as_of=day, vintage=vintage),
        datasets.national_series(b, "area", as_of=day, vintage=vintage),
        datasets.national_series(b, "production", as_of=day, vintage=vintage),
        labels=(a, b),
        years=yrs,
    )
    if plot is not None:
        from cocamonitor.production.plot import plot_decomposition

        plot_decomposition(dec, plot)
        err_console.print(f"wrote {plot}")
    emit_table(
        dec.to_frame(named=True),
        fmt,
        title=f"Production gap {b} - {a} (t) = area effect + yield effect (LMDI, exact); "
        f"{describe_releases(datasets.national_series(a, 'area', as_of=day, vintage=vintage).attrs)}",
    )


@app.command("yields")
def yields(
    series: Annotated[str, typer.Option("--series", help="unodc or us.")] = "us",
    fmt: FormatOption = TableFormat.table,
) -> None:
    """Print the cocaine per hectare implied by a published series (area and production)."""
    from cocamonitor import datasets
    from cocamonitor.production.decompose import implied_yields

    (key,) = _parse_series(series, n=1)
    df = implied_yields(
        datasets.national_series(key, "area"), datasets.national_series(key, "production")
    )
    if fmt is TableFormat.table:  # t/ha would print as 0.00; kg/ha carries the same number
        df = df.drop(columns=["t_per_ha"])
    emit_table(df, fmt, title=f"Implied cocaine per hectare, {key} (production / area; kg/ha)")


def register(root: typer.Typer) -> None:
    """Add the `production` commands to the root app."""
    root.add_typer(app, name="production")
